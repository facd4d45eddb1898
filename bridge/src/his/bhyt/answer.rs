//! Reading the gateway's answer: the card valid today, the insurer's record against the
//! verified chip's, every difference flagged.

use serde_json::Value;

use cancuoc_core::lds::dg13::{Date, Sex};

use super::codes::{Kind, code};
use super::{Answer, Card, Difference, Eligibility, InsurerRecord, NotChecked, Query, text};

/// The insurer's and the chip's `dd/mm/yyyy` (one-digit days and months too), comparable.
pub(super) fn ymd(d: &str) -> Option<Date> {
    Date::parse_loose(d)
}

/// Whether a card's validity covers `today` (both ends inclusive; a missing start is no bound).
pub(super) fn covers(card: &Card, today: &str) -> bool {
    let Some(now) = ymd(today) else { return false };
    let from_ok = card.valid_from.as_deref().and_then(ymd).is_none_or(|f| f <= now);
    let to_ok = card.valid_to.as_deref().and_then(ymd).is_some_and(|t| now <= t);
    from_ok && to_ok
}

pub(super) fn year_only(dob: &str) -> bool {
    Date::parse(dob).is_some_and(|d| d.is_year_only())
}

/// Names compared as a person would: case, spacing and Unicode composition aside.
pub(super) fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
    norm(a) == norm(b)
}

/// The insurer writes sex as a code ("1" male; "2", or "0" in some answers, female) or a word.
pub(super) fn insurer_sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "1" => Some(Sex::Male),
        "2" | "0" => Some(Sex::Female),
        other => Sex::parse(other),
    }
}

pub(super) fn same_sex(a: &str, b: &str) -> bool {
    match (insurer_sex(a), insurer_sex(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim().to_lowercase() == b.trim().to_lowercase(),
    }
}

/// The differences between the insurer's record and the chip's fields.
pub fn compare(q: &Query, r: &InsurerRecord) -> Vec<Difference> {
    let mut out = Vec::new();
    if let Some(n) = r.full_name.as_deref().filter(|n| !same_name(n, &q.full_name)) {
        out.push(Difference { field: "full_name", chip: q.full_name.clone(), insurer: n.to_string() });
    }
    if let Some(d) = r.date_of_birth.as_deref() {
        let chip = ymd(&q.date_of_birth);
        let same = if year_only(d) { chip.map(|c| c.year) == ymd(d).map(|i| i.year) } else { ymd(d) == chip };
        if !same {
            out.push(Difference { field: "date_of_birth", chip: q.date_of_birth.clone(), insurer: d.to_string() });
        }
    }
    if let (Some(s), Some(chip)) = (r.sex.as_deref(), q.sex.as_deref())
        && !same_sex(s, chip)
    {
        out.push(Difference { field: "sex", chip: chip.to_string(), insurer: s.to_string() });
    }
    out
}

pub(super) fn insurer_record(v: &Value) -> InsurerRecord {
    InsurerRecord {
        full_name: text(v, "hoTen"),
        date_of_birth: text(v, "ngaySinh"),
        sex: text(v, "gioiTinh"),
        address: text(v, "diaChi"),
    }
}

pub(super) fn card_of(v: &Value) -> Card {
    Card {
        number: text(v, "maThe"),
        valid_from: text(v, "gtTheTu"),
        valid_to: text(v, "gtTheDen"),
        facility: text(v, "maDKBD"),
        facility_name: text(v, "tenDKBD"),
        area: text(v, "maKV"),
        five_years: text(v, "ngayDu5Nam"),
    }
}

pub(super) fn new_card_of(v: &Value, old: &Card) -> Option<Card> {
    let number = text(v, "maTheMoi")?;
    Some(Card {
        number: Some(number),
        valid_from: text(v, "gtTheTuMoi"),
        valid_to: text(v, "gtTheDenMoi"),
        facility: text(v, "maDKBDMoi").or_else(|| old.facility.clone()),
        facility_name: text(v, "tenDKBDMoi"),
        area: old.area.clone(),
        five_years: old.five_years.clone(),
    })
}

/// Reads one check answer (`today` is dd/mm/yyyy).
pub(super) fn read_answer(v: &Value, q: &Query, today: &str) -> Result<Answer, NotChecked> {
    let code_s = text(v, "maKetQua").ok_or_else(|| NotChecked::BadAnswer { detail: "no maKetQua".into() })?;
    let info = code(&code_s);
    if info.kind == Kind::NotChecked {
        return Err(NotChecked::Gateway { code: code_s });
    }
    let old = card_of(v);
    let insurer = insurer_record(v);
    let differences = compare(q, &insurer);
    // A new card: the documented codes, or (as one HIS reads it) a different new number.
    let renewed = new_card_of(v, &old).filter(|n| info.kind == Kind::NewCard || n.number != old.number);
    let (card, previous_card, eligibility) = match (info.kind, renewed) {
        (Kind::Accept | Kind::AcceptAfterPapers | Kind::NewCard, Some(new)) if covers(&new, today) => {
            (new, Some(old), Eligibility::Valid)
        }
        // The new card does not cover today (yet): the old one decides.
        (kind, Some(new)) => {
            let ok = kind != Kind::Expired && code_s != "003" && covers(&old, today);
            (old, Some(new), if ok { Eligibility::Valid } else { Eligibility::Expired })
        }
        (Kind::Accept | Kind::AcceptAfterPapers, None) => {
            let e = if covers(&old, today) { Eligibility::Valid } else { Eligibility::Expired };
            (old, None, e)
        }
        (Kind::NewCard | Kind::Expired, None) => (old, None, Eligibility::Expired),
        (_, None) => (old, None, Eligibility::Invalid),
    };
    Ok(Answer {
        code: code_s,
        eligibility,
        card,
        previous_card,
        note: text(v, "ghiChu"),
        insurer,
        differences,
        birth_year_only: false,
    })
}
