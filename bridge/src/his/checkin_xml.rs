//! The check-in row of QĐ 4750/QĐ-BYT (amending QĐ 130/QĐ-BYT): "Bảng chỉ tiêu dữ liệu về trạng
//! thái khám bệnh, chữa bệnh" — the row a hospital sends to the insurer's gateway when a patient
//! arrives, made here from a verified read, the BHYT answer and the clerk's entries.
//!
//! The field list (order, type, size, when required) is [`FIELDS`]; docs/api.md has it with its
//! sources. Dates are `yyyyMMddHHmm` (unknown parts as 0), sex 1 male / 2 female / 3 unknown. The
//! XML is `CHI_TIEU_TRANG_THAI_KCB / DSACH_TRANG_THAI_KCB / TRANG_THAI_KCB`, one element per field
//! in the list's order.

use serde::Serialize;
use serde_json::{Map, Value};

use cancuoc_core::lds::dg13::{Date, Sex};

use crate::Report;
use crate::his::bhyt::{Answer, Eligibility};

/// A field's type: text of at most `n` characters, or a number of at most `n` digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    Text(usize),
    /// Text without a size limit in the list.
    TextAny,
    Number(usize),
}

/// One field of the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The XML element (the JSON key is its lower case).
    pub name: &'static str,
    pub kind: Type,
    /// Always required (`true`); the conditional ones are checked by [`validate`].
    pub required: bool,
}

const fn f(name: &'static str, kind: Type, required: bool) -> Field {
    Field { name, kind, required }
}

/// The 26 fields in the order of QĐ 4750.
pub const FIELDS: [Field; 26] = [
    f("MA_LK", Type::Text(100), true),
    f("STT", Type::Number(10), true),
    f("MA_BN", Type::Text(100), true),
    f("HO_TEN", Type::Text(255), true),
    f("SO_CCCD", Type::Text(15), false),
    f("NGAY_SINH", Type::Text(12), true),
    f("GIOI_TINH", Type::Number(1), true),
    f("MA_THE_BHYT", Type::Text(15), false),
    f("MA_DKBD", Type::Text(5), false),
    f("GT_THE_TU", Type::Text(8), false),
    f("GT_THE_DEN", Type::Text(8), false),
    f("MA_DOITUONG_KCB", Type::Text(4), true),
    f("NGAY_VAO", Type::Text(12), true),
    f("NGAY_VAO_NOI_TRU", Type::Text(12), false),
    f("LY_DO_VNT", Type::TextAny, false),
    f("MA_LY_DO_VNT", Type::Text(5), false),
    f("MA_LOAI_KCB", Type::Text(2), true),
    f("MA_CSKCB", Type::Text(5), true),
    f("MA_DICH_VU", Type::Text(50), false),
    f("TEN_DICH_VU", Type::Text(1024), false),
    f("MA_THUOC", Type::Text(255), false),
    f("TEN_THUOC", Type::Text(1024), false),
    f("MA_VAT_TU", Type::Text(255), false),
    f("TEN_VAT_TU", Type::Text(1024), false),
    f("NGAY_YL", Type::Text(12), true),
    f("DU_PHONG", Type::TextAny, false),
];

/// What the site and the clerk add to the chip's data.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Visit {
    /// The visit's unique key; made from the site, the time and a random part when empty.
    pub ma_lk: String,
    /// Position in the batch sent (1 for a single row).
    pub stt: u32,
    /// The hospital's patient code; the CCCD number when empty (said in docs/api.md).
    pub ma_bn: String,
    /// Who the patient comes as (QĐ 824 Phụ lục 2), e.g. "1.1".
    pub ma_doituong_kcb: String,
    /// Form of care (QĐ 824 Phụ lục 1): "01" outpatient examination by default.
    pub ma_loai_kcb: String,
    /// The site's facility code (5 characters).
    pub ma_cskcb: String,
    pub ma_dich_vu: String,
    pub ten_dich_vu: String,
    /// Arrival time, `yyyyMMddHHmm`; the order time (`NGAY_YL`) is the same unless given.
    pub ngay_vao: String,
    pub ngay_yl: String,
    /// Where the citizen lives now when the card's old commune was split (a candidate's code,
    /// chosen with the citizen).
    pub address_choice: String,
    /// What goes into MAHUYEN_CU_TRU now that there are no districts (a setting: UNCONFIRMED
    /// which the insurer expects).
    pub district_field: DistrictField,
}

