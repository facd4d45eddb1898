//! The form catalogue (bridge/forms/*.toml): every form reads and names only fields the chip
//! has; its labels are those the public sources give (../shared/forms.md); consent pre-ticks only
//! what the form requires; a refused field is never filled; a two-person form takes two cards.
//!
//! Long on purpose: one test binary per area is linked once; split into several it would link
//! as many times, which CI pays for on every run (docs/ci.md).

use cancuoc_bridge::his::forms::{self, Counter, From};
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
    for f in ct01.fields.iter().filter(|f| f.id != "kinh_gui" && Some(&f.id) != ct01.layout.place_field.as_ref()) {
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

// ---- The filled forms as PDF, through the CLI, read back by an independent PDF reader (poppler:
// pdftotext, pdffonts, pdfinfo, pdftoppm) — not by our own code.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::Serve;

fn cancuoc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cancuoc"))
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils, scripts/deps --test): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cancuoc form fill`; (exit code, stdout, stderr).
fn fill(args: &[&str]) -> (i32, String, String) {
    let out = cancuoc().arg("form").arg("fill").args(args).output().expect("cancuoc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The share of dark pixels of a page drawn by pdftoppm (a PGM: header, then one byte a pixel).
fn ink(pgm: &Path) -> (usize, usize, f64) {
    let b = std::fs::read(pgm).expect("pgm");
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while b[i].is_ascii_whitespace() {
            i += 1;
        }
        let s = i;
        while !b[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&b[s..i]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    let px = &b[i + 1..];
    assert_eq!(px.len(), w * h);
    (w, h, px.iter().filter(|p| **p < 128).count() as f64 / px.len() as f64)
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn every_form_fills_from_the_simulated_cards_and_an_independent_reader_reads_it_back() {
    let t = dir();
    let p1 = &cancuoc_sim::PERSONA;
    let p2 = &cancuoc_demo::PERSONA_2024;
    let bless = std::env::var_os("CANCUOC_BLESS").is_some();
    for form in forms::catalogue().expect("catalogue") {
        let variants: &[&str] = match form.people.len() {
            1 => &["rsa"],
            2 => &["rsa", "can-cuoc-2024"],
            _ => &["rsa", "rsa", "can-cuoc-2024"],
        };
        let out = t.path().join(format!("{}.pdf", form.slug));
        let mut args = vec![form.slug.as_str(), "--simulated", "--consent", "all", "--date", "03/12/2026"];
        for v in variants {
            args.extend(["--variant", v]);
        }
        args.extend(["--set", "kinh_gui=UBND phường Hoàn Kiếm", "--out", out.to_str().expect("utf-8")]);
        let (code, stdout, stderr) = fill(&args);
        assert_eq!(code, 0, "{}: {stdout}{stderr}", form.slug);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).expect("pdf").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the PDF is personal data: owner-only");
        }
        let pdf = out.to_str().expect("utf-8");
        let info = tool("pdfinfo", &[pdf]);
        assert!(
            info.lines().any(|l| l.starts_with("Page size:")
                && l.contains("595.2")
                && l.contains("841.89")
                && l.ends_with("(A4)")),
            "{}: {info}",
            form.slug
        );
        let fonts = tool("pdffonts", &[pdf]);
        for line in fonts.lines().skip(2) {
            assert!(line.contains("+LiberationSerif") && line.contains("CID TrueType"), "{}: {line}", form.slug);
            let cols: Vec<&str> = line.split_whitespace().collect();
            // name type… emb sub uni: every font embedded, subset, with a ToUnicode map.
            assert_eq!(&cols[cols.len() - 5..cols.len() - 2], ["yes", "yes", "yes"], "{}: {line}", form.slug);
        }
        let text = tool("pdftotext", &["-layout", pdf, "-"]);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && flat.contains("Độc lập - Tự do - Hạnh phúc"));
        assert!(
            flat.contains(&form.layout.title.clone().unwrap_or_else(|| form.name_vi.to_uppercase())),
            "{}",
            form.slug
        );
        assert!(flat.contains("Kính gửi: UBND phường Hoàn Kiếm"), "{}", form.slug);
        assert!(flat.contains("ngày 03 tháng 12 năm 2026"), "{}", form.slug);
        // The first person's name and ID number are on every form (the ID in boxes on the
        // police forms); the second card's on the two-person forms.
        assert!(flat.contains(p1.full_name), "{}: name of the first card", form.slug);
        let id_spaced: String = p1.id_number.chars().map(|c| format!("{c} ")).collect();
        assert!(flat.contains(p1.id_number) || flat.contains(id_spaced.trim()), "{}: ID number", form.slug);
        if form.people.len() > 1 {
            assert!(flat.contains(p2.full_name), "{}: the second card's name", form.slug);
        }
        for f in form.chip_fields() {
            let label_ok = f.label.split_whitespace().all(|w| flat.contains(w));
            assert!(label_ok, "{}: label {:?} printed", form.slug, f.label);
        }
        let stem = t.path().join(&form.slug);
        tool("pdftoppm", &["-r", "40", "-gray", "-singlefile", pdf, stem.to_str().expect("utf-8")]);
        let (w, h, dark) = ink(&stem.with_extension("pgm"));
        assert!((h as f64 / w as f64 - 297.0 / 210.0).abs() < 0.02, "{}: A4 proportions {w}x{h}", form.slug);
        assert!(dark > 0.01 && dark < 0.2, "{}: the page is drawn ({:.3} dark)", form.slug, dark);
        if bless {
            let shot = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/screenshots"))
                .join(format!("form-{}", form.slug));
            tool("pdftoppm", &["-r", "70", "-png", "-singlefile", pdf, shot.to_str().expect("utf-8")]);
        }
    }
}

#[test]
fn a_refused_field_is_not_in_the_pdf_and_the_consent_is_reported_by_name() {
    let t = dir();
    let out = t.path().join("dc02.pdf");
    let (code, stdout, stderr) = fill(&[
        "dc02",
        "--simulated",
        "--consent",
        "required",
        "--refuse",
        "residence",
        "--json",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let j: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert!(j["not_consented"].as_array().expect("list").iter().any(|v| v == "residence"));
    assert!(!j["filled_from_chip"].as_array().expect("list").iter().any(|v| v == "residence"));
    assert!(
        !stdout.contains("Hàng Bạc") && !stdout.contains(cancuoc_sim::PERSONA.full_name),
        "names only, never values"
    );
    let text = tool("pdftotext", &[out.to_str().expect("utf-8"), "-"]);
    assert!(text.contains(cancuoc_sim::PERSONA.full_name), "a consented field is printed");
    assert!(!text.contains("Hàng Bạc") && !text.contains("Hoàn Kiếm"), "the refused residence is not printed:\n{text}");
    assert!(text.contains("Nơi cư trú"), "its label stays, blank, for the citizen to write by hand");
}

#[test]
fn an_unverified_card_fills_nothing_unless_the_clerk_overrides() {
    let t = dir();
    let out = t.path().join("ct01.pdf");
    let o = out.to_str().expect("utf-8");
    let (code, _, stderr) =
        fill(&["ct01", "--simulated", "--variant", "tampered-dg13", "--consent", "required", "--out", o]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("not verified") && !out.exists(), "nothing written: {stderr}");
    let (code, _, stderr) = fill(&[
        "ct01",
        "--simulated",
        "--variant",
        "tampered-dg13",
        "--consent",
        "required",
        "--override-unverified",
        "--out",
        o,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("override") && out.exists());
    // Usage errors: a chip field typed in, a consent for a field the form does not have, a form
    // the catalogue does not have.
    let (code, _, e) = fill(&["ct01", "--simulated", "--consent", "required", "--set", "full_name=X", "--out", o]);
    assert!(code == 2 && e.contains("comes from the chip"), "{e}");
    let (code, _, e) = fill(&["ct01", "--simulated", "--consent", "required,blood_group", "--out", o]);
    assert!(code == 2 && e.contains("blood_group"), "{e}");
    let (code, _, e) = fill(&["ct99", "--simulated", "--consent", "required", "--out", o]);
    assert!(code == 2 && e.contains("ct01, dc02"), "{e}");
}

/// A read on the simulated reader of `cancuoc serve`, kept by the server: its id.
fn api_read(s: &Serve, variant: &str) -> String {
    let (code, _, body) = s.post("/v1/read", serde_json::json!({ "reader": "simulated", "variant": variant }));
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    v["id"].as_str().expect("id").to_string()
}

#[test]
fn the_api_fills_a_form_from_kept_reads_with_consent_per_field() {
    use serde_json::json;
    let t = dir();
    let s = Serve::start(t.path(), &[], &[]);
    let bride = api_read(&s, "rsa");
    let groom = api_read(&s, "can-cuoc-2024");
    // No consent stated: nothing filled.
    let (code, _, body) = s.post("/v1/forms/ket-hon", json!({ "read_ids": [bride, groom] }));
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("consent_needed"));
    // Consent to what the form requires, less the groom's residence.
    let (code, ct, pdf) = s.post(
        "/v1/forms/ket-hon",
        json!({ "read_ids": [bride, groom], "consent": ["required"], "refuse": ["groom_residence"],
                "values": { "kinh_gui": "UBND phường Cửa Nam", "lam_tai": "Hà Nội" }, "date": "03/12/2026" }),
    );
    assert_eq!((code, ct.as_str()), (200, "application/pdf"), "{}", String::from_utf8_lossy(&pdf));
    let file = t.path().join("kh.pdf");
    std::fs::write(&file, &pdf).expect("pdf");
    let text = tool("pdftotext", &[file.to_str().expect("utf-8"), "-"]);
    assert!(text.contains(cancuoc_sim::PERSONA.full_name) && text.contains(cancuoc_demo::PERSONA_2024.full_name));
    assert!(text.contains("Hà Nội, ngày 03 tháng 12 năm 2026"), "{text}");
    assert!(!text.contains("Lý Thường Kiệt"), "the refused residence of the groom is not printed");
    // A forged card's read fills nothing without the override.
    let forged = api_read(&s, "tampered-dg13");
    let (code, _, body) = s.post("/v1/forms/ct01", json!({ "read_ids": [forged], "consent": ["required"] }));
    assert_eq!(code, 409, "{}", String::from_utf8_lossy(&body));
    // The override is stated with its reason, which the form prints (as the desk's does).
    let (code, _, body) =
        s.post("/v1/forms/ct01", json!({ "read_ids": [forged], "consent": ["required"], "override_unverified": true }));
    assert_eq!(code, 400, "no override without a reason: {}", String::from_utf8_lossy(&body));
    let (code, ct, pdf) = s.post(
        "/v1/forms/ct01",
        json!({ "read_ids": [forged], "consent": ["required"], "override_unverified": true,
                "override_reason": "đã đối chiếu giấy khai sinh" }),
    );
    assert_eq!((code, ct.as_str()), (200, "application/pdf"));
    std::fs::write(&file, &pdf).expect("pdf");
    let text = tool("pdftotext", &[file.to_str().expect("utf-8"), "-"]);
    assert!(text.contains("Điền khi thẻ chưa xác thực — lý do: đã đối chiếu giấy khai sinh"), "{text}");
    // A form not in the catalogue; a read that is not kept.
    assert_eq!(s.post("/v1/forms/ct99", json!({ "consent": ["required"] })).0, 404);
    assert_eq!(s.post("/v1/forms/ct01", json!({ "read_ids": ["00"], "consent": ["required"] })).0, 404);
}

#[test]
fn the_residence_is_printed_in_today_s_units_where_the_form_asks_where_one_lives() {
    // DC02 "Nơi cư trú" (TT 17/2024/TT-BCA) asks where the citizen lives now: since 1 July 2025
    // that is Phường Hoàn Kiếm (Nghị quyết 1656/NQ-UBTVQH15, Điều 1 khoản 1), not the card's
    // Phường Hàng Đào, Quận Hoàn Kiếm.
    let t = dir();
    let out = t.path().join("dc02.pdf");
    let (code, stdout, stderr) =
        fill(&["dc02", "--simulated", "--consent", "required", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let text = tool("pdftotext", &[out.to_str().expect("utf-8"), "-"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"), "{flat}");
    assert!(!flat.contains("Quận Hoàn Kiếm") && !flat.contains("Hàng Đào"), "{flat}");
    // The 2024 card's Phường Cửa Nam was split: no guess, the card's text stays.
    let out = t.path().join("dc02-2024.pdf");
    let (code, ..) = fill(&[
        "dc02",
        "--simulated",
        "--variant",
        "can-cuoc-2024",
        "--consent",
        "required",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0);
    let text = tool("pdftotext", &[out.to_str().expect("utf-8"), "-"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Số 8 Phố Lý Thường Kiệt, Phường Cửa Nam, Hà Nội"), "{flat}");
}

#[test]
fn the_site_s_commune_of_today_is_the_default_addressee() {
    let t = dir();
    let out = t.path().join("ct01.pdf");
    let (code, stdout, stderr) = fill(&[
        "ct01",
        "--simulated",
        "--consent",
        "required",
        "--site-commune",
        "Phường Hoàn Kiếm, Hà Nội",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let flat = tool("pdftotext", &[out.to_str().expect("utf-8"), "-"]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Kính gửi: Công an phường Hoàn Kiếm"), "{flat}");
    // The place of the ending is filled too (it printed "……, ngày …" before CT01 had one).
    assert!(flat.contains("phường Hoàn Kiếm, ngày") && !flat.contains("……, ngày"), "{flat}");
    // An old commune that maps to one of today's is taken as that one; a split one is refused.
    let (code, ..) = fill(&[
        "ct01",
        "--simulated",
        "--consent",
        "required",
        "--site-commune",
        "Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0);
    let (code, _, stderr) = fill(&[
        "ct01",
        "--simulated",
        "--consent",
        "required",
        "--site-commune",
        "Phường Cửa Nam, Quận Hoàn Kiếm, Hà Nội",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not one commune of today"), "{stderr}");
}

/// What the clerk reads of a form is Vietnamese (an English twin for the English screen); every
/// section the sources list is printed, in order; no label carries the dots of its answer.
#[test]
fn the_forms_speak_the_clerk_s_language_and_skip_no_section() {
    let cat = forms::catalogue().expect("catalogue");
    for f in &cat {
        for english in ["as replaced", "Article", "earlier", "form "] {
            assert!(!f.legal_basis.contains(english), "{}: {english:?} in {:?}", f.code, f.legal_basis);
        }
        assert!(f.legal_basis_en.contains("Circular"), "{}: {:?}", f.code, f.legal_basis_en);
        assert!(f.problems().is_empty(), "{}: {:?}", f.code, f.problems());
        assert!(f.fields.iter().all(|x| !x.label.contains('…')), "{}: dots inside a label", f.code);
    }
    // DC02 (shared/forms.md §5): sections I, II and III, in that order, II from the
    // representative's card when there is one, dotted lines when not.
    let dc02 = cat.iter().find(|f| f.code == "DC02").expect("DC02");
    let citizen = persona(&cancuoc_sim::PERSONA);
    let all: Vec<&str> = dc02.chip_fields().filter(|x| x.person == 0).map(|x| x.id.as_str()).collect();
    let cards = [Some(forms::Card { dg13: &citizen, verified: true, address_choice: None }), None];
    let values = dc02.values(&cards, &all, &Default::default(), false).expect("values");
    let pages = dc02.layout(&values, Some((6, 12, 2026))).expect("layout");
    let text: Vec<&str> = pages.iter().flat_map(|p| p.texts()).collect();
    let at = |s: &str| text.iter().position(|t| t.starts_with(s)).unwrap_or_else(|| panic!("{s:?} in {text:?}"));
    let (one, two, three) = (at("I. THÔNG TIN NGƯỜI ĐỀ NGHỊ"), at("II. THÔNG TIN NGƯỜI ĐẠI DIỆN"), at("III. NỘI DUNG"));
    assert!(one < two && two < three, "{one} {two} {three}");
    // The marriage-status form's period: three answers where the label's dots were.
    let xn = cat.iter().find(|f| f.code == "TK-XNTTHN").expect("TK-XNTTHN");
    let typed: std::collections::BTreeMap<String, String> = [
        ("period_place", "Phường Hoàn Kiếm, Hà Nội"),
        ("period_from", "01/01/2015"),
        ("period_to", "06/12/2026"),
        ("status", "Chưa kết hôn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let cards = [Some(forms::Card { dg13: &citizen, verified: true, address_choice: None })];
    let values = xn.values(&cards, &[], &typed, false).expect("values");
    let pages = xn.layout(&values, Some((6, 12, 2026))).expect("layout");
    let line: String = pages.iter().flat_map(|p| p.texts()).collect::<Vec<_>>().join(" ");
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(line.contains("Trong thời gian cư trú tại: Phường Hoàn Kiếm, Hà Nội"), "{line}");
    assert!(line.contains("Từ ngày: 01/01/2015") && line.contains("Đến ngày: 06/12/2026"), "{line}");
}

/// The marriage form tells the clerk — never blocks — when a party is under the legal minimum
/// age (Luật Hôn nhân và gia đình 2014, Điều 8 khoản 1 điểm a: men from full 20, women from full
/// 18), when a card's sex is not the role's, and when a chip names a spouse.
#[test]
fn the_marriage_form_warns_of_age_sex_and_a_spouse_on_the_chip() {
    use forms::Warning;
    let cat = forms::catalogue().expect("catalogue");
    let kh = cat.iter().find(|f| f.code == "TK-KH").expect("marriage");
    let day = (6, 12, 2026);
    let bride = |dob: &str| Dg13 { date_of_birth: Some(dob.into()), sex: Some("Nữ".into()), ..Dg13::default() };
    let groom = |dob: &str| Dg13 { date_of_birth: Some(dob.into()), sex: Some("Nam".into()), ..Dg13::default() };
    // Eighteen on the day exactly: old enough; a day short: not.
    assert!(kh.warnings(&[Some(&bride("06/12/2008")), Some(&groom("06/12/2006"))], day).is_empty());
    let w = kh.warnings(&[Some(&bride("07/12/2008")), Some(&groom("07/12/2006"))], day);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(matches!(&w[0], Warning::Age { person: 0, age: 17, min: 18, basis } if basis.contains("Điều 8")));
    assert!(matches!(&w[1], Warning::Age { person: 1, age: 19, min: 20, .. }));
    // The eight-year-old groom of the issue.
    let w = kh.warnings(&[None, Some(&groom("01/01/2018"))], day);
    assert!(matches!(&w[..], [Warning::Age { person: 1, age: 8, min: 20, .. }]), "{w:?}");
    // A chip date without day and month (00/00/1950) gives no age, so no age warning.
    assert!(kh.warnings(&[Some(&bride("00/00/1950")), None], day).is_empty());
    // The groom's card says Nữ; the bride's chip names a spouse.
    let mut married = bride("01/01/1990");
    married.spouse_name = Some("Trần Văn Bình".into());
    let w = kh.warnings(&[Some(&married), Some(&bride("01/01/1990"))], day);
    assert!(w.contains(&Warning::Spouse { person: 0, name: "Trần Văn Bình".into() }), "{w:?}");
    assert!(w.contains(&Warning::Sex { person: 1, chip: "Nữ".into(), expected: "Nam".into() }), "{w:?}");
    // Forms without rules warn of nothing.
    let ct01 = cat.iter().find(|f| f.code == "CT01").expect("CT01");
    assert!(ct01.warnings(&[Some(&groom("01/01/2018"))], day).is_empty());
}
