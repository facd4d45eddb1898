#![no_main]
//! The USB link's frame decoder (COBS + CRC-32 + postcard), both directions, in arbitrary chunks.
use cancuoc_link::{Decoder, HostMsg, ReaderMsg};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(1, |b| usize::from(*b).max(1));
    let mut host = Decoder::new();
    let mut reader = Decoder::new();
    for chunk in data.chunks(split) {
        host.feed::<HostMsg>(chunk, |_| {});
        reader.feed::<ReaderMsg>(chunk, |_| {});
    }
    let _ = cancuoc_link::decode::<ReaderMsg>(data);
});
