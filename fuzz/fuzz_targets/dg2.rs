#![no_main]
//! DG2 (face image header and biometric templates), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::dg2::parse(data);
});
