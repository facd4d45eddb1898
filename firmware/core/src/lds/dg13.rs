//! DG13 on the Vietnamese CCCD: personal data (see shared/cccd.md). Inside tag `6D` the card
//! holds numbered fields, each a SEQUENCE of an INTEGER field number followed by one or more
//! strings (field 13, the parents, holds two). The exact framing is not published, so this
//! parser is defensive: it walks the structure iteratively, takes every string under a numbered
//! field, and keeps fields it does not know as raw bytes.

use alloc::string::String;
use alloc::vec::Vec;

use super::ParseError;
use crate::tlv::{self, Tlv};

/// Field numbers (shared/cccd.md, "DG13 fields").
pub mod field {
    pub const ID_NUMBER: u32 = 1;
    pub const FULL_NAME: u32 = 2;
    pub const DATE_OF_BIRTH: u32 = 3;
    pub const SEX: u32 = 4;
    pub const NATIONALITY: u32 = 5;
    pub const ETHNICITY: u32 = 6;
    pub const RELIGION: u32 = 7;
    pub const PLACE_OF_ORIGIN: u32 = 8;
    pub const PLACE_OF_RESIDENCE: u32 = 9;
    pub const IDENTIFYING_MARKS: u32 = 10;
    pub const DATE_OF_ISSUE: u32 = 11;
    pub const DATE_OF_EXPIRY: u32 = 12;
    pub const PARENTS: u32 = 13;
    pub const SPOUSE: u32 = 14;
    pub const OLD_ID_NUMBER: u32 = 15;
}

/// One numbered field as found on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Field {
    pub number: u32,
    /// The strings under this field, in order (UTF-8, lossily decoded if the card's is not).
    pub values: Vec<String>,
    /// The field's raw bytes, kept for fields this parser does not name.
    pub raw: Vec<u8>,
}

/// The personal data, named. Every value is as printed on the card (dates `dd/mm/yyyy`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg13 {
    pub id_number: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub place_of_origin: Option<String>,
    pub place_of_residence: Option<String>,
    pub identifying_marks: Option<String>,
    pub date_of_issue: Option<String>,
    pub date_of_expiry: Option<String>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
    pub old_id_number: Option<String>,
    /// Every numbered field, known or not, in card order (raw; not part of reports).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub fields: Vec<Field>,
}

fn is_string_tag(tag: u32) -> bool {
    // UTF8String, PrintableString, T61String, IA5String, VisibleString, OCTET STRING
    matches!(tag, 0x0C | 0x13 | 0x14 | 0x16 | 0x1A | 0x04)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().into()
}

/// Strings under `t` (after the field number), at most `MAX_DEPTH` levels down, iteratively.
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

fn field_number(t: &Tlv<'_>) -> Option<u32> {
    let first = t.children().next()?.ok()?;
    if first.tag != 0x02 || first.value.is_empty() || first.value.len() > 3 {
        return None;
    }
    Some(first.value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

pub fn parse(bytes: &[u8]) -> Result<Dg13, ParseError> {
    let t = tlv::expect(bytes, 0x6D)?;
    let mut d = Dg13::default();
    // Fields sit at the top level of 6D or one SEQUENCE down, depending on the card series.
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
        match field_number(&c) {
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
    for f in &d.fields {
        let first = f.values.first().cloned();
        match f.number {
            field::ID_NUMBER => d.id_number = first,
            field::FULL_NAME => d.full_name = first,
            field::DATE_OF_BIRTH => d.date_of_birth = first,
            field::SEX => d.sex = first,
            field::NATIONALITY => d.nationality = first,
            field::ETHNICITY => d.ethnicity = first,
            field::RELIGION => d.religion = first,
            field::PLACE_OF_ORIGIN => d.place_of_origin = first,
            field::PLACE_OF_RESIDENCE => d.place_of_residence = first,
            field::IDENTIFYING_MARKS => d.identifying_marks = first,
            field::DATE_OF_ISSUE => d.date_of_issue = first,
            field::DATE_OF_EXPIRY => d.date_of_expiry = first,
            field::PARENTS => {
                d.father_name = first;
                d.mother_name = f.values.get(1).cloned();
            }
            field::SPOUSE => d.spouse_name = first,
            field::OLD_ID_NUMBER => d.old_id_number = first,
            _ => {}
        }
    }
    if d.fields.is_empty() {
        return Err(ParseError::Invalid("DG13 holds no numbered fields"));
    }
    Ok(d)
}

/// Encodes numbered fields the way the simulator's cards carry them: `6D { 02 01 01, 30 { 02 n,
/// 0C text }… }`, with several strings as nested `30 { 0C … }`.
pub fn encode(fields: &[(u32, Vec<String>)]) -> Vec<u8> {
    let mut body = tlv::encode(0x02, &[0x01]);
    for (n, values) in fields {
        let mut f = tlv::encode(0x02, &[*n as u8]);
        match values.as_slice() {
            [one] => f.extend(tlv::encode(0x0C, one.as_bytes())),
            many => {
                for v in many {
                    f.extend(tlv::encode(0x30, &tlv::encode(0x0C, v.as_bytes())));
                }
            }
        }
        body.extend(tlv::encode(0x30, &f));
    }
    tlv::encode(0x6D, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use proptest::prelude::*;

    #[test]
    fn round_trips_vietnamese_fields() {
        let fields = [
            (1, alloc::vec!["001095012345".to_string()]),
            (2, alloc::vec!["Nguyễn Thị Thu Hà".to_string()]),
            (13, alloc::vec!["Nguyễn Văn Bình".to_string(), "Trần Thị Cúc".to_string()]),
            (42, alloc::vec!["future".to_string()]),
        ];
        let d = parse(&encode(&fields)).unwrap();
        assert_eq!(d.id_number.as_deref(), Some("001095012345"));
        assert_eq!(d.full_name.as_deref(), Some("Nguyễn Thị Thu Hà"));
        assert_eq!(d.father_name.as_deref(), Some("Nguyễn Văn Bình"));
        assert_eq!(d.mother_name.as_deref(), Some("Trần Thị Cúc"));
        assert_eq!(d.fields.len(), 4);
        assert_eq!(d.fields[3].number, 42);
    }

    #[test]
    fn finds_fields_one_level_down() {
        let mut f = tlv::encode(0x02, &[4]);
        f.extend(tlv::encode(0x0C, "Nữ".as_bytes()));
        let wrapped = tlv::encode(0x6D, &tlv::encode(0x30, &tlv::encode(0x30, &f)));
        assert_eq!(parse(&wrapped).unwrap().sex.as_deref(), Some("Nữ"));
    }

    proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&b);
            let mut wrapped = alloc::vec![0x6D, 0x82, (b.len() >> 8) as u8, b.len() as u8];
            wrapped.extend_from_slice(&b);
            let _ = parse(&wrapped);
        }
    }
}
