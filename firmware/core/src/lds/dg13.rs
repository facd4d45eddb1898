//! DG13 on the Vietnamese CCCD: personal data. Real cards frame it as (shared/cccd.md, checked
//! against the public readers that decode real samples — see docs/architecture.md):
//!
//! ```text
//! 6D L
//!   30 L                                  outer SEQUENCE
//!     02 01 01                            version 1
//!     06 06 28 D3 16 01 00 08             OID 1.0.10646.1.0.8 (the strings are UTF-8)
//!     31 L                                SET of fields
//!       30 L { 02 01 n, value… }          one SEQUENCE per field, n = field number
//! ```
//!
//! A value is a string (PrintableString `13` for fields 1, 3, 11, 15, 16; UTF8String `0C` for the
//! others) or, for the parents (13) and the spouse (14), strings inside nested SEQUENCEs. An empty
//! field is absent or carries only its number. The parser keys every field by its number, never by
//! its position, keeps fields it does not name raw and in card order, and also accepts the flat
//! layout (`6D { 02 version, 30 {02 n, value}… }`) that earlier synthetic cards used.

use alloc::string::String;
use alloc::vec::Vec;

use super::ParseError;
use crate::tlv::{self, Tlv};

mod values;
pub use values::{Date, Sex, parse_date};

/// Field numbers.
pub mod field;

/// The OID real cards put before the SET of fields: ISO/IEC 10646 UTF-8 (1.0.10646.1.0.8).
pub const UTF8_OID: [u8; 6] = [0x28, 0xD3, 0x16, 0x01, 0x00, 0x08];

/// One named DG13 value: where it sits on the card and what the people who read it call it. This
/// table is the one list of DG13 fields: the CLI, the API and its FHIR builder, the desk app and
/// its consent screens all read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The field number on the card.
    pub number: u32,
    /// Which string under the field (the parents' field holds the father, then the mother).
    pub index: usize,
    /// The JSON key in reports (`person.<key>`).
    pub key: &'static str,
    /// The label printed on a 2021 CCCD, in Vietnamese.
    pub vi: &'static str,
    /// The English label of the 2021 card.
    pub en: &'static str,
    /// Where the 2024 card (thẻ căn cước) prints this value under another label, that label.
    pub vi_2024: Option<&'static str>,
    /// The English label of the 2024 card, where it differs.
    pub en_2024: Option<&'static str>,
    /// The string type real cards use: `0x13` PrintableString or `0x0C` UTF8String.
    pub string_tag: u8,
    /// Sensitive personal data (Decree 356/2025/NĐ-CP art. 4: ethnic origin, religion): never
    /// in a default consent set, asked for separately, not shown unless a purpose needs it.
    pub sensitive: bool,
}

const fn info(number: u32, index: usize, key: &'static str, vi: &'static str, en: &'static str, tag: u8) -> FieldInfo {
    FieldInfo { number, index, key, vi, en, vi_2024: None, en_2024: None, string_tag: tag, sensitive: false }
}

/// Every field this project names, in the card's order.
pub const FIELDS: &[FieldInfo] = &[
    info(field::ID_NUMBER, 0, "id_number", "Số định danh cá nhân", "Personal ID number", 0x13),
    info(field::FULL_NAME, 0, "full_name", "Họ và tên", "Full name", 0x0C),
    info(field::DATE_OF_BIRTH, 0, "date_of_birth", "Ngày sinh", "Date of birth", 0x13),
    info(field::SEX, 0, "sex", "Giới tính", "Sex", 0x0C),
    info(field::NATIONALITY, 0, "nationality", "Quốc tịch", "Nationality", 0x0C),
    FieldInfo { sensitive: true, ..info(field::ETHNICITY, 0, "ethnicity", "Dân tộc", "Ethnicity", 0x0C) },
    FieldInfo { sensitive: true, ..info(field::RELIGION, 0, "religion", "Tôn giáo", "Religion", 0x0C) },
    // Circular 16/2024: the 2024 card prints "nơi đăng ký khai sinh" where the 2021 card printed
    // "quê quán", and "nơi cư trú" for "nơi thường trú". Whether the chip's fields 8 and 9 hold
    // those values on 2024 cards is UNCONFIRMED; the labels follow the card's generation.
    FieldInfo {
        vi_2024: Some("Nơi đăng ký khai sinh"),
        en_2024: Some("Place of birth registration"),
        ..info(field::PLACE_OF_ORIGIN, 0, "place_of_origin", "Quê quán", "Place of origin", 0x0C)
    },
    FieldInfo {
        vi_2024: Some("Nơi cư trú"),
        en_2024: Some("Place of residence"),
        ..info(field::PLACE_OF_RESIDENCE, 0, "place_of_residence", "Nơi thường trú", "Place of residence", 0x0C)
    },
    info(field::IDENTIFYING_MARKS, 0, "identifying_marks", "Đặc điểm nhận dạng", "Identifying marks", 0x0C),
    info(field::DATE_OF_ISSUE, 0, "date_of_issue", "Ngày cấp", "Date of issue", 0x13),
    info(field::DATE_OF_EXPIRY, 0, "date_of_expiry", "Có giá trị đến", "Valid until", 0x0C),
    info(field::PARENTS, 0, "father_name", "Họ tên cha", "Father", 0x0C),
    info(field::PARENTS, 1, "mother_name", "Họ tên mẹ", "Mother", 0x0C),
    info(field::SPOUSE, 0, "spouse_name", "Họ tên vợ/chồng", "Spouse", 0x0C),
    info(field::OLD_ID_NUMBER, 0, "old_id_number", "Số CMND cũ", "Old ID number, CMND", 0x13),
];

