//! The desk app's main flows, driven through egui_kittest by the labels a clerk sees: the real
//! app state, the real read (simulated chip or the USB reader's firmware logic on a pty), the
//! real SQLite database, and a real HTTP server on loopback for the insurer and the HIS.
//!
//! Long on purpose: one test binary per area is linked once; split into several it would link
//! as many times, which CI pays for on every run (docs/ci.md).

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cancuoc_bridge::Status;
use cancuoc_core::pace::PasswordKind;
use cancuoc_core::verdict::SessionAccess;
use cancuoc_desk::app::{Phase, Tab};
use cancuoc_desk::checkin::BhytState;
use cancuoc_desk::reader::ReaderStatus;
use cancuoc_desk::{App, Options};
use cancuoc_sim::hospital::{Hospital, HospitalConfig, InsuranceRecord};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

const QR: &str = "079195012345|012345678|Nguyễn Thị Thu Hà|15031995|Nữ|Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội|10082021";

fn demo() -> Options {
    Options { demo: true, sim_latency: Duration::ZERO, ..Default::default() }
}

fn harness(opts: Options) -> Harness<'static, App> {
    let app = App::new(opts).expect("app");
    let mut h =
        Harness::builder().with_size(egui::vec2(1366.0, 768.0)).build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run_steps(2);
    h
}

/// Points the app at our own simulated insurer/HIS.
fn use_hospital(h: &mut Harness<'static, App>, hospital: &Hospital) {
    let app = h.state_mut();
    app.settings.bhyt_url = hospital.base_url();
    app.settings.bhyt_user = hospital.username().into();
    app.settings.bhyt_password_md5 = cancuoc_desk::bhyt::md5_hex(hospital.password());
    app.settings.his_url = hospital.his_url();
}

/// Steps frames until `pred` holds (background work finishes on other threads).
fn wait(h: &mut Harness<'static, App>, what: &str, pred: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        h.step();
        if pred(h.state()) {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let phase = match &h.state().phase {
        Phase::Entry { error } => format!("entry {error:?}"),
        Phase::Reading { files, .. } => format!("reading {} files", files.len()),
        Phase::Interrupted { message, .. } => format!("interrupted: {message}"),
        Phase::Result => "result".into(),
    };
    panic!("timed out waiting for {what}; app is at {phase}, notice {:?}", h.state().notice);
}

/// Clicks a button as a person does: scrolls it into view first, then a real pointer click.
fn press(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(20); // let the scroll animation finish
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// Clicks into a text field and types, as a person does.
fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(1);
}

fn has_text(h: &Harness<'static, App>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Types the ID number (the chip opens with its last 6 digits) and presses Enter, as a clerk does.
fn read_with_can(h: &mut Harness<'static, App>) {
    let label = h.state().tr().can_label;
    type_into(h, label, "079195012345");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    wait(h, "the read to end", |a| !matches!(a.phase, Phase::Reading { .. }));
}

#[test]
fn can_read_of_a_genuine_card_fills_the_form_checks_insurance_and_saves() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.run_steps(2);
    assert!(has_text(&h, "Đầu đọc mô phỏng"), "reader status shown");
    read_with_can(&mut h);
    let app = h.state();
    let c = app.checkin.as_ref().expect("a result");
    assert_eq!(c.status(), Status::Verified);
    assert!(has_text(&h, "CHIP ĐÃ XÁC THỰC"));
    assert!(h.query_all_by_label("Nguyễn Thị Thu Hà").count() >= 2, "name on the chip panel and the form");
    assert!(has_text(&h, "Phường Hàng Đào"), "address on the form");
    assert!(matches!(app.photo_texture, Some(Ok(_))), "the face photo decoded");
    assert!(hospital.received().is_empty(), "nothing sent before consent");

    // Insurance: consent first, with the three fields the gateway needs.
    press(&mut h, "Kiểm tra thẻ BHYT");
    assert!(has_text(&h, "Đồng ý cung cấp thông tin"));
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the insurer's answer", |a| a.checkin.as_ref().is_some_and(|c| matches!(c.bhyt, BhytState::Done(_))));
    assert!(has_text(&h, "Thẻ BHYT còn giá trị"));
    // The registered facility: its code, its name (here: this site's, the demo's code 01001),
    // here or elsewhere; the benefit level from the card number's third character.
    assert!(has_text(&h, "Nơi đăng ký KCB ban đầu: 01001 — Bệnh viện thực hành (demo) (cơ sở này)"));
    assert!(has_text(&h, "Đúng nơi đăng ký khám chữa bệnh ban đầu (cơ sở này)"));
    assert!(has_text(&h, "Mức hưởng: 4 — 80% chi phí trong phạm vi BHYT") && has_text(&h, "QĐ 1351/QĐ-BHXH"));
    let sent = hospital.received();
    let check = sent.iter().find(|r| r.path.contains("KQNhanLichSuKCB2024")).expect("eligibility check sent");
    assert_eq!(check.body["maThe"], "079195012345");
    assert_eq!(check.body["hoTen"], "Nguyễn Thị Thu Hà");
    assert!(check.body.get("diaChi").is_none());

    // The clerk adds the reason and saves; history and audit show it.
    h.state_mut().checkin.as_mut().expect("result").reason = "Đau đầu".into();
    press(&mut h, "Lưu lượt tiếp đón");
    let rows = h.state().store.checkins(10).expect("history");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].verdict, "verified");
    assert_eq!(rows[0].reason, "Đau đầu");
    assert!(rows[0].bhyt.contains("000"));
    assert_eq!(rows[0].photo, None, "photos are not kept by default");
    let actions: Vec<String> = h.state().store.audit_log(10).expect("audit").into_iter().map(|a| a.action).collect();
    assert!(actions.contains(&"consent".to_string()) && actions.contains(&"bhyt".to_string()), "{actions:?}");
    let audit = h.state().store.audit_log(10).expect("audit");
    assert!(audit.iter().all(|a| !a.fields.contains("Nguyễn") && !a.detail.contains("0791")), "names, not values");

    // Esc: the next person; this one's data is gone from the screen and from memory.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().checkin.is_none());
    assert!(!has_text(&h, "Nguyễn Thị Thu Hà"));
    press(&mut h, "Lịch sử");
    assert!(has_text(&h, "Nguyễn Thị Thu Hà"), "the saved check-in in the history");
}

#[test]
fn a_scanned_qr_code_fills_the_key_and_reads() {
    let mut h = harness(demo());
    h.run_steps(1);
    // A slow typist's digits reach the field as usual.
    type_into(&mut h, "Số định danh", "12");
    h.run_steps(1);
    assert_eq!(h.state().key.id_or_can, "12");
    // The scanner: the whole line and Enter in one burst.
    h.input_mut().events.push(egui::Event::Text(QR.into()));
    h.input_mut().events.push(egui::Event::Key {
        key: egui::Key::Enter,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Default::default(),
    });
    h.step();
    let k = &h.state().key;
    assert_eq!((k.id_number.as_str(), k.dob.as_str(), k.expiry.as_str()), ("079195012345", "15/03/1995", "15/03/2035"));
    // The scan replaced what was typed with the QR's ID number; none of the burst leaked in.
    assert_eq!(h.state().key.id_or_can, "079195012345", "the burst did not leak into the focused field");
    wait(&mut h, "the read started by the scan", |a| a.checkin.is_some());
    assert_eq!(h.state().checkin.as_ref().expect("result").status(), Status::Verified);
    // The ID number alone opened the chip: PACE with its last 6 digits.
    let access = h.state().checkin.as_ref().and_then(|c| c.report.checks.access.clone());
    assert!(matches!(access, Some(SessionAccess::Pace { password: PasswordKind::Can, .. })), "{access:?}");
}

#[test]
fn a_forged_card_is_red_and_names_the_check() {
    let mut h = harness(demo());
    h.state_mut().scenario.variant = "tampered-dg13".into();
    h.run_steps(1);
    read_with_can(&mut h);
    assert_eq!(h.state().checkin.as_ref().expect("result").status(), Status::NotVerified);
    assert!(has_text(&h, "KHÔNG XÁC THỰC"));
    assert!(has_text(&h, "thông tin cá nhân (DG13) đã bị sửa sau khi cấp thẻ"));
    assert!(!has_text(&h, "CHIP ĐÃ XÁC THỰC"));
    // A cloned chip names the anti-cloning check.
    h.key_press(egui::Key::Escape);
    h.state_mut().scenario.variant = "wrong-aa-key".into();
    h.run_steps(1);
    read_with_can(&mut h);
    assert!(has_text(&h, "chip không chứng minh được là chip thật"));
}

#[test]
fn an_unknown_signer_is_amber_not_green() {
    let mut h = harness(demo());
    h.state_mut().scenario.variant = "unknown-csca".into();
    h.run_steps(1);
    read_with_can(&mut h);
    assert_eq!(h.state().checkin.as_ref().expect("result").status(), Status::SignerUntrusted);
    assert!(has_text(&h, "CHƯA XÁC ĐỊNH ĐƯỢC NƠI CẤP"));
    assert!(!has_text(&h, "CHIP ĐÃ XÁC THỰC"));
}

/// A genuine card whose signer uses a curve this build lacks: amber "could not be checked here",
/// the algorithm named, never the red of a forgery.
#[test]
fn an_algorithm_we_lack_is_amber_and_named_not_red() {
    let mut h = harness(demo());
    h.state_mut().scenario.variant = "ds-unsupported-curve".into();
    h.run_steps(1);
    read_with_can(&mut h);
    assert_eq!(h.state().checkin.as_ref().expect("result").status(), Status::NotChecked);
    assert!(has_text(&h, "CHƯA KIỂM TRA ĐƯỢC TẠI MÁY NÀY"));
    assert!(has_text(&h, "KHÔNG phải dấu hiệu thẻ giả"));
    assert!(!has_text(&h, "KHÔNG XÁC THỰC"));
    assert!(!has_text(&h, "CHIP ĐÃ XÁC THỰC"));
}

#[test]
fn a_card_pulled_away_mid_read_says_so_and_continues_keeping_what_was_read() {
    let mut h = harness(demo());
    h.state_mut().scenario.remove_mid_read = true;
    h.run_steps(1);
    read_with_can(&mut h);
    let kept = match &h.state().phase {
        Phase::Interrupted { partial, .. } => partial.complete.len(),
        _ => panic!("expected the interrupted screen"),
    };
    assert!(kept >= 1, "files read before the removal are kept");
    assert!(has_text(&h, "Thẻ đã bị nhấc ra khỏi đầu đọc"));
    assert!(h.state().checkin.is_none(), "no verdict from a partial read");
    press(&mut h, "Tiếp tục (Enter)");
    wait(&mut h, "the continued read", |a| !matches!(a.phase, Phase::Reading { .. }));
    let c = h.state().checkin.as_ref().expect("a result after continuing");
    assert_eq!(c.status(), Status::Verified);
    // The continued session did not read again what was kept.
    let full = {
        let mut h2 = harness(demo());
        h2.run_steps(1);
        read_with_can(&mut h2);
        h2.state().checkin.as_ref().expect("result").report.link.bytes_received
    };
    assert!(c.report.link.bytes_received < full, "{} < {full}", c.report.link.bytes_received);
}

#[test]
fn a_wrong_can_is_refused_in_plain_words_and_can_be_corrected() {
    let mut h = harness(demo());
    h.run_steps(1);
    type_into(&mut h, "Số định danh", "654321");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the refusal", |a| !matches!(a.phase, Phase::Reading { .. }));
    assert!(has_text(&h, "Chip không mở được với số này"));
    h.state_mut().key.id_or_can = "079195012345".into();
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the read", |a| a.checkin.is_some());
}

fn read_and_check_insurance(h: &mut Harness<'static, App>) {
    h.run_steps(1);
    read_with_can(h);
    press(h, "Kiểm tra thẻ BHYT");
    press(h, "Công dân đồng ý — gửi");
    wait(h, "the insurance check to end", |a| {
        a.checkin.as_ref().is_some_and(|c| !matches!(c.bhyt, BhytState::Checking))
    });
}

