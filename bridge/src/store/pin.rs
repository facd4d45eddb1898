//! The administrator PIN that locks the desk app's settings (the gateway, the HIS, retention):
//! kept as PBKDF2-HMAC-SHA-256 with a random salt (RustCrypto `pbkdf2`), never the PIN itself,
//! in the settings as `pbkdf2-sha256$ROUNDS$SALT$HASH` (hex).

use hmac::Hmac;
use sha2::Sha256;

/// PBKDF2 rounds for a new PIN. A short PIN is weak however it is hashed; the rounds and the
/// desk's lock-out after wrong tries (docs/desk.md) slow a guesser at the counter, and the
/// settings live in the site's own database.
pub const ROUNDS: u32 = 100_000;
const SCHEME: &str = "pbkdf2-sha256";

/// A PIN is 4 to 12 digits.
pub fn valid(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

fn derive(pin: &str, salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2::<Hmac<Sha256>>(pin.as_bytes(), salt, rounds, &mut out).expect("HMAC takes a key of any length");
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The stored form of a new PIN (fresh salt); `None` if the PIN is not 4–12 digits or no
/// randomness is to be had.
pub fn hash(pin: &str) -> Option<String> {
    if !valid(pin) {
        return None;
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).ok()?;
    Some(format!("{SCHEME}${ROUNDS}${}${}", hex(&salt), hex(&derive(pin, &salt, ROUNDS))))
}

/// Whether `pin` is the one `stored` was made from (a malformed `stored` matches nothing).
pub fn verify(pin: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, rounds, salt, want] = parts[..] else { return false };
    let (Ok(rounds), Some(salt), Some(want)) = (rounds.parse::<u32>(), unhex(salt), unhex(want)) else {
        return false;
    };
    if scheme != SCHEME || rounds == 0 || want.len() != 32 {
        return false;
    }
    let got = derive(pin, &salt, rounds);
    // Compared in constant time.
    got.iter().zip(&want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7914 §11's PBKDF2-HMAC-SHA-256 vector (P "passwd", S "salt", c 1; first 32 bytes),
    /// and one with a PIN-shaped password at our round count, both as `openssl kdf … PBKDF2`
    /// answers them.
    #[test]
    fn derivation_matches_the_rfc_and_openssl() {
        assert_eq!(
            hex(&derive("passwd", b"salt", 1)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
        let salt = unhex("00112233445566778899aabbccddeeff").unwrap();
        let stored = format!(
            "pbkdf2-sha256$100000$00112233445566778899aabbccddeeff${}",
            "d7eb973c765dbd5bc56c68688684a18d9d1dfb52c4fbb44d128851477cf7246b"
        );
        assert_eq!(hex(&derive("1234", &salt, 100_000)), stored.rsplit('$').next().unwrap());
        assert!(verify("1234", &stored));
        assert!(!verify("1235", &stored));
    }

    #[test]
    fn a_new_pin_verifies_and_nothing_else_does() {
        let h = hash("2468").expect("valid");
        assert!(h.starts_with("pbkdf2-sha256$100000$") && !h.contains("2468"));
        assert!(verify("2468", &h) && !verify("2469", &h) && !verify("", &h));
        assert_ne!(hash("2468"), Some(h.clone()), "a fresh salt each time");
        for bad in ["123", "1234567890123", "12a4", " 1234", ""] {
            assert!(hash(bad).is_none(), "{bad:?}");
        }
        for stored in ["", "2468", "pbkdf2-sha256$0$00$00", "md5$1$00$00", "pbkdf2-sha256$1$zz$00"] {
            assert!(!verify("2468", stored), "{stored:?}");
        }
    }
}
