//! `cancuoc serve`: the loopback HTTP/WebSocket API for web-based hospital systems.
//!
//! Security model (docs/api.md): binds to 127.0.0.1 unless told otherwise; every request needs
//! the token (`Authorization: Bearer …`; only the WebSocket takes `?token=`, browsers cannot set
//! headers there); the Host must be this server's and a request carrying an `Origin` must come
//! from an allowlisted origin ([`edge`]); connections are bounded and timed ([`conn`]); bodies are
//! strict JSON (`cancuoc_api::strict`); only readers the server found or was given can be opened;
//! the reader's lock and its wrong-key count belong to the card session, not to the HTTP request.
//! Read results live in memory only, for the retention period, and nothing personal is logged.

mod conn;
pub mod edge;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand_core::Rng;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::Report;
use crate::pcsc_reader;

/// The simulated reader's name in the API.
pub const SIMULATED_READER: &str = "simulated";
/// cancuoc USB readers are named `usb:<serial port>` in the API.
pub const USB_PREFIX: &str = "usb:";
/// Request bodies larger than this are refused (413).
pub const BODY_LIMIT: usize = 16 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub token: String,
    pub allowed_origins: Vec<String>,
    /// How long a read result stays retrievable in memory.
    pub retention: Duration,
    /// Offer the built-in simulated card as a reader.
    pub simulated: bool,
    /// Serial ports of cancuoc USB readers to offer besides those found by their USB IDs.
    pub usb_ports: Vec<String>,
    /// Delay per APDU on the simulated reader (a realistic link for demos and tests).
    pub simulated_latency: Duration,
    /// The trust store; `None`: the user's (and the test CSCAs for the simulated reader).
    pub trust_dir: Option<PathBuf>,
    /// The insurer's gateway and the site's account for `POST /v1/bhyt` (`None`: not set up).
    pub bhyt: Option<crate::bhyt::Account>,
    /// The site store (`--site-db`): `POST /v1/checkin` with the citizen's consent stated saves
    /// the check-in and its consent record there (`None`: nothing is kept).
    pub site_db: Option<Arc<crate::store::Store>>,
    /// Host names besides the loopback ones and the listen address that the Host header may
    /// carry (`--allow-host`).
    pub allowed_hosts: Vec<String>,
    /// Connection cap and timeouts.
    pub limits: edge::Limits,
}

struct AppState {
    cfg: Config,
    events: broadcast::Sender<String>,
    results: Mutex<HashMap<String, (Instant, Value)>>,
    /// Per kept read: its report and its BHYT answer, for the check-in row (same retention).
    kept: Mutex<HashMap<String, Kept>>,
    busy: Mutex<HashSet<String>>,
    /// Per reader: wrong access keys in a row, and when the next attempt is allowed.
    denied: Mutex<HashMap<String, (u32, Instant)>>,
    /// CPU-heavy work (form PDFs) runs on the blocking pool, this many at once.
    heavy: tokio::sync::Semaphore,
}

struct Kept {
    at: Instant,
    report: Report,
    bhyt: Option<crate::bhyt::Answer>,
    /// The visit evidence record, when the read was for a visit and the chip answered.
    evidence: Option<crate::evidence::Evidence>,
}

/// What `f` takes from a read kept here (within the retention), or `None` when there is none.
fn kept<T>(st: &Shared, read_id: &str, f: impl FnOnce(&Kept) -> T) -> Option<T> {
    let m = st.kept.lock().ok()?;
    m.get(read_id).filter(|k| k.at.elapsed() < st.cfg.retention).map(f)
}

/// Back-off after `n` wrong access keys in a row on one reader: 1, 2, 4 … seconds, at most a
/// minute, so a script cannot burn through a chip's retry counter.
pub fn back_off(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.saturating_sub(1).min(6)).min(Duration::from_secs(60))
}

type Shared = Arc<AppState>;