#[test]
fn insurance_renewed_card_year_only_and_a_different_record_are_shown_as_the_cli_shows_them() {
    let person = |r: InsuranceRecord| {
        let mut cfg = HospitalConfig::default();
        cfg.records.insert(cancuoc_sim::PERSONA.id_number.into(), r);
        Hospital::start(cfg).expect("server")
    };
    // 003: the new card is today's, the old one shown beside it, the insurer's note too.
    let hospital = person(InsuranceRecord::persona_renewed());
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "Thẻ BHYT còn giá trị"));
    assert!(has_text(&h, "Thẻ mới (dùng hôm nay)") && has_text(&h, "Thẻ cũ"));
    assert!(has_text(&h, "DN4010120654321") && has_text(&h, "DN4010120123456"));
    assert!(has_text(&h, "Dùng thẻ mới"), "what the clerk should do");
    assert!(has_text(&h, "Ghi chú của BHXH: Thẻ cũ hết giá trị sử dụng"));
    // The new card's facility is named by the gateway (tenDKBDMoi), and it is not this site.
    assert!(has_text(&h, "01002 — Bệnh viện Bạch Mai (theo cổng BHXH)"));
    assert!(has_text(&h, "Đăng ký khám chữa bệnh ban đầu ở cơ sở khác"));
    // The HIS gets today's card under VN Core's insurance-number system.
    press(&mut h, "Gửi sang HIS");
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the HIS to answer", |a| a.notice.is_some());
    let sent = hospital.received();
    let p = &sent.iter().find(|r| r.path == "/fhir/Patient").expect("patient posted").body;
    let ids = p["identifier"].as_array().expect("identifiers");
    assert!(
        ids.iter().any(|i| i["system"] == cancuoc_bridge::his::fhir::BHYT_SYSTEM && i["value"] == "DN4010120654321"),
        "{ids:?}"
    );
    // The visit history: only on request, under its own consent, recorded in the audit log.
    assert!(!sent.iter().any(|r| r.path.ends_with("Lskcb2025")), "not fetched unasked");
    press(&mut h, "Lịch sử khám chữa bệnh");
    assert!(has_text(&h, "Xem lịch sử khám chữa bệnh BHYT"), "its own purpose in the consent dialog");
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the visit history", |a| a.checkin.as_ref().is_some_and(|c| c.history.is_some()));
    h.run_steps(2);
    assert!(has_text(&h, "Viêm họng cấp"));
    assert!(has_text(&h, "02/03/2026 08:15"));
    let audit = h.state().store.audit_log(20).expect("audit");
    assert!(
        audit.iter().any(|a| a.action == "bhyt_history" && a.purpose.as_deref() == Some("bhyt_history")),
        "{audit:?}"
    );

    // The insurer knows the birth year only: usable, and the app says the year was used.
    let hospital = person(InsuranceRecord::persona_year_only());
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "Thẻ BHYT còn giá trị"));
    assert!(has_text(&h, "BHXH chỉ có năm sinh"));

    // The insurer's record has another name: not usable, both names shown, flagged.
    let mut other = InsuranceRecord::persona_valid();
    other.full_name = "Nguyễn Thị Thu Hằng";
    let hospital = person(other);
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "Thẻ BHYT không hợp lệ"));
    assert!(has_text(&h, "Hồ sơ BHXH khác với chip"));
    assert!(has_text(&h, "Nguyễn Thị Thu Hằng"));
    // The history row carries the flag too.
    let summary = h.state().checkin.as_ref().map(|c| c.bhyt_summary(cancuoc_desk::i18n::Lang::Vi));
    assert!(summary.is_some_and(|s| s.contains("061") && s.contains("hồ sơ BHXH khác chip")));
}

#[test]
fn insurance_expired_and_server_down_and_slow_are_shown_as_such() {
    // Expired.
    let mut cfg = HospitalConfig::default();
    cfg.records.insert(cancuoc_sim::PERSONA.id_number.into(), InsuranceRecord::persona_expired());
    let hospital = Hospital::start(cfg).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "Thẻ BHYT đã hết hạn"));
    assert!(has_text(&h, "Thẻ hết giá trị sử dụng"));

    // Server down: nobody listens on the port.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let mut h = harness(demo());
    h.state_mut().settings.bhyt_url = format!("http://{dead}");
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "Chưa kiểm tra — không kết nối được cổng BHXH."));
    assert!(!has_text(&h, "Thẻ BHYT còn giá trị"));

    // Too slow: a timeout, not a guess.
    let slow = Hospital::start(HospitalConfig { delay: Duration::from_secs(3), ..Default::default() }).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &slow);
    h.state_mut().settings.timeout_s = 1;
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "không trả lời kịp"));

    // Offline mode: "not checked", and nothing leaves the machine.
    let quiet = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &quiet);
    h.state_mut().settings.offline = true;
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "đang làm việc ngoại tuyến"));
    assert!(quiet.received().is_empty());
}

#[test]
fn consent_withheld_sends_nothing() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    let out = tempfile::tempdir().expect("tmp");
    h.state_mut().settings.export_dir = out.path().to_string_lossy().into_owned();
    h.run_steps(1);
    read_with_can(&mut h);
    for button in ["Kiểm tra thẻ BHYT", "Gửi sang HIS", "Xuất CSV"] {
        press(&mut h, button);
        press(&mut h, "Không đồng ý");
        assert!(has_text(&h, "Công dân không đồng ý — không gửi gì."), "{button}");
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(hospital.received().is_empty(), "{:?}", hospital.received());
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), 0, "no export written");
    let refused = h.state().store.audit_log(10).expect("audit").iter().filter(|a| a.action == "refused").count();
    assert_eq!(refused, 3);
    // Each refusal is a consent record of its own: who (a keyed hash), what, how, the answer.
    let st = &h.state().store;
    let subject = st.subject("079195012345").expect("subject");
    let records = st.consents_of(&subject).expect("consents");
    let purposes: Vec<&str> = records.iter().map(|r| r.purpose.as_str()).collect();
    assert_eq!(purposes, ["bhyt", "his", "export"]);
    assert!(
        records
            .iter()
            .all(|r| r.answer == "refused" && r.method.starts_with("clerk_recorded:") && r.notice_sha256.len() == 64)
    );
    // Esc is no answer: nothing recorded, nothing sent.
    press(&mut h, "Gửi sang HIS");
    h.key_press(egui::Key::Escape);
    h.run_steps(5);
    assert!(h.state().consent.is_none() && has_text(&h, "Chưa có câu trả lời — không gửi gì."));
    assert_eq!(h.state().store.consents_of(&subject).expect("consents").len(), 3);
    let refused = h.state().store.audit_log(20).expect("audit").iter().filter(|a| a.action == "refused").count();
    assert_eq!(refused, 3, "Esc is not a refusal");
    // An agreement is recorded with the fields it covers.
    press(&mut h, "Kiểm tra thẻ BHYT");
    press(&mut h, "Công dân đồng ý — gửi");
    let records = h.state().store.consents_of(&subject).expect("consents");
    let last = records.last().expect("record");
    assert_eq!(
        (last.purpose.as_str(), last.answer.as_str(), last.recipient.as_str()),
        ("bhyt", "agreed", "insurer_gateway")
    );
    assert_eq!(last.fields, "id_number,full_name,date_of_birth");
}

#[test]
fn the_his_gets_the_minimal_fields_and_the_photo_only_when_ticked() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Gửi sang HIS");
    assert!(has_text(&h, "Ảnh chân dung và họ tên cha mẹ không bao giờ được gửi nếu không được chọn."));
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the HIS to answer", |a| a.notice.is_some());
    assert!(has_text(&h, "Đã gửi sang HIS."));
    let sent = hospital.received();
    let p = &sent.iter().find(|r| r.path == "/fhir/Patient").expect("patient posted").body;
    assert_eq!(p["resourceType"], "Patient");
    assert_eq!(p["meta"]["tag"][0]["code"], "verified");
    assert_eq!(p["identifier"][0]["value"], "079195012345");
    assert!(p.get("photo").is_none(), "no photo by default");
    assert!(p.get("contact").is_none(), "no parents by default");
    // No ethnicity/religion by default: the only extension is the visit evidence's hash.
    let ext = p["extension"].as_array().cloned().unwrap_or_default();
    assert!(
        ext.iter().all(|e| e["url"] == cancuoc_bridge::his::fhir::EVIDENCE_EXTENSION),
        "no ethnicity/religion by default: {ext:?}"
    );
    assert_eq!(ext.len(), 1, "the visit evidence is referenced by its hash");

    // Another person whose citizen agrees to the photo: tick it in the dialog.
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Gửi sang HIS");
    // The field list scrolls inside the dialog: brought into view first, as a clerk scrolls.
    h.get_by_label_contains("Ảnh chân dung —").scroll_to_me();
    h.run_steps(20);
    h.get_by_label_contains("Ảnh chân dung —").click();
    h.run_steps(1);
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the second HIS answer", |a| a.notice.is_some());
    let sent = hospital.received();
    let p = &sent.iter().rev().find(|r| r.path == "/fhir/Patient").expect("patient posted").body;
    assert_eq!(p["photo"][0]["contentType"], "image/jpeg");
}

#[test]
fn exports_and_print_carry_the_consented_fields() {
    let mut h = harness(demo());
    let out = tempfile::tempdir().expect("tmp");
    let printed = out.path().join("printer.txt");
    h.state_mut().settings.export_dir = out.path().join("exports").to_string_lossy().into_owned();
    std::fs::create_dir_all(out.path().join("exports")).expect("dir");
    // The printer is hardware we do not have: `tee` stands in for `lp`, taking the same input.
    h.state_mut().settings.print_command = format!("tee {}", printed.display());
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Xuất CSV");
    press(&mut h, "Công dân đồng ý — gửi");
    // Nothing is written before the clerk says where: the save dialog, the folder proposed.
    assert!(h.state().pending_save.is_some());
    press(&mut h, "Lưu vào thư mục này");
    // Consent given once covers the purpose's other actions for this person.
    press(&mut h, "Xuất FHIR");
    press(&mut h, "Lưu vào thư mục này");
    press(&mut h, "In phiếu");
    assert!(h.state().consent.is_none());
    let mut files: Vec<_> =
        std::fs::read_dir(out.path().join("exports")).expect("dir").flatten().map(|e| e.path()).collect();
    files.sort();
    let csv = files.iter().find(|p| p.extension().is_some_and(|e| e == "csv")).expect("csv written");
    let csv = std::fs::read_to_string(csv).expect("csv");
    assert!(csv.starts_with('\u{FEFF}'));
    assert!(csv.contains("\"Họ và tên\"") && csv.contains("\"Nguyễn Thị Thu Hà\""));
    assert!(!csv.contains("Trần Thị Cúc"), "parents not exported by default");
    let fhir = files.iter().find(|p| p.extension().is_some_and(|e| e == "json")).expect("fhir written");
    let fhir: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fhir).expect("read")).expect("json");
    assert_eq!(fhir["birthDate"], "1995-03-15");
    let paper = std::fs::read_to_string(&printed).expect("printed");
    assert!(paper.contains("PHIẾU TIẾP ĐÓN") && paper.contains("Nguyễn Thị Thu Hà"));
}

#[test]
fn english_and_large_text() {
    let mut h = harness(demo());
    h.run_steps(1);
    press(&mut h, "English");
    assert!(has_text(&h, "Enter the card's access key"));
    type_into(&mut h, "ID number", "079195012345");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the read", |a| a.checkin.is_some());
    assert!(has_text(&h, "CHIP VERIFIED"));
    press(&mut h, "Large text");
    assert!(h.state().settings.large_text);
    press(&mut h, "Tiếng Việt");
    assert!(has_text(&h, "CHIP ĐÃ XÁC THỰC"));
}

#[test]
fn settings_persist_and_retention_zero_keeps_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let opts = Options { data_dir: Some(dir.path().into()), ..demo() };
    {
        let mut h = harness(opts.clone());
        press(&mut h, "Cài đặt");
        // The administrative-units table in force is named (docs/address.md).
        assert!(has_text(&h, "Bảng đơn vị hành chính") && has_text(&h, "2025-07-01.nso.1 (2025-07-01)"));
        type_into(&mut h, "Tên người tiếp đón", " Hoa");
        type_into(&mut h, "Mật khẩu cổng BHYT", "bi-mat");
        h.run_steps(1);
        h.state_mut().draft.retention_days = 0;
        press(&mut h, "Lưu cài đặt");
        assert!(has_text(&h, "Đã lưu cài đặt."), "{:?}", h.state().notice);
        let s = &h.state().settings;
        assert!(s.clerk_name.ends_with(" Hoa"));
        assert_eq!(s.bhyt_password_md5, cancuoc_desk::bhyt::md5_hex("bi-mat"), "only the hash is kept");
        press(&mut h, "Tiếp đón");
        read_with_can(&mut h);
        press(&mut h, "Lưu lượt tiếp đón");
        assert!(has_text(&h, "không lưu dữ liệu cá nhân"));
    }
    let db = std::fs::read(dir.path().join("desk.sqlite")).expect("db file");
    assert!(!String::from_utf8_lossy(&db).contains("bi-mat"), "the password is not on disk");
    assert!(!String::from_utf8_lossy(&db).contains("079195012345"), "no ID number on disk at retention 0");
    let h = harness(opts);
    assert_eq!(h.state().settings.retention_days, 0, "settings survive a restart");
    assert!(h.state().store.checkins(10).expect("list").is_empty());
}

