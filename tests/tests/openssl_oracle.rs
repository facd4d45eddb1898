//! An independent oracle, so the simulator and the verifier cannot share a mistake:
//! 1. SODs signed by our test PKI verify with `openssl cms -verify`, and openssl recovers the
//!    same LDSSecurityObject;
//! 2. SODs signed by `openssl cms -sign` — with a CSCA and DS made by openssl alone, in RSA-PSS,
//!    ECDSA P-384 and brainpoolP384r1 — verify with our passive authentication.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use cancuoc_core::TrustStore;
use cancuoc_core::auth::passive;
use cancuoc_core::files::FileId;
use cancuoc_core::lds::sod;
use cancuoc_core::tlv;
use cancuoc_core::verdict::{ChainStatus, HashStatus, SignatureStatus};
use cancuoc_sim::oracle::openssl;
use cancuoc_sim::{CardSpec, Pki, build};

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn openssl_verifies_sods_signed_by_our_test_pki() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::load();
    for (variant, csca) in [("rsa", "csca-rsa"), ("ecdsa-p256", "csca-p256"), ("ecdsa-bp256", "csca-bp256")] {
        let image = build(&CardSpec::variant(variant).unwrap());
        let sod_file = image.file(FileId::Sod).unwrap();
        let inner = tlv::expect(sod_file, 0x77).unwrap().value;
        std::fs::write(d.join("sod.der"), inner).unwrap();
        std::fs::write(d.join("csca.der"), pki.cert(csca)).unwrap();
        openssl(d, &["x509", "-inform", "DER", "-in", "csca.der", "-out", "csca.pem"]);
        openssl(
            d,
            &[
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-in",
                "sod.der",
                "-CAfile",
                "csca.pem",
                "-purpose",
                "any",
                "-binary",
                "-out",
                "econtent.bin",
            ],
        );
        let ours = sod::parse(sod_file).unwrap();
        assert_eq!(std::fs::read(d.join("econtent.bin")).unwrap(), ours.econtent, "{variant}");

        // And openssl refuses the forged signature.
        let forged = build(&CardSpec::variant("bad-sod-signature").unwrap());
        let inner = tlv::expect(forged.file(FileId::Sod).unwrap(), 0x77).unwrap().value;
        std::fs::write(d.join("forged.der"), inner).unwrap();
        let out = Command::new("openssl")
            .current_dir(d)
            .args([
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-in",
                "forged.der",
                "-CAfile",
                "csca.pem",
                "-purpose",
                "any",
                "-binary",
                "-out",
                "x.bin",
            ])
            .output()
            .unwrap();
        assert!(!out.status.success(), "openssl must reject the forged SOD");
    }
}

/// An LDSSecurityObject over the simulated card's data groups, encoded by hand-checked DER.
fn lds_security_object(dgs: &BTreeMap<FileId, Vec<u8>>, hash: cancuoc_core::crypto::HashAlgorithm) -> Vec<u8> {
    use der::Encode;
    let lso = sod::LdsSecurityObject {
        version: 0,
        hash_algorithm: spki::AlgorithmIdentifierOwned { oid: hash.oid(), parameters: None },
        data_group_hash_values: dgs
            .iter()
            .filter_map(|(f, b)| match f {
                FileId::Dg(n) => Some(sod::DataGroupHash {
                    data_group_number: *n,
                    data_group_hash_value: der::asn1::OctetString::new(hash.digest(b)).unwrap(),
                }),
                _ => None,
            })
            .collect(),
        lds_version_info: None,
    };
    lso.to_der().unwrap()
}

/// Makes a CSCA and a DS with openssl alone, signs an LDSSecurityObject over `dgs` with
/// `openssl cms -sign`, and returns our parse of that SOD and a trust store holding the CSCA.
fn openssl_sod(
    d: &Path,
    keygen: &[&str],
    signopts: &[&str],
    md: &str,
    dgs: &BTreeMap<FileId, Vec<u8>>,
    hash: cancuoc_core::crypto::HashAlgorithm,
    ds_key_usage: &str,
) -> (sod::Sod, TrustStore) {
    std::fs::write(d.join("ds.ext"), format!("keyUsage=critical,{ds_key_usage}\n")).unwrap();
    let mut csca = vec!["req", "-x509", "-nodes", "-keyout", "csca.key", "-out", "csca.pem", "-days", "3650"];
    csca.extend(["-subj", "/C=VN/O=openssl oracle/CN=OpenSSL CSCA"]);
    csca.extend(keygen);
    csca.extend(["-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(d, &csca);
    let mut csr = vec!["req", "-new", "-nodes", "-keyout", "ds.key", "-out", "ds.csr"];
    csr.extend(["-subj", "/C=VN/O=openssl oracle/CN=OpenSSL DS"]);
    csr.extend(keygen);
    openssl(d, &csr);
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "ds.csr",
            "-CA",
            "csca.pem",
            "-CAkey",
            "csca.key",
            "-set_serial",
            "7",
            "-days",
            "3650",
        ]
        .into_iter()
        .chain(["-extfile", "ds.ext", "-out", "ds.pem"])
        .collect::<Vec<_>>(),
    );
    std::fs::write(d.join("lso.der"), lds_security_object(dgs, hash)).unwrap();
    let mut sign = vec!["cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-econtent_type", "2.23.136.1.1.1"];
    sign.extend(["-in", "lso.der", "-signer", "ds.pem", "-inkey", "ds.key", "-md", md]);
    sign.extend(["-outform", "DER", "-out", "sod.der"]);
    sign.extend(signopts);
    openssl(d, &sign);
    openssl(d, &["x509", "-in", "csca.pem", "-outform", "DER", "-out", "csca.der"]);
    let sod_file = tlv::encode(0x77, &std::fs::read(d.join("sod.der")).unwrap());
    let parsed = sod::parse(&sod_file).unwrap_or_else(|e| panic!("our parser rejects openssl's SOD: {e}"));
    let mut trust = TrustStore::new();
    trust.add_der(&std::fs::read(d.join("csca.der")).unwrap()).unwrap();
    (parsed, trust)
}

