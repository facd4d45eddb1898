//! Signature algorithms by OID, and why a signature did not verify: the leaf the RustCrypto path
//! ([`super::sig`]), the ring path ([`super::ring_backend`]) and the curve matching
//! ([`super::ecparams`]) share, so that none of them needs another.

use alloc::string::{String, ToString};
use core::fmt;

use const_oid::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;

use crate::crypto::{HashAlgorithm, oid};
use crate::tlv::{self, TlvIter};

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigError {
    /// The signature does not match the data and key.
    Invalid,
    /// A signature or hash algorithm this build does not implement (the OID).
    UnsupportedAlgorithm(String),
    /// An elliptic curve this build does not implement (the OID, or "explicit parameters").
    UnsupportedCurve(String),
    /// The public key cannot be decoded.
    BadKey,
    /// The signature algorithm does not fit the key (e.g. ECDSA with an RSA key).
    KeyMismatch,
}

impl fmt::Display for SigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid => f.write_str("signature does not match"),
            Self::UnsupportedAlgorithm(o) => write!(f, "unsupported signature algorithm {o}"),
            Self::UnsupportedCurve(o) => write!(f, "unsupported elliptic curve {o}"),
            Self::BadKey => f.write_str("public key cannot be decoded"),
            Self::KeyMismatch => f.write_str("signature algorithm does not match the key type"),
        }
    }
}

pub(crate) fn unsupported(o: &ObjectIdentifier) -> SigError {
    SigError::UnsupportedAlgorithm(o.to_string())
}

/// RSASSA-PSS-params (RFC 4055 §3.1): hash (default SHA-1), MGF1 hash (must equal it), salt length
/// (default 20).
pub(crate) fn pss_params(alg: &AlgorithmIdentifierOwned) -> Result<(HashAlgorithm, usize), SigError> {
    let mut hash = HashAlgorithm::Sha1;
    let mut mgf_hash = HashAlgorithm::Sha1;
    let mut salt = 20usize;
    let bad = || SigError::UnsupportedAlgorithm("RSASSA-PSS with malformed parameters".to_string());
    let first_oid = |bytes: &[u8]| -> Result<ObjectIdentifier, SigError> {
        let seq = tlv::expect(bytes, 0x30).map_err(|_| bad())?;
        let o = seq.children().require(0x06).map_err(|_| bad())?;
        ObjectIdentifier::from_bytes(o.value).map_err(|_| bad())
    };
    if let Some(p) = &alg.parameters {
        for el in TlvIter::new(p.value()) {
            let el = el.map_err(|_| bad())?;
            match el.tag {
                0xA0 => {
                    let o = first_oid(el.value)?;
                    hash = HashAlgorithm::from_oid(&o).ok_or_else(|| unsupported(&o))?;
                }
                0xA1 => {
                    let seq = tlv::expect(el.value, 0x30).map_err(|_| bad())?;
                    let mut parts = seq.children();
                    let mgf = parts.next().ok_or_else(bad)?.map_err(|_| bad())?;
                    let mgf = ObjectIdentifier::from_bytes(mgf.value).map_err(|_| bad())?;
                    if mgf != oid::MGF1 {
                        return Err(unsupported(&mgf));
                    }
                    let inner = parts.next().ok_or_else(bad)?.map_err(|_| bad())?;
                    let o = first_oid(inner.raw)?;
                    mgf_hash = HashAlgorithm::from_oid(&o).ok_or_else(|| unsupported(&o))?;
                }
                0xA2 => {
                    let i = tlv::expect(el.value, 0x02).map_err(|_| bad())?;
                    if i.value.len() > 4 {
                        return Err(bad());
                    }
                    salt = i.value.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b));
                }
                _ => {}
            }
        }
    }
    if hash != mgf_hash {
        return Err(SigError::UnsupportedAlgorithm(
            "RSASSA-PSS with MGF1 hash differing from the message hash".to_string(),
        ));
    }
    Ok((hash, salt))
}

/// The hash of an RSA PKCS#1 v1.5 signature algorithm (`digest_hint`, the CMS digestAlgorithm,
/// for plain rsaEncryption); `None` for any other algorithm.
pub(crate) fn rsa_pkcs1_hash(o: &ObjectIdentifier, digest_hint: Option<HashAlgorithm>) -> Option<HashAlgorithm> {
    match *o {
        oid::SHA1_WITH_RSA => Some(HashAlgorithm::Sha1),
        oid::SHA224_WITH_RSA => Some(HashAlgorithm::Sha224),
        oid::SHA256_WITH_RSA => Some(HashAlgorithm::Sha256),
        oid::SHA384_WITH_RSA => Some(HashAlgorithm::Sha384),
        oid::SHA512_WITH_RSA => Some(HashAlgorithm::Sha512),
        oid::RSA_ENCRYPTION => digest_hint,
        _ => None,
    }
}

/// The hash of an ECDSA signature algorithm, and whether its signature is plain r ‖ s (BSI
/// TR-03111) rather than X9.62 DER.
pub(crate) fn ecdsa_scheme(o: &ObjectIdentifier) -> Option<(HashAlgorithm, bool)> {
    let plain = matches!(
        *o,
        oid::ECDSA_PLAIN_SHA1
            | oid::ECDSA_PLAIN_SHA224
            | oid::ECDSA_PLAIN_SHA256
            | oid::ECDSA_PLAIN_SHA384
            | oid::ECDSA_PLAIN_SHA512
    );
    ecdsa_hash(o).map(|h| (h, plain))
}

/// The hash algorithm an ECDSA signature algorithm OID names (active authentication via DG14).
pub fn ecdsa_hash(o: &ObjectIdentifier) -> Option<HashAlgorithm> {
    Some(match *o {
        oid::ECDSA_SHA1 | oid::ECDSA_PLAIN_SHA1 => HashAlgorithm::Sha1,
        oid::ECDSA_SHA224 | oid::ECDSA_PLAIN_SHA224 => HashAlgorithm::Sha224,
        oid::ECDSA_SHA256 | oid::ECDSA_PLAIN_SHA256 => HashAlgorithm::Sha256,
        oid::ECDSA_SHA384 | oid::ECDSA_PLAIN_SHA384 => HashAlgorithm::Sha384,
        oid::ECDSA_SHA512 | oid::ECDSA_PLAIN_SHA512 => HashAlgorithm::Sha512,
        _ => return None,
    })
}
