//! The outside services a hospital desk talks to, simulated on loopback: the health-insurance
//! (BHYT) eligibility gateway, with the login and check calls of shared/cccd.md, and a FHIR
//! endpoint standing in for the hospital information system (HIS). The desk app's demo mode
//! and its tests talk to these over real HTTP. Every request that reaches them is recorded, so
//! a test can prove that nothing was sent.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use md5::{Digest, Md5};
use serde_json::{Value, json};

/// One insured person as the gateway knows them.
#[derive(Clone, Debug)]
pub struct InsuranceRecord {
    /// "000" = valid card; other codes per the gateway's table.
    pub code: &'static str,
    pub full_name: &'static str,
    /// dd/mm/yyyy
    pub date_of_birth: &'static str,
    pub card_number: &'static str,
    pub valid_from: &'static str,
    pub valid_to: &'static str,
    pub facility: &'static str,
    pub area: &'static str,
    pub five_years: &'static str,
}

impl InsuranceRecord {
    /// The simulated card's holder, insured and valid through 31/12/2099 (so tests do not age).
    pub fn persona_valid() -> Self {
        Self {
            code: "000",
            full_name: crate::PERSONA.full_name,
            date_of_birth: crate::PERSONA.date_of_birth,
            card_number: "DN4010120123456",
            valid_from: "01/01/2026",
            valid_to: "31/12/2099",
            facility: "01-001",
            area: "",
            five_years: "01/01/2021",
        }
    }
    /// The same person whose card ran out.
    pub fn persona_expired() -> Self {
        Self { code: "010", valid_from: "01/01/2024", valid_to: "31/12/2024", ..Self::persona_valid() }
    }
}

/// How the simulated services behave.
#[derive(Clone, Debug)]
pub struct HospitalConfig {
    pub username: String,
    pub password: String,
    /// CCCD number → record.
    pub records: BTreeMap<String, InsuranceRecord>,
    /// Delay before every answer (to test timeouts).
    pub delay: Duration,
    /// Answer every eligibility check with this HTTP status instead (to test server errors).
    pub fail_status: Option<u16>,
}

impl Default for HospitalConfig {
    fn default() -> Self {
        let mut records = BTreeMap::new();
        records.insert(crate::PERSONA.id_number.to_string(), InsuranceRecord::persona_valid());
        Self {
            username: "benhvien01".into(),
            password: "matkhau-thu".into(),
            records,
            delay: Duration::ZERO,
            fail_status: None,
        }
    }
}

/// A request that reached a simulated service.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub body: Value,
}

struct Shared {
    cfg: HospitalConfig,
    received: Mutex<Vec<Received>>,
    tokens: Mutex<Vec<String>>,
}

/// The running services. They stop when this is dropped.
pub struct Hospital {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Hospital {
    /// Starts both services on 127.0.0.1 (a free port).
    pub fn start(cfg: HospitalConfig) -> std::io::Result<Hospital> {
        let shared = Arc::new(Shared { cfg, received: Mutex::new(Vec::new()), tokens: Mutex::new(Vec::new()) });
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/api/token/take", post(login))
            .route("/api/egw/KQNhanLichSuKCB2024", post(check))
            .route("/fhir/Patient", post(his_patient))
            .with_state(shared.clone());
        let rt = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()?;
        std::thread::spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        });
        Ok(Hospital { addr, shared, stop: Some(stop_tx) })
    }
    /// The gateway's base URL (what goes in the app's settings).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The FHIR Patient endpoint of the simulated HIS.
    pub fn his_url(&self) -> String {
        format!("http://{}/fhir/Patient", self.addr)
    }
    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
    pub fn username(&self) -> &str {
        &self.shared.cfg.username
    }
    pub fn password(&self) -> &str {
        &self.shared.cfg.password
    }
}

impl Drop for Hospital {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn record(st: &Shared, path: &str, body: &Value) {
    if let Ok(mut r) = st.received.lock() {
        r.push(Received { path: path.into(), body: body.clone() });
    }
}

async fn login(State(st): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    tokio::time::sleep(st.cfg.delay).await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    record(&st, "/api/token/take", &body);
    let ok = body["username"] == st.cfg.username.as_str() && body["password"] == md5_hex(&st.cfg.password).as_str();
    if !ok {
        return (StatusCode::OK, axum::Json(json!({ "maKetQua": "401", "APIKey": null }))).into_response();
    }
    let mut n = [0u8; 16];
    // getrandom fails only where the OS has no generator at all; the token is then merely
    // predictable (a simulated service on this computer).
    let _ = getrandom::fill(&mut n);
    let token: String = n.iter().map(|b| format!("{b:02x}")).collect();
    if let Ok(mut t) = st.tokens.lock() {
        t.push(token.clone());
    }
    axum::Json(json!({
        "maKetQua": "200",
        "APIKey": { "access_token": token, "id_token": format!("id-{token}"), "token_type": "Bearer",
                    "username": st.cfg.username, "expires_in": "3600" }
    }))
    .into_response()
}

async fn check(
    State(st): State<Arc<Shared>>,
    Query(q): Query<BTreeMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    tokio::time::sleep(st.cfg.delay).await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    record(&st, "/api/egw/KQNhanLichSuKCB2024", &body);
    let token_ok = q.get("token").is_some_and(|t| st.tokens.lock().map(|ts| ts.contains(t)).unwrap_or(false));
    if !token_ok {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "maKetQua": "401" }))).into_response();
    }
    if let Some(s) = st.cfg.fail_status {
        let code = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (code, "gateway error").into_response();
    }
    let card = body["maThe"].as_str().unwrap_or_default();
    let Some(r) = st.cfg.records.get(card) else {
        return axum::Json(json!({ "maKetQua": "050", "ghiChu": "Không thấy thông tin thẻ" })).into_response();
    };
    if body["hoTen"].as_str() != Some(r.full_name) {
        return axum::Json(json!({ "maKetQua": "060", "ghiChu": "Sai họ tên" })).into_response();
    }
    if body["ngaySinh"].as_str() != Some(r.date_of_birth) {
        return axum::Json(json!({ "maKetQua": "070", "ghiChu": "Sai ngày sinh" })).into_response();
    }
    axum::Json(json!({
        "maKetQua": r.code, "ghiChu": "", "maThe": r.card_number, "hoTen": r.full_name, "ngaySinh": r.date_of_birth,
        "gtTheTu": r.valid_from, "gtTheDen": r.valid_to, "maDKBD": r.facility, "maKV": r.area,
        "ngayDu5Nam": r.five_years, "dsLichSuKCB2018": [], "dsLichSuKT2018": []
    }))
    .into_response()
}

async fn his_patient(State(st): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    tokio::time::sleep(st.cfg.delay).await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    record(&st, "/fhir/Patient", &body);
    if body["resourceType"] != "Patient" {
        return (StatusCode::BAD_REQUEST, "expected a FHIR Patient").into_response();
    }
    let n = st.received.lock().map(|r| r.len()).unwrap_or(0);
    let mut created = body.clone();
    created["id"] = json!(format!("p{n}"));
    (StatusCode::CREATED, axum::Json(created)).into_response()
}
