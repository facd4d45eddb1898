#![no_main]
//! EF.CardAccess (PACE infos), as read from a card.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::lds::card_access::parse(data);
});