/// The table entry for a JSON key.
pub fn field_info(key: &str) -> Option<&'static FieldInfo> {
    FIELDS.iter().find(|f| f.key == key)
}

/// One numbered field as found on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Field {
    /// The field number (see [`field`]).
    pub number: u32,
    /// The strings under this field, in order (UTF-8, lossily decoded if the card's is not).
    pub values: Vec<String>,
    /// The field's raw bytes (its whole SEQUENCE), kept for fields this parser does not name.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub raw: Vec<u8>,
}

/// Which card generation issued the document: the 2021 CCCD or the 2024 "thẻ căn cước".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum Generation {
    /// Căn cước công dân (Law 59/2014), issued until 30 June 2024.
    #[cfg_attr(feature = "serde", serde(rename = "cccd_2021"))]
    Cccd2021,
    /// Căn cước (Law 26/2023), issued from 1 July 2024.
    #[cfg_attr(feature = "serde", serde(rename = "can_cuoc_2024"))]
    CanCuoc2024,
}

/// The personal data, named. Every value is as stored on the card (dates `dd/mm/yyyy`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg13 {
    /// The personal identification number (field 1).
    pub id_number: Option<String>,
    /// Full name (field 2).
    pub full_name: Option<String>,
    /// Date of birth (field 3).
    pub date_of_birth: Option<String>,
    /// Sex (field 4).
    pub sex: Option<String>,
    /// Nationality (field 5).
    pub nationality: Option<String>,
    /// Ethnicity (field 6): sensitive personal data.
    pub ethnicity: Option<String>,
    /// Religion (field 7): sensitive personal data.
    pub religion: Option<String>,
    /// Place of origin (field 8).
    pub place_of_origin: Option<String>,
    /// Place of residence (field 9).
    pub place_of_residence: Option<String>,
    /// Identifying marks (field 10).
    pub identifying_marks: Option<String>,
    /// Date of issue (field 11).
    pub date_of_issue: Option<String>,
    /// Date of expiry (field 12).
    pub date_of_expiry: Option<String>,
    /// Father's name (field 13, first string).
    pub father_name: Option<String>,
    /// Mother's name (field 13, second string).
    pub mother_name: Option<String>,
    /// Spouse's name (field 14).
    pub spouse_name: Option<String>,
    /// The old 9-digit ID (CMND): field 15 on most cards; taken from field 16 only when field 15
    /// does not hold 9 digits and field 16 does.
    pub old_id_number: Option<String>,
    /// Fields this project does not name (16 and any new number), in card order, as "field N".
    pub other_fields: Vec<Field>,
    /// Every numbered field, known or not, in card order (raw; not part of reports).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub fields: Vec<Field>,
}

impl Dg13 {
    /// The value a table entry names.
    pub fn get(&self, f: &FieldInfo) -> Option<&str> {
        self.slot(f.key).and_then(|s| s.as_deref())
    }

