//! Signature verification by algorithm OID: RSA PKCS#1 v1.5 and PSS (rsa), ECDSA on P-256,
//! P-384, P-521, brainpoolP256r1 and brainpoolP384r1 (RustCrypto curves) and brainpoolP512r1
//! (`crate::bp512`), named or as explicit parameters (`super::ecparams`). An algorithm or curve
//! this build cannot check is an error naming its OID — never a pass.

use alloc::string::ToString;
use alloc::vec::Vec;

use rsa::pkcs1::der::Decode as _;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

pub use super::alg::{SigError, ecdsa_hash};
use super::alg::{ecdsa_scheme, pss_params, rsa_pkcs1_hash, unsupported};
pub use super::ecparams::ec_curve;
use crate::crypto::{HashAlgorithm, oid};
use crate::tlv;

/// ECDSA signature encodings.
#[derive(Clone, Copy, Debug)]
pub enum EcSignature<'a> {
    /// X9.62 `SEQUENCE { r, s }` (CMS, X.509).
    Der(&'a [u8]),
    /// r ‖ s at field length (BSI TR-03111; active authentication).
    Plain(&'a [u8]),
}

/// The signature parsed by the `ecdsa` crate (r and s in 1…n−1), the equation checked by the
/// core's own curve arithmetic (`crate::ecc::ecdsa_verify`, issue 39: the reader's fast path).
macro_rules! ec_verify {
    ($curve:path, $point:expr, $hash:expr, $sig:expr) => {{
        let sig = match $sig {
            EcSignature::Der(b) => ecdsa::Signature::<$curve>::from_der(b),
            EcSignature::Plain(b) => ecdsa::Signature::<$curve>::from_slice(b),
        }
        .map_err(|_| SigError::Invalid)?;
        let (r, s) = sig.split_scalars();
        if <$curve as ecdsa::EcdsaCurve>::NORMALIZE_S && bool::from(elliptic_curve::scalar::IsHigh::is_high(&*s)) {
            return Err(SigError::Invalid);
        }
        match crate::ecc::ecdsa_verify::<$curve>($point, $hash, &r, &s) {
            Ok(true) => Ok(()),
            Ok(false) => Err(SigError::Invalid),
            Err(_) => Err(SigError::BadKey),
        }
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
        if !super::rsa_public::pkcs1v15_verify(&k, &pkcs1_scheme(h).prefix, &h.digest(message), signature) {
            return Err(SigError::Invalid);
        }
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

/// Raw DER of the first element inside a SEQUENCE (e.g. the TBSCertificate of a certificate).
pub fn first_inner(der: &[u8]) -> Option<Vec<u8>> {
    let outer = tlv::expect(der, 0x30).ok()?;
    let first = outer.children().next()?.ok()?;
    Some(first.raw.to_vec())
}

#[cfg(feature = "ring")]
/// Runs one signature through ring and through the RustCrypto path, genuine and with one byte
/// flipped in the signature and in the signed bytes, and says whether ring covered it — or, as
/// an error, where the two disagree. The tests' cross-check on every corpus and simulator
/// signature; also usable on a suspect signature from the field.
pub fn cross_check(
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, alloc::string::String> {
    use alloc::format;
    let flip = |b: &[u8]| {
        let mut v = b.to_vec();
        if let Some(x) = v.get_mut(b.len() / 2) {
            *x ^= 0x01;
        }
        v
    };
    let (bad_sig, bad_msg) = (flip(signature), flip(message));
    let mut covered = false;
    for (case, m, s) in [
        ("genuine", message, signature),
        ("flipped signature", message, &bad_sig[..]),
        ("flipped message", &bad_msg[..], signature),
    ] {
        let reference = verify_rustcrypto(key, alg, digest_hint, m, s);
        if verify(key, alg, digest_hint, m, s) != reference {
            return Err(format!("{case}: the dispatching path differs from RustCrypto's {reference:?}"));
        }
        match super::ring_backend::verify(key, alg, digest_hint, m, s) {
            super::ring_backend::Outcome::Valid(h) if reference != Ok(h) => {
                return Err(format!("{case}: ring accepts, RustCrypto says {reference:?}"));
            }
            super::ring_backend::Outcome::NotValid if reference.is_ok() => {
                return Err(format!("{case}: ring refuses, RustCrypto accepts"));
            }
            super::ring_backend::Outcome::NotCovered => continue,
            _ => covered = true,
        }
    }
    Ok(covered)
}
