//! The card's QR code (on the front of a 2021 CCCD, on the back of a 2024 căn cước card), as a USB
//! barcode scanner types it (keyboard wedge): one line of pipe-separated text ending in Enter
//! (shared/cccd.md). Both generations start with the same seven fields (ID number, old ID, name,
//! date of birth, sex, residence, date of issue); the 2024 card adds fields after them — 10 or more
//! fields in all, the father at index 8 and the mother at 9 (for children) — which public parsers
//! use to tell the generations apart. Unknown extra fields are accepted and ignored. The ID number
//! alone opens the chip (its last 6 digits are the CAN); the dates let the read fall back to BAC,
//! with the expiry derived from the renewal ages the law sets (see [`derive_expiry`]).

use cancuoc_core::lds::dg13::Generation;

/// What the QR code says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardQr {
    pub id_number: String,
    pub old_id_number: Option<String>,
    pub full_name: String,
    /// dd/mm/yyyy
    pub date_of_birth: String,
    pub sex: String,
    pub place_of_residence: String,
    /// dd/mm/yyyy
    pub date_of_issue: String,
    /// Which card the QR belongs to: 10 or more fields is a 2024 card, so is a date of issue from
    /// 1 July 2024 on.
    pub generation: Generation,
    /// 2024 cards (index 8 and 9), for children; `None` when empty or absent.
    pub father: Option<String>,
    pub mother: Option<String>,
}

/// A civil date: the core's DG13 date, which the QR writes as `ddmmyyyy`.
pub use cancuoc_core::lds::dg13::Date;

/// `ddmmyyyy` (the QR's form) or `dd/mm/yyyy`: a real day from 1900 on.
pub fn date(s: &str) -> Option<Date> {
    Date::parse_digits(s).or_else(|| Date::parse(s)).filter(|d| d.is_calendar_day() && d.year >= 1900)
}

/// Parses the scanned text. `None` when it is not a CCCD QR code.
pub fn parse(text: &str) -> Option<CardQr> {
    let parts: Vec<&str> = text.trim().split('|').map(str::trim).collect();
    if parts.len() < 7 {
        return None;
    }
    let id = parts.first()?;
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let dob = date(parts.get(3)?)?;
    let issue = date(parts.get(6)?)?;
    let old = parts.get(1).filter(|s| !s.is_empty()).map(|s| s.to_string());
    let newer = parts.len() >= 10 || issue >= Date { year: 2024, month: 7, day: 1 };
    let text_at = |i: usize| parts.get(i).filter(|s| !s.is_empty()).map(|s| s.to_string());
    Some(CardQr {
        generation: if newer { Generation::CanCuoc2024 } else { Generation::Cccd2021 },
        father: if parts.len() >= 10 { text_at(8) } else { None },
        mother: if parts.len() >= 10 { text_at(9) } else { None },
        id_number: id.to_string(),
        old_id_number: old,
        full_name: parts.get(2)?.to_string(),
        date_of_birth: dob.dmy(),
        sex: parts.get(4)?.to_string(),
        place_of_residence: parts.get(5)?.to_string(),
        date_of_issue: issue.dmy(),
    })
}

/// The expiry date a card issued on `issue` to a person born on `dob` carries, by the renewal
/// ages of the Law on Identification (Luật Căn cước 2023, art. 21; the 2014 law had the same ages
/// from 25 up): cards are renewed at 14, 25, 40 and 60, and a card issued within the two years
/// before one of those ages is valid until the next one. A card issued from age 58 on does not
/// expire; `None` then, and the clerk types what the card says (the MRZ's form for "no expiry"
/// is not confirmed on real cards).
pub fn derive_expiry(dob: Date, issue: Date) -> Option<Date> {
    const AGES: [u16; 4] = [14, 25, 40, 60];
    for (i, age) in AGES.iter().enumerate() {
        let milestone = dob.plus_years(*age);
        let two_before = dob.plus_years(age - 2);
        if issue < two_before {
            return Some(milestone);
        }
        if issue < milestone {
            // Within two years of this age: valid until the next one.
            return AGES.get(i + 1).map(|next| dob.plus_years(*next));
        }
    }
    None
}

/// Spots a scanner's burst among keystrokes: characters arriving faster than a person types,
/// ending in Enter. Times are in seconds (egui's input time).
#[derive(Debug, Default)]
pub struct WedgeDetector {
    buf: String,
    last: f64,
}

/// Keystrokes closer than this belong to one burst (scanners send a character every few ms;
/// people type ~5 per second at most).
const BURST_GAP_S: f64 = 0.08;

