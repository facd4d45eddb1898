//! Strict input for the API: a body naming a key twice is refused before anything reads it
//! (`{"consent": false, "consent": true}` must not mean yes), every request type refuses unknown
//! fields, and the values that go to the insurer, a form or the site store are checked: an ID
//! number is exactly 12 ASCII digits, a date is a real `dd/mm/yyyy` one, a name or typed text is
//! bounded and holds no control or bidirectional-override characters.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

/// Parses a request body as `T` (whose fields are its whole vocabulary: `deny_unknown_fields`)
/// after checking that no object in it names a key twice.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    no_duplicate_keys(body)?;
    serde_json::from_slice(body).map_err(|e| format!("the body: {e}"))
}

/// Fails on JSON that is not well formed, or whose objects name a key twice (at any depth).
pub fn no_duplicate_keys(body: &[u8]) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    Unique::deserialize(&mut de).map_err(|e| format!("the body: {e}"))?;
    de.end().map_err(|e| format!("the body: {e}"))
}

/// Any JSON value, read only to check its objects' keys.
struct Unique;

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_none<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Unique, D::Error> {
        Unique::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            if !seen.insert(k.clone()) {
                return Err(de::Error::custom(format!("the key {k:?} is given twice")));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
}

/// A 12-digit personal ID number: exactly 12 ASCII digits (not full-width ones, not a letter).
pub fn id_number(s: &str) -> Result<(), String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("id_number must be exactly 12 digits (0–9)".into())
    }
}

/// A real date `dd/mm/yyyy` (31/02 is not one), from 1900 to this year.
pub fn date(field: &str, s: &str) -> Result<(), String> {
    use chrono::Datelike;
    let bad = || format!("{field} must be a real date dd/mm/yyyy");
    let d = cancuoc_core::lds::dg13::Date::parse(s).filter(|d| d.is_calendar_day()).ok_or_else(bad)?;
    let this_year = chrono::Local::now().year();
    if (1900..=this_year).contains(&i32::from(d.year)) { Ok(()) } else { Err(bad()) }
}

/// Characters no name or typed text may hold: controls (a line break only where `lines`),
/// the bidirectional overrides and isolates that make text read differently from how it is
/// stored, and the non-characters U+FFFE/U+FFFF.
fn forbidden(c: char, lines: bool) -> bool {
    (c.is_control() && !(lines && c == '\n'))
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// A person's name: 1 to [`NAME_MAX`] characters, none forbidden.
pub const NAME_MAX: usize = 100;
pub fn name(field: &str, s: &str) -> Result<(), String> {
    let n = s.trim().chars().count();
    if n == 0 || n > NAME_MAX {
        return Err(format!("{field} must be 1 to {NAME_MAX} characters"));
    }
    if s.chars().any(|c| forbidden(c, false)) {
        return Err(format!("{field} holds a control or text-direction character"));
    }
    Ok(())
}

/// Typed text (a form's field, a service's name): at most `max` characters, none forbidden
/// (line breaks allowed where `lines`).
pub fn text(field: &str, s: &str, max: usize, lines: bool) -> Result<(), String> {
    if s.chars().count() > max {
        return Err(format!("{field} is longer than {max} characters"));
    }
    if s.chars().any(|c| forbidden(c, lines)) {
        return Err(format!("{field} holds a control or text-direction character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth() {
        assert!(no_duplicate_keys(br#"{"consent":false,"consent":true}"#).unwrap_err().contains("\"consent\""));
        assert!(no_duplicate_keys(br#"{"a":[{"b":1,"b":2}]}"#).is_err());
        assert!(no_duplicate_keys(br#"{"a":{"b":1},"c":{"b":2}}"#).is_ok(), "the same key in two objects is fine");
        assert!(no_duplicate_keys(br#"{"a":1} x"#).is_err(), "trailing data");
        // An escape spelling the same key is the same key.
        assert!(no_duplicate_keys(br#"{"consent":false,"cons\u0065nt":true}"#).is_err());
    }

    #[test]
    fn values_are_checked() {
        assert!(id_number("079195012345").is_ok());
        for bad in ["07919501234", "0791950123456", "07919501234a", "０７９１９５０１２３４５", "079195 12345"]
        {
            assert!(id_number(bad).is_err(), "{bad:?}");
        }
        assert!(date("date_of_birth", "29/02/2024").is_ok());
        for bad in ["31/02/1995", "29/02/2023", "15/13/1995", "1995-03-15", "15/03/1850", "15/03/2999"] {
            assert!(date("date_of_birth", bad).is_err(), "{bad:?}");
        }
        assert!(name("full_name", "Nguyễn Thị Thu Hà").is_ok());
        let long = "A".repeat(NAME_MAX + 1);
        for bad in ["", "  ", long.as_str(), "Hà\u{202E}nộ", "Hà\u{0007}", "Hà\nNội", "Hà\u{FFFE}"] {
            assert!(name("full_name", bad).is_err(), "{bad:?}");
        }
        assert!(text("values.request", "dòng 1\ndòng 2", 2000, true).is_ok());
        assert!(text("visit.ten_dich_vu", "dòng 1\ndòng 2", 1024, false).is_err());
    }
}