fn simulated_dgs() -> BTreeMap<FileId, Vec<u8>> {
    let image = build(&CardSpec::default());
    [1u8, 2, 13, 15].iter().map(|n| (FileId::Dg(*n), image.file(FileId::Dg(*n)).unwrap().to_vec())).collect()
}

#[test]
fn our_verifier_accepts_sods_signed_by_openssl() {
    use cancuoc_core::crypto::HashAlgorithm;
    let dgs = simulated_dgs();
    // (name, key generation options, signing options, digest, hash)
    type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a str, HashAlgorithm);
    let cases: [Case<'_>; 5] = [
        (
            "rsa-pss",
            &["-newkey", "rsa:2048"],
            &["-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:32"],
            "sha256",
            HashAlgorithm::Sha256,
        ),
        ("p384", &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1"], &[], "sha384", HashAlgorithm::Sha384),
        (
            "bp384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:brainpoolP384r1"],
            &[],
            "sha384",
            HashAlgorithm::Sha384,
        ),
        ("p521", &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1"], &[], "sha512", HashAlgorithm::Sha512),
        ("rsa-pkcs1-sha224", &["-newkey", "rsa:2048"], &[], "sha224", HashAlgorithm::Sha224),
    ];
    for (name, keygen, signopts, md, hash) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (parsed, trust) = openssl_sod(dir.path(), keygen, signopts, md, &dgs, hash, "digitalSignature");
        let r = passive::verify(&parsed, &dgs, &[1, 2, 13, 15], &trust, now());
        assert_eq!(r.sod_signature, SignatureStatus::Valid, "{name}");
        assert_eq!(r.chain, ChainStatus::Valid, "{name}");
        assert!(r.data_groups.iter().all(|c| c.status == HashStatus::Match), "{name}: {:?}", r.data_groups);
        assert_eq!(r.hash_algorithm, Some(hash));
        assert!(r.weak_algorithms.is_empty(), "{name}");

        // One altered data group is caught against openssl's signature too.
        let mut altered = dgs.clone();
        altered.get_mut(&FileId::Dg(13)).unwrap()[20] ^= 1;
        let r = passive::verify(&parsed, &altered, &[1, 2, 13, 15], &trust, now());
        assert!(r.data_groups.iter().any(|c| c.dg == 13 && c.status == HashStatus::Mismatch), "{name}");
        // And a damaged signature is refused.
        let mut tampered = parsed.clone();
        tampered.signer.signature[10] ^= 1;
        let r = passive::verify(&tampered, &dgs, &[1, 2, 13, 15], &trust, now());
        assert_eq!(r.sod_signature, SignatureStatus::Invalid, "{name}");
    }
}

#[test]
fn sha1_is_valid_but_reported_weak_and_only_the_signature_fails() {
    use cancuoc_core::crypto::HashAlgorithm;
    let dgs = simulated_dgs();
    let dir = tempfile::tempdir().unwrap();
    let (parsed, trust) =
        openssl_sod(dir.path(), &["-newkey", "rsa:2048"], &[], "sha1", &dgs, HashAlgorithm::Sha1, "digitalSignature");
    let r = passive::verify(&parsed, &dgs, &[1, 2, 13, 15], &trust, now());
    assert_eq!(r.sod_signature, SignatureStatus::Valid);
    assert!(r.data_groups.iter().all(|c| c.status == HashStatus::Match));
    assert!(r.notices.iter().any(|n| n.starts_with("SHA-1 data group hashes")), "{:?}", r.notices);
    assert!(r.weak_algorithms.contains(&"SHA-1 SOD signature"), "{:?}", r.weak_algorithms);
}

#[test]
fn a_ds_without_digital_signature_usage_is_refused() {
    use cancuoc_core::crypto::HashAlgorithm;
    let dgs = simulated_dgs();
    let dir = tempfile::tempdir().unwrap();
    let (parsed, trust) = openssl_sod(
        dir.path(),
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        &[],
        "sha256",
        &dgs,
        HashAlgorithm::Sha256,
        "keyAgreement",
    );
    let r = passive::verify(&parsed, &dgs, &[1, 2, 13, 15], &trust, now());
    assert_eq!(r.chain, ChainStatus::KeyUsage(cancuoc_core::verdict::CertRole::DocumentSigner));
}