impl Visit {
    /// Every text field bounded (QĐ 4750's sizes, TEN_DICH_VU 1024) and free of control and
    /// text-direction characters.
    pub fn check_text(&self) -> Result<(), String> {
        let fields: [(&str, &str, usize); 9] = [
            ("visit.ma_lk", &self.ma_lk, 100),
            ("visit.ma_bn", &self.ma_bn, 100),
            ("visit.ma_doituong_kcb", &self.ma_doituong_kcb, 4),
            ("visit.ma_loai_kcb", &self.ma_loai_kcb, 2),
            ("visit.ma_cskcb", &self.ma_cskcb, 5),
            ("visit.ma_dich_vu", &self.ma_dich_vu, 50),
            ("visit.ten_dich_vu", &self.ten_dich_vu, 1024),
            ("visit.ngay_vao", &self.ngay_vao, 12),
            ("visit.ngay_yl", &self.ngay_yl, 12),
        ];
        for (name, v, max) in fields {
            cancuoc_api::strict::text(name, v, max, false)?;
        }
        cancuoc_api::strict::text("visit.address_choice", &self.address_choice, 10, false)
    }
}

/// The problem a check-in row of a read that is not verified carries (first in the list).
pub fn not_verified(status: &str) -> Problem {
    Problem { field: "*", problem: format!("the card is not verified ({status}): its chip data cannot be used") }
}

/// MAHUYEN_CU_TRU since 1 July 2025: empty (no district level any more), or the old district's
/// code from the card's address. No amendment of QĐ 4750 for the new units was found
/// (UNCONFIRMED either way): a setting, not code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistrictField {
    #[default]
    Empty,
    Old,
}

/// The residence fields of QĐ 4750's summary table (Bảng 1, "XML1": DIA_CHI, MATINH_CU_TRU,
/// MAHUYEN_CU_TRU, MAXA_CU_TRU) for the visit, in today's units. The check-in table itself has
/// no address fields; a HIS carries these into the visit's XML1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Residence {
    /// The address in today's units; the chip's text when no unit of today was found.
    pub dia_chi: String,
    /// Today's province code (2 digits).
    pub matinh_cu_tru: String,
    /// Empty, or the old district's code ([`DistrictField`]).
    pub mahuyen_cu_tru: String,
    /// Today's commune code (5 digits).
    pub maxa_cu_tru: String,
    /// "exact", "ambiguous", "not_found" or "already_current" (see docs/address.md).
    pub status: crate::address::Status,
    /// A person chose among several communes of today (the choice is marked as such).
    pub chosen: bool,
    /// The old commune was split and no choice was given: the codes stay empty.
    pub choice_needed: bool,
}

/// [`Residence`] for a read and a visit.
pub fn residence(report: &Report, visit: &Visit) -> Option<Residence> {
    let l = report.addresses.place_of_residence.as_ref()?;
    let choice = Some(visit.address_choice.as_str()).filter(|c| !c.is_empty());
    let picked = l.chosen(choice);
    let old_district = l.old.as_ref().and_then(|o| o.district_code.clone()).unwrap_or_default();
    Some(Residence {
        dia_chi: l.today(choice).unwrap_or_else(|| l.text.clone()),
        matinh_cu_tru: picked.map(|c| c.province_code.clone()).unwrap_or_default(),
        mahuyen_cu_tru: if visit.district_field == DistrictField::Old { old_district } else { String::new() },
        maxa_cu_tru: picked.map(|c| c.code.clone()).unwrap_or_default(),
        status: l.status,
        chosen: choice.is_some() && picked.is_some() && l.candidates.len() > 1,
        choice_needed: l.status == crate::address::Status::Ambiguous && picked.is_none(),
    })
}

/// A row problem: which field, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: &'static str,
    pub problem: String,
}

/// The row, in the list's order (every field present, empty when there is no value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row(pub Vec<(&'static str, String)>);

impl Row {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
    /// The JSON the API returns: lower-case keys as in the QĐ's tables, in order.
    pub fn json(&self) -> Value {
        let mut m = Map::new();
        for (n, v) in &self.0 {
            m.insert(n.to_lowercase(), Value::String(v.clone()));
        }
        Value::Object(m)
    }
}

