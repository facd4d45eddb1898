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
#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;

    /// Against num-bigint-dig's modpow (the `rsa` crate's own path), at each size class and at
    /// the edges: s = 0, 1, n − 1, and s ≥ n refused.
    #[test]
    fn agrees_with_num_bigint_dig() {
        for bits in [1024usize, 2048, 3072, 4096, 6144] {
            // An odd modulus with its top bit set (not a real RSA modulus: RSAVP1 needs none).
            let k = bits / 8;
            let mut nb: Vec<u8> = (0..k).map(|i| (i as u8).wrapping_mul(37).wrapping_add(11)).collect();
            nb[0] |= 0x80;
            nb[k - 1] |= 1;
            let n = BigUint::from_bytes_be(&nb);
            let x = BigUint::from_bytes_be(&nb[..k / 2]);
            for e in [3u32, 65537] {
                let key = RsaPublicKey::new_with_max_size(n.clone(), BigUint::from(e), 8192).unwrap();
                for s in [BigUint::from(0u8), BigUint::from(1u8), &n - BigUint::from(1u8), &n / BigUint::from(3u8) + &x]
                {
                    let want = fit(&s.modpow(&BigUint::from(e), &n).to_bytes_be(), k).unwrap();
                    assert_eq!(rsavp1(&key, &fit(&s.to_bytes_be(), k).unwrap()), Some(want), "{bits} bits, e = {e}");
                }
                assert_eq!(rsavp1(&key, &fit(&n.to_bytes_be(), k).unwrap()), None, "s = n is out of range");
                assert_eq!(rsavp1(&key, &[1u8; 3]), None, "wrong length");
            }
        }
    }
}