/// The cancuoc USB reader's firmware logic on a pseudo-terminal, as the bridge tests use it,
/// reached through a symlink like the udev rule's /dev/cancuoc-reader.
struct Plugged {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Plugged {
    fn new(
        chip: Arc<Mutex<cancuoc_sim::SimChip>>,
        options: cancuoc_sim::usb_reader::ReaderOptions,
        link: &Path,
    ) -> Self {
        use cancuoc_sim::usb_reader::{pty_pair, serve};
        let (master, pts) = pty_pair().expect("pty");
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(&pts, link).expect("link");
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        Plugged { stop, thread: Some(std::thread::spawn(move || serve(master, chip, options, s))) }
    }
    fn unplug(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Plugged {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn usb_setup(dir: &Path) -> Options {
    let trust = dir.join("trust");
    std::fs::create_dir_all(&trust).expect("trust dir");
    let pki = cancuoc_sim::Pki::load();
    for n in ["csca-rsa", "csca-p256", "csca-bp256"] {
        std::fs::write(trust.join(format!("{n}.cer")), pki.cert(n)).expect("cert");
    }
    Options {
        data_dir: Some(dir.join("data")),
        usb_ports: vec![dir.join("cancuoc-reader").to_string_lossy().into_owned()],
        trust_dir: Some(trust),
        ..Default::default()
    }
}

fn usb_chip() -> Arc<Mutex<cancuoc_sim::SimChip>> {
    Arc::new(Mutex::new(cancuoc_sim::simulated_card("rsa").expect("chip")))
}

#[test]
fn a_usb_reader_is_shown_and_read_through() {
    let dir = tempfile::tempdir().expect("tmp");
    let _reader = Plugged::new(usb_chip(), Default::default(), &dir.path().join("cancuoc-reader"));
    let mut h = harness(usb_setup(dir.path()));
    wait(&mut h, "the USB reader to be found", |a| matches!(a.reader_status(), ReaderStatus::Usb { .. }));
    assert!(has_text(&h, "Đầu đọc USB cancuoc"));
    read_with_can(&mut h);
    let c = h.state().checkin.as_ref().expect("a result through the USB reader");
    assert_eq!(c.status(), Status::Verified);
    assert!(c.report.reader.as_ref().is_some_and(|r| r.agrees));
}

#[test]
fn a_usb_reader_unplugged_mid_read_is_waited_for_and_the_read_finishes() {
    let dir = tempfile::tempdir().expect("tmp");
    let link = dir.path().join("cancuoc-reader");
    let card = usb_chip();
    let slow = cancuoc_sim::usb_reader::ReaderOptions { latency: Duration::from_millis(25), ..Default::default() };
    let reader = Plugged::new(card.clone(), slow.clone(), &link);
    let mut h = harness(usb_setup(dir.path()));
    wait(&mut h, "the USB reader to be found", |a| matches!(a.reader_status(), ReaderStatus::Usb { .. }));
    type_into(&mut h, "Số định danh", "079195012345");
    h.key_press(egui::Key::Enter);
    h.run_steps(1);
    wait(&mut h, "the read to be under way", |_| slow.apdus.load(std::sync::atomic::Ordering::Relaxed) >= 12);
    reader.unplug();
    wait(&mut h, "the app to notice", |a| matches!(a.phase, Phase::Reading { unplugged: true, .. }));
    assert!(has_text(&h, "Đầu đọc bị rút ra — đang chờ cắm lại…"));
    card.lock().expect("chip").reinsert();
    let _again = Plugged::new(card, slow, &link);
    wait(&mut h, "the read to finish", |a| !matches!(a.phase, Phase::Reading { .. }));
    let c = h.state().checkin.as_ref().expect("a result after the reader came back");
    assert_eq!(c.status(), Status::Verified);
}

#[test]
fn a_reader_with_old_firmware_says_to_update_it() {
    use std::io::{Read, Write};
    let (mut master, pts) = cancuoc_sim::usb_reader::pty_pair().expect("pty");
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut decoder = cancuoc_link::Decoder::new();
        while !d.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok(n) = master.read(&mut buf) {
                let mut hello = false;
                decoder.feed::<cancuoc_link::HostMsg>(buf.get(..n).unwrap_or_default(), |m| {
                    hello |= matches!(m, Ok(cancuoc_link::HostMsg::Hello { .. }))
                });
                if hello {
                    let info = cancuoc_link::Info {
                        protocol: 99,
                        firmware: "9.0.0".into(),
                        board: "rp2350".into(),
                        front_end: "PN532".into(),
                        max_command: 261,
                        max_response: 258,
                        extended_length: false,
                        trust_count: 0,
                        trust_crc32: 0,
                    };
                    let frame = cancuoc_link::encode(&cancuoc_link::ReaderMsg::Info(info)).expect("frame");
                    let _ = master.write_all(&frame);
                }
            }
        }
    });
    let dir = tempfile::tempdir().expect("tmp");
    let opts = Options { data_dir: Some(dir.path().into()), usb_ports: vec![pts], ..Default::default() };
    let mut h = harness(opts);
    wait(&mut h, "the reader's status", |a| a.reader_status() != ReaderStatus::Unknown);
    assert!(has_text(&h, "Đầu đọc cần cập nhật phần mềm"), "{:?}", h.state().reader_status());
    assert!(has_text(&h, "nạp lại phần mềm đầu đọc"));
    // Reading is refused with the same advice rather than attempted.
    h.state_mut().tab = Tab::Checkin;
    type_into(&mut h, "Số định danh", "079195012345");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(matches!(h.state().phase, Phase::Entry { error: Some(_) }));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = t.join();
}

#[test]
fn the_default_card_fills_every_chip_field_under_the_cards_labels() {
    let mut h = harness(demo());
    h.run_steps(1);
    read_with_can(&mut h);
    let c = h.state().checkin.as_ref().expect("result");
    assert_eq!(c.status(), Status::Verified);
    for (label, value) in [
        ("Họ và tên", "Nguyễn Thị Thu Hà"),
        ("Ngày sinh", "15/03/1995"),
        ("Giới tính", "Nữ"),
        ("Nơi thường trú", "Số 12 Ngõ 34 Phố Hàng Bạc"),
        ("Họ tên cha", "Nguyễn Văn Bình"),
        ("Họ tên mẹ", "Trần Thị Cúc"),
    ] {
        assert!(has_text(&h, label), "label {label}");
        assert!(has_text(&h, value), "value {value}");
    }
    // A 2024 card: the residence under "Nơi cư trú", field 16 shown as what it is.
    h.key_press(egui::Key::Escape);
    h.state_mut().scenario.variant = "can-cuoc-2024".into();
    h.run_steps(1);
    type_into(&mut h, "Số định danh", "001217004567");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the read to end", |a| !matches!(a.phase, Phase::Reading { .. }));
    assert_eq!(h.state().checkin.as_ref().expect("result").status(), Status::Verified);
    assert!(has_text(&h, "Nơi cư trú"));
    assert!(!has_text(&h, "Nơi thường trú"));
    // Field 16 (meaning unconfirmed) is not on the clerk's panel: it is in the technical details.
    assert!(!has_text(&h, "3F9A0C51E27B4D86"));
    press(&mut h, "Chi tiết kỹ thuật");
    assert!(has_text(&h, "Trường 16 (chưa rõ nghĩa)"));
    assert!(has_text(&h, "3F9A0C51E27B4D86"));
}

#[test]
fn a_foreign_passport_shows_its_mrz_data_and_expiry() {
    let mut h = harness(demo());
    h.state_mut().scenario.variant = "passport-td3".into();
    h.state_mut().key_mode = cancuoc_desk::app::KeyMode::Mrz;
    h.run_steps(1);
    {
        let k = &mut h.state_mut().key;
        k.document_number = "L898902C3".into();
        k.dob = "12/08/1974".into();
        k.expiry = "15/04/2012".into();
    }
    h.state_mut().start_read();
    wait(&mut h, "the read to end", |a| !matches!(a.phase, Phase::Reading { .. }));
    let c = h.state().checkin.as_ref().expect("result");
    assert_eq!(c.status(), Status::Verified, "the chip is genuine");
    assert_eq!(c.report.person.full_name.as_deref(), Some("ERIKSSON ANNA MARIA"));
    for text in ["ERIKSSON ANNA MARIA", "12/08/1974", "L898902C3", "UTO", "ĐÃ HẾT HẠN"] {
        assert!(has_text(&h, text), "{text}");
    }
}

// ---- The ward and commune-police counters: a form filled from the chip with consent per field.

fn ward_desk(mode: cancuoc_desk::store::CounterMode, printed: &std::path::Path) -> Harness<'static, App> {
    let mut h = harness(demo());
    let s = &mut h.state_mut().settings;
    s.counter_mode = mode;
    s.office_name = "UBND phường Hoàn Kiếm".into();
    s.police_office_name = "Công an phường Hoàn Kiếm".into();
    s.office_place = "Hà Nội".into();
    // The printer is hardware we do not have: `tee` stands in for `lp` as a file printer,
    // taking the same input (the PDF on standard input).
    s.print_command = format!("tee {}", printed.display());
    h.run_steps(1);
    h
}

fn pdf_text(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The preview page's text (its accessible label), spaces collapsed.
fn page_text(h: &Harness<'static, App>) -> String {
    let label = h.get_by_label_contains("Trang 1/").accesskit_node().label().unwrap_or_default();
    label.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn form_audit(h: &Harness<'static, App>) -> Vec<(String, String, String)> {
    let log = h.state().store.audit_log(50).expect("audit log");
    log.into_iter().filter(|r| r.purpose.as_deref() == Some("form")).map(|r| (r.action, r.fields, r.detail)).collect()
}

#[test]
fn a_ward_counter_fills_a_form_from_the_chip_with_consent_per_field_and_prints_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let printed = dir.path().join("printer.pdf");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::WardCommittee, &printed);
    read_with_can(&mut h);
    // A ward counter sees its forms, not the hospital's check-in and insurance.
    assert!(has_text(&h, "Biểu mẫu") && !has_text(&h, "Kiểm tra thẻ BHYT"));
    assert!(!has_text(&h, "CT01"), "the police's forms are not offered at the ward");
    press(&mut h, "TK-XNTTHN — Tờ khai cấp Giấy xác nhận tình trạng hôn nhân");
    // The consent question: each chip field with its value; the citizen refuses the residence.
    assert!(has_text(&h, "Đồng ý điền biểu mẫu từ chip"));
    h.get_by_label_contains("Nơi cư trú — Số 12").click();
    h.run_steps(2);
    press(&mut h, "Công dân đồng ý — điền");
    h.run_steps(10); // the dialog closes
    type_into(&mut h, "Tình trạng hôn nhân", "Chưa đăng ký kết hôn với ai");
    type_into(&mut h, "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân", "Để đăng ký kết hôn");
    h.run_steps(2);
    // The preview is the printed page: the name and the typed answer, not the refused residence.
    let page = page_text(&h);
    assert!(page.contains("Nguyễn Thị Thu Hà") && page.contains("Chưa đăng ký kết hôn với ai"), "{page}");
    assert!(page.contains("Kính gửi: UBND phường Hoàn Kiếm") && page.contains("Hà Nội, ngày"), "{page}");
    assert!(!page.contains("Hàng Bạc"), "the refused residence is not on the page");
    press(&mut h, "In biểu mẫu");
    assert!(has_text(&h, "Đã gửi biểu mẫu tới máy in"));
    let bytes = std::fs::read(&printed).expect("the file printer got the job");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF went to the printer");
    let text = pdf_text(&printed);
    assert!(text.contains("Nguyễn Thị Thu Hà") && text.contains("Để đăng ký kết hôn"), "{text}");
    assert!(!text.contains("Hàng Bạc"), "the refused field is not in the PDF");
    // The audit log: the form and the field names of the answer and the print — never a value.
    let log = form_audit(&h);
    let consent = log.iter().find(|r| r.0 == "form_consent").expect("consent recorded");
    assert!(consent.1.contains("full_name") && !consent.1.contains("residence"), "{consent:?}");
    // Ethnicity is sensitive (Decree 356/2025/NĐ-CP art. 4): never pre-ticked, so unless the
    // citizen ticks it, it is refused with the residence.
    assert!(consent.2.contains("TK-XNTTHN") && consent.2.contains("refused: ethnicity,residence"), "{consent:?}");
    assert!(log.iter().any(|r| r.0 == "form_print" && r.2 == "TK-XNTTHN"), "{log:?}");
    assert!(
        log.iter().all(|r| !r.1.contains("Nguyễn") && !r.2.contains("Nguyễn") && !r.2.contains("079195")),
        "{log:?}"
    );
    // Nothing is kept after printing: no PDF in the export folder.
    let exports = std::fs::read_dir(&h.state().settings.export_dir)
        .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "pdf")).count())
        .unwrap_or(0);
    assert_eq!(exports, 0);
}

