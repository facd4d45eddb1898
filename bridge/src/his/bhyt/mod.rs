//! Health-insurance (BHYT) eligibility by the CCCD number, against the insurer's gateway — the
//! one client of the desk app, the CLI (`cancuoc bhyt`) and the local API (`POST /v1/bhyt`).
//!
//! What the gateway takes and answers is in shared/cccd.md (from the insurer's published function
//! description, CV 1923/BHXH-CNTT Phụ lục 03, and public hospital-system code): log in
//! (`/api/token/take`, form-encoded, the password as MD5), check (`/api/egw/KQNhanLichSuKCB2024`,
//! JSON body, the token in the query), visit history (`/api/egw/Lskcb2025`, form-encoded). The
//! answer is read the way reception needs it:
//!
//! - every documented result code named in both languages with what the clerk should do
//!   ([`code`]);
//! - a renewed card (003/004) resolved to the card that is valid today — the new one — with the
//!   old one shown beside it;
//! - the gateway's note (`ghiChu`) always carried;
//! - the insurer's own record (name, date of birth, sex, address) compared with the verified
//!   chip's, every difference flagged; where the insurer holds only the birth year and it is the
//!   chip's, the check is asked once more with the year, and the answer says so;
//! - the login token kept per site account until its `expires_in` (in memory, and for other
//!   programs on this PC encrypted in the cache folder — never in clear), a 401 answered with one
//!   new login and one retry.
//!
//! Every way this can fail — no gateway set, timeout, unreachable, wrong account, a gateway error
//! code — is [`NotChecked`] with the reason: the client never guesses a result.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

/// Where and as whom to ask (the site's account; never built in).
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// e.g. `https://egw.baohiemxahoi.gov.vn`.
    pub base_url: String,
    pub username: String,
    /// MD5 of the password, hex (the gateway takes the hash; nothing keeps the password).
    pub password_md5: String,
    /// The clerk asking (`hoTenCb`, `cccdCb`: the gateway checks they are a registered user).
    pub clerk_name: String,
    pub clerk_id: String,
    pub timeout: Duration,
    /// Where the login token is kept encrypted for other programs on this PC (`None`: in memory
    /// only). [`default_cache_dir`] is the one the desk app and the CLI share.
    pub cache_dir: Option<PathBuf>,
}

impl Account {
    /// The site's account as scripts and the API server take it: the user from
    /// `CANCUOC_BHYT_USER`, the password from the file `CANCUOC_BHYT_PASSWORD_FILE` (never on a
    /// command line), the token shared (sealed) with the desk app's in [`default_cache_dir`].
    pub fn from_env(
        gateway: &str,
        clerk_name: &str,
        clerk_id: &str,
        timeout: Duration,
    ) -> Result<Account, AccountError> {
        let username = std::env::var("CANCUOC_BHYT_USER").map_err(|_| AccountError::NoUser)?;
        let file =
            std::env::var_os("CANCUOC_BHYT_PASSWORD_FILE").map(PathBuf::from).ok_or(AccountError::NoPasswordFile)?;
        let password =
            std::fs::read_to_string(&file).map_err(|error| AccountError::PasswordFile { path: file.clone(), error })?;
        Ok(Account {
            base_url: gateway.trim().to_string(),
            username,
            password_md5: md5_hex(password.trim_end_matches(['\r', '\n'])),
            clerk_name: clerk_name.to_string(),
            clerk_id: clerk_id.to_string(),
            timeout,
            cache_dir: default_cache_dir(),
        })
    }
}

/// Why the site's gateway account cannot be set up from the environment; each says what to set.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("set CANCUOC_BHYT_USER to the site's gateway account")]
    NoUser,
    #[error("set CANCUOC_BHYT_PASSWORD_FILE to a file holding the account's password")]
    NoPasswordFile,
    /// The password file cannot be read (where, and the system's reason).
    #[error("cannot read {}: {error}", .path.display())]
    PasswordFile { path: PathBuf, error: std::io::Error },
}

/// The person asked about: the verified chip's fields (the ones the "BHYT" purpose allows).
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The 12-digit CCCD number (the gateway takes it as `maThe`).
    pub id_number: String,
    pub full_name: String,
    /// dd/mm/yyyy
    pub date_of_birth: String,
    /// "Nam" / "Nữ" as on the chip, when known (compared with the insurer's record).
    pub sex: Option<String>,
}