/// Reads the API token at `path`, or makes one there: 32 random bytes as hex, written to a new
/// file created owner-only (0600) from the start and renamed into place, so it is never readable
/// by others, not even for a moment. An existing file that others may read or write, or whose
/// token is weak (under 32 hex characters), is refused with the fix in the message.
pub fn load_or_create_token(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Write};
    match std::fs::read_to_string(path) {
        Ok(t) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(Error::new(
                        ErrorKind::PermissionDenied,
                        format!(
                            "{} can be read or changed by other users (mode {mode:o}): run `chmod 600 {}`, or delete it to have a new token made",
                            path.display(),
                            path.display()
                        ),
                    ));
                }
            }
            let t = t.trim().to_string();
            if t.len() < 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::new(
                    ErrorKind::InvalidData,
                    format!(
                        "the token in {} is weak (fewer than 32 hex characters): delete the file to have a new one made",
                        path.display()
                    ),
                ));
            }
            return Ok(t);
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut b = [0u8; 32];
    crate::os_rng().fill_bytes(&mut b);
    let token = hex::encode(b);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut nonce = [0u8; 8];
    crate::os_rng().fill_bytes(&mut nonce);
    let tmp = dir.join(format!(".api-token-{}", hex::encode(nonce)));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let written = open.open(&tmp).and_then(|mut f| {
        f.write_all(token.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(token)
}

/// The default token file: `<config dir>/cancuoc/api-token`.
pub fn default_token_file() -> PathBuf {
    dirs::config_dir().unwrap_or_else(|| PathBuf::from(".")).join("cancuoc").join("api-token")
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": code, "message": message.into() }))).into_response()
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    cancuoc_core::crypto::ct_eq(a, b)
}

async fn readers(State(st): State<Shared>) -> Response {
    let pcsc = tokio::task::spawn_blocking(pcsc_reader::readers).await;
    let mut list: Vec<Value> = Vec::new();
    let mut pcsc_error = None;
    match pcsc {
        Ok(Ok(rs)) => {
            list.extend(rs.iter().map(|r| json!({ "name": r.name, "kind": "pcsc", "card_present": r.card_present })))
        }
        Ok(Err(e)) => pcsc_error = Some(e.to_string()),
        Err(e) => pcsc_error = Some(e.to_string()),
    }
    if let Ok(usb) = tokio::task::spawn_blocking(crate::usb_reader::list).await {
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

pub use cancuoc_api::ReadRequest;

/// A card session's hold on its reader: taken before the read, released when the session ends
/// (in the blocking task), not when the HTTP request goes away.
struct BusyGuard(Shared, String);
impl Drop for BusyGuard {
    fn drop(&mut self) {
        if let Ok(mut b) = self.0.busy.lock() {
            b.remove(&self.1);
        }
    }
}

/// Sets the card session's cancel flag when the request goes away (the client disconnected):
/// the read stops at its next APDU, and the reader is released once it has.
struct CancelOnDrop(Arc<std::sync::atomic::AtomicBool>);
impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The one answer for a reader this server did not find and was not given: the same words
/// whatever the name (a path, a device, nonsense), so nothing can be learnt from them.
fn unknown_reader() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "unknown_reader",
        "no such reader here: GET /v1/readers lists the readers this server can open",
    )
}

/// Whether `reader` is one this server may open: the simulated one when offered, a cancuoc USB
/// reader it found by its USB IDs or was given (`--usb`), a PC/SC reader the PC/SC service lists,
/// or "" (the first PC/SC reader holding a card). Nothing else is ever opened.
async fn known_reader(st: &Shared, reader: &str) -> bool {
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
        let found = tokio::task::spawn_blocking(crate::usb_reader::list).await.unwrap_or_default();
        return (port == "auto" && !found.is_empty()) || found.iter().any(|u| u.path == port);
    }
    tokio::task::spawn_blocking(pcsc_reader::readers)
        .await
        .ok()
        .and_then(Result::ok)
        .is_some_and(|rs| rs.iter().any(|r| r.name == reader))
}

/// What a finished read gives the handler: the answer and what is kept with it.
struct ReadDone {
    value: Value,
    report: Report,
    evidence: Option<crate::evidence::Evidence>,
}

async fn read(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
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
        Some(v) => match crate::evidence::Visit::now(&v.site, &v.counter, &v.visit) {
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
            let evidence = visit.as_ref().map(|v| crate::evidence::Evidence::from_read(v, &r));
            let evidence_json = evidence.as_ref().map(|e| match e {
                Ok(e) => json!({ "made": true, "sha256": e.sha256() }),
                Err(why) => json!({ "made": false, "reason": why.to_string() }),
            });
            let mut fhir = crate::fhir::patient(&report, crate::fhir::Include::IDENTITY, photo_ref);
            if let Some(Ok(e)) = &evidence {
                crate::fhir::add_evidence(&mut fhir, &e.sha256());
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
fn note_attempt(st: &Shared, reader: &str, denied: Option<bool>) {
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

/// A strict request body (`cancuoc_api::strict`: no key twice, no unknown field) or the 400.
fn strict<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    cancuoc_api::strict::parse(body).map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, "bad_request", e)))
}

/// The 400 for a request whose stated consent is not `true`.
fn consent_needed(what: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "consent_needed",
        format!("the citizen's consent {what} is needed (\"consent\": true)"),
    )
}

