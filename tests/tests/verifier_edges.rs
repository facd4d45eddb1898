//! Verifier edge cases on real simulated SODs: an unknown algorithm is named, never passed; any
//! mutation of a SOD never panics; ISO 9796-2 SHA-1 trailers work for active authentication.

use cancuoc_sim::pki::SignKeyExt;
use std::collections::BTreeMap;

use cancuoc_core::auth::{active, passive};
use cancuoc_core::crypto::HashAlgorithm;
use cancuoc_core::files::FileId;
use cancuoc_core::lds::{dg15, sod};
use cancuoc_core::verdict::{ActiveAuthStatus, ChainStatus, SignatureStatus};
use cancuoc_sim::{CardSpec, Pki, build, trust_store};
use proptest::prelude::*;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

const NOW: u64 = 1_795_392_000;

fn files(spec: &CardSpec) -> (sod::Sod, BTreeMap<FileId, Vec<u8>>, Vec<u8>) {
    let image = build(spec);
    let s = sod::parse(image.file(FileId::Sod).unwrap()).unwrap();
    let dgs = [1u8, 2, 13, 15]
        .iter()
        .filter_map(|n| image.file(FileId::Dg(*n)).map(|b| (FileId::Dg(*n), b.to_vec())))
        .collect();
    (s, dgs, image.file(FileId::Sod).unwrap().to_vec())
}

#[test]
fn unknown_signature_algorithm_is_named_not_passed() {
    let (mut s, dgs, _) = files(&CardSpec::default());
    s.signer.signature_algorithm.oid = const_oid::ObjectIdentifier::new_unwrap("1.2.3.4.5");
    let r = passive::verify(&s, &dgs, &[1, 2, 13, 15], &trust_store(), NOW);
    assert_eq!(r.sod_signature, SignatureStatus::UnsupportedAlgorithm("1.2.3.4.5".into()));
    let (mut s, dgs, _) = files(&CardSpec::default());
    s.lds_security_object.hash_algorithm.oid = const_oid::ObjectIdentifier::new_unwrap("1.2.3.4.6");
    let r = passive::verify(&s, &dgs, &[1, 2, 13, 15], &trust_store(), NOW);
    // Every data group that was read (DG3 and DG14 are in the SOD but not in these files).
    let read: Vec<_> = r.data_groups.iter().filter(|d| dgs.contains_key(&FileId::Dg(d.dg))).collect();
    assert_eq!(read.len(), 4);
    assert!(read.iter().all(|d| d.status == cancuoc_core::verdict::HashStatus::UnsupportedAlgorithm));
}

#[test]
fn a_dg_on_the_chip_but_not_in_the_sod_is_flagged() {
    let (s, mut dgs, _) = files(&CardSpec::default());
    dgs.insert(FileId::Dg(11), vec![0x6B, 0x00]);
    let r = passive::verify(&s, &dgs, &[1, 2, 11, 13, 15], &trust_store(), NOW);
    assert!(r.data_groups.iter().any(|d| d.dg == 11 && d.status == cancuoc_core::verdict::HashStatus::NotInSod));
}

#[test]
fn chain_is_checked_at_the_given_time() {
    let (s, dgs, _) = files(&CardSpec::default());
    // 2024-06-01: the DS (valid from 2025) is not yet valid.
    let r = passive::verify(&s, &dgs, &[1, 2, 13, 15], &trust_store(), 1_717_200_000);
    assert!(matches!(r.chain, ChainStatus::NotYetValid { .. }), "{:?}", r.chain);
    // 2040: everything expired.
    let r = passive::verify(&s, &dgs, &[1, 2, 13, 15], &trust_store(), 2_208_988_800);
    assert!(matches!(r.chain, ChainStatus::Expired { .. }), "{:?}", r.chain);
}

#[test]
fn rsa_active_authentication_with_sha1_and_alternative_representation() {
    let pki = Pki::load();
    let cancuoc_sim::pki::SignKey::Rsa(k) = pki.key("aa-rsa") else { panic!("RSA AA key") };
    let d15 = dg15::parse(&dg15::encode(&der::Encode::to_der(&pki.key("aa-rsa").spki()).unwrap())).unwrap();
    let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
    let n = k.n();
    for hash in [HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
        let m = active::representative(k.size(), &[0x42; 40], &challenge, hash);
        let s = rsa::BigUint::from_bytes_be(&m).modpow(k.d(), n);
        let sig = |v: &rsa::BigUint| {
            let b = v.to_bytes_be();
            let mut out = vec![0u8; k.size() - b.len()];
            out.extend(b);
            out
        };
        assert_eq!(active::verify(&d15, None, &challenge, &sig(&s)), ActiveAuthStatus::Passed, "{hash}");
        // ISO 9796-2: the signer may send n − s.
        assert_eq!(active::verify(&d15, None, &challenge, &sig(&(n - &s))), ActiveAuthStatus::Passed, "{hash} alt");
        // A different challenge fails.
        assert!(matches!(active::verify(&d15, None, &[0; 8], &sig(&s)), ActiveAuthStatus::Failed(_)));
    }
    assert!(matches!(active::verify(&d15, None, &challenge, &[0; 256]), ActiveAuthStatus::Failed(_)));
    assert!(matches!(active::verify(&d15, None, &challenge, &[1; 5]), ActiveAuthStatus::Failed(_)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
    #[test]
    fn mutated_sods_never_panic(at in any::<prop::sample::Index>(), bit in 0u8..8, spec in 0usize..3) {
        let spec = [CardSpec::default(), CardSpec::variant("ecdsa-p256").unwrap(), CardSpec::variant("ecdsa-bp256").unwrap()][spec].clone();
        let (_, dgs, mut raw) = files(&spec);
        let i = at.index(raw.len());
        raw[i] ^= 1 << bit;
        if let Ok(s) = sod::parse(&raw) {
            let _ = passive::verify(&s, &dgs, &[1, 2, 13, 15], &trust_store(), NOW);
        }
    }
}

#[test]
fn only_a_crl_a_trusted_csca_signed_revokes() {
    use cancuoc_sim::pki::{CSCA_P256, issue_crl};
    let spec = CardSpec::variant("ecdsa-p256").unwrap();
    let (s, dgs, _) = files(&spec);
    let pki = Pki::load();
    // The P-256 chain's DS is serial 201 (00 C9).
    let ds = cancuoc_core::cert::Cert::from_der(&pki.cert("ds-p256")).unwrap();
    assert_eq!(ds.serial, [0x00, 0xC9]);
    let serial = 201;
    let verify = |trust: &cancuoc_core::TrustStore| passive::verify(&s, &dgs, &[1, 2, 13, 15], trust, NOW).chain;
    assert_eq!(verify(&trust_store()), ChainStatus::Valid);
    let listing = [(serial, "2026-01-02T00:00:00Z")];
    let revoke =
        |key: &str| issue_crl(CSCA_P256, &pki.key(key), 9, "2026-01-05T00:00:00Z", "2036-01-01T00:00:00Z", &listing);
    // A list in the CSCA's name signed by another key revokes nothing.
    let mut t = trust_store();
    t.add_crl_der(&revoke("csca-rogue")).unwrap();
    assert_eq!(verify(&t), ChainStatus::Valid);
    // Signed by the CSCA itself, it revokes the DS.
    t.add_crl_der(&revoke("csca-p256")).unwrap();
    assert!(
        matches!(verify(&t), ChainStatus::Revoked { role: cancuoc_core::verdict::CertRole::DocumentSigner, .. }),
        "{:?}",
        verify(&t)
    );
    // Garbage is refused as a CRL, not stored.
    assert!(t.add_crl_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
}
