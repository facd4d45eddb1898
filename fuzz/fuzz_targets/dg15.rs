#![no_main]
//! DG15 (active-authentication public key), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::dg15::parse(data);
});