    /// The named values present, in the table's order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static FieldInfo, &str)> {
        FIELDS.iter().filter_map(|f| self.get(f).filter(|v| !v.is_empty()).map(|v| (f, v)))
    }

    fn slot(&self, key: &str) -> Option<&Option<String>> {
        Some(match key {
            "id_number" => &self.id_number,
            "full_name" => &self.full_name,
            "date_of_birth" => &self.date_of_birth,
            "sex" => &self.sex,
            "nationality" => &self.nationality,
            "ethnicity" => &self.ethnicity,
            "religion" => &self.religion,
            "place_of_origin" => &self.place_of_origin,
            "place_of_residence" => &self.place_of_residence,
            "identifying_marks" => &self.identifying_marks,
            "date_of_issue" => &self.date_of_issue,
            "date_of_expiry" => &self.date_of_expiry,
            "father_name" => &self.father_name,
            "mother_name" => &self.mother_name,
            "spouse_name" => &self.spouse_name,
            "old_id_number" => &self.old_id_number,
            _ => return None,
        })
    }

    /// The slot of the `index`-th string of field `number` (without the label table, which the
    /// reader firmware does not link).
    fn slot_at(&mut self, number: u32, index: usize) -> Option<&mut Option<String>> {
        use field::*;
        Some(match (number, index) {
            (ID_NUMBER, 0) => &mut self.id_number,
            (FULL_NAME, 0) => &mut self.full_name,
            (DATE_OF_BIRTH, 0) => &mut self.date_of_birth,
            (SEX, 0) => &mut self.sex,
            (NATIONALITY, 0) => &mut self.nationality,
            (ETHNICITY, 0) => &mut self.ethnicity,
            (RELIGION, 0) => &mut self.religion,
            (PLACE_OF_ORIGIN, 0) => &mut self.place_of_origin,
            (PLACE_OF_RESIDENCE, 0) => &mut self.place_of_residence,
            (IDENTIFYING_MARKS, 0) => &mut self.identifying_marks,
            (DATE_OF_ISSUE, 0) => &mut self.date_of_issue,
            (DATE_OF_EXPIRY, 0) => &mut self.date_of_expiry,
            (PARENTS, 0) => &mut self.father_name,
            (PARENTS, 1) => &mut self.mother_name,
            (SPOUSE, 0) => &mut self.spouse_name,
            (OLD_ID_NUMBER, 0) => &mut self.old_id_number,
            _ => return None,
        })
    }

    /// Clears a named value (e.g. one the citizen did not consent to share).
    pub fn clear(&mut self, f: &FieldInfo) {
        if let Some(s) = self.slot_at(f.number, f.index) {
            *s = None;
        }
    }

    /// The card generation, from the date of issue on the chip: 1 July 2024 or later is the 2024
    /// card. `None` when the chip holds no readable date of issue.
    pub fn generation(&self) -> Option<Generation> {
        let (d, m, y) = parse_date(self.date_of_issue.as_deref()?)?;
        Some(if (y, m, d) >= (2024, 7, 1) { Generation::CanCuoc2024 } else { Generation::Cccd2021 })
    }

    /// The label of a field as printed on this card's generation.
    pub fn label(&self, f: &FieldInfo, english: bool) -> &'static str {
        let newer = self.generation() == Some(Generation::CanCuoc2024);
        match (english, newer) {
            (false, true) => f.vi_2024.unwrap_or(f.vi),
            (true, true) => f.en_2024.unwrap_or(f.en),
            (false, false) => f.vi,
            (true, false) => f.en,
        }
    }
}

fn is_string_tag(tag: u32) -> bool {
    // UTF8String, PrintableString, T61String, IA5String, VisibleString, OCTET STRING
    matches!(tag, 0x0C | 0x13 | 0x14 | 0x16 | 0x1A | 0x04)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().into()
}

/// Strings under a field (after its number), depth-first, at most `MAX_DEPTH` levels down.
fn strings_under(t: &Tlv<'_>) -> Result<Vec<String>, ParseError> {
    const MAX_DEPTH: usize = 4;
    let mut out = Vec::new();
    let mut stack: Vec<(tlv::TlvIter<'_>, usize)> = alloc::vec![(t.children(), 0)];
    let mut skipped_number = false;
    while let Some((iter, depth)) = stack.last_mut() {
        let depth = *depth;
        match iter.next() {
            None => {
                stack.pop();
            }
            Some(child) => {
                let child = child?;
                if depth == 0 && child.tag == 0x02 && !skipped_number {
                    skipped_number = true;
                } else if is_string_tag(child.tag) {
                    out.push(text(child.value));
                } else if child.is_constructed() && depth < MAX_DEPTH {
                    stack.push((child.children(), depth + 1));
                }
            }
        }
    }
    Ok(out)
}

/// A field is a SEQUENCE whose first element is its number (an INTEGER of 1 to 3 bytes) and that
/// holds no OID or SET (the outer SEQUENCE of real cards starts with the version INTEGER too, but
/// goes on with the OID and the SET of fields).
fn field_number(t: &Tlv<'_>) -> Result<Option<u32>, ParseError> {
    if t.tag != 0x30 {
        return Ok(None);
    }
    let mut children = t.children();
    let Some(first) = children.next().transpose()? else { return Ok(None) };
    if first.tag != 0x02 || first.value.is_empty() || first.value.len() > 3 {
        return Ok(None);
    }
    for c in children {
        if matches!(c?.tag, 0x06 | 0x31) {
            return Ok(None);
        }
    }
    Ok(Some(first.value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b))))
}

