//! Active authentication (ICAO 9303-11 §6.1): the chip signs a fresh 8-byte challenge with the
//! private key whose public half is in DG15. RSA answers use ISO/IEC 9796-2 digital signature
//! scheme 1 (message recovery); EC answers are plain r‖s ECDSA (BSI TR-03111) with the hash
//! named by DG14's ActiveAuthenticationInfo.

use alloc::string::ToString;
use alloc::vec::Vec;

use rsa::BigUint;
use rsa::traits::PublicKeyParts;

use super::sig::{self, EcSignature, SigError};
use crate::apdu::{Command, Transport};
use crate::crypto::{HashAlgorithm, oid};
use crate::error::{Error, Step};
use crate::files::Card;
use crate::lds::dg14::Dg14;
use crate::lds::dg15::Dg15;
use crate::verdict::ActiveAuthStatus;

/// Sends INTERNAL AUTHENTICATE with `challenge` and returns the chip's signature.
pub fn challenge<T: Transport>(card: &mut Card<T>, challenge: &[u8; 8]) -> Result<Vec<u8>, Error> {
    let step = Step::InternalAuthenticate;
    // An RSA-2048 answer under SM exceeds a short response: ask for it in one extended APDU when
    // the link allows (otherwise the chip chains it with 61xx / GET RESPONSE).
    let le = if card.uses_extended_length() { 65_536 } else { 256 };
    let cmd = Command::new(0x00, 0x88, 0x00, 0x00).with_data(challenge.to_vec()).with_le(le);
    let r = card.transmit(step, &cmd)?;
    if !r.sw.is_success() {
        return Err(Error::Status { step, sw: r.sw });
    }
    if r.data.is_empty() {
        return Err(Error::MalformedResponse { step });
    }
    Ok(r.data)
}

/// ISO/IEC 10118-3 hash identifiers used in 9796-2 trailers (`xx CC`).
fn trailer_hash(id: u8) -> Option<HashAlgorithm> {
    Some(match id {
        0x33 => HashAlgorithm::Sha1,
        0x34 => HashAlgorithm::Sha256,
        0x35 => HashAlgorithm::Sha512,
        0x36 => HashAlgorithm::Sha384,
        0x38 => HashAlgorithm::Sha224,
        _ => return None,
    })
}

/// What is wrong with a recovered ISO 9796-2 message representative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RepresentativeError {
    /// No bytes at all.
    Empty,
    /// `CC` trailer with no byte before it.
    Short,
    /// `xx CC` trailer naming no hash 9796-2 defines (the identifier).
    UnknownHash(u8),
    /// Neither `BC` nor `xx CC` at the end.
    NoTrailer,
    /// The first byte is not `6A` (partial recovery, scheme 1).
    NoHeader,
    /// Fewer bytes than header, digest and trailer need.
    ShorterThanDigest,
}

impl core::fmt::Display for RepresentativeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Empty => f.write_str("empty message representative"),
            Self::Short => f.write_str("short representative"),
            Self::UnknownHash(id) => write!(f, "unknown 9796-2 hash identifier {id:02X}"),
            Self::NoTrailer => f.write_str("the recovered message has no ISO 9796-2 trailer"),
            Self::NoHeader => f.write_str("the recovered message does not start with the partial-recovery header 6A"),
            Self::ShorterThanDigest => f.write_str("representative shorter than the digest"),
        }
    }
}

/// Splits a recovered 9796-2 scheme-1 representative into (M1, digest, hash) if well-formed.
fn parse_representative(m: &[u8]) -> Result<(&[u8], &[u8], HashAlgorithm), RepresentativeError> {
    use RepresentativeError as E;
    let (&last, _) = m.split_last().ok_or(E::Empty)?;
    let (hash, trailer_len) = match last {
        0xBC => (HashAlgorithm::Sha1, 1),
        0xCC => {
            let id = *m.get(m.len().wrapping_sub(2)).ok_or(E::Short)?;
            (trailer_hash(id).ok_or(E::UnknownHash(id))?, 2)
        }
        _ => return Err(E::NoTrailer),
    };
    if m.first() != Some(&0x6A) {
        return Err(E::NoHeader);
    }
    let h = hash.output_len();
    let end = m.len().checked_sub(trailer_len + h).ok_or(E::ShorterThanDigest)?;
    let m1 = m.get(1..end).ok_or(E::ShorterThanDigest)?;
    let d = m.get(end..end + h).ok_or(E::ShorterThanDigest)?;
    Ok((m1, d, hash))
}

