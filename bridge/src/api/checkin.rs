//! `POST /v1/checkin`: the QĐ 4750 check-in row of a kept read, saved with its consent record
//! when the hospital system says the citizen agreed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::evidence::hit_evidence;
use super::{Shared, error, kept, strict};
use crate::Report;

/// `POST /v1/checkin`: the QĐ 4750 check-in row (JSON and XML) for a read kept here, with the
/// insurance fields of its BHYT check (when one was made and the card is usable today) and the
/// site's and clerk's entries in `visit`. 422 with the problems when the row would not be valid.
pub(super) async fn checkin(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
    use crate::his::checkin_xml;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        read_id: String,
        #[serde(default)]
        visit: checkin_xml::Visit,
        /// The citizen's consent to the check-in purpose, as the hospital system states it:
        /// only `true` saves the check-in (with `--site-db`) and its consent record.
        #[serde(default)]
        consent: Option<bool>,
    }
    let req: Req = match strict(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if let Err(e) = req.visit.check_text() {
        return error(StatusCode::BAD_REQUEST, "bad_request", e);
    }
    let hit = kept(&st, &req.read_id, |k| (k.report.clone(), k.bhyt.clone(), k.evidence.as_ref().map(|e| e.sha256())));
    let Some((report, answer, evidence_sha256)) = hit else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such read (results are kept only for a few minutes)");
    };
    let now = chrono::Local::now().format("%Y%m%d%H%M").to_string();
    let row = checkin_xml::checkin_row(&report, answer.as_ref(), &req.visit, &now);
    let mut problems = checkin_xml::validate(&row);
    // A read that is not verified makes no check-in row: its chip data cannot be trusted.
    if report.status != crate::Status::Verified {
        problems.insert(0, checkin_xml::not_verified(report.status.key()));
    }
    let evidence_der = hit_evidence(&st, &req.read_id);
    let saved = match (&st.cfg.site_db, req.consent) {
        (Some(db), Some(true)) if problems.is_empty() => {
            let db = db.clone();
            let (report, answer, visit) = (report.clone(), answer.clone(), req.visit.clone());
            // One write id per read: a repeated request saves the visit once.
            let write_id = {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(format!("cancuoc api checkin\0{}", req.read_id)))
            };
            let done = tokio::task::spawn_blocking(move || {
                save_stated_checkin(&db, &write_id, &report, answer.as_ref(), &visit, evidence_der)
            })
            .await;
            match done {
                Ok(Ok(v)) => Some(v),
                Ok(Err(e)) => {
                    return error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "store_error",
                        format!("the check-in was not saved: {e}"),
                    );
                }
                Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the save stopped"),
            }
        }
        _ => None,
    };
    let body = json!({
        "status": report.status,
        "row": row.json(),
        "xml": checkin_xml::xml(std::slice::from_ref(&row)),
        "problems": problems,
        // The visit's evidence record by its hash (QĐ 4750 has no field for it: kept beside).
        "evidence_sha256": evidence_sha256,
        // The residence in today's units, for the visit's summary table (XML1).
        "cu_tru": checkin_xml::residence(&report, &req.visit),
        // With `--site-db` and `"consent": true`: the saved check-in (id, queue number).
        "saved": saved,
    });
    let code = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (code, Json(body)).into_response()
}

/// The fields a check-in saved through the API keeps, by name (its consent record names them).
pub(super) const CHECKIN_FIELDS: &str =
    "full_name,id_number,date_of_birth,sex,place_of_residence,service,verdict,bhyt_result";

/// Saves a check-in the hospital system stated the citizen's consent for, with its consent
/// record (method "stated_by_his") and an audit row.
pub(super) fn save_stated_checkin(
    db: &crate::store::Store,
    write_id: &str,
    report: &Report,
    bhyt: Option<&crate::his::bhyt::Answer>,
    visit: &crate::his::checkin_xml::Visit,
    evidence: Option<Vec<u8>>,
) -> Result<Value, crate::store::StoreError> {
    use crate::store::{AuditRow, CheckinRow, ConsentRecord};
    let p = &report.person;
    let now = crate::now_unix() as i64;
    let settings = db.settings()?;
    let address =
        crate::his::checkin_xml::residence(report, visit).map(|r| r.dia_chi).or_else(|| p.place_of_residence.clone());
    let evidence_sha256 = evidence.as_deref().map(|d| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(d))
    });
    let row = CheckinRow {
        at: now,
        clerk: "API".into(),
        full_name: p.full_name.clone(),
        id_number: p.id_number.clone(),
        date_of_birth: p.date_of_birth.clone(),
        sex: p.sex.clone(),
        address,
        service: visit.ten_dich_vu.clone(),
        verdict: report.status.key().into(),
        bhyt: bhyt
            .map(|a| format!("{} {}", a.code, a.card.number.clone().unwrap_or_default()))
            .unwrap_or_else(|| "not checked".into()),
        evidence,
        evidence_sha256,
        ..CheckinRow::default()
    };
    let saved = db.save_checkin_as(write_id, &row, &settings)?;
    if saved.repeat {
        return Ok(json!({ "id": saved.id, "queue_no": saved.queue_no, "already_saved": true }));
    }
    let id_number = p.id_number.clone().unwrap_or_default();
    let notice = format!(
        "cancuoc API: consent to the check-in purpose stated by the hospital system (POST /v1/checkin); fields {CHECKIN_FIELDS}; kept {} days",
        settings.retention_days
    );
    if !id_number.is_empty() {
        db.record_consent(&ConsentRecord {
            at: now,
            subject: db.subject(&id_number)?,
            purpose: "checkin".into(),
            recipient: "hospital_system".into(),
            fields: CHECKIN_FIELDS.into(),
            notice_sha256: crate::privacy::notice_sha256(&notice),
            method: "stated_by_his".into(),
            answer: "agreed".into(),
            site: visit.ma_cskcb.clone(),
            counter: "api".into(),
            clerk: String::new(),
            checkin: saved.id,
            withdrawn_at: None,
        })?;
    }
    db.audit(&AuditRow {
        at: now,
        clerk: "API".into(),
        action: "checkin".into(),
        purpose: Some("checkin".into()),
        fields: CHECKIN_FIELDS.into(),
        checkin: saved.id,
        detail: "consent stated by the hospital system".into(),
    })?;
    Ok(json!({ "id": saved.id, "queue_no": saved.queue_no, "already_saved": false }))
}
