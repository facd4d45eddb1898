//! `cancuoc serve`: the loopback HTTP/WebSocket API for web-based hospital systems.
//!
//! Security model (docs/api.md): binds to 127.0.0.1 unless told otherwise; every request needs
//! the token (`Authorization: Bearer …`; only the WebSocket takes `?token=`, browsers cannot set
//! headers there); the Host must be this server's and a request carrying an `Origin` must come
//! from an allowlisted origin ([`edge`]); connections are bounded and timed ([`conn`]); bodies are
//! strict JSON (`cancuoc_api::strict`); only readers the server found or was given can be opened;
//! the reader's lock and its wrong-key count belong to the card session, not to the HTTP request.
//! Read results live in memory only, for the retention period, and nothing personal is logged.

mod bhyt;
mod checkin;
mod conn;
pub mod edge;
mod events;
mod evidence;
mod forms;
mod read;
mod token;

pub use cancuoc_api::ReadRequest;
pub use token::{default_token_file, load_or_create_token};

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::Report;
use crate::transport::pcsc;

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
    pub bhyt: Option<crate::his::bhyt::Account>,
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
    bhyt: Option<crate::his::bhyt::Answer>,
    /// The visit evidence record, when the read was for a visit and the chip answered.
    evidence: Option<crate::his::evidence::Evidence>,
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

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": code, "message": message.into() }))).into_response()
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    cancuoc_core::crypto::ct_eq(a, b)
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

async fn stored(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    let hit = st.results.lock().ok().and_then(|m| m.get(&id).cloned());
    match hit {
        Some((at, v)) if at.elapsed() < st.cfg.retention => Json(v).into_response(),
        _ => error(StatusCode::NOT_FOUND, "not_found", "no such read (results are kept only for a few minutes)"),
    }
}

/// The router, for the server and for tests.
fn router(st: Shared) -> Router {
    Router::new()
        .route("/v1/readers", get(read::readers))
        .route("/v1/read", post(read::read))
        .route("/v1/read/{id}", get(stored))
        .route("/v1/events", get(events::events))
        .route("/v1/bhyt", post(bhyt::bhyt))
        .route("/v1/checkin", post(checkin::checkin))
        .route("/v1/evidence", post(evidence::evidence_export))
        .route("/v1/address", post(forms::address_lookup))
        .route("/v1/forms", get(forms::form_list))
        .route("/v1/forms/{form}", post(forms::form_fill))
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
            let now = tokio::task::spawn_blocking(pcsc::readers)
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