fn looks_like_old_id(v: &str) -> bool {
    v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit())
}

/// Parses DG13 (tag `6D`): the numbered fields, named where their meaning is known.
pub fn parse(bytes: &[u8]) -> Result<Dg13, ParseError> {
    let t = tlv::expect(bytes, 0x6D)?;
    let mut d = Dg13::default();
    // Walk containers breadth-first (bounded): the fields sit in the SET of the outer SEQUENCE
    // on real cards, directly under 6D in the flat layout.
    let mut queue: Vec<Tlv<'_>> = Vec::new();
    for c in t.children() {
        queue.push(c?);
    }
    let mut i = 0;
    while let Some(c) = queue.get(i).copied() {
        i += 1;
        if !c.is_constructed() {
            continue;
        }
        match field_number(&c)? {
            Some(number) => {
                let values = strings_under(&c)?;
                d.fields.push(Field { number, values, raw: c.raw.to_vec() });
            }
            None if queue.len() < 256 => {
                for g in c.children() {
                    queue.push(g?);
                }
            }
            None => {}
        }
    }
    if d.fields.is_empty() {
        return Err(ParseError::Invalid("DG13 holds no numbered fields"));
    }
    let fields = core::mem::take(&mut d.fields);
    for f in &fields {
        if !(field::ID_NUMBER..=field::OLD_ID_NUMBER).contains(&f.number) {
            d.other_fields.push(f.clone());
            continue;
        }
        for (index, v) in f.values.iter().enumerate() {
            // The first occurrence of a field wins; an empty string is no value.
            if let Some(slot) = d.slot_at(f.number, index)
                && slot.is_none()
                && !v.is_empty()
            {
                *slot = Some(v.clone());
            }
        }
    }
    // The old ID number: field 15 on most cards, field 16 on one public profile. Decide by content.
    if !d.old_id_number.as_deref().is_some_and(looks_like_old_id)
        && let Some(v) = fields
            .iter()
            .find(|f| f.number == field::UNCONFIRMED_16)
            .and_then(|f| f.values.first())
            .filter(|v| looks_like_old_id(v))
    {
        d.old_id_number = Some(v.clone());
    }
    d.fields = fields;
    Ok(d)
}

/// Encodes fields in the real cards' layout: `6D { 30 { 02 01 01, 06 UTF-8 OID, 31 { 30 { 02 n,
/// value }… } } }`, each string with the type real cards use for that field; the parents as two
/// nested SEQUENCEs, the spouse as one, an empty spouse as the bare number. The simulator's
/// cards use it; the first test of the parser uses hand-written bytes, not this.
pub fn encode(fields: &[(u32, Vec<String>)]) -> Vec<u8> {
    let mut set = Vec::new();
    for (n, values) in fields {
        // PrintableString for the ID, the dates of birth and issue, the old ID and field 16;
        // UTF8String for the others (FIELDS' string_tag, plus field 16 which it does not name).
        let tag: u32 = match *n {
            field::ID_NUMBER
            | field::DATE_OF_BIRTH
            | field::DATE_OF_ISSUE
            | field::OLD_ID_NUMBER
            | field::UNCONFIRMED_16 => 0x13,
            _ => 0x0C,
        };
        let mut f = tlv::encode(0x02, &number_bytes(*n));
        match (*n, values.as_slice()) {
            (field::PARENTS | field::SPOUSE, many) => {
                for v in many.iter().filter(|v| !v.is_empty()) {
                    f.extend(tlv::encode(0x30, &tlv::encode(0x0C, v.as_bytes())));
                }
            }
            (_, many) => {
                for v in many {
                    f.extend(tlv::encode(tag, v.as_bytes()));
                }
            }
        }
        set.extend(tlv::encode(0x30, &f));
    }
    let mut outer = tlv::encode(0x02, &[0x01]);
    outer.extend(tlv::encode(0x06, &UTF8_OID));
    outer.extend(tlv::encode(0x31, &set));
    tlv::encode(0x6D, &tlv::encode(0x30, &outer))
}

/// An INTEGER's content octets for a small non-negative number.
fn number_bytes(n: u32) -> Vec<u8> {
    let b = n.to_be_bytes();
    let skip = b.iter().take(3).take_while(|&&x| x == 0).count();
    let mut out: Vec<u8> = b.get(skip..).unwrap_or(&b).to_vec();
    if out.first().is_some_and(|&x| x & 0x80 != 0) {
        out.insert(0, 0);
    }
    out
}

#[cfg(test)]
mod tests;