impl WedgeDetector {
    /// Feeds typed text. Returns true when this text is part of a burst that looks like a QR
    /// code (it contains '|'), so the caller keeps it away from the focused field.
    pub fn text(&mut self, t: &str, now: f64) -> bool {
        if now - self.last > BURST_GAP_S {
            self.buf.clear();
        }
        self.last = now;
        self.buf.push_str(t);
        self.buf.contains('|')
    }
    /// Whether text arriving at `now` begins a new burst (the caller snapshots its fields then).
    pub fn starts_burst(&self, now: f64) -> bool {
        self.buf.is_empty() || now - self.last > BURST_GAP_S
    }
    /// Whether a burst is under way (the caller swallows Enter while one is).
    pub fn in_burst(&self, now: f64) -> bool {
        self.buf.contains('|') && now - self.last <= BURST_GAP_S * 4.0
    }
    /// Enter was pressed: returns the burst's text when it was a scanner's, and resets.
    pub fn enter(&mut self, now: f64) -> Option<String> {
        let done = self.in_burst(now).then(|| std::mem::take(&mut self.buf));
        self.buf.clear();
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QR: &str = "079195012345|012345678|Nguyễn Thị Thu Hà|15031995|Nữ|Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội|10082021";

    #[test]
    fn parses_the_card_front_qr() {
        let q = parse(QR).expect("a CCCD QR");
        assert_eq!(q.id_number, "079195012345");
        assert_eq!(q.old_id_number.as_deref(), Some("012345678"));
        assert_eq!(q.full_name, "Nguyễn Thị Thu Hà");
        assert_eq!(q.date_of_birth, "15/03/1995");
        assert_eq!(q.date_of_issue, "10/08/2021");
        assert_eq!(q.sex, "Nữ");
        assert_eq!(q.generation, Generation::Cccd2021);
    }

    #[test]
    fn parses_a_2024_card_qr_with_its_extra_fields() {
        // The synthetic sample public code uses for the 2024 card (shared/cccd.md): 11 fields.
        let q = parse("012345678912|123456789|Nguyễn Văn A|01011990|Nam|123 Đường Số 1, Phường 2, Quận 3, TP Hồ Chí Minh|01012022||||")
            .expect("a 2024 QR");
        assert_eq!(q.id_number, "012345678912");
        assert_eq!(q.generation, Generation::CanCuoc2024, "10 or more fields");
        assert_eq!((q.father.as_deref(), q.mother.as_deref()), (None, None));
        // A child's card: father and mother at 8 and 9, more unknown fields after them.
        let q = parse("001217004567||Phạm Gia Bảo|05112017|Nam|Số 8 Phố Lý Thường Kiệt, Hà Nội|20082024||Phạm Văn Dũng|Đỗ Thị Lan|x|y")
            .expect("a 2024 QR");
        assert_eq!(q.father.as_deref(), Some("Phạm Văn Dũng"));
        assert_eq!(q.mother.as_deref(), Some("Đỗ Thị Lan"));
        assert_eq!(q.old_id_number, None);
        // Seven fields but issued after 1 July 2024: still the 2024 card.
        let q = parse("001217004567||Phạm Gia Bảo|05112017|Nam|Hà Nội|20082024").unwrap();
        assert_eq!(q.generation, Generation::CanCuoc2024);
    }

    #[test]
    fn rejects_what_is_not_a_cccd_qr() {
        assert_eq!(parse("hello"), None);
        assert_eq!(parse("12345|x|y|15031995|Nam|addr|10082021"), None); // not 12 digits
        assert_eq!(parse("079195012345||A|31021995|Nam|addr|10082021"), None); // 31 February
        assert_eq!(parse("079195012345||A|15031995|Nam|addr"), None); // a field short
    }

    #[test]
    fn expiry_follows_the_renewal_ages() {
        let d = |s| date(s).expect("date");
        // Issued at 26: valid until 40 (the simulated card: 15/03/2035).
        assert_eq!(derive_expiry(d("15031995"), d("10082021")), Some(d("15032035")));
        // Issued at 24, within two years of 25: valid until 40.
        assert_eq!(derive_expiry(d("01012000"), d("01062024")), Some(d("01012040")));
        // Issued at 20: renew at 25.
        assert_eq!(derive_expiry(d("01012000"), d("01062020")), Some(d("01012025")));
        // Issued at 45: until 60. Issued at 59: no expiry.
        assert_eq!(derive_expiry(d("01011970"), d("01062015")), Some(d("01012030")));
        assert_eq!(derive_expiry(d("01011960"), d("01062019")), None);
        // Born on 29 February.
        assert_eq!(derive_expiry(d("29022000"), d("01062020")), Some(d("28022025")));
        assert_eq!(derive_expiry(d("29022000"), d("01062030")), Some(d("29022040")));
    }

    #[test]
    fn a_scanner_burst_is_told_from_typing() {
        let mut w = WedgeDetector::default();
        // A person typing digits slowly: never a burst.
        assert!(!w.text("1", 0.0));
        assert!(!w.text("2", 0.5));
        assert_eq!(w.enter(0.9), None);
        // A scanner: everything within milliseconds, with pipes.
        let mut t = 10.0;
        let mut swallowed = false;
        for ch in QR.chars() {
            swallowed |= w.text(&ch.to_string(), t);
            t += 0.004;
        }
        assert!(swallowed);
        assert_eq!(w.enter(t).as_deref(), Some(QR));
        // And it resets.
        assert_eq!(w.enter(t + 0.01), None);
    }
}