/// Whether the card can be used today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Valid,
    Expired,
    Invalid,
}

/// One insurance card as the gateway describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Card {
    pub number: Option<String>,
    /// dd/mm/yyyy
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// The registered primary-care facility (`maDKBD`) and, for a new card, its name.
    pub facility: Option<String>,
    pub facility_name: Option<String>,
    pub area: Option<String>,
    /// The date of five years' continuous participation.
    pub five_years: Option<String>,
}

/// The insurer's own record of the person (in 060/061/070 answers, and often in the others).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InsurerRecord {
    pub full_name: Option<String>,
    /// dd/mm/yyyy, or yyyy where the insurer knows only the year.
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
}

/// A field where the insurer's record and the verified chip disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `full_name`, `date_of_birth` or `sex`.
    pub field: &'static str,
    pub chip: String,
    pub insurer: String,
}

/// The gateway's answer, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// `maKetQua` of the answer the result rests on.
    pub code: String,
    pub eligibility: Eligibility,
    /// The card to use today: for a renewed card (003/004) the new one when its validity covers
    /// today.
    pub card: Card,
    /// The card the new one replaced, shown beside it (003/004).
    pub previous_card: Option<Card>,
    /// `ghiChu`, always shown.
    pub note: Option<String>,
    pub insurer: InsurerRecord,
    /// Where the insurer's record differs from the chip: reception must see it.
    pub differences: Vec<Difference>,
    /// The insurer holds the birth year only: the check was asked again with the year (the first
    /// answer was 070) and this is that second answer.
    pub birth_year_only: bool,
}

/// One visit in the insurer's history (`Lskcb2025`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub record_id: Option<String>,
    pub facility: Option<String>,
    /// yyyyMMddHHmm, as the gateway gives it.
    pub admitted: Option<String>,
    pub discharged: Option<String>,
    pub diagnosis: Option<String>,
    pub outcome: Option<String>,
}

/// The visit history's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct History {
    pub code: String,
    pub note: Option<String>,
    pub visits: Vec<Visit>,
}

/// Why there is no answer to rely on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotChecked {
    /// Offline mode, or no gateway configured.
    Offline,
    Timeout,
    Unreachable {
        detail: String,
    },
    /// The gateway refused the site's account (after one new login).
    Auth,
    /// The gateway answered with an HTTP error.
    Server {
        status: u16,
    },
    /// The answer could not be read.
    BadAnswer {
        detail: String,
    },
    /// The gateway answered a code that says nothing about the card: its own error (100, 101,
    /// 500), a malformed request (205), or the clerk's account (054, 055).
    Gateway {
        code: String,
    },
}

impl NotChecked {
    /// Whether asking again can help (the gateway or the network, not the account).
    pub fn retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Unreachable { .. } | Self::Server { .. } | Self::BadAnswer { .. } => true,
            Self::Gateway { code } => matches!(code.as_str(), "100" | "101" | "500"),
            Self::Offline | Self::Auth => false,
        }
    }
}

mod answer;
mod benefit;
mod codes;
mod http;
mod token;

pub use answer::*;
pub use benefit::*;
pub use codes::*;
use http::{agent, form, with_token};
pub use token::default_cache_dir;

/// A field of the gateway's JSON as text (strings as they are, numbers written out).
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Asks the gateway about the chip's holder. `today` is dd/mm/yyyy.
pub fn lookup(a: &Account, q: &Query, today: &str) -> Result<Answer, NotChecked> {
    let agent = agent(a.timeout);
    let ask = |dob: &str| {
        let body = json!({
            "maThe": q.id_number, "hoTen": q.full_name, "ngaySinh": dob,
            "hoTenCb": a.clerk_name, "cccdCb": a.clerk_id,
        });
        with_token(&agent, a, "/api/egw/KQNhanLichSuKCB2024", Ok(&body))
    };
    let first = read_answer(&ask(&q.date_of_birth)?, q, today)?;
    // 070 with the insurer's birth year only, the chip's year: ask once more with the year.
    let year = first.insurer.date_of_birth.as_deref().filter(|d| year_only(d)).map(str::trim);
    if first.code == "070"
        && let Some(y) = year
        && ymd(&q.date_of_birth).map(|c| c.year) == ymd(y).map(|i| i.year)
    {
        let mut second = read_answer(&ask(y)?, q, today)?;
        second.birth_year_only = true;
        if second.insurer == InsurerRecord::default() {
            second.insurer = first.insurer;
        }
        return Ok(second);
    }
    Ok(first)
}

