#![no_main]
//! DG1 (MRZ), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::dg1::parse(data);
});
