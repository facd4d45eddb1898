#![no_main]
//! EF.COM, as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::com::parse(data);
});
