//! Machine-readable zone parsing, TD1 (3 × 30, the CCCD's back) and TD3 (2 × 44, passports),
//! with check digits (ICAO 9303-3 §4.9, 9303-5 §4.2, 9303-4 §4.2).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// Computes the 7-3-1 check digit; `None` when a character is not `0-9`, `A-Z` or `<`.
pub fn check_digit(field: &str) -> Option<u8> {
    const W: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, c) in field.chars().enumerate() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            '<' => 0,
            _ => return None,
        };
        sum += v * W.get(i % 3).copied().unwrap_or(1);
    }
    Some((sum % 10) as u8)
}

/// The check digit as its MRZ character.
pub fn check_char(field: &str) -> Option<char> {
    check_digit(field).map(|d| char::from(b'0' + d))
}

/// Which MRZ layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MrzFormat {
    /// Three lines of 30 (ID cards, the CCCD; 9303-5).
    Td1,
    /// Two lines of 44 (passports; 9303-4).
    Td3,
}

/// Why an MRZ could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MrzError {
    /// Not 90 (TD1) or 88 (TD3) characters once line breaks are removed.
    Length(usize),
    /// A character outside `0-9 A-Z <`.
    Character(char),
}

impl fmt::Display for MrzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(n) => write!(f, "MRZ has {n} characters; TD1 has 90 and TD3 has 88"),
            Self::Character(c) => write!(f, "MRZ contains the character {c:?}, allowed are 0-9, A-Z and <"),
        }
    }
}

/// Results of the MRZ's own check digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MrzChecks {
    /// The document number's check digit holds.
    pub document_number: bool,
    /// The date of birth's.
    pub date_of_birth: bool,
    /// The date of expiry's.
    pub date_of_expiry: bool,
    /// The composite check digit over the upper lines.
    pub composite: bool,
}

impl MrzChecks {
    /// Whether every check digit holds.
    pub fn all_valid(&self) -> bool {
        self.document_number && self.date_of_birth && self.date_of_expiry && self.composite
    }
}

/// A parsed MRZ. Fields keep their MRZ spelling with filler `<` removed at the ends.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mrz {
    /// TD1 or TD3.
    pub format: MrzFormat,
    /// Document code (`I`, `ID`, `P`…).
    pub document_code: String,
    /// Issuing state, three letters (`VNM`).
    pub issuing_state: String,
    /// The full document number (TD1 overflow into the optional data is joined back).
    pub document_number: String,
    /// YYMMDD.
    pub date_of_birth: String,
    /// `M`, `F` or `<`.
    pub sex: char,
    /// YYMMDD.
    pub date_of_expiry: String,
    /// Nationality, three letters.
    pub nationality: String,
    /// Optional data of the first line (TD1: on a CCCD, the ID number's last digits).
    pub optional_data_1: String,
    /// Optional data of the second line (TD1) or the personal number (TD3).
    pub optional_data_2: String,
    /// The primary identifier (family name), `<` as spaces.
    pub primary_identifier: String,
    /// The secondary identifier (given names), `<` as spaces.
    pub secondary_identifier: String,
    /// Whether each check digit holds.
    pub checks: MrzChecks,
}

fn field(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or("")
}

fn trim_filler(s: &str) -> String {
    s.trim_matches('<').to_string()
}

fn check(s: &str, digit_at: usize, from: usize, to: usize) -> bool {
    let c = s.get(digit_at..digit_at + 1).and_then(|d| d.chars().next());
    // A `<` check digit is accepted for an all-filler field (ICAO 9303-3 §4.9).
    match (check_char(field(s, from, to)), c) {
        (Some(expect), Some(got)) => expect == got || (got == '<' && field(s, from, to).chars().all(|c| c == '<')),
        _ => false,
    }
}

fn names(s: &str) -> (String, String) {
    let s = s.trim_end_matches('<');
    // The primary and secondary identifiers are separated by the first "<<".
    let split = s.as_bytes().windows(2).position(|w| w == b"<<").and_then(|i| Some((s.get(..i)?, s.get(i + 2..)?)));
    match split {
        Some((p, g)) => (p.replace('<', " "), g.trim_matches('<').replace('<', " ")),
        None => (s.replace('<', " "), String::new()),
    }
}