#[test]
fn the_marriage_form_reads_the_second_card_into_the_same_form() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::WardCommittee, &dir.path().join("p.pdf"));
    h.state_mut().settings.export_dir = dir.path().to_string_lossy().into_owned();
    read_with_can(&mut h);
    press(&mut h, "TK-KH — Tờ khai đăng ký kết hôn");
    press(&mut h, "Công dân đồng ý — điền");
    press(&mut h, "Đọc thẻ của Bên nam");
    // The second citizen's card (the 2024 card in demo mode), opened with its own ID number.
    h.state_mut().scenario.variant = "can-cuoc-2024".into();
    type_into(&mut h, "Số định danh", cancuoc_sim::PERSONA_2024.id_number);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the second card", |a| a.form.as_ref().is_some_and(|f| f.people[1].is_some()));
    assert!(has_text(&h, "Bên nam"), "the consent question names whose card it is");
    press(&mut h, "Công dân đồng ý — điền");
    let page = page_text(&h);
    assert!(page.contains("Nguyễn Thị Thu Hà") && page.contains(cancuoc_sim::PERSONA_2024.full_name), "{page}");
    press(&mut h, "Lưu PDF");
    press(&mut h, "Lưu vào thư mục này");
    let pdf = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .expect("saved");
    let text = pdf_text(&pdf);
    assert!(text.contains("Bên nữ") && text.contains("Phạm Gia Bảo") && text.contains("Nguyễn Thị Thu Hà"), "{text}");
    let log = form_audit(&h);
    assert_eq!(log.iter().filter(|r| r.0 == "form_consent").count(), 2, "one answer per person: {log:?}");
    assert!(log.iter().any(|r| r.0 == "form_save"));
    // The visit is saved with its queue number, under the form it came for.
    press(&mut h, "Lưu lượt tiếp nhận");
    assert!(has_text(&h, "Đã lưu lượt tiếp nhận."), "{:?}", h.state().notice);
    press(&mut h, "Lịch sử");
    assert!(has_text(&h, "Các lượt tiếp nhận") && !has_text(&h, "tiếp đón"), "History in the ward's words");
    assert!(!has_text(&h, "BHYT"), "no insurance column at a ward");
    let rows = h.state().store.checkins(5).expect("history");
    assert_eq!(rows.first().map(|r| r.service.as_str()), Some("TK-KH — Tờ khai đăng ký kết hôn"));
    assert!(rows.first().is_some_and(|r| r.queue_no.is_some()));
}

#[test]
fn an_unverified_card_fills_no_form_until_the_clerk_overrides_and_that_is_audited() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::CommunePolice, &dir.path().join("p.pdf"));
    h.state_mut().scenario.variant = "tampered-dg13".into();
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "CT01 — Tờ khai thay đổi thông tin cư trú");
    press(&mut h, "Công dân đồng ý — điền");
    assert!(has_text(&h, "Thẻ chưa xác thực: biểu mẫu không được điền từ thẻ này."));
    let page = page_text(&h);
    assert!(!page.contains("079195012345") && !page.contains("0 7 9 1"), "nothing from the card: {page}");
    assert!(form_audit(&h).iter().all(|r| r.0 != "form_override"));
    // The override takes a reason first (the button does nothing without one).
    press(&mut h, "Vẫn điền (ghi vào nhật ký)");
    assert!(form_audit(&h).iter().all(|r| r.0 != "form_override"), "not without a reason");
    type_into(&mut h, "Lý do", "đã đối chiếu giấy khai sinh bản chính");
    press(&mut h, "Vẫn điền (ghi vào nhật ký)");
    let page = page_text(&h);
    assert!(page.contains("0 7 9 1 9 5"), "filled after the override: {page}");
    assert!(
        page.contains("Điền khi thẻ chưa xác thực — lý do:") && page.contains("đã đối chiếu giấy khai sinh bản chính"),
        "{page}"
    );
    let log = form_audit(&h);
    let o = log.iter().find(|r| r.0 == "form_override").expect("override audited");
    assert!(o.2.contains("CT01") && o.2.contains("not_verified") && o.2.contains("reason: đã đối chiếu"), "{o:?}");
}

#[test]
fn every_catalogued_form_prints_from_the_desk_of_its_counter() {
    use cancuoc_desk::store::CounterMode;
    let dir = tempfile::tempdir().expect("tmp");
    for mode in [CounterMode::WardCommittee, CounterMode::CommunePolice] {
        let printed = dir.path().join(format!("{mode:?}.pdf"));
        let mut h = ward_desk(mode, &printed);
        read_with_can(&mut h);
        let forms = h.state().counter_forms();
        assert!(!forms.is_empty());
        for f in forms {
            let _ = std::fs::remove_file(&printed);
            press(&mut h, &format!("{} — {}", f.code, f.name_vi));
            press(&mut h, "Công dân đồng ý — điền");
            h.run_steps(10);
            press(&mut h, "In biểu mẫu");
            let text = pdf_text(&printed);
            assert!(
                text.contains(&f.layout.title.clone().unwrap_or_else(|| f.name_vi.to_uppercase())),
                "{}: {text}",
                f.code
            );
            // Each counter's forms go to its own office (two settings), and the place is filled.
            let office = match mode {
                CounterMode::CommunePolice => "Kính gửi: Công an phường Hoàn Kiếm",
                _ => "Kính gửi: UBND phường Hoàn Kiếm",
            };
            assert!(text.contains("Nguyễn Thị Thu Hà") && text.contains(office), "{}: {text}", f.code);
            assert!(text.contains("Hà Nội, ngày") && !text.contains("……, ngày"), "{}: the place: {text}", f.code);
            press(&mut h, "Xong biểu mẫu");
        }
    }
}

#[test]
fn the_visit_evidence_is_kept_with_the_checkin_and_exported_only_after_consent() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = harness(demo());
    h.state_mut().settings.export_dir = dir.path().to_string_lossy().into_owned();
    h.state_mut().settings.site_id = "01001".into();
    h.run_steps(1);
    read_with_can(&mut h);
    let sha = match &h.state().checkin.as_ref().expect("checkin").evidence {
        Some(Ok(e)) => e.sha256(),
        other => panic!("no evidence: {other:?}"),
    };
    let exported = |d: &std::path::Path| {
        std::fs::read_dir(d)
            .expect("dir")
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "der"))
            .count()
    };
    // Refused: nothing written, the refusal recorded.
    press(&mut h, "Xuất bằng chứng");
    assert!(has_text(&h, "Xuất bằng chứng chip có mặt ở lượt khám này"), "the consent question names the purpose");
    press(&mut h, "Không đồng ý");
    assert_eq!(exported(dir.path()), 0);
    let log = h.state().store.audit_log(20).expect("log");
    assert!(log.iter().any(|r| r.action == "refused" && r.purpose.as_deref() == Some("evidence")), "{log:?}");
    assert!(log.iter().all(|r| r.action != "export_evidence"));
    // Agreed: the record is written, and it verifies offline.
    press(&mut h, "Xuất bằng chứng");
    press(&mut h, "Công dân đồng ý — gửi");
    assert_eq!(exported(dir.path()), 0, "not before the clerk chooses where");
    press(&mut h, "Lưu vào thư mục này");
    assert_eq!(exported(dir.path()), 1);
    let file = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "der"))
        .expect("file");
    let e = cancuoc_bridge::his::evidence::Evidence::from_der(&std::fs::read(file).expect("read")).expect("decodes");
    let trust = cancuoc_bridge::read::load_trust(&cancuoc_bridge::read::Trust::TestPki).expect("test PKI").0;
    let proof = e.verify(&trust).expect("holds");
    assert_eq!(proof.visit.site, "01001");
    let log = h.state().store.audit_log(20).expect("log");
    let consent = log
        .iter()
        .position(|r| r.action == "consent" && r.purpose.as_deref() == Some("evidence"))
        .expect("consent recorded");
    let export = log.iter().position(|r| r.action == "export_evidence").expect("export recorded");
    assert!(export < consent, "the log is newest first: the consent came before the export");
    assert_eq!(log[export].detail, sha, "the export names the record by its hash");
    // Saved with the check-in (same retention), referenced by its hash.
    press(&mut h, "Lưu lượt tiếp đón");
    let row = h.state().store.checkins(1).expect("history").remove(0);
    assert_eq!(row.evidence_sha256.as_deref(), Some(sha.as_str()));
    assert!(row.evidence.is_some_and(|d| cancuoc_bridge::his::evidence::Evidence::from_der(&d).is_ok()));
}

#[test]
fn the_chip_address_is_shown_in_today_s_units_and_a_split_commune_asks_the_clerk() {
    let mut h = harness(demo());
    h.run_steps(1);
    read_with_can(&mut h);
    // The chip's text as the issuer signed it, and beside it today's ward with its codes.
    assert!(has_text(&h, "Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội"));
    assert!(has_text(&h, "Địa chỉ theo đơn vị hành chính mới"));
    assert!(has_text(&h, "Phường Hoàn Kiếm, Thành phố Hà Nội"));
    assert!(has_text(&h, "Mã xã/phường 00070 · mã tỉnh/thành phố 01"));
    let c = h.state().checkin.as_ref().expect("result");
    assert_eq!(
        c.value(cancuoc_desk::consent::Field::Address, cancuoc_desk::i18n::Lang::Vi).as_deref(),
        Some("Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội")
    );
    // The 2024 card (issued before the reform): Phường Cửa Nam was split four ways (Nghị quyết
    // 1656/NQ-UBTVQH15, Điều 1 khoản 1, 2, 3, 11): no guess, the clerk asks and clicks.
    h.key_press(egui::Key::Escape);
    h.state_mut().scenario.variant = "can-cuoc-2024".into();
    h.run_steps(1);
    type_into(&mut h, "Số định danh", "001217004567");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the read to end", |a| !matches!(a.phase, Phase::Reading { .. }));
    assert!(has_text(&h, "Xã/phường cũ nay thuộc nhiều xã/phường mới"));
    let c = h.state().checkin.as_ref().expect("result");
    assert_eq!(c.address_choice, None);
    // No choice: the check-in form keeps the chip's text.
    assert_eq!(
        c.value(cancuoc_desk::consent::Field::Address, cancuoc_desk::i18n::Lang::Vi).as_deref(),
        Some("Số 8 Phố Lý Thường Kiệt, Phường Cửa Nam, Hà Nội")
    );
    for ward in ["Phường Ba Đình (00004)", "Phường Hoàn Kiếm (00070)", "Phường Văn Miếu - Quốc Tử Giám (00226)"]
    {
        assert!(has_text(&h, ward), "{ward}");
    }
    // Offered beside the chip's address and in the check-in form's address row: the form's.
    assert_eq!(h.query_all_by_label("Phường Cửa Nam (00082)").count(), 2);
    h.query_all_by_label("Phường Cửa Nam (00082)").last().expect("button").click();
    h.run_steps(2);
    let c = h.state().checkin.as_ref().expect("result");
    assert_eq!(c.address_choice.as_deref(), Some("00082"));
    assert_eq!(
        c.value(cancuoc_desk::consent::Field::Address, cancuoc_desk::i18n::Lang::Vi).as_deref(),
        Some("Số 8 Phố Lý Thường Kiệt, Phường Cửa Nam, Thành phố Hà Nội (người dân xác nhận)")
    );
    assert!(has_text(&h, "Phường Cửa Nam, Thành phố Hà Nội (người dân xác nhận)"));
    // The choice is in the audit log (the code, not the address).
    let audit = h.state().store.audit_log(50).unwrap_or_default();
    assert!(audit.iter().any(|a| a.action == "address_choice" && a.detail.contains("00082")), "{audit:?}");
}

#[test]
fn the_site_s_commune_of_today_addresses_the_forms_and_the_residence_is_today_s() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::CommunePolice, &dir.path().join("p.pdf"));
    {
        let s = &mut h.state_mut().settings;
        s.office_name.clear();
        s.office_place.clear();
        s.site_commune = "Phường Hoàn Kiếm, Hà Nội".into();
    }
    read_with_can(&mut h);
    press(&mut h, "DC02 — Phiếu đề nghị giải quyết thủ tục về căn cước");
    press(&mut h, "Công dân đồng ý — điền");
    h.run_steps(10);
    let page = page_text(&h);
    assert!(page.contains("Kính gửi: Công an phường Hoàn Kiếm"), "{page}");
    // DC02 "Nơi cư trú" in today's units (Nghị quyết 1656/NQ-UBTVQH15, Điều 1 khoản 1).
    assert!(page.contains("Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"), "{page}");
    assert!(!page.contains("Quận Hoàn Kiếm"), "{page}");
}

// ---- The citizen's screen (issue 35): the citizen answers, not the clerk.

fn citizen_desk(hospital: &Hospital, mode: cancuoc_desk::store::CitizenDisplay) -> Harness<'static, App> {
    let mut h = harness(demo());
    use_hospital(&mut h, hospital);
    // The second window is a real OS window under eframe; here it is drawn inside the test's
    // one surface (egui's embedded viewport), where its buttons can be clicked.
    h.ctx.set_embed_viewports(true);
    h.state_mut().settings.citizen_display = mode;
    h.run_steps(1);
    read_with_can(&mut h);
    h
}

fn records(h: &Harness<'static, App>) -> Vec<cancuoc_desk::store::ConsentRecord> {
    let st = &h.state().store;
    st.consents_of(&st.subject("079195012345").expect("subject")).expect("consents")
}