/// `POST /v1/bhyt`: the insurance check for a verified read (`read_id`) or for fields the HIS
/// sends, with the citizen's consent stated in the request (`"consent": true` for the check,
/// `"consent_history": true` for the visit history: the same purposes as the desk app's).
async fn bhyt(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
    use crate::bhyt::{self as b, Query};
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

/// `POST /v1/checkin`: the QĐ 4750 check-in row (JSON and XML) for a read kept here, with the
/// insurance fields of its BHYT check (when one was made and the card is usable today) and the
/// site's and clerk's entries in `visit`. 422 with the problems when the row would not be valid.
async fn checkin(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
    use crate::qd4750;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        read_id: String,
        #[serde(default)]
        visit: qd4750::Visit,
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
    let row = qd4750::checkin_row(&report, answer.as_ref(), &req.visit, &now);
    let mut problems = qd4750::validate(&row);
    // A read that is not verified makes no check-in row: its chip data cannot be trusted.
    if report.status != crate::Status::Verified {
        problems.insert(0, qd4750::not_verified(report.status.key()));
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
        "xml": qd4750::xml(std::slice::from_ref(&row)),
        "problems": problems,
        // The visit's evidence record by its hash (QĐ 4750 has no field for it: kept beside).
        "evidence_sha256": evidence_sha256,
        // The residence in today's units, for the visit's summary table (XML1).
        "cu_tru": qd4750::residence(&report, &req.visit),
        // With `--site-db` and `"consent": true`: the saved check-in (id, queue number).
        "saved": saved,
    });
    let code = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (code, Json(body)).into_response()
}

/// The kept read's visit evidence record (DER), when it has one.
fn hit_evidence(st: &Shared, read_id: &str) -> Option<Vec<u8>> {
    let k = st.kept.lock().ok()?;
    k.get(read_id)?.evidence.as_ref().and_then(|e| e.to_der().ok())
}

/// The fields a check-in saved through the API keeps, by name (its consent record names them).
const CHECKIN_FIELDS: &str = "full_name,id_number,date_of_birth,sex,place_of_residence,service,verdict,bhyt_result";

/// Saves a check-in the hospital system stated the citizen's consent for, with its consent
/// record (method "stated_by_his") and an audit row.
fn save_stated_checkin(
    db: &crate::store::Store,
    write_id: &str,
    report: &Report,
    bhyt: Option<&crate::bhyt::Answer>,
    visit: &crate::qd4750::Visit,
    evidence: Option<Vec<u8>>,
) -> Result<Value, crate::store::StoreError> {
    use crate::store::{AuditRow, CheckinRow, ConsentRecord};
    let p = &report.person;
    let now = crate::now_unix() as i64;
    let settings = db.settings()?;
    let address = crate::qd4750::residence(report, visit).map(|r| r.dia_chi).or_else(|| p.place_of_residence.clone());
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

/// `POST /v1/address` `{"text": "…"}`: an address as a card holds it, in today's units (the
/// same answer as `cancuoc address --json`). POST, not GET: an address is personal data and does
/// not belong in a URL.
async fn address_lookup(body: axum::body::Bytes) -> Response {
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

/// `POST /v1/evidence`: a kept read's visit evidence record (DER, docs/evidence.md), exported
/// only with the consent stated in the request (`"consent": true`), like every other export.
async fn evidence_export(State(st): State<Shared>, body: axum::body::Bytes) -> Response {
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
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e),
        },
    }
}

/// `GET /v1/forms`: the form catalogue (codes, counters, fields and where each comes from).
async fn form_list() -> Response {
    match crate::forms::catalogue() {
        Ok(c) => Json(json!({ "forms": c })).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e),
    }
}

