//! Visit evidence (docs/evidence.md): the record's structure as an independent DER parser
//! (openssl asn1parse) reads it and its challenge as openssl's SHA-256 computes it; a simulated
//! check-in's record verifies offline (RSA 9796-2 and ECDSA active authentication); one byte
//! changed in any field is refused with the failing check named; clones give no record; the
//! record holds none of the citizen's data; the API exports it only with consent.

use std::path::Path;

use cancuoc_bridge::his::evidence::{CHALLENGE_TAG, Check, Evidence};
use cancuoc_bridge::read::{Trust, load_trust};
use cancuoc_core::trust::TrustStore;
use cancuoc_sim::PERSONA;
use cancuoc_sim::oracle::openssl;

mod common;
use common::{Serve, cancuoc};

/// A simulated check-in's record, written by the CLI.
fn record(dir: &Path, variant: &str) -> Vec<u8> {
    let file = dir.join(format!("{variant}.der"));
    let f = file.to_str().expect("utf-8");
    let (code, _, err) = cancuoc(&[
        "read",
        "--simulated",
        "--variant",
        variant,
        "--visit",
        "01001/quay-3/A0042",
        "--evidence",
        f,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    std::fs::read(&file).expect("record written")
}

fn test_pki() -> TrustStore {
    load_trust(&Trust::TestPki).expect("test PKI").0
}

#[test]
fn the_record_is_the_documented_der_and_its_challenge_is_openssls_sha256_of_the_visit() {
    let t = tempfile::tempdir().expect("tmp");
    let der = record(t.path(), "rsa");
    let file = t.path().join("rsa.der");
    // openssl's reading, not ours: the top-level elements in the documented order.
    let parsed = openssl(t.path(), &["asn1parse", "-inform", "DER", "-in", file.to_str().expect("utf-8")]);
    let top: Vec<&str> = parsed.lines().filter(|l| l.contains("d=1")).collect();
    let kinds: Vec<&str> =
        top.iter().map(|l| l.split(':').nth(2).map_or("", |k| k.split_whitespace().next().unwrap_or(""))).collect();
    assert_eq!(kinds, ["INTEGER", "SEQUENCE", "OCTET", "OCTET", "OCTET", "OCTET", "cont"], "{parsed}");
    assert!(top[0].ends_with(":01"), "version 1: {}", top[0]);
    let visit_fields: Vec<&str> = parsed.lines().filter(|l| l.contains("d=2")).take(5).collect();
    assert!(visit_fields[0].contains("UTF8STRING") && visit_fields[0].ends_with(":01001"));
    assert!(visit_fields[1].ends_with(":quay-3") && visit_fields[2].ends_with(":A0042"));
    assert!(visit_fields[3].contains("GENERALIZEDTIME") && visit_fields[3].trim_end().ends_with('Z'));
    assert!(visit_fields[4].contains("l=  16") && visit_fields[4].contains("OCTET STRING"), "{}", visit_fields[4]);
    // The visit's bytes as openssl delimits them (offset, header and content lengths) …
    let field = |line: &str, key: &str| -> usize {
        let i = line.find(key).expect(key) + key.len();
        line[i..].trim_start().split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).expect("number")
    };
    let off: usize = top[1].split(':').next().and_then(|s| s.trim().parse().ok()).expect("offset");
    let (hl, l) = (field(top[1], "hl="), field(top[1], " l="));
    let visit = &der[off..off + hl + l];
    // … hashed by openssl under the documented tag: its first 8 bytes are the challenge.
    let input = t.path().join("visit.bin");
    std::fs::write(&input, [CHALLENGE_TAG, visit].concat()).expect("write");
    let digest = openssl(Path::new("."), &["dgst", "-sha256", "-hex", input.to_str().expect("utf-8")]);
    let hex = digest.rsplit(' ').next().expect("hex").trim();
    let challenge = &parsed.lines().find(|l| l.contains("d=1") && l.contains("l=   8")).expect("challenge line");
    assert!(challenge.ends_with(&hex[..16].to_uppercase()), "{challenge} vs {hex}");
}

#[test]
fn rsa_and_ecdsa_check_ins_give_records_that_verify_offline() {
    let t = tempfile::tempdir().expect("tmp");
    for (variant, alg) in [("rsa", "RSA (ISO/IEC 9796-2)"), ("ecdsa-p256", "ECDSA")] {
        let der = record(t.path(), variant);
        let e = Evidence::from_der(&der).expect("decodes");
        let proof = e.verify(&test_pki()).expect("holds");
        assert_eq!(proof.aa_algorithm, alg);
        assert_eq!(proof.visit.visit, "A0042");
        assert!(proof.proves_en.contains(&proof.sod_sha256) && proof.does_not_prove_en.contains("who held the card"));
        // The CLI says the same, exit 0; without the issuer's CSCA it is not proven (amber, 6).
        let f = t.path().join(format!("{variant}.der"));
        let (code, out, _) = cancuoc(&["evidence", "verify", f.to_str().expect("utf-8"), "--test-pki"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("answered the challenge of visit A0042 at 01001 / quay-3"), "{out}");
        let empty = t.path().join("empty-store");
        std::fs::create_dir_all(&empty).expect("dir");
        let (code, _, err) =
            cancuoc(&["evidence", "verify", f.to_str().expect("utf-8"), "--trust-dir", empty.to_str().expect("utf-8")]);
        assert_eq!(code, 6, "{err}");
        assert!(err.contains("chain"), "{err}");
    }
}

#[test]
fn one_changed_byte_in_any_field_is_refused_with_the_check_named() {
    let t = tempfile::tempdir().expect("tmp");
    let good = Evidence::from_der(&record(t.path(), "rsa")).expect("decodes");
    let trust = test_pki();
    let flip = |v: &mut Vec<u8>, i: usize| {
        let n = v.len();
        v[i % n] ^= 0x01;
    };
    type Edit = Box<dyn Fn(&mut Evidence)>;
    let cases: Vec<(&str, Edit, Check)> = vec![
        ("visit time", Box::new(|e: &mut Evidence| e.visit.time += 1), Check::Challenge),
        ("nonce", Box::new(|e: &mut Evidence| e.visit.nonce[3] ^= 0x80), Check::Challenge),
        ("visit id", Box::new(|e: &mut Evidence| e.visit.visit.push('1')), Check::Challenge),
        ("challenge", Box::new(|e: &mut Evidence| e.challenge[0] ^= 1), Check::Challenge),
        ("AA answer", Box::new(move |e: &mut Evidence| flip(&mut e.aa_response, 100)), Check::ActiveAuthentication),
        // A byte of the RSA modulus: DG15 is no longer the one the SOD holds.
        ("DG15", Box::new(move |e: &mut Evidence| flip(&mut e.dg15, 100)), Check::Dg15InSod),
        (
            "DG14",
            Box::new(move |e: &mut Evidence| {
                if let Some(d) = &mut e.dg14 {
                    flip(d, 20)
                }
            }),
            Check::Dg14InSod,
        ),
        // The last byte of the SOD: its signature value.
        (
            "SOD",
            Box::new(move |e: &mut Evidence| {
                let n = e.sod.len();
                flip(&mut e.sod, n - 1)
            }),
            Check::SodSignature,
        ),
    ];
    for (what, edit, want) in cases {
        let mut e = good.clone();
        edit(&mut e);
        // Through the bytes, as a stored record would be changed.
        let der = e.to_der().expect("encodes");
        let r = Evidence::from_der(&der).and_then(|e| e.verify(&trust)).expect_err(what);
        assert_eq!(r.check, want, "{what}: {r}");
        assert!(!r.not_checked, "{what}: a changed record is refused, not amber");
    }
    // Raw damage to the bytes: a record cut short is refused as unreadable, never a panic.
    let der = good.to_der().expect("encodes");
    for cut in [0, 1, 10, der.len() / 2, der.len() - 1] {
        assert_eq!(Evidence::from_der(&der[..cut]).expect_err("cut").check, Check::Format);
    }
    assert!(good.verify(&trust).is_ok(), "the untouched record still holds");
}

#[test]
fn clones_and_cards_without_active_authentication_give_no_record() {
    let t = tempfile::tempdir().expect("tmp");
    for variant in ["wrong-aa-key-rsa", "wrong-aa-key", "aa-skipped", "no-aa"] {
        let file = t.path().join(format!("{variant}.der"));
        let (code, _, err) = cancuoc(&[
            "read",
            "--simulated",
            "--variant",
            variant,
            "--visit",
            "01001/quay-3/A1",
            "--evidence",
            file.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 1, "{variant}: {err}");
        assert!(err.contains("no visit evidence") && !file.exists(), "{variant}: {err}");
    }
    // A usage error, not a read: a visit with a part missing.
    let (code, _, err) = cancuoc(&["read", "--simulated", "--visit", "01001//A1", "--evidence", "x.der"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_record_holds_none_of_the_citizens_data_but_later_files_can_be_tied_to_it() {
    let t = tempfile::tempdir().expect("tmp");
    let der = record(t.path(), "rsa");
    let needles: Vec<Vec<u8>> = [
        PERSONA.full_name,
        "NGUYEN",
        PERSONA.id_number,
        &PERSONA.id_number[3..],
        PERSONA.date_of_birth,
        "950315",
        "19950315",
        PERSONA.place_of_residence,
        "Hàng Bạc",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for n in &needles {
        assert!(!der.windows(n.len()).any(|w| w == n.as_slice()), "{:?} in the record", String::from_utf8_lossy(n));
    }
    // With the citizen's consent, the files read at the visit can be shown to be that SOD's.
    let files = t.path().join("files");
    let ev = t.path().join("ev.der");
    let (code, _, err) = cancuoc(&[
        "read",
        "--simulated",
        "--visit",
        "01001/quay-3/A7",
        "--evidence",
        ev.to_str().expect("utf-8"),
        "--save-files",
        files.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cancuoc(&[
        "evidence",
        "verify",
        ev.to_str().expect("utf-8"),
        "--test-pki",
        "--files",
        files.to_str().expect("utf-8"),
        "--json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    let dgs: Vec<(u64, String)> = j["data_groups"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| (d["dg"].as_u64().unwrap_or(0), d["hash"].as_str().unwrap_or("").to_string()))
        .collect();
    assert!(dgs.contains(&(1, "match".into())) && dgs.contains(&(13, "match".into())), "{dgs:?}");
    // Another card's files do not belong to this record.
    let other = t.path().join("other");
    let (code, _, _) =
        cancuoc(&["read", "--simulated", "--variant", "can-cuoc-2024", "--save-files", other.to_str().expect("utf-8")]);
    assert_eq!(code, 0);
    let (code, out, _) = cancuoc(&[
        "evidence",
        "verify",
        ev.to_str().expect("utf-8"),
        "--test-pki",
        "--files",
        other.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does NOT belong"), "{out}");
}

#[test]
fn the_api_keeps_the_record_with_the_read_and_exports_it_only_with_consent() {
    use serde_json::json;
    let t = tempfile::tempdir().expect("tmp");
    let s = Serve::start(t.path(), &[], &[]);
    let (code, read) = s.post_json(
        "/v1/read",
        &s.token,
        json!({ "reader": "simulated", "visit": { "site": "01001", "counter": "quay-3", "visit": "A0042" } }),
    );
    assert_eq!(code, 200, "{read}");
    assert_eq!(read["evidence"]["made"], true, "{read}");
    let sha = read["evidence"]["sha256"].as_str().expect("sha256").to_string();
    let ext = read["fhir"]["extension"].as_array().expect("extension");
    assert!(ext.iter().any(|e| e["valueString"] == sha.as_str()), "the FHIR Patient references the record by its hash");
    let id = read["id"].as_str().expect("id");
    let (code, e) = s.post_json("/v1/evidence", &s.token, json!({ "read_id": id }));
    assert_eq!((code, e["error"].as_str()), (400, Some("consent_needed")));
    // The check-in row references the record by its hash.
    let visit =
        json!({ "ma_cskcb": "01001", "ma_doituong_kcb": "1.1", "ma_dich_vu": "K01", "ten_dich_vu": "Khám bệnh" });
    let (_, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit }));
    assert_eq!(c["evidence_sha256"], sha.as_str(), "{c}");
    let (code, ct, der) = s.post("/v1/evidence", json!({ "read_id": id, "consent": true }));
    assert_eq!((code, ct.as_str()), (200, "application/octet-stream"));
    let e = Evidence::from_der(&der).expect("decodes");
    assert_eq!(e.sha256(), sha);
    assert!(e.verify(&test_pki()).is_ok());
    // A read without a visit has no record; a clone's read says why it has none.
    let (_, plain) = s.post_json("/v1/read", &s.token, json!({ "reader": "simulated" }));
    let (code, e) = s.post_json("/v1/evidence", &s.token, json!({ "read_id": plain["id"], "consent": true }));
    assert_eq!((code, e["error"].as_str()), (404, Some("no_evidence")));
    let (_, clone) = s.post_json(
        "/v1/read",
        &s.token,
        json!({ "reader": "simulated", "variant": "wrong-aa-key-rsa", "visit": { "site": "s", "counter": "c", "visit": "v" } }),
    );
    assert_eq!(clone["evidence"]["made"], false, "{clone}");
}