#[test]
fn on_the_citizen_s_screen_nothing_is_preselected_the_clerk_cannot_answer_and_a_refusal_sends_nothing() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = citizen_desk(&hospital, cancuoc_desk::store::CitizenDisplay::SecondWindow);
    press(&mut h, "Gửi sang HIS");
    // The citizen's window: the question, their own values, nothing optional ticked.
    assert!(has_text(&h, "Ông/bà có đồng ý cho sử dụng thông tin sau?"));
    assert!(has_text(&h, "Nguyễn Thị Thu Hà"));
    let ask = h.state().consent.as_ref().expect("asked");
    assert_eq!(ask.fields, cancuoc_desk::consent::Purpose::His.required(), "only what the purpose needs");
    // The clerk's screen waits: no answer button of the clerk's.
    assert!(has_text(&h, "Đang chờ người dân trả lời"));
    assert!(!has_text(&h, "Công dân đồng ý — gửi"), "the clerk cannot answer on the citizen path");
    press(&mut h, "Không đồng ý (phím 2)");
    std::thread::sleep(Duration::from_millis(300));
    assert!(hospital.received().is_empty(), "{:?}", hospital.received());
    let r = records(&h);
    assert_eq!((r.len(), r[0].answer.as_str(), r[0].method.as_str()), (1, "refused", "citizen_screen"));
    // Agreeing on the citizen's screen sends what the citizen ticked, recorded as theirs.
    press(&mut h, "Gửi sang HIS");
    press(&mut h, "Đồng ý (phím 1)");
    wait(&mut h, "the HIS", |_| !hospital.received().is_empty());
    let r = records(&h);
    assert_eq!(
        (r[1].answer.as_str(), r[1].method.as_str(), r[1].purpose.as_str()),
        ("agreed", "citizen_screen", "his")
    );
    assert_eq!(r[1].fields, "id_number,full_name,verdict");
}

#[test]
fn a_timeout_on_the_citizen_s_screen_sends_and_records_nothing() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = citizen_desk(&hospital, cancuoc_desk::store::CitizenDisplay::TurnScreen);
    h.state_mut().settings.citizen_timeout_s = 1;
    press(&mut h, "Kiểm tra thẻ BHYT");
    // One monitor turned to the citizen: the question fills the screen.
    assert!(has_text(&h, "Ông/bà có đồng ý cho sử dụng thông tin sau?"));
    std::thread::sleep(Duration::from_millis(1100));
    h.run_steps(3);
    assert!(h.state().consent.is_none());
    assert!(has_text(&h, "Hết thời gian chờ người dân trả lời — không gửi gì."));
    std::thread::sleep(Duration::from_millis(300));
    assert!(hospital.received().is_empty());
    assert!(records(&h).is_empty(), "a timeout is nobody's answer");
    let audit = h.state().store.audit_log(10).expect("audit");
    assert!(audit.iter().any(|a| a.action == "consent_timeout"));
}

#[test]
fn the_clerk_takes_the_answer_only_with_a_reason_and_the_record_says_so() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = citizen_desk(&hospital, cancuoc_desk::store::CitizenDisplay::SecondWindow);
    press(&mut h, "Kiểm tra thẻ BHYT");
    type_into(&mut h, "Lý do", "người cao tuổi, không nhìn rõ màn hình");
    h.query_all_by_label("Người dân không dùng được màn hình — cán bộ ghi nhận câu trả lời")
        .last()
        .expect("button")
        .click();
    h.run_steps(3);
    press(&mut h, "Công dân đồng ý — gửi");
    let r = records(&h);
    assert_eq!(r[0].method, "clerk_recorded:người cao tuổi, không nhìn rõ màn hình");
    assert_eq!(r[0].answer, "agreed");
}

#[test]
fn the_privacy_page_reports_withdraws_and_erases_for_the_verified_card_and_keeps_the_register() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    // Nothing can be done before the requester's card is read and verified.
    press(&mut h, "Quyền riêng tư");
    assert!(has_text(&h, "Đọc thẻ của người yêu cầu trước, ở thẻ đầu tiên"));
    press(&mut h, "Tiếp đón");
    read_with_can(&mut h);
    press(&mut h, "Kiểm tra thẻ BHYT");
    press(&mut h, "Công dân đồng ý — gửi");
    press(&mut h, "Lưu lượt tiếp đón");
    press(&mut h, "Quyền riêng tư");
    assert!(has_text(&h, "Người yêu cầu (thẻ đã xác thực): Nguyễn Thị Thu Hà — 079195012345"));
    press(&mut h, "Xem dữ liệu đang giữ");
    let shown = h.state().privacy_shown.as_ref().expect("report");
    assert_eq!(shown.checkins.len(), 1);
    assert_eq!(shown.consents.len(), 1);
    assert_eq!(shown.consents[0].purpose, "bhyt");
    // Withdrawal of the insurer check's consent: the record stays, marked.
    h.state_mut().privacy_purpose = "bhyt".into();
    press(&mut h, "Rút đồng ý cho mục đích này");
    let st = &h.state().store;
    let subject = st.subject("079195012345").expect("subject");
    assert!(st.consents_of(&subject).expect("consents")[0].withdrawn_at.is_some());
    // Erasure needs its tick first.
    h.get_by_label("Xóa dữ liệu").click();
    h.run_steps(2);
    assert_eq!(h.state().store.checkins_of("079195012345").expect("checkins").len(), 1, "not without the tick");
    h.get_by_label("Người dân yêu cầu xóa toàn bộ dữ liệu của mình").click();
    h.run_steps(2);
    press(&mut h, "Xóa dữ liệu");
    assert!(has_text(&h, "Đã xóa (lượt đã lưu / bản ghi đồng ý): 1 / 1"), "{:?}", h.state().notice);
    let st = &h.state().store;
    assert!(st.checkins_of("079195012345").expect("checkins").is_empty());
    assert!(st.consents_of(&subject).expect("consents").is_empty());
    // The register: report, withdraw, erase — each done, none overdue.
    let kinds: Vec<String> = st.requests().expect("requests").iter().map(|r| r.kind.clone()).collect();
    assert_eq!(kinds, ["report", "withdraw", "erase"]);
    assert!(has_text(&h, "Sổ yêu cầu"));
    assert!(!has_text(&h, "quá hạn"));
}

#[test]
fn an_overdue_request_is_shown_in_red_on_the_privacy_tab() {
    let mut h = harness(demo());
    let st = &h.state().store;
    let subject = st.subject("079195012345").expect("subject");
    st.add_request(&cancuoc_desk::store::PrivacyRequest {
        subject,
        kind: "erase".into(),
        received_at: 1_767_225_600,
        acknowledge_by: "2026-01-05".into(),
        due: "2026-01-21".into(),
        ..Default::default()
    })
    .expect("request");
    h.run_steps(2);
    assert!(has_text(&h, "Quyền riêng tư (1 quá hạn)"));
    press(&mut h, "Quyền riêng tư (1 quá hạn)");
    assert!(has_text(&h, "2026-01-21 — quá hạn"));
}

#[test]
fn a_signed_consent_slip_and_the_citizen_s_receipt_print_and_the_record_names_the_slip() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let dir = tempfile::tempdir().expect("tmp");
    let printed = dir.path().join("printer.pdf");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.state_mut().settings.print_command = format!("tee {}", printed.display());
    h.state_mut().settings.site_id = "01001".into();
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Kiểm tra thẻ BHYT");
    press(&mut h, "In phiếu để người dân đọc, đánh dấu và ký");
    let slip = pdf_text(&printed);
    for text in [
        "PHIẾU ĐỒNG Ý XỬ LÝ DỮ LIỆU CÁ NHÂN",
        "đánh dấu X vào một ô",
        "KHÔNG ĐỒNG Ý",
        "Kiểm tra thẻ bảo hiểm y tế",
        "Số CCCD, Họ và tên, Ngày sinh",
        "Người dân",
        "Nguyễn Thị Thu Hà",
    ] {
        assert!(slip.contains(text), "{text:?} not on the slip: {slip}");
    }
    let number = h.state().consent.as_ref().and_then(|a| a.slip.clone()).expect("slip number");
    assert!(slip.contains(&number));
    press(&mut h, "Phiếu đã ký: ĐỒNG Ý");
    wait(&mut h, "the insurer's answer", |a| a.checkin.as_ref().is_some_and(|c| matches!(c.bhyt, BhytState::Done(_))));
    let st = &h.state().store;
    let r = st.consents_of(&st.subject("079195012345").expect("subject")).expect("consents");
    assert_eq!(r[0].method, format!("signed_slip:{number}"));
    // The receipt: what was read, what went to whom, how long it is kept, the rights.
    std::fs::remove_file(&printed).expect("rm");
    press(&mut h, "In biên nhận");
    let receipt = pdf_text(&printed);
    for text in [
        "BIÊN NHẬN SỬ DỤNG DỮ LIỆU CÁ NHÂN",
        "CHIP ĐÃ XÁC THỰC",
        "Họ và tên",
        "Cổng giám định BHYT",
        "Không lưu lại",
        "2 ngày làm việc",
    ] {
        assert!(receipt.contains(text), "{text:?} not on the receipt: {receipt}");
    }
}

#[test]
fn a_ward_form_s_question_goes_to_the_citizen_s_screen_with_nothing_ticked() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::WardCommittee, &dir.path().join("p.pdf"));
    h.ctx.set_embed_viewports(true);
    h.state_mut().settings.citizen_display = cancuoc_desk::store::CitizenDisplay::SecondWindow;
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "TK-XNTTHN — Tờ khai cấp Giấy xác nhận tình trạng hôn nhân");
    // The citizen's screen: the form, its addressee, each field with its value, none ticked.
    assert!(has_text(&h, "Điền sẵn từ thẻ của ông/bà vào Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"));
    assert!(has_text(&h, "UBND phường Hoàn Kiếm"));
    let ask = h.state().form.as_ref().and_then(|f| f.asking.as_ref()).expect("asked");
    assert!(ask.ticks.iter().all(|(_, on)| !on), "nothing pre-selected");
    assert!(!has_text(&h, "Công dân đồng ý — điền"), "the clerk cannot answer");
    // The citizen ticks their name only and agrees.
    h.query_all_by_label_contains("Họ, chữ đệm, tên: Nguyễn Thị Thu Hà").last().expect("name").click();
    h.run_steps(2);
    press(&mut h, "Đồng ý (phím 1)");
    let s = h.state().form.as_ref().expect("form");
    assert!(s.asking.is_none());
    assert_eq!(s.consented.iter().cloned().collect::<Vec<_>>(), ["full_name"]);
    let st = &h.state().store;
    let r = st.consents_of(&st.subject("079195012345").expect("subject")).expect("consents");
    assert_eq!(
        (r[0].purpose.as_str(), r[0].method.as_str(), r[0].fields.as_str()),
        ("form:TK-XNTTHN", "citizen_screen", "full_name")
    );
    assert_eq!(r[0].recipient, "UBND phường Hoàn Kiếm");
}

#[test]
fn saving_a_visit_twice_stores_it_once_and_says_so() {
    let mut h = harness(demo());
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Lưu lượt tiếp đón");
    let first = h.state().checkin.as_ref().and_then(|c| c.queue_no).expect("queue number");
    press(&mut h, "Lưu lượt tiếp đón");
    assert!(has_text(&h, "Lượt này đã được lưu rồi — không lưu lần hai."), "{:?}", h.state().notice);
    assert_eq!(h.state().checkin.as_ref().and_then(|c| c.queue_no), Some(first));
    assert_eq!(h.state().store.checkins(10).expect("rows").len(), 1, "one row for one visit");
    let saves = h.state().store.audit_log(20).expect("audit").iter().filter(|a| a.action == "checkin").count();
    assert_eq!(saves, 1);
    // The next person is a new visit: a new row, the next number.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    read_with_can(&mut h);
    press(&mut h, "Lưu lượt tiếp đón");
    assert_eq!(h.state().checkin.as_ref().and_then(|c| c.queue_no), Some(first + 1));
}

#[test]
fn with_large_text_the_consent_dialogs_fit_1366_by_768_and_their_buttons_are_reachable() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.state_mut().set_large_text(true);
    h.run_steps(3);
    read_with_can(&mut h);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1366.0, 768.0));
    // The longest list: printing (every field of the chip), then the HIS.
    for action in ["In phiếu", "Gửi sang HIS"] {
        press(&mut h, action);
        for button in ["Công dân đồng ý — gửi", "Không đồng ý", "In phiếu để người dân đọc, đánh dấu và ký"]
        {
            let r = h.get_by_label(button).rect();
            assert!(screen.contains_rect(r), "{action}: {button} at {r:?} is off the 1366×768 screen");
        }
        // Enter does not answer; Esc is "back", not a refusal.
        h.key_press(egui::Key::Escape);
        h.run_steps(3);
        assert!(h.state().consent.is_none());
    }
    let refused = h.state().store.audit_log(20).expect("audit").iter().filter(|a| a.action == "refused").count();
    assert_eq!(refused, 0, "no refusal was recorded");
    // And an answer by mouse works with large text.
    press(&mut h, "Gửi sang HIS");
    h.get_by_label("Công dân đồng ý — gửi").click();
    h.run_steps(3);
    wait(&mut h, "the HIS", |_| !hospital.received().is_empty());
}

#[test]
fn technical_details_are_a_readable_table_and_a_wrong_number_is_answered_without_jargon() {
    let mut h = harness(demo());
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Chi tiết kỹ thuật");
    h.run_steps(3);
    for text in
        ["Kết nối bảo mật", "mở bằng 6 số cuối của số định danh", "Chữ ký của cơ quan cấp", "Chống sao chép chip"]
    {
        assert!(has_text(&h, text), "{text}");
    }
    for debug in ["Pace {", "protocol:", "password: Can", "Verdict", "DG1:"] {
        assert!(!has_text(&h, debug), "program text on screen: {debug}");
    }
    // A wrong ID number: the clerk is told to check the number printed on the card (cards print
    // no CAN).
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    type_into(&mut h, "Số định danh", "079195999999");
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the refusal", |a| matches!(a.phase, Phase::Entry { error: Some(_) }));
    assert!(has_text(&h, "kiểm tra lại số định danh 12 số in trên thẻ"));
    assert!(
        !h.query_all_by_label_contains("CAN").any(|n| n.accesskit_node().label().is_some_and(|l| l.contains("số CAN")))
    );
}

