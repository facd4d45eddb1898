#![no_main]
//! ICAO CSCA master lists as `cancuoc trust import` takes them: CMS SignedData, the signature
//! check against the list's signer, and the certificate list inside.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trust = cancuoc_core::TrustStore::new();
    let _ = cancuoc_core::auth::master_list::verify(data, &trust, 1_795_392_000);
    let _ = cancuoc_core::auth::master_list::certificates(data);
});
