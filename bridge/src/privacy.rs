//! The 2026 personal-data law at the counter (Law 91/2025/QH15, Decree 356/2025/NĐ-CP;
//! docs/privacy.md): keyed subject hashes for consent and request records, the deadlines of a
//! data subject's requests (from `bridge/privacy/deadlines.toml`, data not code), what a site
//! holds about a person, and the facts for a breach notification.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};

use crate::store::{AuditRow, CheckinRow, ConsentRecord, Erased, PrivacyRequest, Store, StoreError};

/// HMAC-SHA-256 of an ID number under the database's secret, hex (the subject of consent and
/// request records).
pub fn keyed_hash(key: &[u8], id_number: &str) -> String {
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch cannot be taken.
        <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&[0u8; 32]).expect("fixed-size key")
    });
    m.update(b"cancuoc subject v1\0");
    m.update(id_number.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// SHA-256 (hex) of a notice's exact text: what a consent record names.
pub fn notice_sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[derive(Clone, Copy, Debug, Deserialize)]
struct Period {
    days: u32,
    #[serde(default)]
    with_processor: Option<u32>,
    working: bool,
}

/// The deadlines table.
#[derive(Clone, Debug, Deserialize)]
pub struct Deadlines {
    acknowledge: Period,
    pub extension_days: u32,
    kinds: BTreeMap<String, Period>,
    /// yyyy-mm-dd.
    holidays: Vec<String>,
}

/// A request's two dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub acknowledge_by: NaiveDate,
    pub due: NaiveDate,
}

impl Deadlines {
    /// The built-in table (`bridge/privacy/deadlines.toml`).
    pub fn builtin() -> &'static Deadlines {
        static D: std::sync::OnceLock<Deadlines> = std::sync::OnceLock::new();
        D.get_or_init(|| {
            toml::from_str(include_str!("../privacy/deadlines.toml")).expect("bridge/privacy/deadlines.toml is tested")
        })
    }

    /// The request kinds the table knows.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.kinds.keys().map(String::as_str)
    }

    fn working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d.to_string())
    }

    fn add(&self, from: NaiveDate, p: Period, days: u32) -> NaiveDate {
        if !p.working {
            return from + chrono::Days::new(u64::from(days));
        }
        let mut d = from;
        let mut left = days;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if self.working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The deadlines of a request of `kind` received on `received` (counted from the day
    /// after); `processor`: a processor or third party must also act (the longer period).
    pub fn due(&self, kind: &str, received: NaiveDate, processor: bool) -> Option<Due> {
        let p = *self.kinds.get(kind)?;
        let days = if processor { p.with_processor.unwrap_or(p.days) } else { p.days };
        Some(Due {
            acknowledge_by: self.add(received, self.acknowledge, self.acknowledge.days),
            due: self.add(received, p, days),
        })
    }
}

/// Everything a site holds about one person (`cancuoc privacy report`).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub id_number: String,
    pub checkins: Vec<CheckinReport>,
    pub consents: Vec<ConsentRecord>,
    /// Audit entries of those check-ins (field names, never values).
    pub audit: Vec<AuditRow>,
    pub requests: Vec<PrivacyRequest>,
}

/// A check-in as the report shows it (the evidence by its hash; the photo only as "kept").
#[derive(Clone, Debug, Serialize)]
pub struct CheckinReport {
    pub id: i64,
    pub at: i64,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
    pub service: String,
    pub reason: String,
    pub verdict: String,
    pub bhyt: String,
    pub photo_kept: bool,
    pub evidence_sha256: Option<String>,
    pub counter: String,
    pub clerk: String,
}

impl From<&CheckinRow> for CheckinReport {
    fn from(c: &CheckinRow) -> Self {
        CheckinReport {
            id: c.id,
            at: c.at,
            full_name: c.full_name.clone(),
            date_of_birth: c.date_of_birth.clone(),
            sex: c.sex.clone(),
            address: c.address.clone(),
            service: c.service.clone(),
            reason: c.reason.clone(),
            verdict: c.verdict.clone(),
            bhyt: c.bhyt.clone(),
            photo_kept: c.photo.is_some(),
            evidence_sha256: c.evidence_sha256.clone(),
            counter: c.counter.clone(),
            clerk: c.clerk.clone(),
        }
    }
}

