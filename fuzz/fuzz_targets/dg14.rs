#![no_main]
//! DG14 (security infos), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::dg14::parse(data);
});
