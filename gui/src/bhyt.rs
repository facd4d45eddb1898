//! Health-insurance (BHYT) eligibility by the CCCD number, against the insurer's gateway
//! (shared/cccd.md): log in (`/api/token/take`, password as MD5), then ask
//! `/api/egw/KQNhanLichSuKCB2024`. Every way this can fail ends as "not checked" with the reason;
//! the app never guesses a result.

use std::time::Duration;

use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::i18n::Lang;

/// Where and as whom to ask.
#[derive(Clone, Debug, Default)]
pub struct BhytConfig {
    /// e.g. `https://egw.baohiemxahoi.gov.vn` (per site; never built in).
    pub base_url: String,
    pub username: String,
    /// MD5 of the password, hex (the gateway takes the hash; the app never keeps the password).
    pub password_md5: String,
    pub clerk_name: String,
    pub clerk_id: String,
    pub timeout: Duration,
}

/// What is sent: the fields the purpose "BHYT" allows.
#[derive(Clone, Debug)]
pub struct BhytQuery {
    pub id_number: String,
    pub full_name: String,
    /// dd/mm/yyyy
    pub date_of_birth: String,
}

/// Whether the card can be used today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Valid,
    Expired,
    Invalid,
}

/// The gateway's answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BhytResult {
    pub code: String,
    pub eligibility: Eligibility,
    pub card_number: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub facility: Option<String>,
    pub area: Option<String>,
    pub five_years: Option<String>,
}

/// Why there is no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotChecked {
    /// Offline mode, or no gateway configured.
    Offline,
    Timeout,
    Unreachable(String),
    /// The gateway refused the account.
    Auth,
    /// The gateway answered with an HTTP error.
    Server(u16),
    /// The answer could not be read.
    BadAnswer(String),
}

pub fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout.max(Duration::from_millis(100))))
        .http_status_as_error(false)
        .build()
        .into()
}

fn transport_error(e: ureq::Error) -> NotChecked {
    match e {
        ureq::Error::Timeout(_) => NotChecked::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => NotChecked::Timeout,
        other => NotChecked::Unreachable(other.to_string()),
    }
}

