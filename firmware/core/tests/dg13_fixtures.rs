//! DG13 from bytes written by hand (tests/fixtures/dg13/), not by our encoder: the first judge of
//! the parser is the layout public readers decoded from real cards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use cancuoc_core::lds::dg13::{self, Generation};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/dg13/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let hex: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    hex::decode(hex).unwrap()
}

#[test]
fn real_layout_parses_to_every_named_field() {
    let bytes = fixture("cccd-2021-real-layout.hex");
    assert_eq!(bytes.len(), 373);
    let d = dg13::parse(&bytes).unwrap();
    assert_eq!(d.id_number.as_deref(), Some("001088004321"));
    assert_eq!(d.full_name.as_deref(), Some("Trần Văn An"));
    assert_eq!(d.date_of_birth.as_deref(), Some("02/09/1988"));
    assert_eq!(d.sex.as_deref(), Some("Nam"));
    assert_eq!(d.nationality.as_deref(), Some("Việt Nam"));
    assert_eq!(d.ethnicity.as_deref(), Some("Kinh"));
    assert_eq!(d.religion.as_deref(), Some("Không"));
    assert_eq!(d.place_of_origin.as_deref(), Some("Thanh Trì, Hà Nội"));
    assert_eq!(d.place_of_residence.as_deref(), Some("Số 5 Ngõ 2, Phường Láng, Hà Nội"));
    assert_eq!(d.identifying_marks.as_deref(), Some("Sẹo chấm C:1cm dưới mày phải"));
    assert_eq!(d.date_of_issue.as_deref(), Some("10/08/2021"));
    assert_eq!(d.date_of_expiry.as_deref(), Some("02/09/2028"));
    assert_eq!(d.father_name.as_deref(), Some("Trần Văn Bảo"));
    assert_eq!(d.mother_name.as_deref(), Some("Lê Thị Hoa"));
    assert_eq!(d.spouse_name, None, "field 14 holds only its number");
    assert_eq!(d.old_id_number.as_deref(), Some("012345678"));
    // Field 16 is kept, unnamed, as "field 16".
    assert_eq!(d.other_fields.len(), 1);
    assert_eq!(
        (d.other_fields[0].number, d.other_fields[0].values.as_slice()),
        (16, &["A1B2C3D4E5F60718".to_string()][..])
    );
    // Every field, in card order, with its raw bytes.
    assert_eq!(d.fields.iter().map(|f| f.number).collect::<Vec<_>>(), (1..=16).collect::<Vec<_>>());
    assert_eq!(d.fields[13].raw, [0x30, 0x03, 0x02, 0x01, 0x0E]);
    assert_eq!(d.generation(), Some(Generation::Cccd2021));
    // The table lists every named value present, in card order.
    let keys: Vec<&str> = d.entries().map(|(f, _)| f.key).collect();
    assert_eq!(keys.len(), 15);
    assert_eq!(keys.first(), Some(&"id_number"));
    assert_eq!(keys.last(), Some(&"old_id_number"));
}

#[test]
fn other_reported_forms_parse_too() {
    let bytes = fixture("can-cuoc-2024-variant-forms.hex");
    assert_eq!(bytes.len(), 150);
    let d = dg13::parse(&bytes).unwrap();
    assert_eq!(d.id_number.as_deref(), Some("079305001234"));
    assert_eq!(d.father_name.as_deref(), Some("Trần Văn Bảo"));
    assert_eq!(d.mother_name.as_deref(), Some("Lê Thị Hoa"));
    assert_eq!(d.spouse_name.as_deref(), Some("Trần Văn An"));
    assert_eq!(d.old_id_number, None);
    assert_eq!(d.other_fields.len(), 1);
    assert_eq!(d.other_fields[0].number, 17);
    assert_eq!(d.other_fields[0].values, ["XYZ"]);
    assert_eq!(d.generation(), Some(Generation::CanCuoc2024));
    let residence = dg13::field_info("place_of_residence").unwrap();
    assert_eq!(d.label(residence, false), "Nơi cư trú");
}

#[test]
fn every_cut_of_the_real_layout_is_an_error_or_fewer_fields_never_a_panic() {
    let bytes = fixture("cccd-2021-real-layout.hex");
    for n in 0..bytes.len() {
        if let Ok(d) = dg13::parse(&bytes[..n]) {
            assert!(d.fields.len() < 16);
        }
    }
}

#[test]
fn our_encoder_writes_what_the_hand_written_bytes_hold() {
    // Second test: the simulator's encoder, given the same fields, produces the same bytes.
    let d = dg13::parse(&fixture("cccd-2021-real-layout.hex")).unwrap();
    let fields: Vec<(u32, Vec<String>)> = d.fields.iter().map(|f| (f.number, f.values.clone())).collect();
    assert_eq!(dg13::encode(&fields), fixture("cccd-2021-real-layout.hex"));
}