#[test]
fn demo_mode_writes_nothing_until_the_clerk_names_a_folder_and_cancel_writes_nothing() {
    let mut h = harness(demo());
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Xuất CSV");
    press(&mut h, "Công dân đồng ý — gửi");
    let name = h.state().pending_save.as_ref().map(|p| p.name.clone()).expect("asked where");
    assert_eq!(
        h.state().pending_save.as_ref().map(|p| p.folder.clone()),
        Some(String::new()),
        "demo proposes no folder"
    );
    // Saving without a folder writes nothing and says why.
    press(&mut h, "Lưu vào thư mục này");
    assert!(has_text(&h, "Chọn thư mục để lưu trước"));
    let default = std::path::PathBuf::from(cancuoc_desk::store::Settings::default().export_dir);
    assert!(!default.join(&name).exists() && !std::path::Path::new(&name).exists());
    // Cancel: nothing written, the check-in still on screen, nothing audited as exported.
    press(&mut h, "Hủy — không lưu");
    assert!(h.state().pending_save.is_none() && h.state().checkin.is_some());
    assert!(has_text(&h, "Không lưu tệp nào."));
    assert!(h.state().store.audit_log(20).expect("audit").iter().all(|a| a.action != "export_csv"));
    // Named: written there, owner-only.
    let dir = tempfile::tempdir().expect("tmp");
    press(&mut h, "Xuất CSV");
    type_into(&mut h, "Thư mục", dir.path().to_str().expect("utf-8"));
    press(&mut h, "Lưu vào thư mục này");
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").flatten().collect();
    assert_eq!(files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(files[0].metadata().expect("meta").permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn a_card_that_is_not_verified_fills_checks_and_sends_nothing_until_the_clerk_gives_a_reason() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let dir = tempfile::tempdir().expect("tmp");
    let printed = dir.path().join("slip.txt");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.state_mut().settings.print_command = format!("tee {}", printed.display());
    h.state_mut().scenario.variant = "tampered-dg13".into();
    h.run_steps(1);
    read_with_can(&mut h);
    assert_eq!(h.state().checkin.as_ref().expect("result").status(), Status::NotVerified);
    assert!(has_text(&h, "Dữ liệu chỉ để so sánh"));
    // The insurer is not asked, nothing is saved or printed.
    for button in ["Kiểm tra thẻ BHYT", "Lưu lượt tiếp đón", "In phiếu", "Gửi sang HIS"] {
        press(&mut h, button);
        assert!(h.state().consent.is_none(), "{button} asked for consent on an unverified card");
        assert!(has_text(&h, "Thẻ chưa xác thực: không điền, kiểm tra hay gửi"), "{button}");
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(hospital.received().is_empty());
    assert!(h.state().store.checkins(10).expect("rows").is_empty());
    // The override needs a reason; it is audited and printed on the slip.
    type_into(&mut h, "Lý do", "người bệnh cấp cứu, đối chiếu giấy tờ sau");
    press(&mut h, "Vẫn dùng thẻ này (ghi lý do vào nhật ký)");
    let audit = h.state().store.audit_log(20).expect("audit");
    let o = audit.iter().find(|a| a.action == "override_unverified").expect("override audited");
    assert!(o.detail.contains("not_verified") && o.detail.contains("cấp cứu"), "{o:?}");
    press(&mut h, "In phiếu");
    press(&mut h, "Công dân đồng ý — gửi");
    let slip = std::fs::read_to_string(&printed).expect("printed");
    assert!(slip.contains("Điền khi thẻ chưa xác thực — lý do: người bệnh cấp cứu, đối chiếu giấy tờ sau"), "{slip}");
    // The insurer's advice does not assume the (forged) chip is right.
    press(&mut h, "Kiểm tra thẻ BHYT");
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the insurer's answer", |a| a.checkin.as_ref().is_some_and(|c| matches!(c.bhyt, BhytState::Done(_))));
    assert!(has_text(&h, "không dùng dữ liệu trên chip để đối chiếu hay sửa hồ sơ BHXH"));
    assert!(!has_text(&h, "nếu chip đúng"));
}

#[test]
fn no_printing_system_is_said_in_plain_words_not_as_an_os_error() {
    let mut h = harness(demo());
    h.state_mut().settings.print_command = "lp-that-is-not-installed-here".into();
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "In phiếu");
    press(&mut h, "Công dân đồng ý — gửi");
    assert!(has_text(&h, "Máy này chưa có hệ thống in"), "{:?}", h.state().notice);
    assert!(!has_text(&h, "os error") && !has_text(&h, "No such file"));
}

#[test]
fn the_audit_log_in_history_reads_in_words_not_program_keys() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Kiểm tra thẻ BHYT");
    press(&mut h, "Công dân đồng ý — gửi");
    press(&mut h, "Lưu lượt tiếp đón");
    press(&mut h, "Lịch sử");
    for words in ["kiểm tra thẻ BHYT", "lưu lượt", "số định danh, họ tên, ngày sinh"] {
        assert!(has_text(&h, words), "{words}");
    }
    for key in ["export_csv", "bhyt_history", "id_number,full_name"] {
        assert!(!has_text(&h, key), "program key on screen: {key}");
    }
}

#[test]
fn the_his_patient_number_is_shown_and_the_slip_carries_the_site_and_the_queue_number() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let dir = tempfile::tempdir().expect("tmp");
    let printed = dir.path().join("slip.txt");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.state_mut().settings.print_command = format!("tee {}", printed.display());
    h.state_mut().settings.site_name = "Bệnh viện Đa khoa Thử nghiệm".into();
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Gửi sang HIS");
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the HIS's answer", |a| a.checkin.as_ref().is_some_and(|c| c.his_patient_id.is_some()));
    let id = h.state().checkin.as_ref().and_then(|c| c.his_patient_id.clone()).expect("id");
    assert!(has_text(&h, &format!("Mã bệnh nhân của HIS: {id}")));
    press(&mut h, "Lưu lượt tiếp đón");
    press(&mut h, "In phiếu");
    press(&mut h, "Công dân đồng ý — gửi");
    let slip = std::fs::read_to_string(&printed).expect("printed");
    assert!(slip.starts_with("Bệnh viện Đa khoa Thử nghiệm"), "{slip}");
    assert!(slip.contains("Số thứ tự:") && slip.contains(&id), "{slip}");
    assert!(slip.contains("Quầy:"), "the counter: {slip}");
}

#[test]
fn the_practice_card_hint_follows_the_chosen_card() {
    let mut h = harness(demo());
    h.run_steps(1);
    assert!(has_text(&h, "Thẻ mô phỏng: số định danh là 079195012345."));
    h.state_mut().scenario.variant = "can-cuoc-2024".into();
    h.run_steps(2);
    assert!(has_text(&h, "Thẻ mô phỏng: số định danh là 001217004567."));
    assert!(!has_text(&h, "079195012345."));
    // The list speaks Vietnamese, by group; picking by name reads that card.
    let combo = h.get_by_role(egui::accesskit::Role::ComboBox);
    let shown = combo.accesskit_node().value().unwrap_or_default();
    assert_eq!(shown, "Thẻ căn cước 2024 thật (công dân khác, là trẻ em)", "the chosen card by its Vietnamese name");
    combo.click();
    h.run_steps(3);
    for group in ["Thẻ thật", "Thẻ giả hoặc bị sửa", "Chip sao chép (nhái)", "Chứng thư hết hạn hoặc bị thu hồi"]
    {
        assert!(h.query_by_label(group).is_some(), "group {group:?} in the list");
    }
    assert!(h.query_by_label("tampered-dg13").is_none(), "no program names in the list");
    press(&mut h, "GIẢ: họ tên bị sửa một chữ");
    assert_eq!(h.state().scenario.variant, "tampered-dg13");
    read_with_can(&mut h);
    assert!(has_text(&h, "KHÔNG DÙNG THẺ NÀY"), "{:?}", h.state().checkin.as_ref().map(|c| c.status()));
}

/// The ward counter in its own words; the marriage form's second card keeps the form's context
/// and a way back; the legal checks are told, not blocking; each side's answer box says whose it
/// is; DC02 shows its section II; the legal basis reads in the clerk's language.
#[test]
fn the_ward_counter_speaks_its_own_words_and_the_marriage_form_tells_what_to_ask() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::WardCommittee, &dir.path().join("p.pdf"));
    assert!(has_text(&h, "Tiếp nhận hồ sơ") && !has_text(&h, "Tiếp đón"), "the first tab in the counter's words");
    read_with_can(&mut h);
    assert!(has_text(&h, "Lưu lượt tiếp nhận") && !has_text(&h, "Lưu lượt tiếp đón"));
    press(&mut h, "TK-KH — Tờ khai đăng ký kết hôn");
    press(&mut h, "Công dân đồng ý — điền");
    assert!(has_text(&h, "Thông tư 04/2020/TT-BTP, mẫu được thay thế bởi Thông tư 04/2024/TT-BTP"));
    // One box per side, each saying whose.
    assert!(has_text(&h, "Kết hôn lần thứ mấy — Bên nữ") && has_text(&h, "Kết hôn lần thứ mấy — Bên nam"));
    // The bride's chip names a spouse: told, with the way to check.
    let spouse = "Bên nữ: chip ghi tên vợ/chồng «Lê Minh Đức»";
    assert!(h.query_by_label_contains(spouse).is_some(), "the spouse on the chip is told");
    press(&mut h, "Đọc thẻ của Bên nam");
    // The key entry says whose card, for which form, and goes back without losing anything.
    assert!(has_text(&h, "Đọc thẻ của Bên nam — TK-KH — Tờ khai đăng ký kết hôn"));
    press(&mut h, "Quay lại biểu mẫu");
    assert!(matches!(h.state().phase, cancuoc_desk::app::Phase::Result));
    assert!(page_text(&h).contains("Nguyễn Thị Thu Hà"), "the form as it was");
    press(&mut h, "Đọc thẻ của Bên nam");
    h.state_mut().scenario.variant = "can-cuoc-2024".into();
    type_into(&mut h, "Số định danh", cancuoc_sim::PERSONA_2024.id_number);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the second card", |a| a.form.as_ref().is_some_and(|f| f.people[1].is_some()));
    press(&mut h, "Công dân đồng ý — điền");
    // The 2024 card's citizen is a child (born 2017): told, with the law; the form still fills.
    let age = h.state().form_warnings();
    assert!(
        age.iter().any(|w| w.starts_with("Bên nam: 9 tuổi — chưa đủ 20 tuổi (Luật Hôn nhân và gia đình 2014, Điều 8")),
        "{age:?}"
    );
    assert!(h.query_by_label_contains("chưa đủ 20 tuổi").is_some());
    assert!(page_text(&h).contains(cancuoc_sim::PERSONA_2024.full_name), "a warning, not a block");
    press(&mut h, "Xong biểu mẫu");
    // English: the legal basis in English too.
    h.state_mut().set_lang(cancuoc_desk::i18n::Lang::En);
    h.run_steps(2);
    press(&mut h, "TK-KH — Tờ khai đăng ký kết hôn");
    press(&mut h, "The citizen agrees — fill");
    assert!(has_text(&h, "Circular 04/2020/TT-BTP, the forms as replaced by Circular 04/2024/TT-BTP"));
}

#[test]
fn the_police_counter_has_its_own_addressee_and_dc02_shows_section_two() {
    let dir = tempfile::tempdir().expect("tmp");
    let printed = dir.path().join("p.pdf");
    let mut h = ward_desk(cancuoc_desk::store::CounterMode::CommunePolice, &printed);
    read_with_can(&mut h);
    press(&mut h, "DC02 — Phiếu đề nghị giải quyết thủ tục về căn cước");
    press(&mut h, "Công dân đồng ý — điền");
    let page = page_text(&h);
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s:?} in {page}"));
    assert!(
        at("I. THÔNG TIN NGƯỜI ĐỀ NGHỊ") < at("II. THÔNG TIN NGƯỜI ĐẠI DIỆN")
            && at("II. THÔNG TIN") < at("III. NỘI DUNG")
    );
    assert!(page.contains("Kính gửi: Công an phường Hoàn Kiếm") && page.contains("Hà Nội, ngày"), "{page}");
    assert!(has_text(&h, "Đọc thẻ của Người đại diện (nếu có)"), "the representative's card can be read");
    // The page can be zoomed to a readable size (it was ~7 px text with no zoom).
    let width = |h: &Harness<'static, App>| h.get_by_label_contains("Trang 1/").rect().width();
    let before = width(&h);
    assert!(h.get_by_label("Phóng to trang").rect().max.x <= 1366.0, "on screen");
    press(&mut h, "Phóng to trang");
    press(&mut h, "Phóng to trang");
    assert!(has_text(&h, "200 %"), "zoom {:?}", h.state().form.as_ref().map(|f| f.zoom));
    assert!(width(&h) >= 1.9 * before, "{before} → {}", width(&h));
    press(&mut h, "Thu nhỏ trang");
    assert!(has_text(&h, "150 %"));
    assert!(has_text(&h, "Thông tư 17/2024/TT-BCA, khoản 2 Điều 9"));
}