/// What the site holds about `id_number`.
pub fn report(store: &Store, id_number: &str) -> Result<Report, StoreError> {
    let subject = store.subject(id_number)?;
    let checkins = store.checkins_of(id_number)?;
    let ids: Vec<i64> = checkins.iter().map(|c| c.id).collect();
    let audit = store.audit_log(100_000)?.into_iter().filter(|a| a.checkin.is_some_and(|c| ids.contains(&c))).collect();
    Ok(Report {
        id_number: id_number.to_string(),
        checkins: checkins.iter().map(CheckinReport::from).collect(),
        consents: store.consents_of(&subject)?,
        audit,
        requests: store.requests()?.into_iter().filter(|r| r.subject == subject).collect(),
    })
}

/// Why a data subject's request or a privacy document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// The PC's clock gives no date.
    #[error("the clock is not set")]
    NoClock,
    /// `deadlines.toml` has no deadline for this kind of request.
    #[error("no deadline for a request of kind {0:?} (deadlines.toml)")]
    NoDeadline(String),
    /// The site's store refused (its own error).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No privacy document of this name.
    #[error("no privacy document {0:?}")]
    NoDocument(String),
    /// A built-in document file is not a valid form (which, toml's words).
    #[error("{which}: {why}")]
    Document { which: String, why: String },
    /// The document could not be laid out or written.
    #[error(transparent)]
    Pdf(#[from] crate::his::forms::FillError),
}

/// Registers a request received now, with its deadlines; returns it.
pub fn register(
    store: &Store,
    id_number: &str,
    kind: &str,
    purpose: Option<&str>,
    now: i64,
    processor: bool,
) -> Result<PrivacyRequest, PrivacyError> {
    let today = chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.with_timezone(&chrono::Local).date_naive())
        .ok_or(PrivacyError::NoClock)?;
    let due =
        Deadlines::builtin().due(kind, today, processor).ok_or_else(|| PrivacyError::NoDeadline(kind.to_string()))?;
    let mut r = PrivacyRequest {
        id: 0,
        subject: store.subject(id_number)?,
        kind: kind.to_string(),
        purpose: purpose.map(str::to_string),
        received_at: now,
        acknowledge_by: due.acknowledge_by.to_string(),
        due: due.due.to_string(),
        ..PrivacyRequest::default()
    };
    r.id = store.add_request(&r)?;
    Ok(r)
}

/// Erases what the site holds about `id_number`, keeping only the request record (keyed hash,
/// dates, result).
pub fn erase(store: &Store, id_number: &str, now: i64) -> Result<Erased, PrivacyError> {
    let req = register(store, id_number, "erase", None, now, false)?;
    let subject = req.subject.clone();
    let erased = store.erase(id_number, &subject)?;
    let result = format!("erased: {} check-in(s), {} consent record(s)", erased.checkins, erased.consents);
    store.finish_request(req.id, now, &result)?;
    Ok(erased)
}

