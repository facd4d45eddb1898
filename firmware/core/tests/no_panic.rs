//! Every parser and the secure-messaging unwrapper take arbitrary bytes without panicking.
//! (The coverage-guided fuzzing campaign is its own issue; this is the always-on safety net.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cancuoc_core::access::{AccessKey, normalize_date};
use cancuoc_core::apdu::{Command, Response, StatusWord};
use cancuoc_core::crypto::SmCipher;
use cancuoc_core::lds::{com, dg1, dg2, dg13, dg14, dg15, sod};
use cancuoc_core::mrz::Mrz;
use cancuoc_core::sm::SmSession;
use proptest::prelude::*;

fn wrapped(tag: u8, body: &[u8]) -> Vec<u8> {
    cancuoc_core::tlv::encode(u32::from(tag), body)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn lds_parsers(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = com::parse(&b);
        let _ = dg1::parse(&b);
        let _ = dg2::parse(&b);
        let _ = dg13::parse(&b);
        let _ = dg14::parse(&b);
        let _ = dg15::parse(&b);
        let _ = sod::parse(&b);
        // And the same bytes behind the right outer tag, so parsing goes deeper.
        let _ = com::parse(&wrapped(0x60, &b));
        let _ = dg1::parse(&wrapped(0x61, &b));
        let _ = dg2::parse(&wrapped(0x75, &b));
        let _ = dg13::parse(&wrapped(0x6D, &b));
        let _ = dg14::parse(&wrapped(0x6E, &b));
        let _ = dg15::parse(&wrapped(0x6F, &b));
        let _ = sod::parse(&wrapped(0x77, &b));
    }

    #[test]
    fn mrz_and_dates(s in "\\PC{0,100}", t in "[0-9A-Z</.\\- ]{0,95}") {
        let _ = Mrz::parse(&s);
        let _ = Mrz::parse(&t);
        let _ = normalize_date(&s);
        let _ = normalize_date(&t);
        let _ = AccessKey::new(&s, &t, &t);
        let _ = AccessKey::from_cccd_number(&t, &s, &t);
    }

    #[test]
    fn apdus(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Some(c) = Command::decode(&b) {
            let _ = c.encode(true);
        }
        let _ = Response::from_bytes(b);
    }

    #[test]
    fn secure_messaging_unwrap(data in proptest::collection::vec(any::<u8>(), 0..400), sw in any::<u16>()) {
        for cipher in [SmCipher::Tdes, SmCipher::Aes128, SmCipher::Aes256] {
            let k = vec![7u8; cipher.key_len()];
            let mut s = SmSession::new(cipher, &k, &k, &[0; 8]).unwrap();
            let r = s.unwrap_response(&Response { data: data.clone(), sw: StatusWord(sw) });
            // Random bytes never pass the MAC check.
            prop_assert!(r.is_err());
            let mut chip = SmSession::new(cipher, &k, &k, &[0; 8]).unwrap();
            let c = Command { cla: 0x0C, ins: 0xB0, p1: 0, p2: 0, data: data.clone(), le: Some(256) };
            prop_assert!(chip.unwrap_command(&c).is_err());
        }
    }
}