/// History finds a visit by name (without diacritics), ID number or date; reprints its queue
/// slip (audited); cancels it only with a reason (audited, the row gone, its number not reused);
/// Esc backs out of the cancel without cancelling.
#[test]
fn history_searches_reprints_and_cancels_a_visit_with_a_reason() {
    let dir = tempfile::tempdir().expect("tmp");
    let printed = dir.path().join("slip.txt");
    let mut h = harness(demo());
    h.state_mut().settings.print_command = format!("tee {}", printed.display());
    h.state_mut().settings.site_name = "Bệnh viện Đa khoa Thử nghiệm".into();
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Lưu lượt tiếp đón");
    press(&mut h, "Người tiếp theo (Esc)");
    h.state_mut().scenario.variant = "can-cuoc-2024".into();
    type_into(&mut h, "Số định danh", cancuoc_sim::PERSONA_2024.id_number);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the second card", |a| a.checkin.is_some());
    press(&mut h, "Lưu lượt tiếp đón");
    press(&mut h, "Lịch sử");
    assert!(has_text(&h, "Nguyễn Thị Thu Hà") && has_text(&h, "Phạm Gia Bảo"));
    type_into(&mut h, "Tìm (họ tên, số định danh hoặc ngày dd/mm/yyyy)", "thu ha");
    assert!(has_text(&h, "Nguyễn Thị Thu Hà") && !has_text(&h, "Phạm Gia Bảo"), "by name, diacritics not needed");
    h.state_mut().history_query = cancuoc_sim::PERSONA_2024.id_number[..8].into();
    h.run_steps(2);
    assert!(!has_text(&h, "Nguyễn Thị Thu Hà") && has_text(&h, "Phạm Gia Bảo"), "by ID number");
    h.state_mut().history_query = cancuoc_desk::app::today();
    h.run_steps(2);
    assert!(has_text(&h, "Nguyễn Thị Thu Hà") && has_text(&h, "Phạm Gia Bảo"), "by today's date");
    h.state_mut().history_query = "01/01/2001".into();
    h.run_steps(2);
    assert!(has_text(&h, "Không tìm thấy lượt nào."));
    h.state_mut().history_query = "Phạm".into();
    h.run_steps(2);
    // Reprint: the queue slip, marked, without the ID number.
    press(&mut h, "In lại phiếu");
    let slip = std::fs::read_to_string(&printed).expect("printed");
    assert!(slip.starts_with("Bệnh viện Đa khoa Thử nghiệm") && slip.contains("IN LẠI"), "{slip}");
    assert!(slip.contains("Số thứ tự:") && slip.contains("2") && slip.contains("Phạm Gia Bảo"), "{slip}");
    assert!(!slip.contains(cancuoc_sim::PERSONA_2024.id_number), "no ID number on the queue slip");
    // Cancel: Esc backs out, nothing cancelled.
    press(&mut h, "Hủy lượt");
    assert!(has_text(&h, "Hủy lượt đã lưu"));
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().cancelling.is_none());
    assert_eq!(h.state().store.checkins(10).expect("rows").len(), 2, "Esc cancels nothing");
    // Without a reason the button does nothing; with one the visit goes, audited.
    press(&mut h, "Hủy lượt");
    press(&mut h, "Hủy lượt này");
    assert_eq!(h.state().store.checkins(10).expect("rows").len(), 2, "not without a reason");
    type_into(&mut h, "Lý do hủy", "lưu nhầm người");
    press(&mut h, "Hủy lượt này");
    let rows = h.state().store.checkins(10).expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].full_name.as_deref(), Some("Nguyễn Thị Thu Hà"));
    let log = h.state().store.audit_log(20).expect("log");
    let c = log.iter().find(|a| a.action == "checkin_cancel").expect("audited");
    assert_eq!(c.detail, "queue 2; reason: lưu nhầm người");
    assert!(log.iter().any(|a| a.action == "reprint"));
    assert!(has_text(&h, "hủy lượt") && has_text(&h, "in lại phiếu"), "the log in words");
    // The next visit gets the next number, not the cancelled one's.
    press(&mut h, "Tiếp đón");
    press(&mut h, "Người tiếp theo (Esc)");
    h.state_mut().scenario.variant = "rsa".into();
    read_with_can(&mut h);
    press(&mut h, "Lưu lượt tiếp đón");
    assert_eq!(h.state().checkin.as_ref().and_then(|c| c.queue_no), Some(3));
}

/// The settings behind an administrator PIN: set twice on the settings page, kept only as its
/// PBKDF2 hash, asked again after leaving the page; a wrong PIN is said and audited, five in a
/// row wait a minute; every change is audited by setting name.
#[test]
fn the_settings_are_locked_behind_an_administrator_pin() {
    let dir = tempfile::tempdir().expect("tmp");
    let opts = Options { data_dir: Some(dir.path().into()), ..demo() };
    {
        let mut h = harness(opts.clone());
        press(&mut h, "Cài đặt");
        // Two different PINs are refused; so is a three-digit one.
        type_into(&mut h, "Mã PIN quản trị mới (4–12 chữ số; để trống: giữ nguyên)", "2468");
        type_into(&mut h, "Nhập lại mã PIN mới", "2469");
        press(&mut h, "Lưu cài đặt");
        assert!(has_text(&h, "Mã PIN phải gồm 4–12 chữ số"), "{:?}", h.state().notice);
        assert!(h.state().settings.admin_pin.is_empty());
        h.state_mut().draft_pin = ("2468".into(), "2468".into());
        h.state_mut().draft.retention_days = 7;
        press(&mut h, "Lưu cài đặt");
        assert!(has_text(&h, "Đã lưu cài đặt."), "{:?}", h.state().notice);
        let stored = h.state().settings.admin_pin.clone();
        assert!(stored.starts_with("pbkdf2-sha256$") && !stored.contains("2468"));
        let log = h.state().store.audit_log(10).expect("log");
        let change = log.iter().find(|a| a.action == "settings").expect("the change is audited");
        assert!(change.fields.contains("admin_pin") && change.fields.contains("retention_days"), "{change:?}");
        assert!(!change.fields.contains('$') && change.detail.is_empty(), "names only: {change:?}");
    }
    let db = std::fs::read(dir.path().join("desk.sqlite")).expect("db");
    assert!(!String::from_utf8_lossy(&db).contains("\"2468\""), "the PIN itself is not on disk");
    // A new start: the page is locked; nothing of it is shown or changeable.
    let mut h = harness(opts);
    press(&mut h, "Cài đặt");
    assert!(has_text(&h, "Cài đặt đã khóa"));
    assert!(!has_text(&h, "Địa chỉ cổng BHYT") && !has_text(&h, "Giữ dữ liệu cá nhân") && !has_text(&h, "Lưu cài đặt"));
    type_into(&mut h, "Mã PIN quản trị", "1111");
    press(&mut h, "Mở khóa");
    assert!(has_text(&h, "Mã PIN không đúng.") && has_text(&h, "Cài đặt đã khóa"));
    let wrong = h.state().store.audit_log(10).expect("log");
    assert!(wrong.iter().any(|a| a.action == "settings_unlock_failed"));
    type_into(&mut h, "Mã PIN quản trị", "2468");
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(has_text(&h, "Lưu cài đặt") && has_text(&h, "Địa chỉ cổng BHYT"), "open with the right PIN (Enter)");
    // Leaving the page locks it again.
    press(&mut h, "Lịch sử");
    press(&mut h, "Cài đặt");
    assert!(has_text(&h, "Cài đặt đã khóa"));
    // Five wrong in a row: no PIN is taken for a minute, not even the right one.
    for _ in 0..5 {
        h.state_mut().pin_entry = "0000".into();
        press(&mut h, "Mở khóa");
    }
    assert!(has_text(&h, "Nhập sai nhiều lần. Thử lại sau"));
    h.state_mut().pin_entry = "2468".into();
    h.state_mut().unlock_settings();
    h.run_steps(2);
    assert!(!h.state().settings_open() && has_text(&h, "Cài đặt đã khóa"));
}

/// The site's facility table names a registered facility the gateway's answer leaves unnamed; a
/// code in no table says so rather than guessing.
#[test]
fn the_site_s_facility_table_names_the_registered_facility() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("co-so-kcb.tsv"), "01001\tBệnh viện Đa khoa Phố Huế\n").expect("table");
    let mut h = harness(Options { data_dir: Some(dir.path().into()), ..demo() });
    use_hospital(&mut h, &hospital);
    h.state_mut().settings.site_id = "79005".into();
    read_and_check_insurance(&mut h);
    assert!(has_text(&h, "01001 — Bệnh viện Đa khoa Phố Huế (theo bảng cơ sở KCB của cơ sở)"));
    assert!(has_text(&h, "Đăng ký khám chữa bệnh ban đầu ở cơ sở khác"));
    h.state_mut().facility_names.clear();
    h.run_steps(2);
    assert!(has_text(&h, "01001 — (tên chưa có trong bảng cơ sở KCB)"));
}

/// A consent line is never cut: the HIS consent's insurance line carries the whole result (it was
/// cut at 110 characters, mid-word), wrapped inside the dialog at 1366×768.
#[test]
fn a_long_consent_line_wraps_inside_the_dialog_and_is_never_cut() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.state_mut().settings.large_text = true;
    read_and_check_insurance(&mut h);
    let summary = h.state().checkin.as_ref().map(|c| c.bhyt_summary(cancuoc_desk::i18n::Lang::Vi)).expect("summary");
    assert!(summary.chars().count() > 80, "a long line: {summary}");
    press(&mut h, "Gửi sang HIS");
    let node = h.get_by_label_contains(&summary);
    let r = node.rect();
    assert!(r.max.x <= 1366.0 && r.max.y <= 768.0 && r.min.x >= 0.0, "inside the window: {r:?}");
    assert!(r.height() > 30.0, "wrapped onto more than one line: {r:?}");
}

/// Every dialog's buttons on the 1366×768 screen and reachable by Tab, with large text, in
/// Vietnamese and in English: the sending consent, the form's consent, the save dialog and the
/// cancel-visit dialog.
#[test]
fn every_dialog_fits_and_its_buttons_take_the_keyboard_in_both_languages_with_large_text() {
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1366.0, 768.0));
    let reachable = |h: &mut Harness<'static, App>, what: &str, buttons: &[&str]| {
        for b in buttons {
            let r = h.get_by_label(b).rect();
            assert!(screen.contains_rect(r), "{what}: {b} at {r:?} is off the screen");
        }
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..60 {
            h.key_press(egui::Key::Tab);
            h.run_steps(1);
            for b in buttons {
                if h.query_by_label(b).is_some_and(|n| n.is_focused()) && !seen.iter().any(|s| s == b) {
                    seen.push(b.to_string());
                }
            }
            if seen.len() == buttons.len() {
                break;
            }
        }
        assert_eq!(seen.len(), buttons.len(), "{what}: Tab reached only {seen:?} of {buttons:?}");
    };
    for english in [false, true] {
        let hospital = Hospital::start(HospitalConfig::default()).expect("server");
        let dir = tempfile::tempdir().expect("tmp");
        let mut h = harness(demo());
        use_hospital(&mut h, &hospital);
        h.state_mut().set_large_text(true);
        if english {
            h.state_mut().set_lang(cancuoc_desk::i18n::Lang::En);
        }
        h.state_mut().settings.export_dir = dir.path().to_string_lossy().into_owned();
        h.run_steps(3);
        read_with_can(&mut h);
        let t = h.state().tr();
        // The sending consent (the HIS).
        press(&mut h, t.send_his);
        reachable(&mut h, "HIS consent", &[t.consent_agree, t.consent_refuse, t.print_slip]);
        h.key_press(egui::Key::Escape);
        h.run_steps(2);
        // The save dialog (CSV), after its consent.
        press(&mut h, t.export_csv);
        press(&mut h, t.consent_agree);
        reachable(&mut h, "save dialog", &[t.save_ok, t.save_cancel]);
        press(&mut h, t.save_ok);
        // The cancel-visit dialog in History.
        press(&mut h, t.save_checkin);
        press(&mut h, t.tab_history);
        press(&mut h, t.cancel_visit);
        assert!(h.state().cancelling.is_some(), "{english}: {:?}", h.get_by_label(t.cancel_visit).rect());
        type_into(&mut h, t.cancel_visit_reason, "x");
        reachable(&mut h, "cancel dialog", &[t.cancel_visit_ok, t.cancel_visit_back]);
        h.key_press(egui::Key::Escape);
        h.run_steps(2);
        assert!(h.state().cancelling.is_none());
        // The ward's form consent.
        h.state_mut().settings.counter_mode = cancuoc_desk::store::CounterMode::WardCommittee;
        h.run_steps(2);
        let first_tab = h.state().counter_words().1;
        press(&mut h, first_tab);
        press(&mut h, t.next_person);
        read_with_can(&mut h);
        press(&mut h, "TK-KH — Tờ khai đăng ký kết hôn");
        reachable(&mut h, "form consent", &[t.form_consent_agree, t.form_consent_refuse]);
    }
}

