#![no_main]
//! CSCA certificate revocation lists, as `cancuoc trust import` takes them: parsed, checked
//! against a trusted CSCA's key, and consulted for a DS certificate.
use cancuoc_core::TrustStore;
use cancuoc_core::auth::passive;
use cancuoc_core::cert::Cert;
use cancuoc_core::trust::RevocationList;
use libfuzzer_sys::fuzz_target;

const CSCA: &[u8] = include_bytes!("../../tests/fixtures/pki/csca-p256.cer");
const DS: &[u8] = include_bytes!("../../tests/fixtures/pki/ds-p256.cer");

fuzz_target!(|data: &[u8]| {
    let Ok(crl) = RevocationList::from_der(data) else { return };
    let _ = (crl.this_update(), crl.next_update(), crl.revoked_count());
    let mut trust = TrustStore::new();
    if trust.add_der(CSCA).is_err() || trust.add_crl_der(data).is_err() {
        return;
    }
    let signed = passive::crl_signed_by_trusted(&crl, &trust);
    if let Ok(ds) = Cert::from_der(DS) {
        // A list nobody trusted signed must never revoke anything.
        if passive::revocation(&ds, &trust).is_some() {
            assert!(signed);
        }
    }
});
