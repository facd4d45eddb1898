//! Our verifier against public real-world data and openssl's answers on it
//! (tests/fixtures/real-world/: PROVENANCE.md says where each file comes from,
//! scripts/real-world-corpus how openssl's answers were obtained).
//!
//! - Every certificate of Germany's signed CSCA master list (588 CSCA and link certificates of
//!   ~116 countries): our signature check with its issuer's key agrees with openssl's, and a
//!   flipped byte in each certificate openssl accepts is rejected by us.
//! - Every SOD (Austria, Australia, China, Germany, Finland, France, Malaysia, New Zealand,
//!   the Philippines, Russia, Singapore, the UK, the US): our SOD signature and DS → CSCA verdicts
//!   agree with openssl's, and flipped bytes are rejected.
//! - Second, our RSA public operation (`auth::rsa_public`, square-and-multiply) against
//!   num-bigint-dig's own `modpow` at 1024–6144 bits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use cancuoc_core::auth::master_list;
use cancuoc_core::auth::passive;
use cancuoc_core::auth::sig::{self, SigError};
use cancuoc_core::cert::Cert;
use cancuoc_core::lds::sod;
use cancuoc_core::trust::TrustStore;
use cancuoc_core::verdict::{ChainStatus, SignatureStatus};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/real-world")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Rows of a tab-separated answer file, without its header.
fn rows(name: &str) -> Vec<Vec<String>> {
    String::from_utf8(read(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// The German master list's certificates, in list order (the content as signed).
fn german_list() -> Vec<Vec<u8>> {
    let ml = read("de-master-list-2026-05-28.ml");
    let sc = sod::parse_signed_data(&ml).expect("the German master list parses");
    master_list::certificates(&sc.econtent).expect("its certificate list")
}

fn verify_cert(issuer: &Cert, cert: &Cert) -> Result<(), SigError> {
    sig::verify(&issuer.public_key, &cert.signature_algorithm, None, &cert.tbs, &cert.signature).map(|_| ())
}

#[test]
fn master_list_signatures_agree_with_openssl() {
    let certs = german_list();
    let answers = rows("master-list.tsv");
    assert_eq!(certs.len(), answers.len(), "one openssl answer per certificate");
    let parsed: Vec<Cert> =
        certs.iter().enumerate().map(|(i, d)| Cert::from_der(d).unwrap_or_else(|e| panic!("#{i}: {e}"))).collect();
    let mut table: BTreeMap<(String, String, String), [usize; 2]> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (i, row) in answers.iter().enumerate() {
        let [index, sha, issuer, alg, key, openssl] = &row[..] else { panic!("row {i}: {row:?}") };
        assert_eq!(index.parse::<usize>().unwrap(), i);
        assert_eq!(*sha, sha256_hex(&certs[i]), "#{i}: the list is the one openssl answered on");
        let Ok(issuer) = issuer.parse::<usize>() else {
            assert_eq!(openssl, "no-issuer");
            continue;
        };
        let ours = verify_cert(&parsed[issuer], &parsed[i]);
        let agree = match openssl.as_str() {
            "ok" => ours.is_ok(),
            // Bad signature, or a key of the wrong type for the algorithm.
            "fail" | "error" => matches!(ours, Err(SigError::Invalid | SigError::KeyMismatch)),
            other => panic!("#{i}: openssl answer {other}"),
        };
        let slot = table.entry((alg.clone(), key.clone(), openssl.clone())).or_default();
        slot[0] += 1;
        if agree {
            slot[1] += 1;
        } else {
            disagreements.push(format!("#{i} {alg} {key}: openssl {openssl}, ours {ours:?}"));
        }
        if openssl == "ok" {
            // A flipped byte in the signature, and in the signed TBSCertificate, is rejected.
            let mut bad_sig = parsed[i].clone();
            let last = bad_sig.signature.len() - 1;
            bad_sig.signature[last / 2] ^= 0x01;
            assert!(verify_cert(&parsed[issuer], &bad_sig).is_err(), "#{i}: flipped signature byte accepted");
            let mut bad_tbs = parsed[i].clone();
            let mid = bad_tbs.tbs.len() / 2;
            bad_tbs.tbs[mid] ^= 0x01;
            assert!(verify_cert(&parsed[issuer], &bad_tbs).is_err(), "#{i}: flipped TBS byte accepted");
        }
    }
    for ((alg, key, openssl), [n, agree]) in &table {
        println!("{alg:<18} {key:<36} openssl {openssl:<6} {agree}/{n} agree");
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

/// The Vietnamese CSCA in the list (issue 20): explicit brainpoolP512r1, ecdsa-with-SHA512.
#[test]
fn vietnam_csca_in_the_list_is_usable() {
    let certs = german_list();
    let vn = certs
        .iter()
        .find(|d| sha256_hex(d) == "6b5fa6fe45cc4e855a73760413e08b7a9ac50a27722c702f3909a90facc991bd")
        .expect("CSCA ePassport Vietnam is in the German master list");
    let c = Cert::from_der(vn).unwrap();
    assert_eq!(sig::ec_curve(&c.public_key).unwrap().to_string(), "1.3.36.3.3.2.8.1.1.13");
    verify_cert(&c, &c).expect("its self-signature verifies with its own explicit brainpoolP512r1 key");
}

#[test]
fn sod_verdicts_agree_with_openssl() {
    for row in rows("sod.tsv") {
        let [cc, sha, _alg, ds_key, _csca_key, _cms, signature, ds_by_csca] = &row[..] else { panic!("{row:?}") };
        let name = cc.to_lowercase();
        let bytes = read(&format!("sod/{name}.sod"));
        assert_eq!(*sha, sha256_hex(&bytes));
        let csca_der = read(&format!("sod/{name}.csca.der"));
        let s = sod::parse(&bytes).unwrap_or_else(|e| panic!("{cc}: {e}"));
        let ds = passive::signer_certificate_of(&s.certificates, &s.signer.id).expect("DS certificate");
        let (status, _) = passive::check_signature(&s, &ds);
        assert_eq!(status == SignatureStatus::Valid, signature == "ok", "{cc} ({ds_key}): SOD signature {status:?}");
        let csca = Cert::from_der(&csca_der).unwrap();
        assert_eq!(verify_cert(&csca, &ds).is_ok(), ds_by_csca == "ok", "{cc}: DS by CSCA");
        // The whole chain, at a time both certificates are valid.
        let mut trust = TrustStore::new();
        trust.add_der(&csca_der).unwrap();
        let now = ds.not_before.max(csca.not_before) + 86_400;
        let (chain, _) = passive::check_chain(&ds, &trust, now);
        assert_eq!(chain, ChainStatus::Valid, "{cc}");

        // A flipped byte in the signature, and in the signed content, is rejected.
        let mut forged = s.clone();
        let n = forged.signer.signature.len();
        forged.signer.signature[n / 2] ^= 0x01;
        assert_ne!(passive::check_signature(&forged, &ds).0, SignatureStatus::Valid, "{cc}: forged signature");
        let mut altered = s.clone();
        let n = altered.econtent.len();
        altered.econtent[n - 3] ^= 0x01;
        assert_ne!(passive::check_signature(&altered, &ds).0, SignatureStatus::Valid, "{cc}: altered content");
        let mut bad_ds = ds.clone();
        let n = bad_ds.signature.len();
        bad_ds.signature[n / 2] ^= 0x01;
        assert_ne!(passive::check_chain(&bad_ds, &trust, now).0, ChainStatus::Valid, "{cc}: forged DS certificate");
    }
}

/// The master lists' own signatures, with the roots published beside them.
#[test]
fn signed_master_lists_verify_with_their_roots() {
    for (list, root) in
        [("de-master-list-2026-05-28.ml", "de-csca-07.cer"), ("nl-master-list-2026-07-22.ml", "nl-csca.cer")]
    {
        let ml = read(list);
        let mut trust = TrustStore::new();
        trust.add_der(&read(root)).unwrap();
        let sc = sod::parse_signed_data(&ml).unwrap();
        let signer = passive::signer_certificate_of(&sc.certificates, &sc.signer.id).unwrap();
        let now = signer.not_before + 86_400;
        let certs = master_list::verify(&ml, &trust, now).unwrap_or_else(|e| panic!("{list}: {e}"));
        assert!(certs.len() > 100, "{list}: {}", certs.len());
        // A flipped byte in the list's content: refused.
        let mut bad = ml.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0x01;
        assert!(master_list::verify(&bad, &trust, now).is_err(), "{list}: altered list accepted");
    }
}

/// The host's signature backend (ring) against the RustCrypto path on the same inputs
/// (`sig::cross_check`: genuine, flipped signature byte, flipped signed byte). Returns
/// whether ring covered it.
#[cfg(feature = "ring")]
fn backends_agree(
    what: &str,
    key: &spki::SubjectPublicKeyInfoOwned,
    alg: &spki::AlgorithmIdentifierOwned,
    hint: Option<cancuoc_core::crypto::HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    cancuoc_core::auth::sig::cross_check(key, alg, hint, message, signature).unwrap_or_else(|e| panic!("{what}: {e}"))
}

#[cfg(feature = "ring")]
#[test]
fn the_host_backend_agrees_with_rustcrypto_on_every_real_world_signature() {
    // The master list: every certificate whose issuer is in it.
    let certs = german_list();
    let parsed: Vec<Cert> = certs.iter().map(|d| Cert::from_der(d).unwrap()).collect();
    let answers = rows("master-list.tsv");
    let (mut seen, mut covered) = (0, 0);
    for (i, row) in answers.iter().enumerate() {
        let Ok(issuer) = row[2].parse::<usize>() else { continue };
        let (c, k) = (&parsed[i], &parsed[issuer].public_key);
        seen += 1;
        covered +=
            usize::from(backends_agree(&format!("list #{i}"), k, &c.signature_algorithm, None, &c.tbs, &c.signature));
    }
    // Most of the world's CSCAs are RSA (PKCS#1 v1.5 or PSS) or NIST-curve ECDSA: ring's ground.
    assert!(covered * 2 > seen, "ring covered {covered} of {seen} master-list signatures");
    println!("master list: ring covered {covered} of {seen} signatures; RustCrypto decided the rest");
    // The SODs: the SOD signature with the DS key, the DS certificate with the CSCA key.
    let (mut sods, mut sods_covered) = (0, 0);
    for row in rows("sod.tsv") {
        let name = row[0].to_lowercase();
        let s = sod::parse(&read(&format!("sod/{name}.sod"))).unwrap();
        let ds = passive::signer_certificate_of(&s.certificates, &s.signer.id).unwrap();
        let csca = Cert::from_der(&read(&format!("sod/{name}.csca.der"))).unwrap();
        let hint = cancuoc_core::crypto::HashAlgorithm::from_oid(&s.signer.digest_algorithm);
        let message = s.signer.signed_attrs.as_deref().unwrap_or(&s.econtent);
        sods += 2;
        sods_covered += usize::from(backends_agree(
            &format!("{name} SOD"),
            &ds.public_key,
            &s.signer.signature_algorithm,
            hint,
            message,
            &s.signer.signature,
        ));
        sods_covered += usize::from(backends_agree(
            &format!("{name} DS"),
            &csca.public_key,
            &ds.signature_algorithm,
            None,
            &ds.tbs,
            &ds.signature,
        ));
    }
    assert!(sods_covered * 2 > sods, "ring covered {sods_covered} of {sods} SOD and DS signatures");
    println!("SODs: ring covered {sods_covered} of {sods} signatures");
}

/// `rsa_public::rsavp1` (square-and-multiply) against num-bigint-dig's windowed `modpow` — the
/// `rsa` crate's own path — at each size and at the edges: s = 0, 1, n − 1; s = n and a wrong
/// length refused. (The first test of it is the openssl agreement above: every RSA SOD and
/// master-list signature goes through it.)
#[test]
fn rsa_public_operation_agrees_with_num_bigint_dig() {
    use cancuoc_core::auth::rsa_public::rsavp1;
    use rsa::{BigUint, RsaPublicKey};
    let fit = |b: Vec<u8>, k: usize| [vec![0u8; k - b.len()], b].concat();
    for bits in [1024usize, 2048, 3072, 4096, 6144] {
        // An odd modulus with its top bit set (not a real RSA modulus: RSAVP1 needs none).
        let k = bits / 8;
        let mut nb: Vec<u8> = (0..k).map(|i| (i as u8).wrapping_mul(37).wrapping_add(11)).collect();
        nb[0] |= 0x80;
        nb[k - 1] |= 1;
        let n = BigUint::from_bytes_be(&nb);
        let x = BigUint::from_bytes_be(&nb[..k / 2]);
        for e in [3u32, 65537] {
            let key = RsaPublicKey::new_with_max_size(n.clone(), BigUint::from(e), 8192).unwrap();
            for s in [BigUint::from(0u8), BigUint::from(1u8), &n - BigUint::from(1u8), &n / BigUint::from(3u8) + &x] {
                let want = fit(s.modpow(&BigUint::from(e), &n).to_bytes_be(), k);
                let s_bytes = fit(s.to_bytes_be(), k);
                assert_eq!(rsavp1(&key, &s_bytes), Some(want), "{bits} bits, e = {e}");
            }
            assert_eq!(rsavp1(&key, &fit(n.to_bytes_be(), k)), None, "s = n is out of range");
            assert_eq!(rsavp1(&key, &[1u8; 3]), None, "wrong length");
        }
    }
}
