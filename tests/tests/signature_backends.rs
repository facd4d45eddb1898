//! The host's signature backend (ring, `cancuoc_core::auth::ring_backend`) against the RustCrypto
//! path on every signature the simulated cards carry: the SOD's (DS key) and the DS
//! certificate's (CSCA key), for every variant — RSA PKCS#1 v1.5 and PSS, ECDSA on P-256,
//! brainpool and the rest, genuine and forged. Where ring covers the algorithm both answer the
//! same, also with a flipped byte; `sig::verify` (ring first, RustCrypto for the rest) gives the
//! same verdict as RustCrypto alone. The real-world corpus gets the same check in
//! firmware/core/tests/real_world.rs.

use cancuoc_core::auth::passive;
use cancuoc_core::auth::sig;
use cancuoc_core::cert::Cert;
use cancuoc_core::crypto::HashAlgorithm;
use cancuoc_core::files::FileId;
use cancuoc_core::lds::sod;
use cancuoc_sim::{CardSpec, VARIANTS, build, trust_store};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

fn agree(
    what: &str,
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    hint: Option<HashAlgorithm>,
    m: &[u8],
    s: &[u8],
) -> bool {
    sig::cross_check(key, alg, hint, m, s).unwrap_or_else(|e| panic!("{what}: {e}"))
}

#[test]
fn the_host_backend_agrees_with_rustcrypto_on_every_simulated_signature() {
    let trust = trust_store();
    let (mut seen, mut covered) = (0, 0);
    let mut covered_names = Vec::new();
    for (name, _) in VARIANTS {
        let image = build(&CardSpec::variant(name).unwrap());
        let Some(bytes) = image.files.get(&FileId::Sod.fid()) else { continue };
        let Ok(s) = sod::parse(bytes) else { continue };
        let Some(ds) = passive::signer_certificate_of(&s.certificates, &s.signer.id) else { continue };
        let hint = HashAlgorithm::from_oid(&s.signer.digest_algorithm);
        let message = s.signer.signed_attrs.as_deref().unwrap_or(&s.econtent);
        seen += 1;
        if agree(
            &format!("{name} SOD"),
            &ds.public_key,
            &s.signer.signature_algorithm,
            hint,
            message,
            &s.signer.signature,
        ) {
            covered += 1;
            covered_names.push(*name);
        }
        for csca in trust.by_subject(&ds.issuer) {
            let c: &Cert = &csca.cert;
            seen += 1;
            covered += usize::from(agree(
                &format!("{name} DS"),
                &c.public_key,
                &ds.signature_algorithm,
                None,
                &ds.tbs,
                &ds.signature,
            ));
        }
    }
    // The cards the benchmark and the budgets are about are ring's: RSA and P-256.
    for must in ["rsa", "ecdsa-p256", "bac-only"] {
        assert!(covered_names.contains(&must), "ring did not cover the {must} card's SOD signature");
    }
    assert!(seen >= 2 * VARIANTS.len() - 10, "{seen} signatures checked");
    println!("ring covered {covered} of {seen} simulated signatures; RustCrypto decided the rest");
}
