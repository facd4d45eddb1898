//! The access key a clerk can type: document number, date of birth, date of expiry (the BAC /
//! PACE-MRZ password, ICAO 9303-11 §4.3.1), validated field by field.

use alloc::string::String;
use core::fmt;

use crate::mrz::check_char;

/// Which field of the access key is wrong, and why (English; the UI translates by variant).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The document number is empty, too long, or has characters outside `0-9 A-Z`.
    DocumentNumber(&'static str),
    /// The date of birth is not a real date (the text says what is wrong).
    DateOfBirth(&'static str),
    /// The date of expiry is not a real date.
    DateOfExpiry(&'static str),
    /// A 12-digit CCCD number was expected.
    IdNumber(&'static str),
    /// The card access number is not 6 digits.
    Can(&'static str),
    /// What was given is not enough to open a chip.
    Incomplete(Missing),
}

/// What a typed key lacks ([`KeyError::Incomplete`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// One date was given without the other.
    OneDate,
    /// A document number without both dates.
    DatesForDocumentNumber,
    /// Dates without an ID number or a document number.
    NumberForDates,
    /// Nothing that opens a chip.
    Everything,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OneDate => "give both the date of birth and the date of expiry, or neither",
            Self::DatesForDocumentNumber => "the document number needs the date of birth and the date of expiry",
            Self::NumberForDates => "the dates need the ID number or the document number",
            Self::Everything => {
                "give the ID number (its last 6 digits are the CAN), the CAN, or the document number with the date of birth and the date of expiry"
            }
        })
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DocumentNumber(why) => write!(f, "document number: {why}"),
            Self::DateOfBirth(why) => write!(f, "date of birth: {why}"),
            Self::DateOfExpiry(why) => write!(f, "date of expiry: {why}"),
            Self::IdNumber(why) => write!(f, "ID number: {why}"),
            Self::Can(why) => write!(f, "CAN: {why}"),
            Self::Incomplete(what) => write!(f, "{what}"),
        }
    }
}

/// What a person typed or scanned to open a chip, field by field, before any check. Turned into
/// [`crate::Credentials`] by [`crate::Credentials::from_typed`], the one place that decides what
/// such a combination means (the CLI's flags, the API's JSON body and the desk app's fields all
/// come through it).
#[derive(Clone, Copy, Debug, Default)]
pub struct TypedKey<'a> {
    /// The 12-digit ID number (its last 6 digits are the CAN; with both dates, also the MRZ key).
    pub id_number: Option<&'a str>,
    /// The card access number, given on its own (overrides the ID number's).
    pub can: Option<&'a str>,
    /// The 9-character document number of the MRZ (foreign documents; old cards).
    pub document_number: Option<&'a str>,
    /// The date of birth as printed: YYMMDD or DD/MM/YYYY.
    pub date_of_birth: Option<&'a str>,
    /// The date of expiry, in the same forms.
    pub date_of_expiry: Option<&'a str>,
}

/// A validated MRZ access key. `Debug` does not print the key: it is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    document_number: String,
    date_of_birth: [u8; 6],
    date_of_expiry: [u8; 6],
}

impl Drop for AccessKey {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.document_number.zeroize();
        self.date_of_birth.zeroize();
        self.date_of_expiry.zeroize();
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(<redacted>)")
    }
}

