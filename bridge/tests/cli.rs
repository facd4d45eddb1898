//! Runs the real `cancuoc` binary as a user or a script would, on every simulated variant.
//!
//! Long on purpose: one test program for the whole command line is linked once; split into
//! several it would link as many times, which CI pays for on every run (docs/ci.md).

use std::process::Command;

use serde_json::Value;
mod common;
use common::cancuoc;

fn json(args: &[&str]) -> (i32, Value) {
    let (code, out, err) = cancuoc(args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
    (code, v)
}

#[test]
fn simulated_read_prints_a_verified_card() {
    let (code, out, _) = cancuoc(&["read", "--simulated"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✔ CHIP ĐÃ XÁC THỰC\n  chip verified"), "{out}");
    // The default card carries DG13 in the real cards' layout: every field reaches the output,
    // under the labels printed on the card.
    for (label, value) in [
        ("Họ và tên (full name)", "Nguyễn Thị Thu Hà"),
        ("Ngày sinh (date of birth)", "15/03/1995"),
        ("Giới tính (sex)", "Nữ"),
        ("Nơi thường trú (place of residence)", "Số 12 Ngõ 34 Phố Hàng Bạc"),
        ("Quê quán (place of origin)", "Xã Đông Hội"),
        ("Họ tên cha (father)", "Nguyễn Văn Bình"),
        ("Họ tên mẹ (mother)", "Trần Thị Cúc"),
        ("Số CMND cũ (old ID number, CMND)", "012345678"),
    ] {
        let line = out.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("{label} missing: {out}"));
        assert!(line.contains(value), "{line}");
    }
    assert!(out.contains("not read: fingerprints need terminal authentication"), "DG3: {out}");
}

#[test]
fn the_id_number_alone_opens_the_card_with_its_last_six_digits() {
    let (code, j) = json(&["read", "--simulated", "--id-number", "079195012345", "--json"]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["checks"]["access"]["pace"]["password"], "can", "{j}");
    for key in ["full_name", "date_of_birth", "sex", "place_of_residence", "father_name", "mother_name"] {
        assert!(j["person"][key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {j}");
    }
    assert_eq!(j["person"]["father_name"], "Nguyễn Văn Bình");
    assert_eq!(j["checks"]["chip_authentication"], "passed", "the default card has chip authentication");
    // A chip that refuses PACE: BAC with the MRZ key, and the report says so.
    let (code, j) =
        json(&["read", "--simulated", "--variant", "pace-refused", "--id-number", "079195012345", "--json"]);
    assert_eq!(code, 0, "{j}");
    let why = j["checks"]["access"]["bac_after_pace"]["pace_error"].as_str().unwrap_or_else(|| panic!("{j}"));
    assert!(why.contains("6982"), "{why}");
    let (code, out, _) = cancuoc(&["read", "--simulated", "--variant", "pace-refused", "--id-number", "079195012345"]);
    assert_eq!(code, 0);
    assert!(out.contains("fell back to BAC"), "{out}");
}

#[test]
fn a_2024_card_shows_its_own_labels_and_unnamed_fields() {
    let (code, out, _) = cancuoc(&["read", "--simulated", "--variant", "can-cuoc-2024"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Phạm Gia Bảo"));
    let line = out.lines().find(|l| l.contains("Nơi cư trú")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("Số 8 Phố Lý Thường Kiệt"), "{line}");
    assert!(out.contains("Nơi đăng ký khai sinh"), "{out}");
    assert!(!out.contains("Nơi thường trú"), "{out}");
    let line = out.lines().find(|l| l.contains("Trường 16")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("3F9A0C51E27B4D86") && line.contains("meaning unconfirmed"), "{line}");
    let (_, j) = json(&["read", "--simulated", "--variant", "can-cuoc-2024", "--json"]);
    assert_eq!(j["person"]["other_fields"][0]["number"], 16, "{j}");
    assert_eq!(j["card_generation"], "can_cuoc_2024");
    assert_eq!(j["person"]["spouse_name"], Value::Null);
}

#[test]
fn a_chip_with_malformed_secure_messaging_is_not_worth_a_retry() {
    let (code, j) = json(&["read", "--simulated", "--variant", "sm-no-do99", "--json"]);
    assert_eq!(code, 5, "{j}");
    assert_eq!(j["retryable"], false, "{j}");
    assert!(j["message"].as_str().unwrap().contains("99"), "{j}");
    let (_, _, err) = cancuoc(&["read", "--simulated", "--variant", "sm-no-do99"]);
    assert!(!err.contains("retry"), "{err}");
}

#[test]
fn no_security_object_and_an_inconsistent_sod_are_named_as_such() {
    let (code, j) = json(&["read", "--simulated", "--variant", "no-sod", "--json"]);
    assert_eq!(code, 1, "not verified, not a reader error: {j}");
    assert_eq!(j["status"], "not_verified");
    assert!(j["failures"][0]["message"].as_str().unwrap().contains("no security object"), "{j}");
    assert_eq!(j["person"]["full_name"], "Nguyễn Thị Thu Hà", "the data is shown, unverified");
    let (code, out, err) = cancuoc(&["read", "--simulated", "--variant", "no-sod"]);
    assert_eq!(code, 1);
    assert!(!err.contains("retry"), "{err}");
    assert!(out.contains("KHÔNG XÁC THỰC"), "{out}");
    let (code, j) = json(&["read", "--simulated", "--variant", "hash-length-mismatch", "--json"]);
    assert_eq!(code, 1, "{j}");
    let messages: Vec<&str> = j["failures"].as_array().unwrap().iter().filter_map(|f| f["message"].as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("SOD is inconsistent")), "{messages:?}");
    assert!(!messages.iter().any(|m| m.contains("altered")), "{messages:?}");
}

/// A card whose document signer uses a curve this build does not implement: "could not be
/// checked here" (amber, named), never "forged" — in JSON, in the text and in the checks table.
#[test]
fn an_unsupported_algorithm_is_not_checked_not_forged() {
    let (code, j) = json(&["read", "--simulated", "--variant", "ds-unsupported-curve", "--json"]);
    assert_eq!(code, 1, "not verified: {j}");
    assert_eq!(j["status"], "not_checked", "{j}");
    assert_eq!(j["failures"].as_array().unwrap().len(), 1, "{j}");
    let m = j["failures"][0]["message"].as_str().unwrap();
    assert!(m.contains("could not be checked here") && m.contains("224-bit curve"), "{m}");
    assert_eq!(j["checks"]["certificate_chain"], "valid", "{j}");
    let (_, out, _) = cancuoc(&["read", "--simulated", "--variant", "ds-unsupported-curve"]);
    assert!(out.contains("⚠ CHƯA KIỂM TRA ĐƯỢC TẠI MÁY NÀY"), "{out}");
    assert!(!out.contains("KHÔNG XÁC THỰC") && !out.contains("INVALID"), "{out}");
}

#[test]
fn every_genuine_variant_verifies_in_json() {
    for v in [
        "rsa",
        "ecdsa-p256",
        "ecdsa-bp256",
        "jpeg2000",
        "short-apdu",
        "large-photo",
        "no-aa",
        "bac-only",
        "pace-only",
        "pace-p521",
        "pace-bp384",
        "pace-im",
        "pace-im-p256",
        "ca-3des",
        "pace-dh",
        "pace-dh-im",
        "mf-9000",
        "pace-cam",
        "can-cuoc-2024",
        "pace-refused",
        "sha1-hashes",
    ] {
        let (code, j) = json(&["read", "--simulated", "--variant", v, "--json"]);
        assert_eq!(code, 0, "{v}: {j}");
        assert_eq!(j["status"], "verified", "{v}");
        assert_eq!(j["verified"], true);
        let (name, doc) = if v == "can-cuoc-2024" {
            ("Phạm Gia Bảo", "217004567")
        } else {
            ("Nguyễn Thị Thu Hà", "195012345")
        };
        assert_eq!(j["person"]["full_name"], name, "{v}");
        assert_eq!(j["mrz"]["document_number"], doc, "{v}");
        assert_eq!(j["failures"].as_array().unwrap().len(), 0);
        let noted = j["checks"]["notices"].as_array().unwrap().len();
        assert_eq!(noted, usize::from(v == "sha1-hashes"), "{v}: SHA-1 DG hashes are noted, not failed");
    }
}

#[test]
fn every_forged_variant_is_not_verified_with_its_reason() {
    for (v, status, check, text) in [
        ("tampered-dg1", "not_verified", "data_group_hash", "DG1 was altered"),
        ("tampered-dg2", "not_verified", "data_group_hash", "DG2 was altered"),
        ("tampered-dg13", "not_verified", "data_group_hash", "DG13 was altered"),
        ("bad-sod-signature", "not_verified", "sod_signature", "SOD signature is invalid"),
        ("unknown-csca", "signer_untrusted", "certificate_chain", "not issued by any CSCA in the trust store"),
        ("forged-ds", "not_verified", "certificate_chain", "does not verify with the CSCA key"),
        ("expired-ds", "not_verified", "certificate_chain", "has expired"),
        ("wrong-aa-key", "not_verified", "active_authentication", "possible cloned chip"),
        ("wrong-ca-key", "not_verified", "chip_authentication", "does not hold the DG14 key"),
        ("wrong-cam-key", "not_verified", "chip_authentication", "possible cloned chip"),
    ] {
        let (code, j) = json(&["read", "--simulated", "--variant", v, "--json"]);
        assert_eq!(code, 1, "{v}");
        assert_eq!(j["verified"], false, "{v}");
        assert_eq!(j["status"], status, "{v}");
        assert_eq!(j["failures"][0]["check"], check, "{v}: {j}");
        assert!(j["failures"][0]["message"].as_str().unwrap().contains(text), "{v}: {j}");
        let (code, out, _) = cancuoc(&["read", "--simulated", "--variant", v]);
        assert_eq!(code, 1);
        assert!(!out.contains("CHIP ĐÃ XÁC THỰC"), "{v} must not print verified");
        assert!(out.contains(text), "{v}: {out}");
    }
}

#[test]
fn wrong_key_is_access_denied_with_exit_3() {
    let (code, _, err) = cancuoc(&["read", "--simulated", "--variant", "bac-only", "--dob", "16/03/1995"]);
    assert_eq!(code, 3);
    assert!(err.contains("check document number, date of birth, expiry"), "{err}");
    assert!(err.contains("Từ chối truy cập"), "{err}");
    let (code, j) = json(&["read", "--simulated", "--id-number", "079195012346", "--json"]);
    assert_eq!(code, 3);
    assert_eq!(j["error"], "access_denied");
    assert_eq!(j["retryable"], false);
}

#[test]
fn impossible_dates_and_unknown_variants_are_usage_errors() {
    let (code, _, err) = cancuoc(&["read", "--simulated", "--expiry", "31/04/2035"]);
    assert_eq!(code, 2);
    assert!(err.contains("date of expiry"), "{err}");
    let (code, _, err) = cancuoc(&["read", "--simulated", "--variant", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("--list-variants"), "{err}");
    let (code, out, _) = cancuoc(&["read", "--simulated", "--list-variants"]);
    assert_eq!(code, 0);
    assert!(out.contains("tampered-dg13"));
}

#[test]
fn photo_is_written_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    for (v, magic) in [("rsa", &b"\xFF\xD8\xFF"[..]), ("jpeg2000", &b"\0\0\0\x0CjP  "[..])] {
        let path = dir.path().join(format!("{v}.img"));
        let (code, _, _) = cancuoc(&["read", "--simulated", "--variant", v, "--photo", path.to_str().unwrap()]);
        assert_eq!(code, 0);
        let b = std::fs::read(&path).unwrap();
        assert!(b.starts_with(magic), "{v}");
    }
}

#[test]
fn can_opens_the_card_with_pace_and_a_wrong_can_is_denied() {
    let (code, j) = json(&["read", "--simulated", "--can", "012345", "--json"]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["checks"]["access"]["pace"]["password"], "can", "{j}");
    assert_eq!(j["checks"]["access"]["pace"]["curve"], "brainpoolP256r1");
    let (code, out, _) = cancuoc(&["read", "--simulated", "--can", "012345"]);
    assert_eq!(code, 0);
    assert!(out.contains("PACE-GM ECDH AES-128 on brainpoolP256r1 (CAN)"), "{out}");
    let (code, _, err) = cancuoc(&["read", "--simulated", "--can", "111111"]);
    assert_eq!(code, 3);
    assert!(err.contains("repeated wrong attempts can suspend or block"), "{err}");
    let (code, _, err) = cancuoc(&["read", "--simulated", "--can", "12345"]);
    assert_eq!(code, 2);
    assert!(err.contains("6 digits"), "{err}");
    let (code, j) = json(&["read", "--simulated", "--variant", "bac-only", "--can", "012345", "--json"]);
    assert_eq!(code, 3);
    assert_eq!(j["error"], "credentials_needed");
    let (code, j) = json(&["read", "--simulated", "--variant", "bac-only", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(j["checks"]["access"], "bac");
}

/// Validates a Patient with an independent FHIR model (the `fhir.resources` package, installed by
/// the test command) and returns what it parsed.
fn validate_fhir(json: &str) -> String {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import json,sys\nfrom fhir.resources.R4B.patient import Patient\np = Patient.parse_obj(json.load(sys.stdin))\n\
             print(p.meta.tag[0].code, p.identifier[0].value, p.name[0].family, p.birthDate, p.gender, len(p.photo or []), p.identifier[0].system, p.identifier[0].type.coding[0].code)",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(json.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "FHIR validation failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn fhir_patient_is_valid_and_carries_the_verdict() {
    let (code, out, _) = cancuoc(&["read", "--simulated", "--fhir"]);
    assert_eq!(code, 0);
    assert!(out.trim_start().starts_with("{\n  \"resourceType\": \"Patient\""), "{out}");
    assert_eq!(
        validate_fhir(&out),
        "verified 079195012345 Nguyễn 1995-03-15 female 0 http://fhir.ehealth.gov.vn/core/sid/national_id NI",
        "VN Core's naming system for the CCCD number"
    );
    // The address: the chip's text, and today's units in VN Core's administrative-address
    // extension (the model above parsed it: its extensions are valid FHIR).
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    let a = &p["address"][0];
    assert_eq!(a["text"], cancuoc_sim::PERSONA.place_of_residence);
    assert_eq!(a["state"], "Thành phố Hà Nội");
    assert_eq!(a["extension"][0]["url"], cancuoc_bridge::his::fhir::VN_CORE_ADMIN_ADDRESS);
    assert_eq!(a["extension"][0]["extension"][1]["valueCodeableConcept"]["coding"][0]["code"], "00070");
    assert_eq!(a["extension"][1]["valueCode"], "exact");
    // A read for a visit references its evidence record by hash in an extension FHIR accepts.
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev.der");
    let (code, out, _) =
        cancuoc(&["read", "--simulated", "--fhir", "--visit", "01001/quay-1/A1", "--evidence", ev.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains(cancuoc_bridge::his::fhir::EVIDENCE_EXTENSION), "{out}");
    assert!(validate_fhir(&out).starts_with("verified 079195012345 "));
    let (code, out, _) = cancuoc(&["read", "--simulated", "--fhir", "--fhir-photo", "--variant", "jpeg2000"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"contentType\": \"image/jp2\""));
    assert!(validate_fhir(&out).starts_with("verified 079195012345 Nguyễn 1995-03-15 female 1 "));
    let (code, out, _) = cancuoc(&["read", "--simulated", "--fhir", "--variant", "tampered-dg13"]);
    assert_eq!(code, 1);
    assert!(validate_fhir(&out).starts_with("not_verified "), "{out}");
}

#[test]
fn a_foreign_passport_shows_its_mrz_data_and_is_flagged_expired() {
    // The ICAO 9303 specimen passport (Utopia, expired 15/04/2012), read with the key in its MRZ.
    let (code, j) = json(&["read", "--simulated", "--variant", "passport-td3", "--json"]);
    assert_eq!(code, 0, "the chip itself verifies: {j}");
    assert_eq!(j["person"]["full_name"], "ERIKSSON ANNA MARIA");
    assert_eq!(j["person"]["date_of_birth"], "12/08/1974");
    assert_eq!(j["person"]["sex"], "Nữ");
    assert_eq!(j["person"]["nationality"], "UTO");
    assert_eq!(j["document"]["kind"], "passport");
    assert_eq!(j["document"]["number"], "L898902C3");
    assert_eq!(j["document"]["issuing_state"], "UTO");
    assert_eq!(j["document"]["date_of_expiry"], "15/04/2012");
    assert_eq!(j["document"]["expired"], true);
    let (_, out, _) = cancuoc(&["read", "--simulated", "--variant", "passport-td3"]);
    for text in ["GIẤY TỜ ĐÃ HẾT HẠN", "hộ chiếu (passport)", "L898902C3", "ERIKSSON ANNA MARIA", "12/08/1974"]
    {
        assert!(out.contains(text), "{text}: {out}");
    }
    // A CCCD in date is not flagged.
    let (_, j) = json(&["read", "--simulated", "--json"]);
    assert_eq!(j["document"]["expired"], false);
    assert_eq!(j["document"]["kind"], "identity_card");
}

#[test]
fn saved_files_give_the_same_verdict_offline_and_a_trace_holds_no_key_or_personal_data() {
    let tmp = tempfile::tempdir().unwrap();
    for (variant, key) in [
        ("rsa", vec!["--id-number", "079195012345"]),
        ("tampered-dg13", vec![]),
        ("bac-only", vec!["--dob", "15/03/1995", "--expiry", "15/03/2035", "--id-number", "079195012345"]),
    ] {
        let dir = tmp.path().join(variant);
        let trace = tmp.path().join(format!("{variant}.trace"));
        let mut args = vec!["read", "--simulated", "--variant", variant, "--json"];
        args.extend(key);
        args.extend(["--save-files", dir.to_str().unwrap(), "--trace", trace.to_str().unwrap()]);
        let (code, out, err) = cancuoc(&args);
        let live: Value = serde_json::from_str(&out).unwrap();
        assert!(err.contains("PERSONAL DATA"), "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
            let f = std::fs::metadata(dir.join("DG13.bin")).unwrap();
            assert_eq!(f.permissions().mode() & 0o777, 0o600);
        }
        let (vcode, offline) = json(&["verify", dir.to_str().unwrap(), "--test-pki", "--json"]);
        assert_eq!(vcode, code, "{variant}: same exit code offline");
        for k in ["status", "failures", "person"] {
            assert_eq!(offline[k], live[k], "{variant}: {k}");
        }
        assert_eq!(offline["checks"]["data_groups"], live["checks"]["data_groups"], "{variant}");
        assert_eq!(offline["checks"]["sod_signature"], live["checks"]["sod_signature"]);
        assert_eq!(offline["checks"]["active_authentication"], "not_attempted", "{variant}");

        // The trace: wire bytes only. No access key, no plain personal data, in any encoding.
        let t = std::fs::read_to_string(&trace).unwrap();
        assert!(t.lines().filter(|l| l.starts_with('>')).count() >= 15, "{t}");
        let upper = t.to_uppercase();
        for secret in
            ["079195012345", "195012345", "012345", "950315", "350315", "Nguyễn Thị Thu Hà", "NGUYEN<<THI", "Hàng Bạc"]
        {
            assert!(!upper.contains(&hex::encode_upper(secret.as_bytes())), "{variant}: {secret} in the trace");
            // In plain text too (digit strings could occur by chance in hex, so names only).
            if !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
                assert!(!t.contains(secret), "{variant}: {secret} in the trace");
            }
        }
        if variant == "bac-only" {
            assert!(t.contains("bytes redacted"), "BAC's EXTERNAL AUTHENTICATE is redacted: {t}");
        }
    }
    let (code, _, err) = cancuoc(&["verify", tmp.path().to_str().unwrap(), "--test-pki"]);
    assert_eq!(code, 2, "a folder without card files");
    assert!(err.contains("holds no saved card files"), "{err}");
}

#[test]
fn one_fhir_builder_sends_only_the_fields_asked_for() {
    use cancuoc_bridge::his::fhir::{Include, patient};
    use cancuoc_bridge::read;
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let hooks = read::Hooks { progress: &mut |_| {}, unplugged: &mut || {}, cancel: &cancel, trace: None };
    let source = read::Source::simulated("rsa");
    let key = read::simulated_credentials("rsa");
    let o = read::read(&source, &key, &read::Trust::Default, None, None, hooks).unwrap();
    let report = cancuoc_bridge::Report::from_read(&o.card);
    // What the CLI and the API send: identity, no ethnicity, religion or parents.
    let v = patient(&report, Include::IDENTITY, None);
    assert_eq!(v["identifier"][0]["value"], "079195012345");
    assert_eq!(v["gender"], "female");
    assert!(v.get("extension").is_none() && v.get("contact").is_none(), "{v}");
    // The desk app's consent adds fields one by one, through the same builder.
    let v = patient(&report, Include { ethnicity: true, parents: true, ..Include::NOTHING }, None);
    assert!(v["identifier"].as_array().unwrap().is_empty() && v.get("name").is_none(), "{v}");
    assert_eq!(v["gender"], "unknown");
    assert_eq!(v["extension"][0]["valueString"], "Kinh");
    assert_eq!(v["contact"].as_array().unwrap().len(), 2);
    assert_eq!(v["meta"]["tag"][0]["code"], "verified");
}

/// A chip that refuses the fast ways of reading (issue 25) reads and verifies, and the report
/// says how it was read.
#[test]
fn chips_refusing_the_fast_reads_verify_and_the_report_says_so() {
    for (variant, sfi, whole) in [("rsa", false, false), ("no-sfi", true, false), ("strict-le", false, true)] {
        let (code, j) = json(&["read", "--simulated", "--variant", variant, "--json"]);
        assert_eq!(code, 0, "{variant}: {j}");
        assert_eq!(j["link"]["sfi_refused"], sfi, "{variant}: {j}");
        assert_eq!(j["link"]["whole_block_refused"], whole, "{variant}: {j}");
        let (code, out, _) = cancuoc(&["read", "--simulated", "--variant", variant]);
        assert_eq!(code, 0);
        assert_eq!(out.contains("the chip refused"), sfi || whole, "{variant}: {out}");
    }
}

/// `cancuoc face compare` on the public-domain test faces (bridge/face/tests/pictures), the
/// simulated card's DG2 and a bad file — run as a script would, in an empty home and working
/// folder that must still be empty afterwards: nothing biometric (or anything) is written.
#[test]
fn face_compare_advises_and_writes_nothing() {
    let pictures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("face/tests/pictures");
    let pic = |name: &str| pictures.join(name).to_string_lossy().into_owned();
    let home = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    let saved = files.path().join("card");
    let (code, _, err) = cancuoc(&["read", "--simulated", "--save-files", &saved.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let dg2 = saved.join("DG2.bin").to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args(["face", "compare"])
            .args(args)
            .current_dir(home.path())
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .output()
            .expect("cancuoc runs");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, out) = run(&[&pic("obama_dg2.jp2"), &pic("obama2.jpg"), "--json"]);
    let j: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((code, j["verdict"].as_str()), (0, Some("same")), "{j}");
    assert!(j["distance"].as_f64().is_some_and(|d| d <= 0.6), "{j}");
    let (code, out) = run(&[&pic("biden_dg2.jp2"), &pic("obama2.jpg")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✘ KHÁC NHAU / DIFFERENT PEOPLE") && out.contains("Chỉ để tham khảo"), "{out}");
    // The simulated card's photo is a drawing: no face, never "same".
    let (code, out) = run(&[&dg2, &pic("obama.jpg")]);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("Ảnh trên chip: không thấy khuôn mặt."), "{out}");
    let (code, out) = run(&[&pic("obama.jpg"), &pic("two_faces.jpg"), "--json"]);
    let j: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((code, j["problem"].as_str(), j["count"].as_u64()), (6, Some("several_faces"), Some(2)), "{j}");
    let (code, _) = run(&[&pictures.join("PROVENANCE.md").to_string_lossy(), &pic("obama.jpg")]);
    assert_eq!(code, 2);
    let left: Vec<_> = std::fs::read_dir(home.path()).expect("home").collect();
    assert!(left.is_empty(), "face compare wrote {left:?}");
}
