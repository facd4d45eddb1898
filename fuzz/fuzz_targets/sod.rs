#![no_main]
//! EF.SOD (CMS SignedData, LDS security object), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::sod::parse(data);
});