/// Turns what a clerk types into YYMMDD: accepts `YYMMDD`, `DDMMYYYY`, `DD/MM/YYYY`,
/// `DD-MM-YYYY`, `DD.MM.YYYY` and `YYYY-MM-DD`, then checks that the date exists.
pub fn normalize_date(input: &str) -> Result<[u8; 6], &'static str> {
    let t = input.trim();
    let digits: heaplessish::Digits = heaplessish::Digits::from(t);
    let (yy, mm, dd, full_year): ([u8; 2], [u8; 2], [u8; 2], Option<u32>) = match (t.len(), digits.len()) {
        (6, 6) if digits.all_digits_in(t) => (digits.pair(0), digits.pair(2), digits.pair(4), None),
        (8, 8) if digits.all_digits_in(t) => {
            (digits.pair(6), digits.pair(2), digits.pair(0), Some(digits.number(4, 8)))
        }
        (10, 8) => {
            let b = t.as_bytes();
            let sep = |i: usize| b.get(i).copied().unwrap_or(b'0');
            if matches!(sep(2), b'/' | b'-' | b'.') && sep(5) == sep(2) {
                (digits.pair(6), digits.pair(2), digits.pair(0), Some(digits.number(4, 8)))
            } else if sep(4) == b'-' && sep(7) == b'-' {
                (digits.pair(2), digits.pair(4), digits.pair(6), Some(digits.number(0, 4)))
            } else {
                return Err("use DD/MM/YYYY or YYMMDD");
            }
        }
        _ => return Err("use DD/MM/YYYY or YYMMDD"),
    };
    let month = u32::from(mm[0] - b'0') * 10 + u32::from(mm[1] - b'0');
    let day = u32::from(dd[0] - b'0') * 10 + u32::from(dd[1] - b'0');
    let yy_n = u32::from(yy[0] - b'0') * 10 + u32::from(yy[1] - b'0');
    if !(1..=12).contains(&month) {
        return Err("month must be 01 to 12");
    }
    let leap = match full_year {
        Some(y) => (y % 4 == 0 && y % 100 != 0) || y % 400 == 0,
        // Two-digit year: 00 may be 2000 (leap) or 1900 (not); allow it.
        None => yy_n % 4 == 0,
    };
    let max_day = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > max_day {
        return Err("this day does not exist in that month");
    }
    Ok([yy[0], yy[1], mm[0], mm[1], dd[0], dd[1]])
}

/// A few ASCII-digit helpers without allocation.
mod heaplessish {
    pub struct Digits {
        d: [u8; 10],
        n: usize,
    }
    impl Digits {
        pub fn from(s: &str) -> Self {
            let mut d = [b'0'; 10];
            let mut n = 0;
            for b in s.bytes().filter(u8::is_ascii_digit) {
                if let Some(slot) = d.get_mut(n) {
                    *slot = b;
                }
                n += 1;
            }
            Self { d, n }
        }
        pub fn len(&self) -> usize {
            self.n
        }
        pub fn all_digits_in(&self, s: &str) -> bool {
            s.bytes().all(|b| b.is_ascii_digit())
        }
        pub fn pair(&self, i: usize) -> [u8; 2] {
            [self.d.get(i).copied().unwrap_or(b'0'), self.d.get(i + 1).copied().unwrap_or(b'0')]
        }
        pub fn number(&self, from: usize, to: usize) -> u32 {
            (from..to).fold(0, |acc, i| acc * 10 + u32::from(self.d.get(i).copied().unwrap_or(b'0') - b'0'))
        }
    }
}

impl AccessKey {
    /// Builds a key from the three fields as typed. The document number is upper-cased and may be
    /// up to 9 characters (padded with `<`); dates are accepted in the forms of [`normalize_date`].
    pub fn new(document_number: &str, date_of_birth: &str, date_of_expiry: &str) -> Result<Self, KeyError> {
        let doc: String = document_number.trim().chars().map(|c| c.to_ascii_uppercase()).collect();
        if doc.is_empty() {
            return Err(KeyError::DocumentNumber("it is empty"));
        }
        if doc.chars().count() > 9 {
            return Err(KeyError::DocumentNumber(
                "it has more than 9 characters; on a 12-digit CCCD number use the last 9 digits",
            ));
        }
        if !doc.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == '<') {
            return Err(KeyError::DocumentNumber("only digits and the letters A-Z are allowed"));
        }
        let date_of_birth = normalize_date(date_of_birth).map_err(KeyError::DateOfBirth)?;
        let date_of_expiry = normalize_date(date_of_expiry).map_err(KeyError::DateOfExpiry)?;
        Ok(Self { document_number: doc, date_of_birth, date_of_expiry })
    }

    /// Builds a key from a 12-digit CCCD number: the MRZ document number is its last 9 digits
    /// (see shared/cccd.md — UNVERIFIED on every card series; callers let the clerk override).
    pub fn from_cccd_number(id_number: &str, date_of_birth: &str, date_of_expiry: &str) -> Result<Self, KeyError> {
        let id = id_number.trim();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyError::IdNumber("a CCCD number has exactly 12 digits"));
        }
        Self::new(id.get(3..).unwrap_or(id), date_of_birth, date_of_expiry)
    }

    /// The document number padded with `<` to 9 characters.
    pub fn document_number_field(&self) -> String {
        let mut s = self.document_number.clone();
        while s.len() < 9 {
            s.push('<');
        }
        s
    }

    /// The date of birth, YYMMDD.
    pub fn date_of_birth(&self) -> &str {
        core::str::from_utf8(&self.date_of_birth).unwrap_or("")
    }
    /// The date of expiry, YYMMDD.
    pub fn date_of_expiry(&self) -> &str {
        core::str::from_utf8(&self.date_of_expiry).unwrap_or("")
    }

    /// `MRZ_information` = document number ‖ check ‖ DOB ‖ check ‖ expiry ‖ check (9303-11 §9.7.2).
    pub fn mrz_information(&self) -> String {
        let doc = self.document_number_field();
        let mut s = String::with_capacity(24);
        for f in [doc.as_str(), self.date_of_birth(), self.date_of_expiry()] {
            s.push_str(f);
            s.push(check_char(f).unwrap_or('0'));
        }
        s
    }
}