/// The facts of a possible breach between two times, for the 72-hour notification (Law
/// 91/2025/QH15 art. 23): which data (field names), how many people and records, when, from the
/// audit log — counts, not advice.
#[derive(Clone, Debug, Serialize)]
pub struct BreachFacts {
    pub from: i64,
    pub to: i64,
    /// Audit entries in the window by action.
    pub actions: BTreeMap<String, usize>,
    /// Field names that left the site or were handled in the window, with the number of entries.
    pub fields: BTreeMap<String, usize>,
    /// Distinct check-ins the entries concern (people, as far as the log can tell).
    pub checkins: usize,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

pub fn breach_facts(store: &Store, from: i64, to: i64) -> Result<BreachFacts, StoreError> {
    let rows = store.audit_between(from, to)?;
    let mut actions = BTreeMap::new();
    let mut fields = BTreeMap::new();
    let mut checkins = std::collections::BTreeSet::new();
    for r in &rows {
        *actions.entry(r.action.clone()).or_insert(0) += 1;
        for f in r.fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            *fields.entry(f.to_string()).or_insert(0) += 1;
        }
        if let Some(c) = r.checkin {
            checkins.insert(c);
        }
    }
    Ok(BreachFacts {
        from,
        to,
        actions,
        fields,
        checkins: checkins.len(),
        first: rows.first().map(|r| r.at),
        last: rows.last().map(|r| r.at),
    })
}

/// The rights a citizen can use at the site, as the slip and the receipt print them.
pub const RIGHTS_VI: &str = "Xem dữ liệu cơ sở đang giữ, rút lại đồng ý, yêu cầu xóa: tại quầy này, mang theo thẻ căn cước; cơ sở trả lời trong 2 ngày làm việc (Nghị định 356/2025/NĐ-CP điều 5).";

/// The printed consent slip and the citizen's receipt: documents in the forms' format
/// (`bridge/privacy/*.toml`), drawn by the forms' layout and PDF writer.
pub fn document(which: &str) -> Result<crate::his::forms::Form, PrivacyError> {
    let text = match which {
        "phieu-dong-y" => include_str!("../privacy/phieu-dong-y.toml"),
        "bien-nhan" => include_str!("../privacy/bien-nhan.toml"),
        "bao-cao" => include_str!("../privacy/bao-cao.toml"),
        other => return Err(PrivacyError::NoDocument(other.to_string())),
    };
    let mut f: crate::his::forms::Form =
        toml::from_str(text).map_err(|e| PrivacyError::Document { which: which.to_string(), why: e.to_string() })?;
    f.slug = which.to_string();
    Ok(f)
}

