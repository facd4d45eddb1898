#![no_main]
//! The local API's `POST /v1/read` body, as a web page on the counter PC sends it: parsed and
//! turned into access credentials exactly as `cancuoc serve` does (crate cancuoc-api).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A body naming a key twice is never taken (the strict check runs before any parse).
    if cancuoc_api::strict::no_duplicate_keys(data).is_err() {
        assert!(cancuoc_api::parse_read_request(data).is_err());
        return;
    }
    let Ok(request) = cancuoc_api::parse_read_request(data) else { return };
    for fallback in [None, cancuoc_core::AccessKey::new("195012345", "950315", "350315").ok()] {
        if let Ok(c) = request.credentials(fallback) {
            // Credentials are only ever handed on with at least one key in them.
            assert!(c.can.is_some() || c.mrz.is_some());
        }
    }
});