/// `POST /v1/forms/{form}`: the form filled from kept reads (`read_ids`, one per person in the
/// form's order, `null` for a card not read) as an A4 PDF. The citizen's consent is stated per
/// chip field (`"consent": ["required"]` or field ids, `"refuse": [...]`); the clerk's and the
/// citizen's fields come in `values`. A card that is not verified fills nothing unless
/// `"override_unverified": true`. The event stream gets the form, the field names and the
/// override — never a value — for the HIS's audit log.
async fn form_fill(State(st): State<Shared>, Path(name): Path<String>, body: axum::body::Bytes) -> Response {
    use crate::forms::{self, Card, FillError};
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
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e),
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

async fn stored(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    let hit = st.results.lock().ok().and_then(|m| m.get(&id).cloned());
    match hit {
        Some((at, v)) if at.elapsed() < st.cfg.retention => Json(v).into_response(),
        _ => error(StatusCode::NOT_FOUND, "not_found", "no such read (results are kept only for a few minutes)"),
    }
}

async fn events(State(st): State<Shared>, ws: WebSocketUpgrade) -> Response {
    let rx = st.events.subscribe();
    ws.on_upgrade(move |socket| forward(socket, rx))
}

async fn forward(mut socket: WebSocket, mut rx: broadcast::Receiver<String>) {
    let _ = socket.send(Message::Text(json!({ "type": "hello" }).to_string().into())).await;
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(text) => if socket.send(Message::Text(text.into())).await.is_err() { break },
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                _ => {}
            },
        }
    }
}

/// The router, for the server and for tests.
fn router(st: Shared) -> Router {
    Router::new()
        .route("/v1/readers", get(readers))
        .route("/v1/read", post(read))
        .route("/v1/read/{id}", get(stored))
        .route("/v1/events", get(events))
        .route("/v1/bhyt", post(bhyt))
        .route("/v1/checkin", post(checkin))
        .route("/v1/evidence", post(evidence_export))
        .route("/v1/address", post(address_lookup))
        .route("/v1/forms", get(form_list))
        .route("/v1/forms/{form}", post(form_fill))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(middleware::from_fn_with_state(st.clone(), edge::guard))
        .with_state(st)
}

/// Serves until the process ends; calls `ready` with the bound address first.
pub async fn serve(cfg: Config, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let retention = cfg.retention;
    let (events, _) = broadcast::channel(256);
    let st = Arc::new(AppState {
        cfg,
        events,
        results: Mutex::new(HashMap::new()),
        kept: Mutex::new(HashMap::new()),
        busy: Mutex::new(HashSet::new()),
        denied: Mutex::new(HashMap::new()),
        heavy: tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
    });
    // Expired results are dropped from memory, not just hidden.
    let purge = st.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Ok(mut m) = purge.results.lock() {
                m.retain(|_, (at, _)| at.elapsed() < retention);
            }
            if let Ok(mut k) = purge.kept.lock() {
                k.retain(|_, kept| kept.at.elapsed() < retention);
            }
        }
    });
    // Reader and card changes, for /v1/events (PC/SC polled; no personal data).
    let watch = st.events.clone();
    tokio::spawn(async move {
        let mut before: Option<HashMap<String, bool>> = None;
        loop {
            let now = tokio::task::spawn_blocking(pcsc_reader::readers)
                .await
                .ok()
                .and_then(Result::ok)
                .map(|rs| rs.into_iter().map(|r| (r.name, r.card_present)).collect::<HashMap<String, bool>>());
            if let (Some(old), Some(new)) = (&before, &now) {
                for (name, present) in new {
                    match old.get(name) {
                        None => {
                            let _ = watch.send(json!({ "type": "reader_attached", "reader": name }).to_string());
                            if *present {
                                let _ = watch.send(json!({ "type": "card_present", "reader": name }).to_string());
                            }
                        }
                        Some(was) if was != present => {
                            let kind = if *present { "card_present" } else { "card_removed" };
                            let _ = watch.send(json!({ "type": kind, "reader": name }).to_string());
                        }
                        _ => {}
                    }
                }
                for name in old.keys().filter(|n| !new.contains_key(*n)) {
                    let _ = watch.send(json!({ "type": "reader_removed", "reader": name }).to_string());
                }
            }
            if now.is_some() {
                before = now;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    ready(addr);
    let limits = st.cfg.limits;
    conn::serve(listener, router(st), limits).await
}

/// Whether an address is loopback (the only kind served without `--allow-remote`).
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
