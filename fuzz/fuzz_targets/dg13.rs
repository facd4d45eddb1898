#![no_main]
//! DG13 (Vietnamese personal data), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::dg13::parse(data);
});
