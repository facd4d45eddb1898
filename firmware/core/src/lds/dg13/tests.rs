//! DG13 parsed from bytes written by hand from the documented layout, and its values.

use super::*;
use alloc::string::ToString;
use proptest::prelude::*;

/// Dates as the chip, the QĐ 4750 row and FHIR write them (QĐ 4750 table 1 NGAY_SINH:
/// yyyyMMddHHmm with unknown parts 0; FHIR R4 `date`: yyyy, yyyy-MM or yyyy-MM-dd).
#[test]
fn one_date_for_every_place() {
    let d = Date::parse("15/03/1995").unwrap();
    assert_eq!((d.year, d.month, d.day), (1995, 3, 15));
    assert_eq!((d.compact().as_str(), d.iso().as_str(), d.is_complete()), ("19950315", "1995-03-15", true));
    let y = Date::parse("1950").unwrap();
    assert_eq!((y.compact().as_str(), y.iso().as_str(), y.is_year_only()), ("19500000", "1950", true));
    let m = Date::parse("00/05/1950").unwrap();
    assert_eq!((m.compact().as_str(), m.iso().as_str()), ("19500500", "1950-05"));
    for bad in
        ["15-03-1995", "1/3/1995", "32/01/2000", "01/13/2000", "05/00/1950", "15/03/95", "15/03/1995/1", "", "abcd"]
    {
        assert_eq!(Date::parse(bad), None, "{bad:?}");
    }
    assert_eq!(Date::parse_loose(" 1 / 3 / 1995"), Date::parse("01/03/1995"));
    assert_eq!(Date::parse_loose("1/3/95"), None);
    assert!(Date::parse("31/12/2024").unwrap() < Date::parse("01/01/2025").unwrap());
    assert_eq!(parse_date("1950"), None, "a whole date only");
    assert_eq!(parse_date("29/02/2024"), Some((29, 2, 2024)));
    assert_eq!(Date::parse_digits("29022024"), Date::parse("29/02/2024"));
    assert!(Date::parse("29/02/2024").unwrap().is_calendar_day());
    assert!(!Date::parse("29/02/2023").unwrap().is_calendar_day());
    assert!(!Date::parse("31/04/2023").unwrap().is_calendar_day());
    assert!(!Date::parse("00/00/1950").unwrap().is_calendar_day());
    assert_eq!(Date::parse("29/02/2024").unwrap().plus_years(25).dmy(), "28/02/2049");
}

#[test]
fn one_reading_of_sex() {
    for (s, want) in [
        ("Nam", Some(Sex::Male)),
        (" nữ ", Some(Sex::Female)),
        ("Nu", Some(Sex::Female)),
        ("M", Some(Sex::Male)),
        ("F", Some(Sex::Female)),
        ("X", None),
        ("<", None),
        ("", None),
    ] {
        assert_eq!(Sex::parse(s), want, "{s:?}");
    }
}

#[test]
fn encoder_round_trips_vietnamese_fields() {
    let fields = [
        (1, alloc::vec!["001095012345".to_string()]),
        (2, alloc::vec!["Nguyễn Thị Thu Hà".to_string()]),
        (13, alloc::vec!["Nguyễn Văn Bình".to_string(), "Trần Thị Cúc".to_string()]),
        (14, alloc::vec![]),
        (42, alloc::vec!["future".to_string()]),
        (200, alloc::vec!["far future".to_string()]),
    ];
    let d = parse(&encode(&fields)).unwrap();
    assert_eq!(d.id_number.as_deref(), Some("001095012345"));
    assert_eq!(d.full_name.as_deref(), Some("Nguyễn Thị Thu Hà"));
    assert_eq!(d.father_name.as_deref(), Some("Nguyễn Văn Bình"));
    assert_eq!(d.mother_name.as_deref(), Some("Trần Thị Cúc"));
    assert_eq!(d.spouse_name, None);
    assert_eq!(d.fields.len(), 6);
    assert_eq!(d.other_fields.iter().map(|f| f.number).collect::<Vec<_>>(), [42, 200]);
    assert_eq!(d.other_fields[1].values, ["far future"]);
}

#[test]
fn flat_layout_of_earlier_synthetic_cards_still_parses() {
    // 6D { 02 01 01, 30 { 02 01 04, 0C "Nữ" }, 30 { 02 01 0D, 30 { 0C a }, 30 { 0C b } } }
    let mut body = tlv::encode(0x02, &[1]);
    let mut sex = tlv::encode(0x02, &[4]);
    sex.extend(tlv::encode(0x0C, "Nữ".as_bytes()));
    body.extend(tlv::encode(0x30, &sex));
    let mut parents = tlv::encode(0x02, &[13]);
    parents.extend(tlv::encode(0x30, &tlv::encode(0x0C, b"A")));
    parents.extend(tlv::encode(0x30, &tlv::encode(0x0C, b"B")));
    body.extend(tlv::encode(0x30, &parents));
    let d = parse(&tlv::encode(0x6D, &body)).unwrap();
    assert_eq!(d.sex.as_deref(), Some("Nữ"));
    assert_eq!((d.father_name.as_deref(), d.mother_name.as_deref()), (Some("A"), Some("B")));
}

#[test]
fn old_id_is_taken_from_field_16_only_by_content() {
    let d = parse(&encode(&[(15, alloc::vec!["".to_string()]), (16, alloc::vec!["123456789".to_string()])])).unwrap();
    assert_eq!(d.old_id_number.as_deref(), Some("123456789"));
    let d = parse(&encode(&[
        (15, alloc::vec!["987654321".to_string()]),
        (16, alloc::vec!["0123456789ABCDEF".to_string()]),
    ]))
    .unwrap();
    assert_eq!(d.old_id_number.as_deref(), Some("987654321"));
    assert_eq!(d.other_fields[0].values, ["0123456789ABCDEF"]);
}

#[test]
fn generation_from_the_date_of_issue() {
    let with = |s: &str| Dg13 { date_of_issue: Some(s.to_string()), ..Dg13::default() };
    assert_eq!(with("30/06/2024").generation(), Some(Generation::Cccd2021));
    assert_eq!(with("01/07/2024").generation(), Some(Generation::CanCuoc2024));
    assert_eq!(with("1/7/2024").generation(), None);
    let newer = with("15/08/2024");
    let residence = field_info("place_of_residence").unwrap();
    assert_eq!(newer.label(residence, false), "Nơi cư trú");
    assert_eq!(with("15/08/2021").label(residence, false), "Nơi thường trú");
}

#[test]
fn the_table_and_the_parser_agree_on_every_slot() {
    for f in FIELDS {
        assert_eq!(FIELDS.iter().filter(|g| g.key == f.key).count(), 1);
        let mut d = Dg13::default();
        *d.slot_at(f.number, f.index).unwrap() = Some(f.key.to_string());
        assert_eq!(d.get(f), Some(f.key), "{}", f.key);
        assert_eq!(d.entries().count(), 1);
    }
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
