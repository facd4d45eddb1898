//! RSA's public operation, m = s^e mod n (RFC 8017 §5.2.2, RSAVP1), by plain square-and-multiply
//! over e's bits (issue 39). The `rsa` crate's path, num-bigint-dig's `modpow`, first builds a
//! table of sixteen powers for its windowed Montgomery ladder — for e = 65537 (17 bits) that is
//! more than twice the sixteen squarings and one multiplication the exponent needs. Same numbers,
//! same library (num-bigint-dig's multiplication and division, already in the image): no new code
//! to fit into the reader's flash. Only public values take part: e's bits steer the loop.

use alloc::vec::Vec;

use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};

/// s^e mod n as exactly k bytes (k = the modulus's length in bytes), or `None` when the signature
/// is not k bytes long or not below n ("signature representative out of range").
pub fn rsavp1(key: &RsaPublicKey, s: &[u8]) -> Option<Vec<u8>> {
    let n = key.n();
    let k = key.size();
    if s.len() != k {
        return None;
    }
    let base = BigUint::from_bytes_be(s);
    if &base >= n {
        return None;
    }
    // Left to right over e's bits, after its leading one.
    let mut acc: Option<BigUint> = None;
    for byte in key.e().to_bytes_be() {
        for i in (0..8).rev() {
            let bit = (byte >> i) & 1 == 1;
            acc = match acc {
                None if bit => Some(base.clone()),
                None => None,
                Some(a) => {
                    let sq = &a * &a % n;
                    Some(if bit { sq * &base % n } else { sq })
                }
            };
        }
    }
    fit(&acc?.to_bytes_be(), k)
}

/// Big-endian bytes, left-padded (or stripped of leading zeros) to exactly `len`.
fn fit(bytes: &[u8], len: usize) -> Option<Vec<u8>> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let digits = bytes.get(start..)?;
    let mut out = alloc::vec![0u8; len.checked_sub(digits.len())?];
    out.extend_from_slice(digits);
    Some(out)
}

/// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): the encoding EM' = 00 01 FF…FF 00 ‖
/// DigestInfo prefix ‖ H is built from the expected hash and compared whole with s^e mod n —
/// the comparison the RFC recommends, with nothing parsed out of the signature.
pub fn pkcs1v15_verify(key: &RsaPublicKey, prefix: &[u8], hashed: &[u8], signature: &[u8]) -> bool {
    let Some(em) = rsavp1(key, signature) else { return false };
    let k = em.len();
    let t = prefix.len() + hashed.len();
    if k < t + 11 {
        return false;
    }
    let mut want = Vec::with_capacity(k);
    want.extend_from_slice(&[0x00, 0x01]);
    want.resize(k - t - 1, 0xFF);
    want.push(0x00);
    want.extend_from_slice(prefix);
    want.extend_from_slice(hashed);
    em == want
}