/// `dd/mm/yyyy` (or `yyyy`) → `yyyyMMdd0000`, unknown parts as 0.
fn birth(dmy: &str) -> Option<String> {
    Date::parse(dmy).map(|d| format!("{}0000", d.compact()))
}

/// `dd/mm/yyyy` → `yyyyMMdd` (not for a year alone).
fn ymd(dmy: &str) -> Option<String> {
    Date::parse(dmy).filter(|d| !d.is_year_only()).map(|d| d.compact())
}

fn sex_code(s: Option<&str>) -> &'static str {
    match s.and_then(Sex::parse) {
        Some(Sex::Male) => "1",
        Some(Sex::Female) => "2",
        None => "3",
    }
}

/// The row for a read. The insurance fields come from a BHYT answer that says the card is usable
/// today (the card to use today: the new one for a renewed card); else they stay empty, as the QĐ
/// says for a patient not examined on insurance.
pub fn checkin_row(report: &Report, bhyt: Option<&Answer>, visit: &Visit, now: &str) -> Row {
    let p = &report.person;
    let id = p.id_number.clone().unwrap_or_default();
    let card = bhyt.filter(|a| a.eligibility == Eligibility::Valid).map(|a| &a.card);
    let ngay_vao = if visit.ngay_vao.is_empty() { now.to_string() } else { visit.ngay_vao.clone() };
    let ma_lk = if visit.ma_lk.is_empty() {
        let mut r = [0u8; 6];
        rand_core::Rng::fill_bytes(&mut crate::os_rng(), &mut r);
        format!("{}{}{}", visit.ma_cskcb, ngay_vao, hex::encode_upper(r))
    } else {
        visit.ma_lk.clone()
    };
    let opt = |v: Option<&String>| v.cloned().unwrap_or_default();
    let values: [(&'static str, String); 26] = [
        ("MA_LK", ma_lk),
        ("STT", visit.stt.max(1).to_string()),
        ("MA_BN", if visit.ma_bn.is_empty() { id.clone() } else { visit.ma_bn.clone() }),
        ("HO_TEN", p.full_name.clone().unwrap_or_default()),
        ("SO_CCCD", id),
        ("NGAY_SINH", p.date_of_birth.as_deref().and_then(birth).unwrap_or_default()),
        ("GIOI_TINH", sex_code(p.sex.as_deref()).to_string()),
        ("MA_THE_BHYT", opt(card.and_then(|c| c.number.as_ref()))),
        ("MA_DKBD", opt(card.and_then(|c| c.facility.as_ref())).replace('-', "")),
        ("GT_THE_TU", card.and_then(|c| c.valid_from.as_deref()).and_then(ymd).unwrap_or_default()),
        ("GT_THE_DEN", card.and_then(|c| c.valid_to.as_deref()).and_then(ymd).unwrap_or_default()),
        ("MA_DOITUONG_KCB", visit.ma_doituong_kcb.clone()),
        ("NGAY_VAO", ngay_vao.clone()),
        ("NGAY_VAO_NOI_TRU", String::new()),
        ("LY_DO_VNT", String::new()),
        ("MA_LY_DO_VNT", String::new()),
        ("MA_LOAI_KCB", if visit.ma_loai_kcb.is_empty() { "01".into() } else { visit.ma_loai_kcb.clone() }),
        ("MA_CSKCB", visit.ma_cskcb.clone()),
        ("MA_DICH_VU", visit.ma_dich_vu.clone()),
        ("TEN_DICH_VU", visit.ten_dich_vu.clone()),
        ("MA_THUOC", String::new()),
        ("TEN_THUOC", String::new()),
        ("MA_VAT_TU", String::new()),
        ("TEN_VAT_TU", String::new()),
        ("NGAY_YL", if visit.ngay_yl.is_empty() { ngay_vao } else { visit.ngay_yl.clone() }),
        ("DU_PHONG", String::new()),
    ];
    Row(values.into_iter().collect())
}

fn is_stamp(v: &str) -> bool {
    v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a row against [`FIELDS`] and the QĐ's rules; empty when it holds.
pub fn validate(row: &Row) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &'static str, problem: String| out.push(Problem { field, problem });
    if row.0.len() != FIELDS.len() || row.0.iter().zip(FIELDS.iter()).any(|((n, _), f)| *n != f.name) {
        bad("*", "the fields are not those of QĐ 4750 in its order".into());
        return out;
    }
    for ((_, v), f) in row.0.iter().zip(FIELDS.iter()) {
        if f.required && v.trim().is_empty() {
            bad(f.name, "required".into());
            continue;
        }
        match f.kind {
            Type::Text(n) if v.chars().count() > n => bad(f.name, format!("longer than {n} characters")),
            Type::Number(n) if !v.is_empty() && (v.len() > n || !v.bytes().all(|b| b.is_ascii_digit())) => {
                bad(f.name, format!("not a number of at most {n} digits"))
            }
            _ => {}
        }
    }
    let get = |n: &str| row.get(n).unwrap_or_default();
    for n in ["NGAY_SINH", "NGAY_VAO", "NGAY_YL"] {
        if !is_stamp(get(n)) {
            bad(FIELDS.iter().find(|f| f.name == n).map_or("*", |f| f.name), "not yyyyMMddHHmm".into());
        }
    }
    if !matches!(get("GIOI_TINH"), "1" | "2" | "3") {
        bad("GIOI_TINH", "not 1, 2 or 3".into());
    }
    let cccd = get("SO_CCCD");
    let passport = cccd.len() == 8
        && cccd.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && cccd.bytes().skip(1).all(|b| b.is_ascii_digit());
    if !cccd.is_empty()
        && !((cccd.len() == 9 || cccd.len() == 12) && cccd.bytes().all(|b| b.is_ascii_digit()))
        && !passport
    {
        bad("SO_CCCD", "not 9 or 12 digits, nor a passport number (a capital and 7 digits)".into());
    }
    for n in ["GT_THE_TU", "GT_THE_DEN"] {
        let v = get(n);
        let date = v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit());
        if !v.is_empty() && !date {
            bad(if n == "GT_THE_TU" { "GT_THE_TU" } else { "GT_THE_DEN" }, "not yyyyMMdd".into());
        }
    }
    if !get("MA_THE_BHYT").is_empty() && get("MA_DKBD").len() != 5 {
        bad("MA_DKBD", "an insured visit needs the 5-character registered facility".into());
    }
    if get("MA_CSKCB").len() != 5 {
        bad("MA_CSKCB", "the site's facility code has 5 characters".into());
    }
    // A service, a drug or a material: one of them names the first cost.
    if [get("MA_DICH_VU"), get("MA_THUOC"), get("MA_VAT_TU")].iter().all(|v| v.is_empty()) {
        bad("MA_DICH_VU", "required when there is no drug or material".into());
    }
    if !get("MA_DICH_VU").is_empty() && get("TEN_DICH_VU").is_empty() {
        bad("TEN_DICH_VU", "required with MA_DICH_VU".into());
    }
    out
}

fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            // Not characters in XML 1.0 (§2.2): replaced, so the document always parses.
            '\u{FFFE}' | '\u{FFFF}' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// The rows as the XML of QĐ 4750's check-in table (UTF-8).
pub fn xml(rows: &[Row]) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CHI_TIEU_TRANG_THAI_KCB>\n  <DSACH_TRANG_THAI_KCB>\n",
    );
    for r in rows {
        o.push_str("    <TRANG_THAI_KCB>\n");
        for (n, v) in &r.0 {
            o.push_str(&format!("      <{n}>{}</{n}>\n", escape(v)));
        }
        o.push_str("    </TRANG_THAI_KCB>\n");
    }
    o.push_str("  </DSACH_TRANG_THAI_KCB>\n</CHI_TIEU_TRANG_THAI_KCB>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sex_are_written_as_the_qd_says() {
        assert_eq!(birth("15/03/1995").as_deref(), Some("199503150000"));
        assert_eq!(birth("1995").as_deref(), Some("199500000000"), "unknown day and month as 0");
        assert_eq!(birth("15-03-1995"), None);
        assert_eq!(ymd("31/12/2099").as_deref(), Some("20991231"));
        assert_eq!((sex_code(Some("Nam")), sex_code(Some("Nữ")), sex_code(None)), ("1", "2", "3"));
        assert_eq!(escape("A & <B> \"c\" 'd'\u{1}"), "A &amp; &lt;B&gt; &quot;c&quot; &apos;d&apos;");
    }
}
