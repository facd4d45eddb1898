//! The readers and the read: only readers the server found or was given can be opened; the
//! reader's lock and its wrong-key count belong to the card session, not to the HTTP request.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand_core::Rng;
use serde_json::{Value, json};

use super::{Kept, SIMULATED_READER, Shared, USB_PREFIX, back_off, error};
use crate::Report;
use crate::transport::pcsc;

pub(super) async fn readers(State(st): State<Shared>) -> Response {
    let pcsc = tokio::task::spawn_blocking(pcsc::readers).await;
    let mut list: Vec<Value> = Vec::new();
    let mut pcsc_error = None;
    match pcsc {
        Ok(Ok(rs)) => {
            list.extend(rs.iter().map(|r| json!({ "name": r.name, "kind": "pcsc", "card_present": r.card_present })))
        }
        Ok(Err(e)) => pcsc_error = Some(e.to_string()),
        Err(e) => pcsc_error = Some(e.to_string()),
    }
    if let Ok(usb) = tokio::task::spawn_blocking(crate::transport::usb::list).await {
        list.extend(
            usb.iter()
                .map(|u| json!({ "name": format!("{USB_PREFIX}{}", u.path), "kind": "usb", "card_present": null })),
        );
    }
    for p in &st.cfg.usb_ports {
        let name = format!("{USB_PREFIX}{p}");
        if !list.iter().any(|r| r["name"] == name) {
            list.push(json!({ "name": name, "kind": "usb", "card_present": null }));
        }
    }
    if st.cfg.simulated {
        list.push(json!({ "name": SIMULATED_READER, "kind": "simulated", "card_present": true }));
    }
    Json(json!({ "readers": list, "pcsc_error": pcsc_error })).into_response()
}

/// A card session's hold on its reader: taken before the read, released when the session ends
/// (in the blocking task), not when the HTTP request goes away.
pub(super) struct BusyGuard(Shared, String);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        if let Ok(mut b) = self.0.busy.lock() {
            b.remove(&self.1);
        }
    }
}

/// Sets the card session's cancel flag when the request goes away (the client disconnected):
/// the read stops at its next APDU, and the reader is released once it has.
pub(super) struct CancelOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The one answer for a reader this server did not find and was not given: the same words
/// whatever the name (a path, a device, nonsense), so nothing can be learnt from them.
pub(super) fn unknown_reader() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "unknown_reader",
        "no such reader here: GET /v1/readers lists the readers this server can open",
    )
}

/// Whether `reader` is one this server may open: the simulated one when offered, a cancuoc USB
/// reader it found by its USB IDs or was given (`--usb`), a PC/SC reader the PC/SC service lists,
/// or "" (the first PC/SC reader holding a card). Nothing else is ever opened.
pub(super) async fn known_reader(st: &Shared, reader: &str) -> bool {
    if reader == SIMULATED_READER {
        return st.cfg.simulated;
    }
    if reader.is_empty() {
        return true;
    }
    if let Some(port) = reader.strip_prefix(USB_PREFIX) {
        if st.cfg.usb_ports.iter().any(|p| p == port) {
            return true;
        }
        let found = tokio::task::spawn_blocking(crate::transport::usb::list).await.unwrap_or_default();
        return (port == "auto" && !found.is_empty()) || found.iter().any(|u| u.path == port);
    }
    tokio::task::spawn_blocking(pcsc::readers)
        .await
        .ok()
        .and_then(Result::ok)
        .is_some_and(|rs| rs.iter().any(|r| r.name == reader))
}

/// What a finished read gives the handler: the answer and what is kept with it.
pub(super) struct ReadDone {
    value: Value,
    report: Report,
    evidence: Option<crate::his::evidence::Evidence>,
}

