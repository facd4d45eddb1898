//! The values DG13 carries that the rest of the project reads: a date (`dd/mm/yyyy`, or a birth
//! date known only in part) and the sex, each read one way only.

use alloc::string::String;

/// A date as DG13 writes it — `dd/mm/yyyy` — or a birth date known only in part: `00` for an
/// unknown day or month, or the year alone (`yyyy`). The one reading of dates for the whole
/// project: the check-in row (yyyyMMdd), FHIR (yyyy, yyyy-mm, yyyy-mm-dd), the insurer's answer,
/// the forms and the API's input all go through it. Ordered by year, month, day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year (four digits on the card).
    pub year: u16,
    /// 1–12, or 0 when unknown.
    pub month: u8,
    /// 1–31, or 0 when unknown (then the month may be known or not).
    pub day: u8,
}

impl Date {
    /// The chip's form: `dd/mm/yyyy` with two, two and four digits (day 0–31, month 0–12, 0 for
    /// unknown; a known day needs a known month), or `yyyy`; spaces around the whole are allowed.
    pub fn parse(s: &str) -> Option<Date> {
        Self::parse_with(s, false)
    }

    /// As [`Date::parse`], and also a one-digit day or month (`1/2/2025`) with spaces around
    /// each part — what people type and what other systems (the insurer's API) send.
    pub fn parse_loose(s: &str) -> Option<Date> {
        Self::parse_with(s, true)
    }

    fn parse_with(s: &str, loose: bool) -> Option<Date> {
        let part = |p: &str, len: usize| -> Option<u16> {
            let p = if loose { p.trim() } else { p };
            let fits = if loose && len == 2 { (1..=2).contains(&p.len()) } else { p.len() == len };
            (fits && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok()).flatten()
        };
        let mut it = s.trim().split('/');
        let (first, second, third) = (it.next()?, it.next(), it.next());
        if it.next().is_some() {
            return None;
        }
        let (day, month, year) = match (second, third) {
            (None, None) => (0, 0, part(first, 4)?),
            (Some(m), Some(y)) => (part(first, 2)?, part(m, 2)?, part(y, 4)?),
            _ => return None,
        };
        let (day, month) = (u8::try_from(day).ok()?, u8::try_from(month).ok()?);
        (day <= 31 && month <= 12 && !(day != 0 && month == 0)).then_some(Date { year, month, day })
    }

    /// `ddmmyyyy`, eight digits (the card's QR code writes dates so).
    pub fn parse_digits(s: &str) -> Option<Date> {
        let s = s.trim();
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::parse(&alloc::format!("{}/{}/{}", s.get(0..2)?, s.get(2..4)?, s.get(4..8)?))
    }

    /// A day of the calendar: day and month known, and the day in the month (29 February only in
    /// a leap year).
    pub fn is_calendar_day(&self) -> bool {
        let leap = (self.year.is_multiple_of(4) && !self.year.is_multiple_of(100)) || self.year.is_multiple_of(400);
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day)
    }

    /// The same day `years` later (29 February becomes 28 February in a common year).
    pub fn plus_years(&self, years: u16) -> Date {
        let mut d = Date { year: self.year.saturating_add(years), ..*self };
        if self.is_calendar_day() && !d.is_calendar_day() {
            d.day = 28;
        }
        d
    }

    /// `dd/mm/yyyy`, as the chip writes it.
    pub fn dmy(&self) -> String {
        alloc::format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// Day and month both known.
    pub fn is_complete(&self) -> bool {
        self.day != 0 && self.month != 0
    }

    /// Only the year is known.
    pub fn is_year_only(&self) -> bool {
        self.day == 0 && self.month == 0
    }

    /// `yyyyMMdd`, unknown parts as `00` (QĐ 4750's form).
    pub fn compact(&self) -> String {
        alloc::format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// ISO 8601 as far as known: `yyyy-mm-dd`, `yyyy-mm` or `yyyy` (FHIR's `date`).
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (0, _) => alloc::format!("{:04}", self.year),
            (m, 0) => alloc::format!("{:04}-{m:02}", self.year),
            (m, d) => alloc::format!("{:04}-{m:02}-{d:02}", self.year),
        }
    }
}

/// The person's sex as the card writes it ("Nam", "Nữ") or the MRZ ("M", "F") — the one reading
/// for every place that needs it (FHIR, the check-in row, the insurer comparison).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    /// "Nam", "M".
    Male,
    /// "Nữ", "F".
    Female,
}

impl Sex {
    /// "Nam", "M" or "male" / "Nữ", "Nu", "F" or "female", in any case, spaces around allowed.
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_lowercase().as_str() {
            "nam" | "m" | "male" => Some(Sex::Male),
            "nữ" | "nu" | "f" | "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// `dd/mm/yyyy` with day and month known → (day, month, year).
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    Date::parse(s).filter(Date::is_complete).map(|d| (u32::from(d.day), u32::from(d.month), u32::from(d.year)))
}
