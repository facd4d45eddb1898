//! The form catalogue (bridge/forms/*.toml): every form reads and names only fields the chip
//! has; its labels are those the public sources give (../shared/forms.md); consent pre-ticks only
//! what the form requires; a refused field is never filled; a two-person form takes two cards.

use cancuoc_bridge::forms::{self, Counter, From};
use cancuoc_core::lds::dg13::Dg13;

fn persona(p: &cancuoc_demo::Persona) -> Dg13 {
    Dg13 {
        id_number: Some(p.id_number.into()),
        full_name: Some(p.full_name.into()),
        date_of_birth: Some(p.date_of_birth.into()),
        sex: Some(p.sex.into()),
        place_of_residence: Some(p.place_of_residence.into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Kinh".into()),
        ..Dg13::default()
    }
}

#[test]
fn the_five_forms_read_and_their_labels_are_the_sources() {
    let cat = forms::catalogue().expect("catalogue");
    let codes: Vec<&str> = cat.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["CT01", "DC02", "TK-KS", "TK-KH", "TK-XNTTHN"]);
    // Which counter takes which (shared/forms.md §"Which counter"): civil status at the ward
    // People's Committee, CT01 and DC02 at the commune police.
    for f in &cat {
        let want = if f.code == "CT01" || f.code == "DC02" { Counter::CommunePolice } else { Counter::WardCommittee };
        assert_eq!(f.counter, want, "{}", f.code);
        assert!(!f.sources.is_empty() && !f.legal_basis.is_empty(), "{}: source and legal basis recorded", f.code);
        assert_eq!(f.layout.paper, "A4");
    }
    // The labels as written in the collected sources (not our own words): every printed label of
    // CT01's numbered fields 1–10 appears in shared/forms.md's CT01 section.
    let facts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/forms.md"))
        .expect("../shared/forms.md beside the repository");
    let ct01_section = &facts[facts.find("## 1. CT01").expect("CT01")..facts.find("## 2.").expect("§2")];
    let ct01 = &cat[0];
    for f in ct01.fields.iter().filter(|f| f.id != "kinh_gui") {
        assert!(ct01_section.contains(&format!(" {}", f.label)), "CT01 label {:?} not in the sources", f.label);
    }
    let chip: Vec<&str> = ct01.chip_fields().map(|f| f.label.as_str()).collect();
    assert_eq!(chip, ["Họ, chữ đệm và tên khai sinh", "Ngày, tháng, năm sinh", "Giới tính", "Số định danh cá nhân"]);
}

#[test]
fn consent_pre_ticks_only_what_the_form_requires_and_a_refused_field_stays_empty() {
    let cat = forms::catalogue().expect("catalogue");
    let dc02 = cat.iter().find(|f| f.code == "DC02").expect("DC02");
    let defaults = dc02.consent_defaults();
    assert!(defaults.contains(&"full_name") && defaults.contains(&"id_number"));
    assert!(!defaults.contains(&"old_id_number"), "an optional chip field is not pre-ticked");
    let citizen = persona(&cancuoc_sim::PERSONA);
    let filled = dc02.fill(&[Some(&citizen)], &defaults);
    let ids: Vec<&str> = filled.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["full_name", "date_of_birth", "sex", "id_number", "residence"]);
    assert!(filled.contains(&("id_number".to_string(), "079195012345".to_string())));
    // The citizen refuses the residence: it is not filled.
    let without: Vec<&str> = defaults.iter().copied().filter(|f| *f != "residence").collect();
    let filled = dc02.fill(&[Some(&citizen)], &without);
    assert!(filled.iter().all(|(id, _)| id != "residence"));
    assert!(!filled.iter().any(|(_, v)| v.contains("Hàng Bạc")), "no value of a refused field anywhere");
    // Typed fields are never filled from the chip.
    assert!(dc02.fields.iter().filter(|f| f.from != From::Chip).all(|f| filled.iter().all(|(id, _)| *id != f.id)));
}

#[test]
fn the_marriage_form_takes_both_cards_into_their_columns() {
    let cat = forms::catalogue().expect("catalogue");
    let kh = cat.iter().find(|f| f.code == "TK-KH").expect("marriage");
    assert_eq!(kh.people, ["Bên nữ", "Bên nam"]);
    assert!(kh.layout.columns);
    let bride = persona(&cancuoc_sim::PERSONA);
    let groom = persona(&cancuoc_demo::PERSONA_2024);
    let all: Vec<&str> = kh.chip_fields().map(|f| f.id.as_str()).collect();
    let filled = kh.fill(&[Some(&bride), Some(&groom)], &all);
    let get = |id: &str| filled.iter().find(|(i, _)| i == id).map(|(_, v)| v.as_str());
    assert_eq!(get("bride_name"), Some(cancuoc_sim::PERSONA.full_name));
    assert_eq!(get("groom_name"), Some(cancuoc_demo::PERSONA_2024.full_name));
    assert_ne!(get("bride_id"), get("groom_id"));
    // The second card not read yet: the groom's side stays empty, the bride's is filled.
    let half = kh.fill(&[Some(&bride), None], &all);
    assert!(half.iter().all(|(id, _)| id.starts_with("bride_")), "{half:?}");
    assert_eq!(half.len(), 6);
}
