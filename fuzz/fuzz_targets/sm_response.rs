#![no_main]
//! Secure-messaging response unwrapping (DO'87/'85, DO'99, DO'8E) with AES and 3DES sessions.
use cancuoc_core::apdu::Response;
use cancuoc_core::crypto::SmCipher;
use cancuoc_core::sm::SmSession;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(resp) = Response::from_bytes(data.to_vec()) else { return };
    for (cipher, len) in [(SmCipher::Aes128, 16), (SmCipher::Tdes, 16)] {
        let key = vec![0x42u8; len];
        if let Ok(mut s) = SmSession::new(cipher, &key, &key, &[0u8; 16]) {
            let _ = s.unwrap_response(&resp);
        }
    }
});
