//! The ward counters' forms (`GET /v1/forms`, `POST /v1/forms/{name}`) and the address of today
//! (`POST /v1/address`).

use axum::Json;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Shared, error, kept, strict};

/// `POST /v1/address` `{"text": "…"}`: an address as a card holds it, in today's units (the
/// same answer as `cancuoc address --json`). POST, not GET: an address is personal data and does
/// not belong in a URL.
pub(super) async fn address_lookup(body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        text: String,
    }
    match cancuoc_api::strict::parse::<Req>(&body) {
        Ok(r) if r.text.chars().count() <= 1024 => {
            let units = crate::address::units();
            let mut v = json!(units.lookup(&r.text));
            v["units_version"] = json!(units.version);
            Json(v).into_response()
        }
        Ok(_) => error(StatusCode::BAD_REQUEST, "bad_request", "the address is longer than 1024 characters"),
        Err(e) => error(StatusCode::BAD_REQUEST, "bad_request", format!("needs {{\"text\": \"…\"}}; {e}")),
    }
}

/// `GET /v1/forms`: the form catalogue (codes, counters, fields and where each comes from).
pub(super) async fn form_list() -> Response {
    match crate::his::forms::catalogue() {
        Ok(c) => Json(json!({ "forms": c })).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()),
    }
}

/// `POST /v1/forms/{form}`: the form filled from kept reads (`read_ids`, one per person in the
/// form's order, `null` for a card not read) as an A4 PDF. The citizen's consent is stated per
/// chip field (`"consent": ["required"]` or field ids, `"refuse": [...]`); the clerk's and the
/// citizen's fields come in `values`. A card that is not verified fills nothing unless
/// `"override_unverified": true`. The event stream gets the form, the field names and the
/// override — never a value — for the HIS's audit log.
pub(super) async fn form_fill(State(st): State<Shared>, Path(name): Path<String>, body: axum::body::Bytes) -> Response {
    use crate::his::forms::{self, Card, FillError};
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        #[serde(default)]
        read_ids: Vec<Option<String>>,
        consent: Option<Vec<String>>,
        #[serde(default)]
        refuse: Vec<String>,
        #[serde(default)]
        values: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        override_unverified: bool,
        /// Why a card that is not verified fills the form anyway (printed on it, and sent in
        /// the event stream).
        override_reason: Option<String>,
        #[serde(default)]
        date: Option<String>,
    }
    let req: Req = match strict(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    for (k, v) in &req.values {
        if let Err(e) = cancuoc_api::strict::text(&format!("values.{k}"), v, 2000, true) {
            return error(StatusCode::BAD_REQUEST, "bad_request", e);
        }
    }
    let reason = req.override_reason.as_deref().map(str::trim).unwrap_or_default().to_string();
    if let Err(e) = cancuoc_api::strict::text("override_reason", &reason, 500, false) {
        return error(StatusCode::BAD_REQUEST, "bad_request", e);
    }
    let form = match forms::find(&name) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::NOT_FOUND, "not_found", e.to_string()),
    };
    let Some(given) = req.consent else {
        return error(
            StatusCode::BAD_REQUEST,
            "consent_needed",
            "the citizen's consent per chip field is needed (\"consent\": [\"required\"] or the field ids)",
        );
    };
    if req.read_ids.len() > form.people.len() {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{} takes {} card(s)", form.code, form.people.len()),
        );
    }
    let consented = match form.consent_from(&given, &req.refuse) {
        Ok(c) => c,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    };
    let date = match forms::parse_date(req.date.as_deref().unwrap_or("today")) {
        Ok(d) => d,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    };
    let mut reports = Vec::new();
    for id in &req.read_ids {
        let Some(id) = id else {
            reports.push(None);
            continue;
        };
        let hit = kept(&st, id, |k| k.report.clone());
        match hit {
            Some(r) => reports.push(Some(r)),
            None => {
                return error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no such read (results are kept only for a few minutes)",
                );
            }
        }
    }
    let cards: Vec<Option<Card>> = reports
        .iter()
        .map(|r| {
            r.as_ref().map(|r| Card {
                dg13: &r.person,
                verified: r.status == crate::Status::Verified,
                address_choice: None,
            })
        })
        .collect();
    let refs: Vec<&str> = consented.iter().map(String::as_str).collect();
    // An override is stated with its reason, which the form then prints (as the desk does).
    let overriding = req.override_unverified && cards.iter().flatten().any(|c| !c.verified);
    if overriding && reason.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "\"override_unverified\" needs an \"override_reason\" (printed on the form)",
        );
    }
    let mut values = match form.values(&cards, &refs, &req.values, req.override_unverified) {
        Ok(v) => v,
        Err(e @ FillError::NotVerified(_)) => return error(StatusCode::CONFLICT, "not_verified", e.to_string()),
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    };
    if overriding {
        values.insert(forms::OVERRIDE_NOTE.into(), reason.clone());
    }
    // The PDF (layout, fonts, compression) on the blocking pool, a bounded number at once, so a
    // cheap request stays quick while forms render.
    let Ok(_permit) = st.heavy.acquire().await else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "internal", "shutting down");
    };
    let rendered = {
        let (form, values) = (form.clone(), values.clone());
        tokio::task::spawn_blocking(move || form.pdf(&values, date)).await
    };
    let pdf = match rendered {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return error(StatusCode::UNPROCESSABLE_ENTITY, "cannot_print", e.to_string()),
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the form stopped"),
    };
    let filled: Vec<&str> = form.chip_fields().filter(|f| values.contains_key(&f.id)).map(|f| f.id.as_str()).collect();
    let overridden = overriding;
    let _ = st.events.send(
        json!({ "type": "form", "form": form.code, "consented": consented, "filled_from_chip": filled, "override_unverified": overridden })
            .to_string(),
    );
    let mut resp = pdf.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&filled.join(",")) {
        h.insert("x-cancuoc-filled", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.pdf\"", form.slug)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
