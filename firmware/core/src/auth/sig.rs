//! Signature verification by algorithm OID: RSA PKCS#1 v1.5 and PSS (rsa), ECDSA on P-256,
//! P-384, P-521, brainpoolP256r1 and brainpoolP384r1 (RustCrypto curves) and brainpoolP512r1
//! (`crate::bp512`), named or as explicit parameters (`super::ecparams`). An algorithm or curve
//! this build cannot check is an error naming its OID — never a pass.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use const_oid::ObjectIdentifier;
use der::Tagged;
use ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::der::Decode as _;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

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

/// ECDSA signature encodings.
#[derive(Clone, Copy, Debug)]
pub enum EcSignature<'a> {
    /// X9.62 `SEQUENCE { r, s }` (CMS, X.509).
    Der(&'a [u8]),
    /// r ‖ s at field length (BSI TR-03111; active authentication).
    Plain(&'a [u8]),
}

fn unsupported(o: &ObjectIdentifier) -> SigError {
    SigError::UnsupportedAlgorithm(o.to_string())
}

/// The curve of an EC SubjectPublicKeyInfo: its named-curve OID, or — for explicit domain
/// parameters (RFC 3279 §2.3.5; ICAO 9303-12 asks issuers for them, and most EC CSCAs and many
/// document signers use them) — the OID of the known curve whose parameters they are. Explicit
/// parameters that match no curve this build has are refused by name, never guessed.
pub fn ec_curve(spki: &SubjectPublicKeyInfoOwned) -> Result<ObjectIdentifier, SigError> {
    let params = spki.algorithm.parameters.as_ref().ok_or(SigError::BadKey)?;
    match params.tag() {
        der::Tag::ObjectIdentifier => ObjectIdentifier::from_bytes(params.value()).map_err(|_| SigError::BadKey),
        // On the reader, for the curves it has (P-256, brainpoolP256r1); the rest are named as
        // not supported there and checked by the PC.
        der::Tag::Sequence => super::ecparams::named_curve(params.value()),
        _ => Err(SigError::BadKey),
    }
}

macro_rules! ec_verify {
    ($curve:path, $point:expr, $hash:expr, $sig:expr) => {{
        let vk = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes($point).map_err(|_| SigError::BadKey)?;
        let sig = match $sig {
            EcSignature::Der(b) => ecdsa::Signature::<$curve>::from_der(b),
            EcSignature::Plain(b) => ecdsa::Signature::<$curve>::from_slice(b),
        }
        .map_err(|_| SigError::Invalid)?;
        vk.verify_prehash($hash, &sig).map_err(|_| SigError::Invalid)
    }};
}

/// Verifies an ECDSA signature over an already computed hash.
pub fn verify_ec_prehash(spki: &SubjectPublicKeyInfoOwned, hash: &[u8], sig: EcSignature<'_>) -> Result<(), SigError> {
    if spki.algorithm.oid != oid::EC_PUBLIC_KEY {
        return Err(SigError::KeyMismatch);
    }
    let point = spki.subject_public_key.as_bytes().ok_or(SigError::BadKey)?;
    let curve = ec_curve(spki)?;
    match curve {
        oid::P256 => ec_verify!(p256::NistP256, point, hash, sig),
        #[cfg(feature = "large-curves")]
        oid::P384 => ec_verify!(p384::NistP384, point, hash, sig),
        #[cfg(feature = "large-curves")]
        oid::P521 => ec_verify!(p521::NistP521, point, hash, sig),
        oid::BRAINPOOL_P256R1 => ec_verify!(bp256::BrainpoolP256r1, point, hash, sig),
        #[cfg(feature = "large-curves")]
        oid::BRAINPOOL_P384R1 => ec_verify!(bp384::BrainpoolP384r1, point, hash, sig),
        #[cfg(feature = "large-curves")]
        oid::BRAINPOOL_P512R1 => ec_verify!(crate::bp512::BrainpoolP512r1, point, hash, sig),
        other => Err(SigError::UnsupportedCurve(other.to_string())),
    }
}

/// The RSA public key in a SubjectPublicKeyInfo.
pub fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Result<RsaPublicKey, SigError> {
    if spki.algorithm.oid != oid::RSA_ENCRYPTION && spki.algorithm.oid != oid::RSASSA_PSS {
        return Err(SigError::KeyMismatch);
    }
    let bytes = spki.subject_public_key.as_bytes().ok_or(SigError::BadKey)?;
    // RSAPublicKey ::= SEQUENCE { modulus, publicExponent }. rsa's own decoder stops at 4096-bit
    // moduli; real CSCAs go beyond (Moldova's is 6144 bits), so the size limit here is 8192.
    let k = rsa::pkcs1::RsaPublicKey::from_der(bytes).map_err(|_| SigError::BadKey)?;
    let n = rsa::BigUint::from_bytes_be(k.modulus.as_bytes());
    let e = rsa::BigUint::from_bytes_be(k.public_exponent.as_bytes());
    RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).map_err(|_| SigError::BadKey)
}