/// The insurer's visit history for the chip's holder (its own consent purpose).
pub fn history(a: &Account, q: &Query) -> Result<History, NotChecked> {
    let agent = agent(a.timeout);
    let body = form(&[
        ("maThe", &q.id_number),
        ("hoTen", &q.full_name),
        ("ngaySinh", &q.date_of_birth),
        ("hoTenCb", &a.clerk_name),
        ("cccdCb", &a.clerk_id),
    ]);
    let v = with_token(&agent, a, "/api/egw/Lskcb2025", Err(&body))?;
    let code_s = text(&v, "maKetQua").ok_or_else(|| NotChecked::BadAnswer { detail: "no maKetQua".into() })?;
    if code(&code_s).kind == Kind::NotChecked {
        return Err(NotChecked::Gateway { code: code_s });
    }
    let visits = v
        .get("dsLichSuKCB2025")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| Visit {
                    record_id: text(e, "maHoSo"),
                    facility: text(e, "maCSKCB"),
                    admitted: text(e, "ngayVao"),
                    discharged: text(e, "ngayRa"),
                    diagnosis: text(e, "tenBenh"),
                    outcome: text(e, "kqDieuTri"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(History { code: code_s, note: text(&v, "ghiChu"), visits })
}

/// MD5 of a password, hex (what settings keep instead of the password).
pub fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::answer::*;
    use super::token::*;
    use super::*;
    use crate::words::Lang;

    #[test]
    fn expiry_reads_a_date_time_or_seconds_and_keeps_a_minute_in_hand() {
        let now = 1_800_000_000;
        assert_eq!(expiry(Some(&json!("3600")), now), now + 3600 - 60);
        assert_eq!(expiry(Some(&json!(120)), now), now + 60);
        let at = chrono::DateTime::from_timestamp(now + 7200, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        assert_eq!(expiry(at.map(Value::String).as_ref(), now), now + 7200 - 60);
        let local_form = chrono::NaiveDate::from_ymd_opt(2027, 1, 15)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .map(|d| d.and_utc().timestamp());
        assert_eq!(Some(expiry(Some(&json!("2027-01-15 08:00:00")), now) + 60), local_form);
        assert_eq!(expiry(Some(&json!("soon")), now), now + TOKEN_UNKNOWN_LIFE_S);
        assert_eq!(expiry(None, now), now + TOKEN_UNKNOWN_LIFE_S);
    }

    #[test]
    fn a_sealed_token_opens_only_with_the_same_account_and_is_not_in_clear() {
        let plain = br#"{"access_token":"abc123","id_token":"id-abc123","use_until":1}"#;
        let s = seal::seal("PWHASH", "gw|user", plain, [7; 16]);
        assert!(!s.windows(6).any(|w| w == b"abc123"), "the token is not in clear");
        assert_eq!(seal::open("PWHASH", "gw|user", &s).as_deref(), Some(&plain[..]));
        assert_eq!(seal::open("OTHER", "gw|user", &s), None);
        assert_eq!(seal::open("PWHASH", "gw|other", &s), None);
        let mut flipped = s.clone();
        if let Some(b) = flipped.get_mut(20) {
            *b ^= 1;
        }
        assert_eq!(seal::open("PWHASH", "gw|user", &flipped), None);
        assert_eq!(seal::open("PWHASH", "gw|user", &s[..10]), None);
    }

    #[test]
    fn the_insurer_record_is_compared_as_a_person_would() {
        let q = Query {
            id_number: "079195012345".into(),
            full_name: "Nguyễn Thị Thu Hà".into(),
            date_of_birth: "15/03/1995".into(),
            sex: Some("Nữ".into()),
        };
        let same = InsurerRecord {
            full_name: Some("NGUYỄN  THỊ THU HÀ".into()),
            date_of_birth: Some("1995".into()),
            sex: Some("2".into()),
            address: None,
        };
        assert_eq!(compare(&q, &same), []);
        let other = InsurerRecord {
            full_name: Some("Nguyễn Thị Thu Hằng".into()),
            date_of_birth: Some("15/03/1994".into()),
            sex: Some("Nam".into()),
            address: None,
        };
        let d: Vec<&str> = compare(&q, &other).iter().map(|d| d.field).collect();
        assert_eq!(d, ["full_name", "date_of_birth", "sex"]);
        let year = InsurerRecord { date_of_birth: Some("1996".into()), ..Default::default() };
        assert_eq!(compare(&q, &year).len(), 1);
    }

    /// An answer written by hand from the documented field list (CV 1923 Phụ lục 03 as
    /// shared/cccd.md gives it), not by our simulated gateway: a 003 with the new card's fields,
    /// the insurer's record, numbers where strings are documented, and the null history lists.
    #[test]
    fn a_documented_003_answer_written_by_hand_is_read_as_reception_needs_it() {
        let v: Value = serde_json::from_str(
            r#"{"maKetQua":"003","ghiChu":"Thẻ cũ hết giá trị sử dụng. Đã cấp thẻ mới!","maThe":"HC4797938123456",
                "hoTen":"NGUYỄN VĂN AN","ngaySinh":"1960","gioiTinh":"Nam","diaChi":"Xã Tân Hội, Huyện Đức Trọng, Lâm Đồng",
                "maDKBD":"68012","cqBHXH":"BHXH huyện Đức Trọng","gtTheTu":"01/01/2025","gtTheDen":"31/12/2025",
                "maKV":"","ngayDu5Nam":"01/01/2020","maSoBHXH":6812345678,"maTheCu":"",
                "maTheMoi":"HT3797938123456","gtTheTuMoi":"01/01/2026","gtTheDenMoi":"31/12/2026",
                "maDKBDMoi":"68012","tenDKBDMoi":"Trung tâm Y tế huyện Đức Trọng",
                "dsLichSuKCB2018":null,"dsLichSuKT2018":null}"#,
        )
        .expect("json");
        let q = Query {
            id_number: "068060001234".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "02/09/1960".into(),
            sex: Some("Nam".into()),
        };
        let a = read_answer(&v, &q, "15/03/2026").expect("read");
        assert_eq!((a.code.as_str(), a.eligibility), ("003", Eligibility::Valid));
        assert_eq!(a.card.number.as_deref(), Some("HT3797938123456"));
        assert_eq!(a.card.facility_name.as_deref(), Some("Trung tâm Y tế huyện Đức Trọng"));
        assert_eq!(a.previous_card.as_ref().and_then(|c| c.number.as_deref()), Some("HC4797938123456"));
        assert_eq!(a.note.as_deref(), Some("Thẻ cũ hết giá trị sử dụng. Đã cấp thẻ mới!"));
        assert_eq!(a.insurer.date_of_birth.as_deref(), Some("1960"));
        assert!(a.differences.is_empty(), "upper-case name, year-only birth date: the same person");
        // A 000 without any new-card fields and a code-only error answer.
        let v: Value = serde_json::from_str(r#"{"maKetQua":"000","ghiChu":"Thẻ còn giá trị sử dụng!","maThe":"HC4797938123456","gtTheTu":"01/01/2026","gtTheDen":"31/12/2026","maDKBD":"68012"}"#).expect("json");
        let a = read_answer(&v, &q, "15/03/2026").expect("read");
        assert_eq!((a.eligibility, a.previous_card.is_none()), (Eligibility::Valid, true));
        let v: Value = serde_json::from_str(r#"{"maKetQua":"101","ghiChu":"Lỗi máy chủ"}"#).expect("json");
        assert_eq!(read_answer(&v, &q, "15/03/2026"), Err(NotChecked::Gateway { code: "101".into() }));
        let v: Value = serde_json::from_str(r#"{"ghiChu":"?"}"#).expect("json");
        assert!(matches!(read_answer(&v, &q, "15/03/2026"), Err(NotChecked::BadAnswer { .. })));
    }

    #[test]
    fn every_documented_code_is_named_in_both_languages_with_what_to_do() {
        let documented = [
            "000", "001", "002", "003", "004", "010", "050", "051", "052", "053", "054", "055", "060", "061", "070",
            "100", "101", "110", "120", "121", "122", "123", "124", "130", "205", "401",
        ];
        for c in documented {
            let i = code(c);
            assert_eq!(i.code, c);
            for s in [i.vi, i.en, i.todo_vi, i.todo_en] {
                assert!(!s.trim().is_empty(), "{c}");
            }
            assert_ne!(i.vi, i.en, "{c}");
        }
        assert_eq!(code("999").kind, Kind::NotChecked, "an unknown code is never taken as valid");
        assert_eq!(code_message("060", Lang::Vi), "060 — Sai họ tên");
    }
}