fn verify_rsa(dg15: &Dg15, challenge: &[u8; 8], response: &[u8]) -> ActiveAuthStatus {
    let key = match sig::rsa_key(&dg15.public_key) {
        Ok(k) => k,
        Err(_) => return ActiveAuthStatus::Failed("the DG15 RSA key cannot be decoded".to_string()),
    };
    let n = key.n();
    let k = key.size();
    let Some(m) = super::rsa_public::rsavp1(&key, response) else {
        return ActiveAuthStatus::Failed("the signature has the wrong size for the DG15 key".to_string());
    };
    let m = BigUint::from_bytes_be(&m);
    // 9796-2 §B.6: the signer may send min(J^d, n − J^d); try both representatives.
    let mut last_err = RepresentativeError::Empty;
    for candidate in [m.clone(), n - &m] {
        let bytes = candidate.to_bytes_be();
        let mut rep = alloc::vec![0u8; k.saturating_sub(bytes.len())];
        rep.extend_from_slice(&bytes);
        let rep = if rep.len() > k { rep.split_off(rep.len() - k) } else { rep };
        match parse_representative(&rep) {
            Ok((m1, d, hash)) => {
                let expect = hash.digest_parts(&[m1, challenge]);
                return if crate::crypto::ct_eq(&expect, d) {
                    ActiveAuthStatus::Passed
                } else {
                    ActiveAuthStatus::Failed("the chip's signature does not cover our challenge".to_string())
                };
            }
            Err(e) => last_err = e,
        }
    }
    ActiveAuthStatus::Failed(last_err.to_string())
}

fn verify_ec(dg15: &Dg15, dg14: Option<&Dg14>, challenge: &[u8; 8], response: &[u8]) -> ActiveAuthStatus {
    let Some(alg) = dg14.and_then(|d| d.aa_signature_algorithm) else {
        return ActiveAuthStatus::UnsupportedAlgorithm(
            "EC active authentication without ActiveAuthenticationInfo in DG14".to_string(),
        );
    };
    let Some(hash) = sig::ecdsa_hash(&alg) else {
        return ActiveAuthStatus::UnsupportedAlgorithm(alg.to_string());
    };
    let digest = hash.digest(challenge);
    match sig::verify_ec_prehash(&dg15.public_key, &digest, EcSignature::Plain(response)) {
        Ok(()) => ActiveAuthStatus::Passed,
        Err(SigError::Invalid) => {
            ActiveAuthStatus::Failed("the chip's signature does not verify with the DG15 key".to_string())
        }
        Err(SigError::UnsupportedAlgorithm(o)) | Err(SigError::UnsupportedCurve(o)) => {
            ActiveAuthStatus::UnsupportedAlgorithm(o)
        }
        Err(e) => ActiveAuthStatus::Failed(e.to_string()),
    }
}

/// Verifies the chip's answer to `challenge` against the DG15 key.
pub fn verify(dg15: &Dg15, dg14: Option<&Dg14>, challenge: &[u8; 8], response: &[u8]) -> ActiveAuthStatus {
    let alg = dg15.public_key.algorithm.oid;
    if alg == oid::RSA_ENCRYPTION {
        verify_rsa(dg15, challenge, response)
    } else if alg == oid::EC_PUBLIC_KEY {
        verify_ec(dg15, dg14, challenge, response)
    } else {
        ActiveAuthStatus::UnsupportedAlgorithm(alg.to_string())
    }
}

/// Builds a 9796-2 scheme-1 representative (`6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ 34 CC`) for a
/// modulus of `k` bytes — the chip side, for the simulator.
pub fn representative(k: usize, m1_source: &[u8], challenge: &[u8], hash: HashAlgorithm) -> Vec<u8> {
    let (trailer, tl): (&[u8], usize) = match hash {
        HashAlgorithm::Sha1 => (&[0xBC], 1),
        HashAlgorithm::Sha256 => (&[0x34, 0xCC], 2),
        HashAlgorithm::Sha384 => (&[0x36, 0xCC], 2),
        HashAlgorithm::Sha512 => (&[0x35, 0xCC], 2),
        HashAlgorithm::Sha224 => (&[0x38, 0xCC], 2),
    };
    let m1_len = k.saturating_sub(1 + hash.output_len() + tl);
    let mut m1 = m1_source.to_vec();
    m1.resize(m1_len, 0x5A);
    let d = hash.digest_parts(&[&m1, challenge]);
    let mut out = Vec::with_capacity(k);
    out.push(0x6A);
    out.extend_from_slice(&m1);
    out.extend_from_slice(&d);
    out.extend_from_slice(trailer);
    out
}