/// A record's machine word in the citizen's words (the printed answer).
fn vi_word(w: &str) -> String {
    let fixed = match w {
        "checkin" => "tiếp đón khám bệnh",
        "bhyt" => "kiểm tra thẻ BHYT",
        "bhyt_history" => "lịch sử khám BHYT",
        "his" => "gửi hệ thống bệnh viện",
        "export" => "xuất tệp",
        "evidence" => "bằng chứng lượt khám",
        "form" => "biểu mẫu",
        "hospital_system" => "hệ thống thông tin bệnh viện",
        "insurer_gateway" => "cổng giám định BHYT",
        "file_chosen_by_clerk" => "tệp do cán bộ lưu",
        "agreed" => "đồng ý",
        "refused" => "không đồng ý",
        "citizen_screen" => "người dân bấm trên màn hình",
        "stated_by_his" => "hệ thống bệnh viện xác nhận",
        "verified" => "chip đã xác thực",
        "signer_untrusted" => "chưa xác định được nơi cấp",
        "not_checked" => "chưa kiểm tra được",
        "not_verified" => "không xác thực",
        "report" => "xem dữ liệu",
        "withdraw" => "rút đồng ý",
        "erase" => "xóa dữ liệu",
        "place_of_residence" => "nơi cư trú",
        "service" => "dịch vụ",
        "verdict" => "kết quả xác thực",
        "bhyt_result" => "kết quả BHYT",
        "parents" => "họ tên cha mẹ",
        "photo" => "ảnh",
        "reason" => "lý do khám",
        "visit_evidence" => "bằng chứng lượt khám",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if let Some(n) = w.strip_prefix("signed_slip:") {
        return format!("phiếu ký số {n}");
    }
    if let Some(r) = w.strip_prefix("clerk_recorded:") {
        return format!("cán bộ ghi nhận ({r})");
    }
    match cancuoc_core::lds::dg13::field_info(w) {
        Some(f) => f.vi.to_lowercase(),
        None => w.to_string(),
    }
}

fn vi_fields(list: &str) -> String {
    list.split(',').filter(|f| !f.is_empty()).map(vi_word).collect::<Vec<_>>().join(", ")
}

/// The report as the values of the printed answer (`bao-cao`).
pub fn report_values(r: &Report) -> BTreeMap<String, String> {
    let when = |ts: i64| {
        chrono::DateTime::from_timestamp(ts, 0)
            .map(|d| d.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M").to_string())
            .unwrap_or_default()
    };
    let none = || "Không có.".to_string();
    let join = |v: Vec<String>| if v.is_empty() { none() } else { v.join("; ") };
    let checkins = r
        .checkins
        .iter()
        .map(|c| {
            format!(
                "{}: {}, {}, {}, {}, dịch vụ {}, {}, BHYT {}{}",
                when(c.at),
                c.full_name.clone().unwrap_or_default(),
                c.date_of_birth.clone().unwrap_or_default(),
                c.sex.clone().unwrap_or_default(),
                c.address.clone().unwrap_or_default(),
                c.service,
                vi_word(&c.verdict),
                c.bhyt,
                c.evidence_sha256.as_deref().map(|h| format!(", bằng chứng {h}")).unwrap_or_default()
            )
        })
        .collect();
    let consents = r
        .consents
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {} ({}): {}, cách ghi nhận: {}{}",
                when(c.at),
                vi_word(&c.purpose),
                vi_word(&c.recipient),
                vi_fields(&c.fields),
                vi_word(&c.answer),
                vi_word(&c.method),
                c.withdrawn_at.map(|w| format!(", đã rút {}", when(w))).unwrap_or_default()
            )
        })
        .collect();
    let requests =
        r.requests.iter().map(|q| format!("{}: {}, hạn {}", when(q.received_at), vi_word(&q.kind), q.due)).collect();
    [
        ("so_dinh_danh", r.id_number.clone()),
        ("luc", when(crate::now_unix() as i64)),
        ("luot_tiep_don", join(checkins)),
        ("dong_y", join(consents)),
        ("nhat_ky", r.audit.len().to_string()),
        ("yeu_cau", join(requests)),
        ("quyen", RIGHTS_VI.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A privacy document as a PDF, with these values and today's date.
pub fn document_pdf(which: &str, values: &BTreeMap<String, String>) -> Result<Vec<u8>, PrivacyError> {
    let f = document(which)?;
    let today = chrono::Local::now().date_naive();
    Ok(f.pdf(values, Some((today.day(), today.month(), today.year())))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_count_working_days_across_a_weekend_and_calendar_days_for_the_rest() {
        let t = Deadlines::builtin();
        // Received Friday 4 December 2026: 2 working days → Tuesday 8 December (not Sunday).
        let due = t.due("withdraw", d("2026-12-04"), false).unwrap();
        assert_eq!(due.acknowledge_by, d("2026-12-08"));
        assert_eq!(due.due, d("2026-12-19"), "15 days");
        assert_eq!(t.due("withdraw", d("2026-12-04"), true).unwrap().due, d("2026-12-24"), "20 with a processor");
        // Thursday 31 December 2026: 1 January is a holiday, then a weekend → Tuesday 5 January.
        assert_eq!(t.due("report", d("2026-12-31"), false).unwrap().acknowledge_by, d("2027-01-05"));
        assert_eq!(t.due("erase", d("2026-12-04"), false).unwrap().due, d("2026-12-24"));
        assert!(t.due("no-such-right", d("2026-12-04"), false).is_none());
        assert_eq!(t.extension_days, 15);
    }

    #[test]
    fn the_subject_hash_is_keyed() {
        let a = keyed_hash(b"site one's key", "079195012345");
        assert_eq!(a.len(), 64);
        assert_ne!(a, keyed_hash(b"site two's key", "079195012345"));
        assert_eq!(a, keyed_hash(b"site one's key", "079195012345"));
        assert!(!a.contains("079195012345"));
    }
}