fn post_json(agent: &ureq::Agent, url: &str, body: &Value) -> Result<(u16, Value), NotChecked> {
    let mut resp = agent.post(url).send_json(body).map_err(transport_error)?;
    let status = resp.status().as_u16();
    if status == 401 || status == 403 {
        return Err(NotChecked::Auth);
    }
    if !(200..300).contains(&status) {
        return Err(NotChecked::Server(status));
    }
    let v: Value = resp.body_mut().read_json().map_err(|e| match e {
        ureq::Error::Timeout(_) => NotChecked::Timeout,
        e => NotChecked::BadAnswer(e.to_string()),
    })?;
    Ok((status, v))
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// `dd/mm/yyyy` → comparable `(yyyy, mm, dd)`.
fn ymd(d: &str) -> Option<(u16, u8, u8)> {
    let mut p = d.split('/');
    let day = p.next()?.parse().ok()?;
    let month = p.next()?.parse().ok()?;
    let year = p.next()?.parse().ok()?;
    Some((year, month, day))
}

/// Asks the gateway. `today` is `dd/mm/yyyy` (a "000" answer whose validity ended before it is
/// shown as expired).
pub fn lookup(cfg: &BhytConfig, q: &BhytQuery, today: &str) -> Result<BhytResult, NotChecked> {
    let base = cfg.base_url.trim().trim_end_matches('/');
    if base.is_empty() {
        return Err(NotChecked::Offline);
    }
    let agent = agent(cfg.timeout);
    let (_, login) = post_json(
        &agent,
        &format!("{base}/api/token/take"),
        &json!({ "username": cfg.username, "password": cfg.password_md5 }),
    )?;
    // The token may come at the top level or under "APIKey", as gateways differ.
    let key = login.get("APIKey").filter(|k| k.is_object()).unwrap_or(&login);
    let (Some(token), Some(id_token)) = (text(key, "access_token"), text(key, "id_token")) else {
        return Err(NotChecked::Auth);
    };
    let url = format!(
        "{base}/api/egw/KQNhanLichSuKCB2024?token={}&id_token={}&username={}&password={}",
        enc(&token),
        enc(&id_token),
        enc(&cfg.username),
        enc(&cfg.password_md5)
    );
    let (_, v) = post_json(
        &agent,
        &url,
        &json!({
            "maThe": q.id_number, "hoTen": q.full_name, "ngaySinh": q.date_of_birth,
            "hoTenCb": cfg.clerk_name, "cccdCb": cfg.clerk_id,
        }),
    )?;
    let code = text(&v, "maKetQua").ok_or_else(|| NotChecked::BadAnswer("no maKetQua".into()))?;
    if code == "401" {
        return Err(NotChecked::Auth);
    }
    let valid_to = text(&v, "gtTheDen");
    let ended = match (valid_to.as_deref().and_then(ymd), ymd(today)) {
        (Some(to), Some(now)) => to < now,
        _ => false,
    };
    let eligibility = match code.as_str() {
        "000" | "001" | "002" | "004" if !ended => Eligibility::Valid,
        "000" | "001" | "002" | "004" | "003" | "010" => Eligibility::Expired,
        _ => Eligibility::Invalid,
    };
    Ok(BhytResult {
        code,
        eligibility,
        card_number: text(&v, "maThe"),
        valid_from: text(&v, "gtTheTu"),
        valid_to,
        facility: text(&v, "maDKBD"),
        area: text(&v, "maKV"),
        five_years: text(&v, "ngayDu5Nam"),
    })
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The gateway's result codes in plain words (as published with hospital integrations); an
/// unknown code is shown with the code itself.
pub fn code_message(code: &str, lang: Lang) -> String {
    let (vi, en) = match code {
        "000" => ("Thông tin thẻ chính xác", "Card details correct"),
        "001" => ("Thẻ do BHXH Bộ Quốc phòng quản lý", "Card managed by the Ministry of Defence's fund"),
        "002" => ("Thẻ do BHXH Bộ Công an quản lý", "Card managed by the Ministry of Public Security's fund"),
        "003" => ("Thẻ cũ hết giá trị, đã được cấp thẻ mới", "Old card expired; a new card was issued"),
        "004" => ("Thẻ cũ còn giá trị, đã được cấp thẻ mới", "Old card still valid; a new card was issued"),
        "010" => ("Thẻ hết giá trị sử dụng", "Card no longer valid"),
        "050" => ("Không tìm thấy thông tin thẻ", "No card found"),
        "051" => ("Mã thẻ không đúng", "Wrong card number"),
        "052" => ("Mã tỉnh cấp thẻ không đúng", "Wrong province code"),
        "053" => ("Mã quyền lợi thẻ không đúng", "Wrong benefit code"),
        "060" => ("Sai họ tên", "Name does not match"),
        "061" => ("Sai họ tên (đúng ký tự đầu)", "Name does not match (first letters match)"),
        "070" => ("Sai ngày sinh", "Date of birth does not match"),
        "100" => ("Lỗi khi lấy dữ liệu sổ thẻ", "Error fetching the card register"),
        "101" => ("Lỗi máy chủ", "Server error"),
        "110" => ("Thẻ đã thu hồi", "Card withdrawn"),
        "120" => ("Thẻ đã báo giảm", "Card reported reduced"),
        "130" => ("Trẻ em không xuất trình thẻ", "Child without card"),
        "205" => ("Sai định dạng tham số", "Malformed request"),
        "401" => ("Lỗi xác thực tài khoản", "Account authentication failed"),
        _ => {
            return match lang {
                Lang::Vi => format!("Mã kết quả chưa biết: {code}"),
                Lang::En => format!("Unknown result code: {code}"),
            };
        }
    };
    match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Why there is no answer, in plain words.
pub fn not_checked_message(n: &NotChecked, lang: Lang) -> String {
    let t = lang.tr();
    match n {
        NotChecked::Offline => t.bhyt_offline.into(),
        NotChecked::Timeout => t.bhyt_timeout.into(),
        NotChecked::Unreachable(_) => t.bhyt_unreachable.into(),
        NotChecked::Auth => t.bhyt_auth.into(),
        NotChecked::Server(s) => format!("{} (HTTP {s}).", t.bhyt_server_error),
        NotChecked::BadAnswer(_) => t.bhyt_bad_answer.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cancuoc_sim::hospital::{Hospital, HospitalConfig, InsuranceRecord};

    fn cfg(h: &Hospital) -> BhytConfig {
        BhytConfig {
            base_url: h.base_url(),
            username: h.username().into(),
            password_md5: md5_hex(h.password()),
            clerk_name: "Lê Văn Tiếp".into(),
            clerk_id: "001090000001".into(),
            timeout: Duration::from_secs(5),
        }
    }
    fn persona() -> BhytQuery {
        let p = &cancuoc_sim::PERSONA;
        BhytQuery {
            id_number: p.id_number.into(),
            full_name: p.full_name.into(),
            date_of_birth: p.date_of_birth.into(),
        }
    }

    #[test]
    fn valid_card_through_a_real_server() {
        let h = Hospital::start(HospitalConfig::default()).expect("server");
        let r = lookup(&cfg(&h), &persona(), "23/11/2026").expect("answer");
        assert_eq!(r.code, "000");
        assert_eq!(r.eligibility, Eligibility::Valid);
        assert_eq!(r.facility.as_deref(), Some("01-001"));
        assert_eq!(r.valid_to.as_deref(), Some("31/12/2099"));
        // Exactly the consented fields went out, and the password only as its MD5.
        let got = h.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].body["password"], md5_hex(h.password()));
        assert_ne!(got[0].body["password"], h.password());
        let keys: Vec<&str> = got[1].body.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys, ["maThe", "hoTen", "ngaySinh", "hoTenCb", "cccdCb"]);
    }

    #[test]
    fn expired_card_and_a_000_past_its_end() {
        let mut c = HospitalConfig::default();
        c.records.insert(cancuoc_sim::PERSONA.id_number.into(), InsuranceRecord::persona_expired());
        let h = Hospital::start(c).expect("server");
        let r = lookup(&cfg(&h), &persona(), "23/11/2026").expect("answer");
        assert_eq!((r.code.as_str(), r.eligibility), ("010", Eligibility::Expired));
        // A valid code whose period has ended is not shown as valid.
        let h2 = Hospital::start(HospitalConfig::default()).expect("server");
        let r = lookup(&cfg(&h2), &persona(), "01/01/2100").expect("answer");
        assert_eq!((r.code.as_str(), r.eligibility), ("000", Eligibility::Expired));
    }

    #[test]
    fn every_failure_is_not_checked_with_its_reason() {
        // Wrong password.
        let h = Hospital::start(HospitalConfig::default()).expect("server");
        let mut c = cfg(&h);
        c.password_md5 = md5_hex("wrong");
        assert_eq!(lookup(&c, &persona(), "23/11/2026"), Err(NotChecked::Auth));
        // Server error.
        let h = Hospital::start(HospitalConfig { fail_status: Some(503), ..Default::default() }).expect("server");
        assert_eq!(lookup(&cfg(&h), &persona(), "23/11/2026"), Err(NotChecked::Server(503)));
        // Too slow.
        let h =
            Hospital::start(HospitalConfig { delay: Duration::from_secs(3), ..Default::default() }).expect("server");
        let mut c = cfg(&h);
        c.timeout = Duration::from_millis(300);
        assert_eq!(lookup(&c, &persona(), "23/11/2026"), Err(NotChecked::Timeout));
        // Nobody listening.
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr")
        };
        let c = BhytConfig { base_url: format!("http://{dead}"), ..cfg(&h) };
        assert!(matches!(lookup(&c, &persona(), "23/11/2026"), Err(NotChecked::Unreachable(_))));
        // Not configured.
        let c = BhytConfig { base_url: String::new(), ..cfg(&h) };
        assert_eq!(lookup(&c, &persona(), "23/11/2026"), Err(NotChecked::Offline));
    }

    #[test]
    fn wrong_name_is_a_code_not_a_guess() {
        let h = Hospital::start(HospitalConfig::default()).expect("server");
        let q = BhytQuery { full_name: "Nguyễn Thị Thu Hằng".into(), ..persona() };
        let r = lookup(&cfg(&h), &q, "23/11/2026").expect("answer");
        assert_eq!((r.code.as_str(), r.eligibility), ("060", Eligibility::Invalid));
        assert_eq!(code_message("060", Lang::Vi), "Sai họ tên");
        assert_eq!(code_message("999", Lang::En), "Unknown result code: 999");
    }
}