/// Which password secured a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum PasswordKind {
    /// The MRZ key: document number, date of birth, date of expiry (BAC, or PACE with the MRZ).
    Mrz,
    /// The card access number (PACE).
    Can,
}

/// A validated card access number. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct Can(String);

impl Drop for Can {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Can {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Can(<redacted>)")
    }
}

impl Can {
    /// The CAN as typed: exactly 6 digits (spaces ignored).
    pub fn new(s: &str) -> Result<Self, KeyError> {
        let d: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if d.len() != 6 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyError::Can(
                "the card access number (CAN) has exactly 6 digits (on a Vietnamese card: the last 6 digits of the ID number)",
            ));
        }
        Ok(Self(d))
    }
    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the clerk typed: the CAN, the MRZ fields, or both.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The card access number, when known (PACE with the CAN).
    pub can: Option<Can>,
    /// The MRZ key, when known (BAC, or PACE with the MRZ).
    pub mrz: Option<AccessKey>,
}

impl Credentials {
    /// The MRZ key alone.
    pub fn mrz(key: AccessKey) -> Self {
        Self { can: None, mrz: Some(key) }
    }
    /// The CAN alone.
    pub fn can(can: Can) -> Self {
        Self { can: Some(can), mrz: None }
    }

    /// What the 12-digit ID number alone gives (typed, or scanned from the card's QR code): the
    /// CAN for PACE, its last 6 digits — Vietnamese cards print no separate CAN (shared/cccd.md);
    /// with the date of birth and expiry also the MRZ key (document number = the last 9 digits)
    /// for BAC, which the read falls back to when PACE is refused or fails.
    pub fn from_id_number(id_number: &str, dates: Option<(&str, &str)>) -> Result<Self, KeyError> {
        let id = id_number.trim();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyError::IdNumber("a CCCD number has exactly 12 digits"));
        }
        let can = Can::new(id.get(6..).unwrap_or(id))?;
        let mrz = dates.map(|(dob, exp)| AccessKey::from_cccd_number(id, dob, exp)).transpose()?;
        Ok(Self { can: Some(can), mrz })
    }

    /// The credentials for what a person typed or scanned: the ID number (CAN, and the MRZ key
    /// when both dates are given), an explicit CAN (which then replaces the ID number's), or the
    /// document number with both dates. Empty fields count as not given. `fallback` is used when
    /// nothing was given at all (the simulated card's own key); otherwise that is an error.
    pub fn from_typed(typed: &TypedKey<'_>, fallback: Option<Credentials>) -> Result<Self, KeyError> {
        use crate::access::Missing;
        use KeyError::Incomplete;
        fn given(f: Option<&str>) -> Option<&str> {
            f.map(str::trim).filter(|s| !s.is_empty())
        }
        let can = given(typed.can).map(Can::new).transpose()?;
        let dates = match (given(typed.date_of_birth), given(typed.date_of_expiry)) {
            (Some(d), Some(e)) => Some((d, e)),
            (None, None) => None,
            _ => return Err(Incomplete(Missing::OneDate)),
        };
        if let Some(id) = given(typed.id_number) {
            let mut c = Self::from_id_number(id, dates)?;
            if can.is_some() {
                c.can = can;
            }
            return Ok(c);
        }
        if let Some(doc) = given(typed.document_number) {
            let (dob, exp) = dates.ok_or(Incomplete(Missing::DatesForDocumentNumber))?;
            return Ok(Self { can, mrz: Some(AccessKey::new(doc, dob, exp)?) });
        }
        if dates.is_some() {
            return Err(Incomplete(Missing::NumberForDates));
        }
        match (can, fallback) {
            (Some(can), _) => Ok(Self::can(can)),
            (None, Some(f)) => Ok(f),
            (None, None) => Err(Incomplete(Missing::Everything)),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod typed_tests;
