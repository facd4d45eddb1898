#![no_main]
//! X.509 certificates as the trust store takes them (CSCA files, the SOD's DS certificate).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut store = cancuoc_core::TrustStore::new();
    let _ = store.add_der(data);
});
