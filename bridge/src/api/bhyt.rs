//! `POST /v1/bhyt`: the insurer's check for a kept read, only with the citizen's consent.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Shared, consent_needed, error, kept, strict};

/// `POST /v1/bhyt`: the insurance check for a verified read (`read_id`) or for fields the HIS
/// sends, with the citizen's consent stated in the request (`"consent": true` for the check,
/// `"consent_history": true` for the visit history: the same purposes as the desk app's).
pub(super) async fn bhyt(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
    use crate::his::bhyt::{self as b, Query};
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        #[serde(default)]
        consent: bool,
        #[serde(default)]
        history: bool,
        #[serde(default)]
        consent_history: bool,
        read_id: Option<String>,
        id_number: Option<String>,
        full_name: Option<String>,
        date_of_birth: Option<String>,
        sex: Option<String>,
        /// A read that is not verified is used anyway: stated, with the reason (recorded).
        #[serde(default)]
        override_unverified: bool,
        override_reason: Option<String>,
    }
    let req: Req = match strict(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if !req.consent {
        return consent_needed("to send the ID number, name and date of birth to the insurer");
    }
    let history = req.history;
    if history && !req.consent_history {
        return error(
            StatusCode::BAD_REQUEST,
            "consent_needed",
            "the visit history needs its own consent (\"consent_history\": true)",
        );
    }
    // The fields: from a read kept here (its verified chip fields only, unless an override is
    // stated with its reason), or as sent.
    let (id_number, full_name, date_of_birth, sex) = match &req.read_id {
        Some(id) => {
            let Some(report) = kept(&st, id, |k| k.report.clone()) else {
                return error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no such read (results are kept only for a few minutes)",
                );
            };
            if report.status != crate::Status::Verified {
                let reason = req.override_reason.as_deref().map(str::trim).unwrap_or_default();
                if !req.override_unverified || reason.is_empty() {
                    return error(
                        StatusCode::CONFLICT,
                        "not_verified",
                        "this read is not verified: its chip data is not sent unless \"override_unverified\": true with an \"override_reason\"",
                    );
                }
                if let Err(e) = cancuoc_api::strict::text("override_reason", reason, 500, false) {
                    return error(StatusCode::BAD_REQUEST, "bad_request", e);
                }
                let _ = st.events.send(
                    json!({ "type": "override_unverified", "purpose": "bhyt", "status": report.status, "reason": reason })
                        .to_string(),
                );
            }
            let p = report.person;
            (p.id_number, p.full_name, p.date_of_birth, p.sex)
        }
        None => (req.id_number.clone(), req.full_name.clone(), req.date_of_birth.clone(), req.sex.clone()),
    };
    let trimmed = |v: Option<String>| v.map(|s| s.trim().to_string()).unwrap_or_default();
    let q = Query {
        id_number: trimmed(id_number),
        full_name: trimmed(full_name),
        date_of_birth: trimmed(date_of_birth),
        sex: Some(trimmed(sex)).filter(|s| !s.is_empty()),
    };
    let checks = [
        cancuoc_api::strict::id_number(&q.id_number),
        cancuoc_api::strict::name("full_name", &q.full_name),
        cancuoc_api::strict::date("date_of_birth", &q.date_of_birth),
        q.sex.as_deref().map_or(Ok(()), |s| cancuoc_api::strict::name("sex", s)),
    ];
    if let Some(Err(e)) = checks.into_iter().find(Result::is_err) {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{e} (needs id_number, full_name and date_of_birth, or the read_id of a read)"),
        );
    }
    let read_id = req.read_id.clone();
    let account = st.cfg.bhyt.clone().unwrap_or_default();
    let today = chrono::Local::now().format("%d/%m/%Y").to_string();
    let done = tokio::task::spawn_blocking(move || {
        let answer = b::lookup(&account, &q, &today);
        let visits = (history && answer.is_ok()).then(|| b::history(&account, &q));
        (answer, visits)
    })
    .await;
    let Ok((answer, visits)) = done else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the check stopped");
    };
    let mut v = match &answer {
        Ok(r) => json!({ "checked": true, "answer": r, "meaning": b::code(&r.code) }),
        Err(n) => json!({
            "checked": false, "not_checked": n, "retryable": n.retryable(),
            "message": b::not_checked_message(n, crate::words::Lang::En),
            "message_vi": b::not_checked_message(n, crate::words::Lang::Vi),
        }),
    };
    if let Some(h) = visits {
        v["history"] = match h {
            Ok(h) => json!(h),
            Err(n) => json!({ "not_checked": n }),
        };
    }
    // Kept with the read (same retention) for its check-in row.
    if let (Some(id), Ok(a)) = (read_id, &answer)
        && let Ok(mut k) = st.kept.lock()
        && let Some(kept) = k.get_mut(&id)
    {
        kept.bhyt = Some(a.clone());
    }
    Json(v).into_response()
}