pub(super) async fn read(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
    let req = match cancuoc_api::parse_read_request(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e),
    };
    let reader =
        req.reader.clone().unwrap_or_else(|| if st.cfg.simulated { SIMULATED_READER.into() } else { String::new() });
    if !known_reader(&st, &reader).await {
        return unknown_reader();
    }
    let simulated = reader == SIMULATED_READER;
    let source = if simulated {
        crate::read::Source::Simulated {
            variant: req.variant.clone().unwrap_or_else(|| "rsa".into()),
            remove_at: None,
            latency: st.cfg.simulated_latency,
        }
    } else if let Some(port) = reader.strip_prefix(USB_PREFIX) {
        crate::read::Source::Usb(port.to_string())
    } else {
        crate::read::Source::Pcsc(Some(reader.clone()).filter(|r| !r.is_empty()))
    };
    let creds = match crate::read::credentials(&source, &req.typed()) {
        Ok(c) => c,
        Err(m) => return error(StatusCode::BAD_REQUEST, "bad_request", cancuoc_api::key_error(&m)),
    };
    let visit = match &req.visit {
        Some(v) => match crate::his::evidence::Visit::now(&v.site, &v.counter, &v.visit) {
            Ok(v) => Some(v),
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", format!("visit: {e}")),
        },
        None => None,
    };
    let challenge = match visit.as_ref().map(|v| v.challenge()).transpose() {
        Ok(c) => c,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", format!("visit: {e}")),
    };
    let wait = st
        .denied
        .lock()
        .ok()
        .and_then(|d| d.get(&reader).map(|(_, until)| until.saturating_duration_since(Instant::now())));
    if let Some(w) = wait.filter(|w| !w.is_zero()) {
        let secs = w.as_secs() + 1;
        let mut resp = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "the last access key for this reader was wrong: wait {secs} s before trying again (this protects the card)"
            ),
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return resp;
    }
    {
        let Ok(mut busy) = st.busy.lock() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "lock") };
        if !busy.insert(reader.clone()) {
            return error(StatusCode::CONFLICT, "reader_busy", format!("reader {reader:?} is busy with another read"));
        }
    }
    // From here the card session owns the reader: the lock and the wrong-key count move into
    // the blocking task and end with it, whatever becomes of this request.
    let session = BusyGuard(st.clone(), reader.clone());
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let st2 = st.clone();
    let photo = req.photo;
    let outcome = tokio::task::spawn_blocking(move || {
        let _session = session;
        let events = st2.events.clone();
        let mut last = None;
        // A file being read means the chip accepted the key.
        let mut opened = false;
        let mut progress = |p: cancuoc_core::read::Progress| {
            opened = true;
            let key = (p.file, p.done * 10 / p.total.max(1));
            if last != Some(key) {
                last = Some(key);
                let _ = events.send(
                    json!({ "type": "progress", "file": p.file.to_string(), "done": p.done, "total": p.total })
                        .to_string(),
                );
            }
        };
        let trust = st2.cfg.trust_dir.clone().map_or(crate::read::Trust::Default, crate::read::Trust::Dir);
        let hooks = crate::read::Hooks { progress: &mut progress, unplugged: &mut || {}, cancel: &cancel, trace: None };
        let result = crate::read::read(&source, &creds, &trust, None, challenge, hooks);
        let denied = match &result {
            Ok(_) => Some(false),
            Err(e @ (crate::read::Error::Card(_) | crate::read::Error::Usb(_))) => Some(e.code() == "access_denied"),
            // Abandoned before the chip accepted the key: counted, as the chip may have.
            Err(crate::read::Error::Cancelled) if !opened => Some(true),
            Err(_) => None,
        };
        note_attempt(&st2, &reader, denied);
        // The answer is made here too (photo, FHIR, evidence): CPU work off the async workers.
        result.map(|outcome| {
            let r = outcome.card;
            let mut report = Report::from_read(&r);
            report.reader = outcome.reader;
            let photo_ref = if photo {
                crate::photo_bytes(&r).map(|b| {
                    (r.dg2.as_ref().and_then(|d| d.faces.first()).map_or("image/jpeg", |f| f.format.mime()), b)
                })
            } else {
                None
            };
            // The visit's evidence, kept with the read (same retention): made only when the chip
            // answered this visit's challenge; the reason otherwise.
            let evidence = visit.as_ref().map(|v| crate::his::evidence::Evidence::from_read(v, &r));
            let evidence_json = evidence.as_ref().map(|e| match e {
                Ok(e) => json!({ "made": true, "sha256": e.sha256() }),
                Err(why) => json!({ "made": false, "reason": why.to_string() }),
            });
            let mut fhir = crate::his::fhir::patient(&report, crate::his::fhir::Include::IDENTITY, photo_ref);
            if let Some(Ok(e)) = &evidence {
                crate::his::fhir::add_evidence(&mut fhir, &e.sha256());
            }
            let mut value = json!({ "report": report, "fhir": fhir });
            if let Some(e) = evidence_json {
                value["evidence"] = e;
            }
            ReadDone { value, report, evidence: evidence.and_then(Result::ok) }
        })
    })
    .await;
    let result = match outcome {
        Ok(r) => r,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()),
    };
    match result {
        Ok(ReadDone { mut value, report, evidence }) => {
            let mut id = [0u8; 16];
            crate::os_rng().fill_bytes(&mut id);
            let id = hex::encode(id);
            value["id"] = json!(id);
            if let Ok(mut m) = st.results.lock() {
                m.insert(id.clone(), (Instant::now(), value.clone()));
            }
            let status = report.status;
            if let Ok(mut k) = st.kept.lock() {
                k.insert(id.clone(), Kept { at: Instant::now(), report, bhyt: None, evidence });
            }
            let _ = st.events.send(json!({ "type": "result", "id": id, "status": status }).to_string());
            Json(value).into_response()
        }
        Err(failure) => {
            let e = failure.report();
            let _ = st.events.send(json!({ "type": "error", "error": e.error }).to_string());
            let status = match e.error {
                "access_denied" | "credentials_needed" => StatusCode::UNPROCESSABLE_ENTITY,
                "bad_request" => StatusCode::BAD_REQUEST,
                "unknown_reader" => StatusCode::NOT_FOUND,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            (status, Json(json!({ "error": e.error, "message": e.message, "retryable": e.retryable }))).into_response()
        }
    }
}

/// Counts a wrong access key on `reader` (and sets its back-off), or clears the count after a
/// read the chip accepted.
pub(super) fn note_attempt(st: &Shared, reader: &str, denied: Option<bool>) {
    let Ok(mut d) = st.denied.lock() else { return };
    match denied {
        Some(true) => {
            let n = d.get(reader).map_or(0, |(n, _)| *n) + 1;
            d.insert(reader.to_string(), (n, Instant::now() + back_off(n)));
        }
        Some(false) => {
            d.remove(reader);
        }
        None => {}
    }
}
