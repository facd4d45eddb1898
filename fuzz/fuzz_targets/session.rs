#![no_main]
//! The whole read against a card whose every answer comes from the fuzzer: SELECTs, EF.CardAccess,
//! PACE (MSE, the four GENERAL AUTHENTICATE steps) or BAC (GET CHALLENGE, EXTERNAL AUTHENTICATE),
//! secure messaging, file reads, active and chip authentication. Input: one byte choosing CAN or
//! MRZ key, then answers, each a 2-byte big-endian length and the bytes (data + status word).
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_core::read::{Credentials, ReadOptions, read_card};
use libfuzzer_sys::fuzz_target;

struct Scripted<'a>(&'a [u8]);

impl Transport for Scripted<'_> {
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (Some(&a), Some(&b)) = (self.0.first(), self.0.get(1)) else { return Err(TransportError::CardRemoved) };
        let n = usize::from(u16::from_be_bytes([a, b]));
        let rest = self.0.get(2..).unwrap_or_default();
        let take = n.min(rest.len());
        let (answer, tail) = rest.split_at(take);
        self.0 = tail;
        Ok(answer.to_vec())
    }
    fn limits(&self) -> TransportLimits {
        TransportLimits::EXTENDED
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, script)) = data.split_first() else { return };
    let credentials = if choice & 1 == 0 {
        Credentials { can: cancuoc_core::pace::Can::new("012345").ok(), mrz: None }
    } else {
        Credentials { can: None, mrz: cancuoc_core::AccessKey::new("195012345", "950315", "350315").ok() }
    };
    let trust = cancuoc_core::TrustStore::new();
    let options = ReadOptions::cccd(&trust, 1_795_392_000);
    let mut rng = cancuoc_reader::rng::Sha256Ctr::new([7; 32]);
    let _ = read_card(Scripted(script), &credentials, &options, &mut rng, None, &mut |_| {});
});