impl Mrz {
    /// Parses an MRZ given with or without line breaks.
    pub fn parse(input: &str) -> Result<Self, MrzError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(c) = s.chars().find(|c| !matches!(c, '0'..='9' | 'A'..='Z' | '<')) {
            return Err(MrzError::Character(c));
        }
        match s.len() {
            90 => Ok(Self::parse_td1(&s)),
            88 => Ok(Self::parse_td3(&s)),
            n => Err(MrzError::Length(n)),
        }
    }

    fn parse_td1(s: &str) -> Self {
        let (l1, l2, l3) = (field(s, 0, 30), field(s, 30, 60), field(s, 60, 90));
        // 9303-5 §4.2.2: if the check digit position holds `<`, the number overflows into the
        // optional data, whose last digit before the filler is the check digit.
        let (document_number, doc_ok, opt1) = if field(l1, 14, 15) == "<" {
            let opt = field(l1, 15, 30).trim_end_matches('<');
            let (rest, cd) = opt.split_at(opt.len().saturating_sub(1));
            let full = [field(l1, 5, 14), rest].concat();
            let ok = check_char(&full).is_some_and(|c| cd == c.to_string().as_str());
            (trim_filler(&full), ok, String::new())
        } else {
            (trim_filler(field(l1, 5, 14)), check(l1, 14, 5, 14), trim_filler(field(l1, 15, 30)))
        };
        let composite_src = [field(l1, 5, 30), field(l2, 0, 7), field(l2, 8, 15), field(l2, 18, 29)].concat();
        let composite = check_char(&composite_src).is_some_and(|c| field(l2, 29, 30).starts_with(c));
        let (primary_identifier, secondary_identifier) = names(l3);
        Self {
            format: MrzFormat::Td1,
            document_code: trim_filler(field(l1, 0, 2)),
            issuing_state: trim_filler(field(l1, 2, 5)),
            document_number,
            date_of_birth: field(l2, 0, 6).to_string(),
            sex: field(l2, 7, 8).chars().next().unwrap_or('<'),
            date_of_expiry: field(l2, 8, 14).to_string(),
            nationality: trim_filler(field(l2, 15, 18)),
            optional_data_1: opt1,
            optional_data_2: trim_filler(field(l2, 18, 29)),
            primary_identifier,
            secondary_identifier,
            checks: MrzChecks {
                document_number: doc_ok,
                date_of_birth: check(l2, 6, 0, 6),
                date_of_expiry: check(l2, 14, 8, 14),
                composite,
            },
        }
    }

    fn parse_td3(s: &str) -> Self {
        let (l1, l2) = (field(s, 0, 44), field(s, 44, 88));
        let (primary_identifier, secondary_identifier) = names(field(l1, 5, 44));
        let composite_src = [field(l2, 0, 10), field(l2, 13, 20), field(l2, 21, 43)].concat();
        let composite = check_char(&composite_src).is_some_and(|c| field(l2, 43, 44).starts_with(c));
        Self {
            format: MrzFormat::Td3,
            document_code: trim_filler(field(l1, 0, 2)),
            issuing_state: trim_filler(field(l1, 2, 5)),
            document_number: trim_filler(field(l2, 0, 9)),
            date_of_birth: field(l2, 13, 19).to_string(),
            sex: field(l2, 20, 21).chars().next().unwrap_or('<'),
            date_of_expiry: field(l2, 21, 27).to_string(),
            nationality: trim_filler(field(l2, 10, 13)),
            optional_data_1: trim_filler(field(l2, 28, 42)),
            optional_data_2: String::new(),
            primary_identifier,
            secondary_identifier,
            checks: MrzChecks {
                document_number: check(l2, 9, 0, 9),
                date_of_birth: check(l2, 19, 13, 19),
                date_of_expiry: check(l2, 27, 21, 27),
                composite,
            },
        }
    }

    /// The MRZ lines (30 or 44 characters each) rebuilt from `raw`, for display.
    pub fn lines(raw: &str) -> Vec<String> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let w = if s.len() == 88 { 44 } else { 30 };
        s.as_bytes().chunks(w).map(|c| String::from_utf8_lossy(c).into_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_icao_examples() {
        // 9303-11 Appendix D: L898902C<3, 690806 1, 940623 6
        assert_eq!(check_digit("L898902C<"), Some(3));
        assert_eq!(check_digit("690806"), Some(1));
        assert_eq!(check_digit("940623"), Some(6));
        assert_eq!(check_digit("ab"), None);
    }

    #[test]
    fn parses_icao_td1_specimen() {
        // ICAO 9303-5 Appendix A specimen.
        let m = Mrz::parse(
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        )
        .unwrap();
        assert_eq!(m.format, MrzFormat::Td1);
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.date_of_birth, "740812");
        assert_eq!(m.sex, 'F');
        assert_eq!(m.date_of_expiry, "120415");
        assert_eq!(m.primary_identifier, "ERIKSSON");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
        assert!(m.checks.all_valid(), "{:?}", m.checks);
    }

    #[test]
    fn parses_icao_td3_specimen() {
        let m = Mrz::parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10")
            .unwrap();
        assert_eq!(m.format, MrzFormat::Td3);
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.nationality, "UTO");
        assert_eq!(m.optional_data_1, "ZE184226B");
        assert!(m.checks.all_valid(), "{:?}", m.checks);
    }

    #[test]
    fn flags_bad_check_digit_and_rejects_garbage() {
        let m =
            Mrz::parse("I<UTOD231458908<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
                .unwrap();
        assert!(!m.checks.document_number);
        assert_eq!(Mrz::parse("abc"), Err(MrzError::Character('a')));
        assert_eq!(Mrz::parse("ABC"), Err(MrzError::Length(3)));
    }
}
