//! `cancuoc trust` as a technician would use it: import CSCAs (DER, PEM), refuse non-CA
//! certificates, import an ICAO master list signed by openssl only when its signer chains to a
//! trusted CSCA, refuse a tampered list, remove by fingerprint — and reads that follow the store.
//!
//! Long on purpose: one test binary per area is linked once; split into several it would link
//! as many times, which CI pays for on every run (docs/ci.md).

use std::path::Path;
use std::process::Command;

use serde_json::Value;
mod common;
use cancuoc_sim::oracle::openssl;
use common::cancuoc;

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/pki");

fn list(dir: &str) -> Vec<Value> {
    let (code, out, _) = cancuoc(&["trust", "list", "--json", "--trust-dir", dir]);
    assert_eq!(code, 0);
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn import_list_remove_and_reads_follow_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("trust");
    let dir = dir.to_str().unwrap();
    let (code, out, _) = cancuoc(&["trust", "list", "--trust-dir", dir]);
    assert_eq!(code, 0);
    assert!(out.contains("is empty"), "{out}");

    // A read with an empty store: the data is intact but the signer is not trusted.
    let (code, out, err) = cancuoc(&["read", "--simulated", "--trust-dir", dir, "--json"]);
    assert_eq!(code, 1);
    assert!(err.contains("trust store"), "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["status"], "signer_untrusted");

    // DER import; a DS certificate is refused (not a CA).
    let (code, out, _) = cancuoc(&["trust", "import", &format!("{PKI}/csca-rsa.cer"), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 CSCA certificate(s) trusted"), "{out}");
    let (code, _, err) = cancuoc(&["trust", "import", &format!("{PKI}/ds-rsa.cer"), "--trust-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("not a CA certificate"), "{err}");
    assert_eq!(list(dir).len(), 1);

    // Now the RSA card verifies against this store.
    let (code, out, _) = cancuoc(&["read", "--simulated", "--trust-dir", dir, "--json"]);
    assert_eq!(code, 0, "{out}");

    // PEM import.
    let work = tmp.path();
    openssl(work, &["x509", "-inform", "DER", "-in", &format!("{PKI}/csca-p256.cer"), "-out", "p256.pem"]);
    let (code, _, _) = cancuoc(&["trust", "import", work.join("p256.pem").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0);
    assert_eq!(list(dir).len(), 2);

    // Remove by fingerprint.
    let fp = list(dir).iter().find(|e| e["subject"].as_str().unwrap().contains("P-256")).unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, out, _) = cancuoc(&["trust", "remove", &fp[..12], "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(list(dir).len(), 1);
    let (code, _, _) = cancuoc(&["trust", "remove", "deadbeef00", "--trust-dir", dir]);
    assert_eq!(code, 2);
}

#[test]
fn master_lists_are_trusted_only_through_a_trusted_signer() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let dir = work.join("trust");
    let dir = dir.to_str().unwrap();
    // A master-list signer certified by the test RSA CSCA, made with openssl.
    openssl(work, &["rsa", "-inform", "DER", "-in", &format!("{PKI}/csca-rsa.key"), "-out", "csca.key"]);
    openssl(work, &["x509", "-inform", "DER", "-in", &format!("{PKI}/csca-rsa.cer"), "-out", "csca.pem"]);
    std::fs::write(work.join("mls.ext"), "keyUsage=critical,digitalSignature\n").unwrap();
    openssl(
        work,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "mls.key",
            "-subj",
            "/C=VN/CN=Test Master List Signer",
            "-out",
            "mls.csr",
        ],
    );
    openssl(
        work,
        &[
            "x509",
            "-req",
            "-in",
            "mls.csr",
            "-CA",
            "csca.pem",
            "-CAkey",
            "csca.key",
            "-set_serial",
            "9",
            "-days",
            "3650",
            "-extfile",
            "mls.ext",
            "-out",
            "mls.pem",
        ],
    );
    let certs: Vec<Vec<u8>> =
        ["csca-p256", "csca-bp256"].iter().map(|n| std::fs::read(format!("{PKI}/{n}.cer")).unwrap()).collect();
    std::fs::write(work.join("ml.der"), cancuoc_bridge::trust_store::encode_master_list(&certs)).unwrap();
    openssl(
        work,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-nosmimecap",
            "-econtent_type",
            "2.23.136.1.1.2",
            "-in",
            "ml.der",
            "-signer",
            "mls.pem",
            "-inkey",
            "mls.key",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "list.ml",
        ],
    );
    let ml = work.join("list.ml");
    let ml = ml.to_str().unwrap();

    // Nobody vouches for the signer yet: refused, nothing imported.
    let (code, _, err) = cancuoc(&["trust", "import", ml, "--trust-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("not issued by a CSCA in the trust store"), "{err}");
    assert!(list(dir).is_empty());

    // A tampered list is refused even with the right signer CA.
    let mut bytes = std::fs::read(ml).unwrap();
    let at = bytes.windows(10).position(|w| w == &certs[0][20..30]).unwrap();
    bytes[at + 3] ^= 1;
    std::fs::write(work.join("tampered.ml"), &bytes).unwrap();
    let (code, _, err) = cancuoc(&[
        "trust",
        "import",
        work.join("tampered.ml").to_str().unwrap(),
        "--signer-ca",
        &format!("{PKI}/csca-rsa.cer"),
        "--trust-dir",
        dir,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("master list"), "{err}");
    assert!(list(dir).is_empty());

    // With the signer's CSCA given, the two listed CSCAs are trusted (the signer CA itself is not).
    let (code, out, err) =
        cancuoc(&["trust", "import", ml, "--signer-ca", &format!("{PKI}/csca-rsa.cer"), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("2 CSCA certificate(s) trusted"), "{out}");
    let subjects: Vec<String> = list(dir).iter().map(|e| e["subject"].as_str().unwrap().to_string()).collect();
    assert_eq!(subjects.len(), 2);
    assert!(subjects.iter().all(|s| !s.contains("CSCA RSA")), "{subjects:?}");
    // The P-256 card now verifies against the store.
    let (code, _, _) = cancuoc(&["read", "--simulated", "--variant", "ecdsa-p256", "--trust-dir", dir]);
    assert_eq!(code, 0);
}

#[test]
fn doctor_explains_each_problem_with_its_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("trust");
    let dir = dir.to_str().unwrap();
    let doctor = |json: bool| {
        let mut args = vec!["doctor", "--trust-dir", dir];
        if json {
            args.push("--json");
        }
        // A PC/SC socket that does not exist: the machine has no smart-card service.
        let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args(&args)
            .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
            .output()
            .unwrap();
        (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, out) = doctor(false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✘ the smart-card service (PC/SC) is not running"), "{out}");
    assert!(out.contains("systemctl enable --now pcscd"), "{out}");
    assert!(out.contains("is empty"), "{out}");
    assert!(out.contains("cancuoc trust import"), "{out}");
    assert!(out.contains("✔ the system clock looks right"), "{out}");

    let (code, _, _) = cancuoc(&["trust", "import", &format!("{PKI}/csca-rsa.cer"), "--trust-dir", dir]);
    assert_eq!(code, 0);
    let (code, out) = doctor(true);
    assert_eq!(code, 1, "the service is still missing");
    let checks: Vec<Value> = serde_json::from_str(&out).unwrap();
    let level = |name: &str| checks.iter().find(|c| c["name"] == name).unwrap()["level"].as_str().unwrap().to_string();
    assert_eq!(level("trust_store"), "ok");
    assert_eq!(level("pcsc_service"), "problem");
    assert_eq!(level("clock"), "ok");
}

fn crls(dir: &str) -> Vec<Value> {
    let (code, out, _) = cancuoc(&["trust", "crls", "--json", "--trust-dir", dir]);
    assert_eq!(code, 0);
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

fn read_status(dir: &str, variant: &str) -> (i32, Value) {
    let (code, out, _) = cancuoc(&["read", "--simulated", "--variant", variant, "--trust-dir", dir, "--json"]);
    (code, serde_json::from_str(&out).unwrap())
}

#[test]
fn revocation_lists_are_imported_only_from_a_trusted_csca_and_revoke_what_they_list() {
    use cancuoc_sim::pki::{self, Pki};
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let dir = work.join("trust");
    let dir = dir.to_str().unwrap();
    let crl = format!("{PKI}/crl-p256.crl");

    // openssl agrees the CRL is the P-256 CSCA's; ours refuses it until that CSCA is trusted.
    openssl(work, &["x509", "-inform", "DER", "-in", &format!("{PKI}/csca-p256.cer"), "-out", "p256.pem"]);
    openssl(work, &["crl", "-inform", "DER", "-in", &crl, "-CAfile", "p256.pem", "-noout"]);
    let (code, _, err) = cancuoc(&["trust", "import", &crl, "--trust-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("not a trusted CSCA"), "{err}");
    let (code, _, _) = cancuoc(&["trust", "import", &format!("{PKI}/csca-p256.cer"), "--trust-dir", dir]);
    assert_eq!(code, 0);

    // Before the CRL: the card signed by the (later revoked) DS verifies.
    let (code, j) = read_status(dir, "revoked-ds");
    assert_eq!((code, j["status"].as_str()), (0, Some("verified")), "{j}");

    // A CRL with one signature byte changed is refused; the PEM form of the real one is taken.
    let mut bad = std::fs::read(&crl).unwrap();
    let n = bad.len();
    bad[n - 3] ^= 0x01;
    std::fs::write(work.join("bad.crl"), &bad).unwrap();
    let (code, _, err) = cancuoc(&["trust", "import", work.join("bad.crl").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("signature does not verify"), "{err}");
    assert!(crls(dir).is_empty());
    openssl(work, &["crl", "-inform", "DER", "-in", &crl, "-out", "p256.crl.pem"]);
    let (code, out, _) = cancuoc(&["trust", "import", work.join("p256.crl.pem").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 revocation list(s) stored"), "{out}");
    let held = crls(dir);
    assert_eq!(held.len(), 1);
    assert_eq!((held[0]["revoked"].as_u64(), held[0]["stale"].as_bool()), (Some(1), Some(false)));

    // Now the revoked DS is refused, naming the check; the CSCA's other cards still verify.
    let (code, j) = read_status(dir, "revoked-ds");
    assert_eq!((code, j["status"].as_str()), (1, Some("not_verified")), "{j}");
    let failed = j["failures"].to_string();
    assert!(failed.contains("revoked"), "{failed}");
    let (code, j) = read_status(dir, "ecdsa-p256");
    assert_eq!((code, j["status"].as_str()), (0, Some("verified")), "{j}");

    // An older CRL of the same CSCA does not replace the newer one; a newer one does.
    let p = Pki::load();
    let key = p.key("csca-p256");
    let older = pki::issue_crl(pki::CSCA_P256, &key, 0, "2025-06-01T00:00:00Z", "2025-09-01T00:00:00Z", &[]);
    std::fs::write(work.join("older.crl"), &older).unwrap();
    let (code, _, err) = cancuoc(&["trust", "import", work.join("older.crl").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("newer revocation list"), "{err}");
    // A newer but stale list (next update passed) that no longer lists the DS replaces it: the
    // doctor says it is stale, and the DS verifies again.
    let newer = pki::issue_crl(pki::CSCA_P256, &key, 2, "2026-02-01T00:00:00Z", "2026-05-01T00:00:00Z", &[]);
    std::fs::write(work.join("newer.crl"), &newer).unwrap();
    let (code, _, _) = cancuoc(&["trust", "import", work.join("newer.crl").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0);
    let held = crls(dir);
    assert_eq!(held.len(), 1);
    assert_eq!((held[0]["revoked"].as_u64(), held[0]["stale"].as_bool()), (Some(0), Some(true)));
    let (code, out, _) = cancuoc(&["trust", "list", "--trust-dir", dir]);
    assert_eq!(code, 0);
    assert!(out.contains("CRL STALE"), "{out}");
    let (_, out, _) = cancuoc(&["doctor", "--json", "--trust-dir", dir]);
    let checks: Vec<Value> = serde_json::from_str(&out).unwrap();
    let rl = checks.iter().find(|c| c["name"] == "revocation_lists").unwrap();
    assert_eq!(rl["level"], "warning", "{rl}");
    assert!(rl["fix"].as_str().unwrap().contains("cancuoc trust import"), "{rl}");
    let (code, j) = read_status(dir, "revoked-ds");
    assert_eq!((code, j["status"].as_str()), (0, Some("verified")), "{j}");
}

#[test]
fn a_csca_revoked_by_its_successor_signs_nothing_that_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("trust");
    let dir = dir.to_str().unwrap();
    for f in ["csca-rolled-old.cer", "csca-rolled-new.cer"] {
        let (code, _, _) = cancuoc(&["trust", "import", &format!("{PKI}/{f}"), "--trust-dir", dir]);
        assert_eq!(code, 0);
    }
    let (code, j) = read_status(dir, "revoked-csca");
    assert_eq!((code, j["status"].as_str()), (0, Some("verified")), "before the CRL: {j}");
    let (code, _, _) = cancuoc(&["trust", "import", &format!("{PKI}/crl-rolled.crl"), "--trust-dir", dir]);
    assert_eq!(code, 0);
    let (code, j) = read_status(dir, "revoked-csca");
    assert_eq!((code, j["status"].as_str()), (1, Some("not_verified")), "{j}");
    assert_eq!(j["checks"]["certificate_chain"]["revoked"]["role"], "csca", "{j}");
}

/// Has openssl issue, with the CA certificate and key in `d`, a document-signer certificate
/// (`d/ds.der`) for the simulated ecdsa-p256 card's DS public key.
fn issue_ds_for_simulated_card(d: &Path, ca_der: &str, ca_key: &str, digest: &str) {
    let ds = format!("{PKI}/ds-p256.cer");
    openssl(d, &["x509", "-inform", "DER", "-in", &ds, "-pubkey", "-noout", "-out", "ds.pub"]);
    std::fs::write(d.join("ds.ext"), "keyUsage=critical,digitalSignature\n").unwrap();
    let subj = "/C=VN/O=cancuoc openssl test/CN=TEST DS";
    let days = "365";
    openssl(
        d,
        &[
            "x509",
            "-new",
            "-subj",
            subj,
            "-force_pubkey",
            "ds.pub",
            "-CA",
            ca_der,
            "-CAform",
            "DER",
            "-CAkey",
            ca_key,
            digest,
            "-days",
            days,
            "-extfile",
            "ds.ext",
            "-outform",
            "DER",
            "-out",
            "ds.der",
        ],
    );
}

/// `cancuoc read --simulated --variant ecdsa-p256 --json` with the trust store `dir`, the card
/// carrying `ds_cert` (CANCUOC_SIM_DS_CERT) when given: exit code and JSON.
fn read_with_ds_cert(dir: &str, ds_cert: Option<&Path>) -> (Option<i32>, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cancuoc"));
    cmd.args(["read", "--simulated", "--variant", "ecdsa-p256", "--trust-dir", dir, "--json"]);
    if let Some(c) = ds_cert {
        cmd.env("CANCUOC_SIM_DS_CERT", c);
    }
    let o = cmd.output().unwrap();
    (o.status.code(), serde_json::from_slice(&o.stdout).unwrap())
}

const REAL_WORLD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/real-world");

/// Germany's and the Netherlands' signed master lists (public, tests/fixtures/real-world/):
/// refused until their root is trusted, then every certificate imported, each listed with its key
/// and whether this build can use it — all of them can, the Vietnamese CSCA among them.
#[test]
fn real_master_lists_import_with_their_roots_and_every_key_is_usable() {
    for (ml, root, at_least) in
        [("de-master-list-2026-05-28.ml", "de-csca-07.cer", 580), ("nl-master-list-2026-07-22.ml", "nl-csca.cer", 400)]
    {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_str().unwrap();
        let list_path = format!("{REAL_WORLD}/{ml}");
        let (code, _, err) = cancuoc(&["trust", "import", &list_path, "--trust-dir", dir]);
        assert_eq!(code, 1, "{ml} before its root");
        assert!(err.contains("not issued by a CSCA in the trust store"), "{err}");
        let (code, out, _) = cancuoc(&["trust", "import", &format!("{REAL_WORLD}/{root}"), "--trust-dir", dir]);
        assert_eq!(code, 0, "{out}");
        let (code, out, err) = cancuoc(&["trust", "import", &list_path, "--trust-dir", dir]);
        assert_eq!(code, 0, "{ml}: {out}{err}");
        assert!(!out.contains("skipped"), "{out}");
        let entries = list(dir);
        assert!(entries.len() > at_least, "{ml}: {}", entries.len());
        let unusable: Vec<_> = entries.iter().filter(|e| e["usable"] != true).collect();
        assert!(unusable.is_empty(), "{ml}: {unusable:?}");
        if ml.starts_with("de") {
            assert!(entries.iter().any(|e| e["link"] == true), "{ml}: link certificates are kept for chain building");
            let vn = entries
                .iter()
                .find(|e| e["subject"].as_str().is_some_and(|s| s.contains("CSCA ePassport Vietnam")))
                .expect("the Vietnamese CSCA");
            assert_eq!(vn["key"], "ECDSA brainpoolP512r1 (explicit parameters)");
            assert!(vn["fingerprint"].as_str().unwrap().starts_with("6b5fa6fe45cc4e85"));
        }
    }
}

/// A CSCA on brainpoolP512r1 with explicit parameters, made by openssl here, issues a certificate
/// for the simulated card's document-signer key; the card then verifies green end to end.
/// A CSCA on a curve this build lacks (P-224) is listed as unusable, with the reason.
#[test]
fn brainpool_p512r1_explicit_csca_from_openssl_verifies_a_card_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let dir = d.join("trust");
    let dir = dir.to_str().unwrap();
    openssl(
        d,
        &["ecparam", "-name", "brainpoolP512r1", "-param_enc", "explicit", "-genkey", "-noout", "-out", "csca.key"],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "csca.key",
            "-sha512",
            "-days",
            "3650",
            "-subj",
            "/C=VN/O=cancuoc openssl test/CN=TEST CSCA brainpoolP512r1 explicit",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-outform",
            "DER",
            "-out",
            "csca.der",
        ],
    );
    issue_ds_for_simulated_card(d, "csca.der", "csca.key", "-sha512");
    let (code, out, _) = cancuoc(&["trust", "import", d.join("csca.der").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ECDSA brainpoolP512r1 (explicit parameters)") && !out.contains("CANNOT"), "{out}");

    let ds = d.join("ds.der");
    let read = |with_cert: bool| read_with_ds_cert(dir, with_cert.then_some(ds.as_path()));
    let (code, j) = read(true);
    assert_eq!((code, j["status"].as_str()), (Some(0), Some("verified")), "{j}");
    assert_eq!(j["checks"]["certificate_chain"], "valid", "{j}");
    // The same card with the test PKI's DS certificate: that issuer is not in this store.
    let (code, j) = read(false);
    assert_eq!((code, j["status"].as_str()), (Some(1), Some("signer_untrusted")), "{j}");

    // P-224: imported (it is a CA), listed as unusable with the reason.
    openssl(d, &["ecparam", "-name", "secp224r1", "-param_enc", "explicit", "-genkey", "-noout", "-out", "p224.key"]);
    openssl(
        d,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "p224.key",
            "-sha256",
            "-days",
            "3650",
            "-subj",
            "/C=XX/CN=TEST CSCA P-224",
            "-outform",
            "DER",
            "-out",
            "p224.der",
        ],
    );
    let (code, out, _) = cancuoc(&["trust", "import", d.join("p224.der").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("CANNOT be used here: unsupported elliptic curve a 224-bit curve"), "{out}");
    let p224 = list(dir).into_iter().find(|e| e["subject"].as_str().is_some_and(|s| s.contains("P-224"))).unwrap();
    assert_eq!(p224["usable"], false);
}

/// A link certificate marked CA:FALSE (as some CSCAs issue them) is accepted once its issuer is
/// trusted, and documents signed under the new key verify through it; a document signer
/// certificate is still refused.
#[test]
fn link_certificates_marked_ca_false_are_accepted_for_chain_building() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let dir = d.join("trust");
    let dir = dir.to_str().unwrap();
    for k in ["old", "new"] {
        openssl(d, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", &format!("{k}.key")]);
    }
    let subj = "/C=VN/O=cancuoc openssl test/CN=TEST CSCA LINKED";
    openssl(
        d,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "old.key",
            "-sha256",
            "-days",
            "3650",
            "-subj",
            subj,
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-outform",
            "DER",
            "-out",
            "old.der",
        ],
    );
    openssl(d, &["ec", "-in", "new.key", "-pubout", "-out", "new.pub"]);
    std::fs::write(d.join("link.ext"), "keyUsage=critical,keyCertSign,cRLSign\nbasicConstraints=critical,CA:FALSE\n")
        .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-new",
            "-subj",
            subj,
            "-force_pubkey",
            "new.pub",
            "-CA",
            "old.der",
            "-CAform",
            "DER",
            "-CAkey",
            "old.key",
            "-sha256",
            "-days",
            "3650",
            "-extfile",
            "link.ext",
            "-outform",
            "DER",
            "-out",
            "link.der",
        ],
    );
    let link = d.join("link.der");
    let (code, _, err) = cancuoc(&["trust", "import", link.to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 1, "a CA:FALSE certificate whose issuer is not trusted is refused");
    assert!(err.contains("not a CA certificate"), "{err}");
    let (code, out, _) = cancuoc(&["trust", "import", d.join("old.der").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = cancuoc(&["trust", "import", link.to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("[link]"), "{out}");
    // A document signer issued under the new key verifies through the link certificate.
    issue_ds_for_simulated_card(d, "link.der", "new.key", "-sha256");
    let (code, j) = read_with_ds_cert(dir, Some(&d.join("ds.der")));
    assert_eq!((code, j["status"].as_str()), (Some(0), Some("verified")), "{j}");
    // A document signer certificate is not a link: still refused.
    let (code, _, err) = cancuoc(&["trust", "import", d.join("ds.der").to_str().unwrap(), "--trust-dir", dir]);
    assert_eq!(code, 1, "{err}");
}