/// Windows has no print command (its default is none): printing saves the document where the
/// clerk says and opens it in the PC's viewer; the consent slip counts as printed only once saved.
#[test]
fn without_a_print_command_printing_saves_where_the_clerk_says_and_the_slip_counts_once_saved() {
    let hospital = Hospital::start(HospitalConfig::default()).expect("server");
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = harness(demo());
    use_hospital(&mut h, &hospital);
    h.state_mut().settings.print_command = String::new();
    h.state_mut().settings.site_id = "01001".into();
    h.run_steps(1);
    read_with_can(&mut h);
    // The queue slip: the save dialog, nothing written or audited before the clerk says where.
    press(&mut h, "In phiếu");
    if h.state().consent.is_some() {
        press(&mut h, "Công dân đồng ý — gửi");
    }
    let name = h.state().pending_save.as_ref().map(|p| p.name.clone()).expect("asked where");
    assert!(name.starts_with("phieu-tiep-don-") && name.ends_with(".txt"), "{name}");
    assert!(h.state().store.audit_log(50).expect("audit").iter().all(|a| a.action != "print"));
    type_into(&mut h, "Thư mục", dir.path().to_str().expect("utf-8"));
    press(&mut h, "Lưu vào thư mục này");
    let slip = std::fs::read_to_string(dir.path().join(&name)).expect("saved");
    assert!(slip.contains("PHIẾU TIẾP ĐÓN") && slip.contains("Nguyễn Thị Thu Hà"), "{slip}");
    assert!(h.state().store.audit_log(50).expect("audit").iter().any(|a| a.action == "print"));
    // Saved and opened, or saved and to be opened by hand (no viewer here): either way said.
    let said = h.state().notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(said.starts_with("Đã lưu") && said.contains(&name), "{said}");

    // The consent slip: Esc on the save dialog is not an answer and no slip is counted.
    let consents = |h: &Harness<'static, App>| {
        let st = &h.state().store;
        st.consents_of(&st.subject("079195012345").expect("subject")).expect("consents")
    };
    let before = consents(&h).len();
    press(&mut h, "Kiểm tra thẻ BHYT");
    press(&mut h, "In phiếu để người dân đọc, đánh dấu và ký");
    assert!(h.state().pending_save.is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().pending_save.is_none());
    let ask = h.state().consent.as_ref().expect("the question still open");
    assert_eq!(ask.slip, None);
    assert_eq!(consents(&h).len(), before, "Esc recorded an answer");
    // Saved: the slip's number is the one on the saved PDF, and the signed answer names it.
    press(&mut h, "In phiếu để người dân đọc, đánh dấu và ký");
    let name = h.state().pending_save.as_ref().map(|p| p.name.clone()).expect("asked where");
    type_into(&mut h, "Thư mục", dir.path().to_str().expect("utf-8"));
    press(&mut h, "Lưu vào thư mục này");
    let number = h.state().consent.as_ref().and_then(|a| a.slip.clone()).expect("slip number once saved");
    assert_eq!(name, format!("phieu-dong-y-{number}.pdf"));
    let text = pdf_text(&dir.path().join(&name));
    assert!(text.contains("PHIẾU ĐỒNG Ý XỬ LÝ DỮ LIỆU CÁ NHÂN") && text.contains(&number), "{text}");
    press(&mut h, "Phiếu đã ký: ĐỒNG Ý");
    let r = consents(&h);
    assert_eq!(r.len(), before + 1);
    assert!(
        r.iter().any(|c| c.method == format!("signed_slip:{number}")),
        "{:?}",
        r.iter().map(|c| &c.method).collect::<Vec<_>>()
    );
}

/// The face comparison (issue 42) as the clerk meets it, with a picture file as the camera: the
/// button under a verified chip's photo; the citizen's consent to this purpose with nothing
/// ticked for them (agreeing without the photo compares nothing and asks again next time); the
/// simulated card's drawn photo → "cannot compare: no face on the chip"; Esc records no
/// decision; with a real face as the chip's photo (the public-domain test face, as a real card
/// would carry) → "same", the boxes, the distance, and the clerk's decision audited without any
/// picture, descriptor or distance.
/// The camera and the comparison run off the screen's thread: frames until the advice is up.
fn wait_advice(h: &mut Harness<'static, App>) {
    use cancuoc_desk::app::FaceStep;
    wait(h, "the face advice", |a| a.face.as_ref().is_some_and(|f| matches!(f.step, FaceStep::Result)));
}

#[test]
fn face_comparison_asks_consent_advises_and_audits_only_the_decision() {
    let pictures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/face/tests/pictures");
    let mut h = harness(Options { camera_file: Some(pictures.join("obama2.jpg")), ..demo() });
    read_with_can(&mut h);
    let t = h.state().tr();
    assert!(h.state().face_available());
    press(&mut h, t.face_button);
    assert!(has_text(&h, t.purpose_face), "the consent question names the purpose");
    let photo_box = h.query_all_by_label_contains("Ảnh chân dung —").next().expect("the photo's box");
    assert_eq!(photo_box.accesskit_node().toggled(), Some(egui::accesskit::Toggled::False), "nothing pre-selected");
    // Agreed without the photo: nothing is compared, and the question comes back next time.
    press(&mut h, t.consent_agree);
    assert!(h.state().face.is_none());
    assert_eq!(h.state().notice.as_ref().map(|n| n.text.as_str()), Some(t.face_need_photo));
    press(&mut h, t.face_button);
    h.query_all_by_label_contains("Ảnh chân dung —").next().expect("the photo's box").click();
    h.run_steps(2);
    press(&mut h, t.consent_agree);
    assert!(has_text(&h, t.face_look), "the camera step");
    h.key_press(egui::Key::Enter);
    wait_advice(&mut h);
    assert!(has_text(&h, "KHÔNG SO ĐƯỢC"), "the simulated card's drawing has no face");
    assert!(has_text(&h, "Ảnh trên chip: không thấy khuôn mặt."));
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().face.is_none());
    assert_eq!(h.state().notice.as_ref().map(|n| n.text.as_str()), Some(t.face_closed));
    let decisions = |h: &Harness<'static, App>| {
        h.state()
            .store
            .audit_log(50)
            .expect("audit")
            .into_iter()
            .filter(|r| r.action == "face_decision")
            .collect::<Vec<_>>()
    };
    assert!(decisions(&h).is_empty(), "Esc is no decision");

    // A chip carrying a real face (a real card's photo is one): "same" for the same person.
    let chip = std::fs::read(pictures.join("obama_dg2.jp2")).expect("jp2");
    let ctx = h.ctx.clone();
    let app = h.state_mut();
    app.photo_texture = Some(
        cancuoc_desk::photo::decode(&chip, "image/jp2")
            .map(|img| ctx.load_texture("face", img, egui::TextureOptions::LINEAR)),
    );
    app.checkin.as_mut().expect("read").photo = Some((chip, "image/jp2"));
    h.run_steps(2);
    press(&mut h, t.face_button); // consent already given for this visit
    h.key_press(egui::Key::Enter);
    wait_advice(&mut h);
    assert!(has_text(&h, "GIỐNG NHAU"), "same person");
    assert!(has_text(&h, "Khoảng cách 0,"), "the distance, with the decimal comma");
    let c = h.state().face.as_ref().and_then(|f| f.comparison.clone()).expect("comparison");
    assert_eq!((c.chip_faces.len(), c.live_faces.len()), (1, 1));
    press(&mut h, t.face_is_holder);
    assert!(h.state().face.is_none(), "the pictures go with the dialog");
    let rows = decisions(&h);
    assert_eq!(rows.len(), 1, "{rows:?}");
    // A camera that fails (here: a file that is not a picture) is said, and nothing is decided.
    h.state_mut().opts.camera_file = Some(pictures.join("PROVENANCE.md"));
    press(&mut h, t.face_button);
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the camera's error", |a| {
        a.face.as_ref().is_some_and(|f| matches!(f.step, cancuoc_desk::app::FaceStep::Camera { error: Some(_) }))
    });
    assert!(has_text(&h, t.face_camera_failed), "the error is said");
    press(&mut h, t.face_close);
    assert_eq!(decisions(&h).len(), 1, "no decision from a failed camera");
    assert_eq!(rows[0].detail, "decision=holder; advice=same");
    assert_eq!(rows[0].purpose.as_deref(), Some("face_compare"));

    // Large text, in English: the advice and its four buttons fit 1366×768 and Tab reaches them.
    h.state_mut().opts.camera_file = Some(pictures.join("obama2.jpg"));
    h.state_mut().set_large_text(true);
    h.state_mut().set_lang(cancuoc_desk::i18n::Lang::En);
    h.run_steps(3);
    let t = h.state().tr();
    press(&mut h, t.face_button);
    h.key_press(egui::Key::Enter);
    wait_advice(&mut h);
    assert!(has_text(&h, "SAME PERSON") && has_text(&h, "Distance 0."), "English words, decimal point");
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1366.0, 768.0));
    let buttons = [t.face_is_holder, t.face_not_holder, t.face_retake, t.face_close];
    for b in buttons {
        let r = h.get_by_label(b).rect();
        assert!(screen.contains_rect(r), "{b} at {r:?} is off the screen");
    }
    let mut seen: Vec<&str> = Vec::new();
    for _ in 0..40 {
        h.key_press(egui::Key::Tab);
        h.run_steps(1);
        for b in buttons {
            if h.query_by_label(b).is_some_and(|n| n.is_focused()) && !seen.contains(&b) {
                seen.push(b);
            }
        }
    }
    assert_eq!(seen.len(), buttons.len(), "Tab reached only {seen:?}");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().face.is_none());
    assert_eq!(decisions(&h).len(), 1, "Esc decides nothing");
}

/// Failures the clerk meets reach the screen as the wording table's sentences, never as the
/// program's error text: the hospital system down, a folder that cannot be written (the save
/// dialog stays for another folder, the document is not lost). (The read errors' sentences are
/// tested with the wording table, `cancuoc_bridge::problems`.)
#[test]
fn failures_are_said_in_words_not_as_program_errors() {
    let t = &cancuoc_desk::i18n::VI;
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = harness(demo());
    // A port nothing listens on: connection refused at once.
    h.state_mut().settings.his_url = "http://127.0.0.1:9/fhir/Patient".into();
    h.state_mut().settings.print_command = String::new();
    h.run_steps(1);
    read_with_can(&mut h);
    press(&mut h, "Gửi sang HIS");
    press(&mut h, "Công dân đồng ý — gửi");
    wait(&mut h, "the HIS to fail", |a| a.notice.is_some());
    let said = h.state().notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert_eq!(said, t.his_unreachable);
    assert!(has_text(&h, "Không gửi được sang phần mềm bệnh viện"));

    // The slip saved into a "folder" that is a file: said, and the dialog is still there.
    press(&mut h, "In phiếu");
    if h.state().consent.is_some() {
        press(&mut h, "Công dân đồng ý — gửi");
    }
    let not_a_folder = dir.path().join("a-file");
    std::fs::write(&not_a_folder, b"x").expect("file");
    type_into(&mut h, "Thư mục", not_a_folder.to_str().expect("utf-8"));
    press(&mut h, "Lưu vào thư mục này");
    let said = h.state().notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert_eq!(said, t.save_failed);
    assert!(h.state().pending_save.is_some(), "the document waits for another folder");
    assert!(!has_text(&h, "os error") && !has_text(&h, "Not a directory"));
    h.state_mut().pending_save.as_mut().expect("pending").folder = dir.path().to_string_lossy().into_owned();
    h.run_steps(1);
    press(&mut h, "Lưu vào thư mục này");
    assert!(h.state().pending_save.is_none());
    let said = h.state().notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(said.starts_with("Đã lưu"), "{said}");
}

/// The reader sends each file as soon as it is read: the holder's name and number show while the
/// read and its checks go on, marked as not yet checked, and the mark goes when the verdict comes.
#[test]
fn the_holders_name_shows_while_the_card_is_still_being_checked() {
    // 20 ms per APDU, as a card on a reader takes: the checks after DG13 take a few frames.
    let mut h = harness(Options { demo: true, sim_latency: Duration::from_millis(20), ..Default::default() });
    let t = h.state().tr();
    type_into(&mut h, t.can_label, "079195012345");
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the holder's name during the read", |a| matches!(&a.phase, Phase::Reading { holder: Some(_), .. }));
    assert!(matches!(h.state().phase, Phase::Reading { .. }), "still reading");
    assert!(has_text(&h, "Nguyễn Thị Thu Hà · 079195012345"));
    assert!(has_text(&h, t.verifying));
    wait(&mut h, "the read to end", |a| !matches!(a.phase, Phase::Reading { .. }));
    assert!(matches!(h.state().phase, Phase::Result));
    assert!(!has_text(&h, t.verifying));
}