/// The size in bits of the RSA key in a SubjectPublicKeyInfo (for listing a trust store).
pub fn rsa_bits(spki: &SubjectPublicKeyInfoOwned) -> Result<usize, SigError> {
    use rsa::traits::PublicKeyParts;
    Ok(rsa_key(spki)?.n().bits())
}

/// The largest RSA modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 8192;

fn pkcs1_scheme(h: HashAlgorithm) -> Pkcs1v15Sign {
    match h {
        HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1_010::Sha1>(),
        HashAlgorithm::Sha224 => Pkcs1v15Sign::new::<sha2_010::Sha224>(),
        HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2_010::Sha256>(),
        HashAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2_010::Sha384>(),
        HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2_010::Sha512>(),
    }
}

fn pss_scheme(h: HashAlgorithm, salt: usize) -> rsa::pss::Pss {
    use rsa::pss::Pss;
    match h {
        HashAlgorithm::Sha1 => Pss::new_with_salt::<sha1_010::Sha1>(salt),
        HashAlgorithm::Sha224 => Pss::new_with_salt::<sha2_010::Sha224>(salt),
        HashAlgorithm::Sha256 => Pss::new_with_salt::<sha2_010::Sha256>(salt),
        HashAlgorithm::Sha384 => Pss::new_with_salt::<sha2_010::Sha384>(salt),
        HashAlgorithm::Sha512 => Pss::new_with_salt::<sha2_010::Sha512>(salt),
    }
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

/// Verifies `signature` over `message` with `key`, as `alg` (an X.509 / CMS signature algorithm)
/// says. `digest_hint` is the CMS digestAlgorithm, used when `alg` is plain rsaEncryption.
///
/// On the host (`std`), ring checks first what it covers ([`super::ring_backend`]); a signature
/// it does not confirm, and everything on the reader, is decided by [`verify_rustcrypto`].
pub fn verify(
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<HashAlgorithm, SigError> {
    #[cfg(feature = "ring")]
    if let super::ring_backend::Outcome::Valid(h) =
        super::ring_backend::verify(key, alg, digest_hint, message, signature)
    {
        return Ok(h);
    }
    verify_rustcrypto(key, alg, digest_hint, message, signature)
}

/// [`verify`] on RustCrypto alone (rsa, p256, p384, p521, bp256, bp384, our brainpoolP512r1):
/// the reader's path, the host's fallback, and the reference the host backend is tested against.
pub fn verify_rustcrypto(
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<HashAlgorithm, SigError> {
    let o = alg.oid;
    if o == oid::RSA_ENCRYPTION && digest_hint.is_none() {
        return Err(unsupported(&o));
    }
    if let Some(h) = rsa_pkcs1_hash(&o, digest_hint) {
        let k = rsa_key(key)?;
        k.verify(pkcs1_scheme(h), &h.digest(message), signature).map_err(|_| SigError::Invalid)?;
        return Ok(h);
    }
    if o == oid::RSASSA_PSS {
        let (h, salt) = pss_params(alg)?;
        let k = rsa_key(key)?;
        k.verify(pss_scheme(h, salt), &h.digest(message), signature).map_err(|_| SigError::Invalid)?;
        return Ok(h);
    }
    let Some((h, plain)) = ecdsa_scheme(&o) else { return Err(unsupported(&o)) };
    let hash = h.digest(message);
    let sig = if plain { EcSignature::Plain(signature) } else { EcSignature::Der(signature) };
    verify_ec_prehash(key, &hash, sig)?;
    Ok(h)
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

/// Raw DER of the first element inside a SEQUENCE (e.g. the TBSCertificate of a certificate).
pub fn first_inner(der: &[u8]) -> Option<Vec<u8>> {
    let outer = tlv::expect(der, 0x30).ok()?;
    let first = outer.children().next()?.ok()?;
    Some(first.raw.to_vec())
}
