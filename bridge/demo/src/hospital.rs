//! The outside services a hospital desk talks to, simulated on loopback: the health-insurance
//! (BHYT) eligibility gateway, with the login and check calls of shared/cccd.md, and a FHIR
//! endpoint standing in for the hospital information system (HIS). The desk app's demo mode
//! and its tests talk to these over real HTTP. Every request that reaches them is recorded, so
//! a test can prove that nothing was sent.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// The answer when the name and date of birth match: "000" = valid card; any other code of
    /// the gateway's table (shared/cccd.md) is answered as it is.
    pub code: &'static str,
    pub full_name: &'static str,
    /// dd/mm/yyyy, or yyyy where the insurer knows only the year.
    pub date_of_birth: &'static str,
    /// "Nam" / "Nữ".
    pub sex: &'static str,
    pub address: &'static str,
    pub card_number: &'static str,
    pub valid_from: &'static str,
    pub valid_to: &'static str,
    pub facility: &'static str,
    pub area: &'static str,
    pub five_years: &'static str,
    /// `ghiChu`: the gateway's free-text note.
    pub note: &'static str,
    /// A new card issued (codes 003/004): number, valid from, valid to, facility code and name.
    pub new_card: Option<[&'static str; 5]>,
    /// The visit history (`Lskcb2025`).
    pub visits: Vec<Visit>,
}

/// One visit in the insurer's history.
#[derive(Clone, Debug)]
pub struct Visit {
    pub record_id: &'static str,
    pub facility: &'static str,
    /// yyyyMMddHHmm
    pub admitted: &'static str,
    pub discharged: &'static str,
    pub diagnosis: &'static str,
    pub outcome: &'static str,
}

impl InsuranceRecord {
    /// The simulated card's holder, insured and valid through 31/12/2099 (so tests do not age).
    pub fn persona_valid() -> Self {
        Self {
            code: "000",
            full_name: crate::PERSONA.full_name,
            date_of_birth: crate::PERSONA.date_of_birth,
            sex: crate::PERSONA.sex,
            address: crate::PERSONA.place_of_residence,
            card_number: "DN4010120123456",
            valid_from: "01/01/2026",
            valid_to: "31/12/2099",
            facility: "01001",
            area: "",
            five_years: "01/01/2021",
            note: "Thẻ còn giá trị sử dụng!",
            new_card: None,
            visits: vec![Visit {
                record_id: "HS-2026-0001",
                facility: "01001",
                admitted: "202603020815",
                discharged: "202603021030",
                diagnosis: "Viêm họng cấp",
                outcome: "Khỏi",
            }],
        }
    }
    /// The same person whose card ran out.
    pub fn persona_expired() -> Self {
        Self { code: "010", valid_from: "01/01/2024", valid_to: "31/12/2024", note: "", ..Self::persona_valid() }
    }
    /// Code 003: the old card ran out at the end of 2025 and a new one, valid now, was issued.
    pub fn persona_renewed() -> Self {
        Self {
            code: "003",
            card_number: "DN4010120123456",
            valid_from: "01/01/2025",
            valid_to: "31/12/2025",
            note: "Thẻ cũ hết giá trị sử dụng, đã được cấp thẻ mới",
            new_card: Some(["DN4010120654321", "01/01/2026", "31/12/2099", "01002", "Bệnh viện Bạch Mai"]),
            ..Self::persona_valid()
        }
    }
    /// The insurer knows only the holder's birth year (older records).
    pub fn persona_year_only() -> Self {
        Self { date_of_birth: year_of(crate::PERSONA.date_of_birth), ..Self::persona_valid() }
    }
}

fn year_of(dmy: &'static str) -> &'static str {
    dmy.rsplit('/').next().unwrap_or(dmy)
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
    /// How long a login's token is accepted (its `expires_in`); a check with an older token is
    /// answered HTTP 401.
    pub token_life: Duration,
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
            token_life: Duration::from_secs(3600),
        }
    }
}

