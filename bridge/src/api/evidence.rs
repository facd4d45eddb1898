//! `POST /v1/evidence`: the visit evidence record of a kept read, only with consent.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Shared, consent_needed, error, kept, strict};

/// The kept read's visit evidence record (DER), when it has one.
pub(super) fn hit_evidence(st: &Shared, read_id: &str) -> Option<Vec<u8>> {
    let k = st.kept.lock().ok()?;
    k.get(read_id)?.evidence.as_ref().and_then(|e| e.to_der().ok())
}

/// `POST /v1/evidence`: a kept read's visit evidence record (DER, docs/evidence.md), exported
/// only with the consent stated in the request (`"consent": true`), like every other export.
pub(super) async fn evidence_export(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        #[serde(default)]
        consent: bool,
        read_id: String,
    }
    let req: Req = match strict(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if !req.consent {
        return consent_needed("to export the visit evidence");
    }
    let id = req.read_id.as_str();
    let hit = kept(&st, id, |k| k.evidence.clone());
    match hit {
        None => error(StatusCode::NOT_FOUND, "not_found", "no such read (results are kept only for a few minutes)"),
        Some(None) => error(
            StatusCode::NOT_FOUND,
            "no_evidence",
            "this read has no visit evidence (no visit given, or the card gave none)",
        ),
        Some(Some(e)) => match e.to_der() {
            Ok(der) => {
                let _ = st
                    .events
                    .send(json!({ "type": "export", "what": "visit_evidence", "sha256": e.sha256() }).to_string());
                let mut resp = der.into_response();
                let h = resp.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                resp
            }
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()),
        },
    }
}
