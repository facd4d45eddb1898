//! `cancuoc-demo`: the built-in simulated card of the demo mode (`cancuoc read --simulated`,
//! `cancuoc serve --simulated`, `cancuoc-desk --demo`) and the simulated insurer.
//!
//! What ships here is **public**: finished card images (`cards.bin`, signed once by the test PKI
//! in `tests/` and committed with the generator `cargo run -p cancuoc-sim --bin gen-pki`), the
//! test CSCA certificates and revocation lists, and the chip engine that answers APDUs. The test
//! CSCA's and document signers' private keys stay in `cancuoc-sim` (a dev-dependency only): a
//! shipped program cannot sign a card that a trust store holding the test CSCA would accept. A
//! test in `cancuoc-sim` checks that `cards.bin` is exactly what the generator makes, and one in
//! the bridge that the built programs hold none of the test signers' key bytes.

pub mod card;
pub mod chip;
pub mod hospital;
pub mod persona;

pub use card::{CaKey, CardImage, SignKey};
pub use chip::{Fault, SimChip};
pub use persona::{CAN, PASSPORT_TD3_MRZ, PERSONA, PERSONA_2024, Persona, VARIANTS, passport_access_key};

/// Every variant's finished card image (see [`card::encode_bundle`]).
pub const CARDS: &[u8] = include_bytes!("../cards.bin");

/// The test PKI's CSCA certificates and revocation lists: the trust store of the simulated
/// deployment (public data; the rogue CSCA is deliberately absent).
const TRUST: &[(&str, &[u8])] = &[
    ("csca-rsa.cer", include_bytes!("../../../tests/fixtures/pki/csca-rsa.cer")),
    ("csca-p256.cer", include_bytes!("../../../tests/fixtures/pki/csca-p256.cer")),
    ("csca-bp256.cer", include_bytes!("../../../tests/fixtures/pki/csca-bp256.cer")),
    ("csca-rolled-old.cer", include_bytes!("../../../tests/fixtures/pki/csca-rolled-old.cer")),
    ("csca-rolled-new.cer", include_bytes!("../../../tests/fixtures/pki/csca-rolled-new.cer")),
    ("crl-p256.crl", include_bytes!("../../../tests/fixtures/pki/crl-p256.crl")),
    ("crl-rolled.crl", include_bytes!("../../../tests/fixtures/pki/crl-rolled.crl")),
];

/// The card image of the named variant (see [`VARIANTS`]); `None` for an unknown name.
///
/// When the environment variable `CANCUOC_SIM_DS_CERT` names a DER file, the card's EF.SOD
/// carries that certificate instead of the test PKI's document signer — e.g. one a technician's
/// own CSCA issued for the simulated card's DS public key (the ecdsa-p256 variant's is in
/// tests/fixtures/pki/ds-p256.cer), to try a trust store end to end. The SOD's signature stays the
/// simulated DS key's: a certificate for another key gives an invalid signature.
pub fn card_image(variant: &str) -> Option<CardImage> {
    let mut image = card::decode_from_bundle(CARDS, variant).ok().flatten()?;
    if let Some(cert) = std::env::var_os("CANCUOC_SIM_DS_CERT").and_then(|p| std::fs::read(p).ok()) {
        let sod_fid = cancuoc_core::files::FileId::Sod.fid();
        if let Some(sod) = image.files.get(&sod_fid).and_then(|s| with_ds_certificate(s, &cert)) {
            image.files.insert(sod_fid, sod);
        }
    }
    Some(image)
}

/// A ready chip for the named variant; `None` for an unknown name.
pub fn simulated_card(variant: &str) -> Option<SimChip> {
    card_image(variant).map(SimChip::new)
}

/// The trust store the simulated deployment uses: the test PKI's genuine CSCAs and their
/// revocation lists.
pub fn trust_store() -> cancuoc_core::TrustStore {
    let mut store = cancuoc_core::TrustStore::new();
    for (name, der) in TRUST {
        let added = if name.ends_with(".crl") { store.add_crl_der(der) } else { store.add_der(der) };
        debug_assert!(added.is_ok(), "{name}");
    }
    store
}

/// EF.SOD (`77 L ContentInfo`) with its certificate set replaced by `cert` (DER); the signed
/// content and the signature are kept byte for byte. `None` when either does not decode.
pub fn with_ds_certificate(sod: &[u8], cert: &[u8]) -> Option<Vec<u8>> {
    use cms::cert::CertificateChoices;
    use cms::content_info::ContentInfo;
    use cms::signed_data::{CertificateSet, SignedData};
    use der::{Decode, Encode};
    let inner = cancuoc_core::tlv::expect(sod, 0x77).ok()?;
    let mut ci = ContentInfo::from_der(inner.value).ok()?;
    let mut sd: SignedData = ci.content.decode_as().ok()?;
    let cert = x509_cert_from_der(cert)?;
    let mut set = der::asn1::SetOfVec::new();
    set.insert(CertificateChoices::Certificate(cert)).ok()?;
    sd.certificates = Some(CertificateSet(set));
    ci.content = der::Any::encode_from(&sd).ok()?;
    Some(cancuoc_core::tlv::encode(0x77, &ci.to_der().ok()?))
}

fn x509_cert_from_der(der: &[u8]) -> Option<x509_cert::Certificate> {
    use der::Decode;
    x509_cert::Certificate::from_der(der).ok()
}