/// A request that reached a simulated service.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub body: Value,
    /// The login token the request carried in its query, if any.
    pub query_token: Option<String>,
}

struct Shared {
    cfg: HospitalConfig,
    received: Mutex<Vec<Received>>,
    /// Tokens handed out, with when they stop being accepted.
    tokens: Mutex<Vec<(String, Instant)>>,
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
            .route("/api/egw/Lskcb2025", post(history))
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
    /// How many logins (`/api/token/take`) reached the gateway.
    pub fn logins(&self) -> usize {
        self.received().iter().filter(|r| r.path == "/api/token/take").count()
    }
    /// Makes every token handed out so far stale (as a gateway restart or an early expiry does).
    pub fn expire_tokens(&self) {
        if let Ok(mut t) = self.shared.tokens.lock() {
            t.clear();
        }
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
    record_with(st, path, body, None);
}

fn record_with(st: &Shared, path: &str, body: &Value, query_token: Option<&String>) {
    if let Ok(mut r) = st.received.lock() {
        r.push(Received { path: path.into(), body: body.clone(), query_token: query_token.cloned() });
    }
}

/// A form-urlencoded body (what the insurer's documents specify) or, as some hospital systems
/// send, JSON — both read into one object.
fn body_fields(body: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return v;
    }
    let text = String::from_utf8_lossy(body);
    let mut o = serde_json::Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        o.insert(form_decode(k), Value::String(form_decode(v)));
    }
    Value::Object(o)
}

fn form_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(c) = bytes.next() {
        match c {
            b'+' => out.push(b' '),
            b'%' => {
                let (h, l) = (bytes.next(), bytes.next());
                match (h.and_then(hex), l.and_then(hex)) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => out.extend([Some(b'%'), h, l].into_iter().flatten()),
                }
            }
            c => out.push(c),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `expires_in` as the gateway writes it: a UTC date-time.
fn utc_after(d: Duration) -> String {
    let t = chrono::Utc::now() + chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::zero());
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn login(State(st): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    tokio::time::sleep(st.cfg.delay).await;
    let body = body_fields(&body);
    record(&st, "/api/token/take", &body);
    // The documents say upper-case hex; hospital systems send both cases.
    let ok = body["username"] == st.cfg.username.as_str()
        && body["password"].as_str().is_some_and(|p| p.eq_ignore_ascii_case(&md5_hex(&st.cfg.password)));
    if !ok {
        return (StatusCode::OK, axum::Json(json!({ "maKetQua": "401", "APIKey": null }))).into_response();
    }
    let mut n = [0u8; 16];
    // getrandom fails only where the OS has no generator at all; the token is then merely
    // predictable (a simulated service on this computer).
    let _ = getrandom::fill(&mut n);
    let token: String = n.iter().map(|b| format!("{b:02x}")).collect();
    if let Ok(mut t) = st.tokens.lock() {
        t.push((token.clone(), Instant::now() + st.cfg.token_life));
    }
    axum::Json(json!({
        "maKetQua": "200",
        "APIKey": { "access_token": token, "id_token": format!("id-{token}"), "token_type": "Bearer",
                    "username": st.cfg.username, "expires_in": utc_after(st.cfg.token_life) }
    }))
    .into_response()
}

fn token_ok(st: &Shared, q: &BTreeMap<String, String>) -> bool {
    let now = Instant::now();
    q.get("token")
        .is_some_and(|t| st.tokens.lock().map(|ts| ts.iter().any(|(k, until)| k == t && *until > now)).unwrap_or(false))
}

/// What every call with a token does first: the configured delay, the body read and recorded,
/// and HTTP 401 for a token that is unknown or past its life.
async fn accept(st: &Shared, path: &str, q: &BTreeMap<String, String>, body: &[u8]) -> Result<Value, Response> {
    tokio::time::sleep(st.cfg.delay).await;
    let body = body_fields(body);
    record_with(st, path, &body, q.get("token"));
    if !token_ok(st, q) {
        return Err((StatusCode::UNAUTHORIZED, axum::Json(json!({ "maKetQua": "401" }))).into_response());
    }
    Ok(body)
}

/// The insurer's own record of the person, as a 060/061/070 answer carries it.
fn own_record(r: &InsuranceRecord) -> Value {
    json!({ "hoTen": r.full_name, "ngaySinh": r.date_of_birth, "gioiTinh": r.sex, "diaChi": r.address })
}

/// Name and date of birth as the gateway checks them: `None` when they match, else the code.
fn mismatch(r: &InsuranceRecord, body: &Value) -> Option<&'static str> {
    let name = body["hoTen"].as_str().unwrap_or_default();
    if name != r.full_name {
        let first = |s: &str| s.chars().next().map(|c| c.to_lowercase().to_string());
        return Some(if first(name) == first(r.full_name) { "061" } else { "060" });
    }
    if body["ngaySinh"].as_str() != Some(r.date_of_birth) {
        return Some("070");
    }
    None
}

async fn check(
    State(st): State<Arc<Shared>>,
    Query(q): Query<BTreeMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let body = match accept(&st, "/api/egw/KQNhanLichSuKCB2024", &q, &body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    if let Some(s) = st.cfg.fail_status {
        let code = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (code, "gateway error").into_response();
    }
    let card = body["maThe"].as_str().unwrap_or_default();
    let Some(r) = st.cfg.records.get(card) else {
        return axum::Json(json!({ "maKetQua": "050", "ghiChu": "Không thấy thông tin thẻ" })).into_response();
    };
    if let Some(code) = mismatch(r, &body) {
        let mut v = own_record(r);
        v["maKetQua"] = json!(code);
        v["ghiChu"] = json!(if code == "070" { "Sai ngày sinh" } else { "Sai họ tên" });
        return axum::Json(v).into_response();
    }
    let mut v = own_record(r);
    let fields = json!({
        "maKetQua": r.code, "ghiChu": r.note, "maThe": r.card_number,
        "gtTheTu": r.valid_from, "gtTheDen": r.valid_to, "maDKBD": r.facility, "maKV": r.area,
        "ngayDu5Nam": r.five_years, "maSoBHXH": "0123456789", "maTheCu": "",
        "dsLichSuKCB2018": null, "dsLichSuKT2018": null
    });
    if let (Some(o), Some(f)) = (v.as_object_mut(), fields.as_object()) {
        o.extend(f.clone());
    }
    if let Some([n, from, to, f, name]) = r.new_card {
        v["maTheMoi"] = json!(n);
        v["gtTheTuMoi"] = json!(from);
        v["gtTheDenMoi"] = json!(to);
        v["maDKBDMoi"] = json!(f);
        v["tenDKBDMoi"] = json!(name);
    }
    axum::Json(v).into_response()
}

/// `Lskcb2025`: the visit history (form-encoded body, as reported for the real gateway).
async fn history(
    State(st): State<Arc<Shared>>,
    Query(q): Query<BTreeMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let body = match accept(&st, "/api/egw/Lskcb2025", &q, &body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let card = body["maThe"].as_str().unwrap_or_default();
    let Some(r) = st.cfg.records.get(card) else {
        return axum::Json(json!({ "maKetQua": "050", "ghiChu": "Không thấy thông tin thẻ", "dsLichSuKCB2025": null }))
            .into_response();
    };
    if let Some(code) = mismatch(r, &body) {
        return axum::Json(json!({ "maKetQua": code, "dsLichSuKCB2025": null })).into_response();
    }
    let visits: Vec<Value> = r
        .visits
        .iter()
        .map(|v| {
            json!({ "maHoSo": v.record_id, "maCSKCB": v.facility, "ngayVao": v.admitted, "ngayRa": v.discharged,
                    "tenBenh": v.diagnosis, "tinhTrang": "1", "kqDieuTri": v.outcome, "lyDoVV": "1" })
        })
        .collect();
    axum::Json(json!({ "maKetQua": "000", "ghiChu": "", "dsLichSuKCB2025": visits })).into_response()
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
