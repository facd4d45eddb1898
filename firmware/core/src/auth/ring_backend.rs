//! The host's signature backend: ring (BoringSSL's audited arithmetic and assembly) for what it
//! covers — RSA PKCS#1 v1.5 with SHA-1, SHA-256, SHA-384 and SHA-512 (1024 to 8192 bits; SHA-384
//! from 2048), RSASSA-PSS with SHA-256, SHA-384 and SHA-512 whose salt is as long as the hash
//! (2048 to 8192 bits), and ECDSA on P-256 (SHA-256, SHA-384) and P-384 (SHA-256, SHA-384) with
//! an uncompressed public key, as X9.62 DER or plain r ‖ s where ring has it.
//!
//! It sits behind [`super::sig::verify`] and only ever says "valid": a signature ring does not
//! cover or does not accept goes to the RustCrypto path ([`super::sig::verify_rustcrypto`]),
//! which gives the verdict and names the reason (bad key, unsupported curve, not matching). So
//! the backend can make a genuine signature fast; it cannot make a bad one pass or change why a
//! signature failed. Tests check both paths agree on every signature of the real-world corpus
//! and of the simulated cards (tests/tests/signature_backends.rs).
//!
//! Host builds only (the `std` feature); the reader keeps RustCrypto.

use const_oid::ObjectIdentifier;
use ring::signature::{self as rs, RsaPublicKeyComponents, UnparsedPublicKey};
use rsa::pkcs1::der::Decode as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::alg::{ecdsa_scheme, pss_params, rsa_pkcs1_hash};
use super::ecparams::ec_curve;
use crate::crypto::{HashAlgorithm, oid};

/// What ring said about one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It verifies (with this hash).
    Valid(HashAlgorithm),
    /// ring covers the algorithm and key, and the signature does not verify with them (or the
    /// key is one ring refuses, e.g. an exponent out of its range).
    NotValid,
    /// Algorithm, hash, key size or curve outside what ring implements.
    NotCovered,
}

fn rsa_params(h: HashAlgorithm, bits: usize, pss_salt: Option<usize>) -> Option<&'static rs::RsaParameters> {
    if bits > 8192 {
        return None;
    }
    Some(match (h, pss_salt) {
        (HashAlgorithm::Sha1, None) if bits >= 1024 => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (HashAlgorithm::Sha256, None) if bits >= 1024 => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        (HashAlgorithm::Sha384, None) if bits >= 2048 => &rs::RSA_PKCS1_2048_8192_SHA384,
        (HashAlgorithm::Sha512, None) if bits >= 1024 => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        // ring's PSS takes the salt to be as long as the hash (RFC 8017's recommendation and
        // what every CSCA we have seen uses); other salts go to the RustCrypto path.
        (HashAlgorithm::Sha256, Some(32)) if bits >= 2048 => &rs::RSA_PSS_2048_8192_SHA256,
        (HashAlgorithm::Sha384, Some(48)) if bits >= 2048 => &rs::RSA_PSS_2048_8192_SHA384,
        (HashAlgorithm::Sha512, Some(64)) if bits >= 2048 => &rs::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

fn verify_rsa(
    key: &SubjectPublicKeyInfoOwned,
    params: &'static rs::RsaParameters,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Some(bytes) = key.subject_public_key.as_bytes() else { return false };
    let Ok(k) = rsa::pkcs1::RsaPublicKey::from_der(bytes) else { return false };
    // Both without leading zeros, as ring wants them.
    let components = RsaPublicKeyComponents { n: k.modulus.as_bytes(), e: k.public_exponent.as_bytes() };
    components.verify(params, message, signature).is_ok()
}

fn modulus_bits(key: &SubjectPublicKeyInfoOwned) -> Option<usize> {
    let bytes = key.subject_public_key.as_bytes()?;
    let k = rsa::pkcs1::RsaPublicKey::from_der(bytes).ok()?;
    let n = k.modulus.as_bytes();
    let first = n.first()?;
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

fn ec_algorithm(
    curve: ObjectIdentifier,
    h: HashAlgorithm,
    plain: bool,
) -> Option<&'static rs::EcdsaVerificationAlgorithm> {
    Some(match (curve, h, plain) {
        (oid::P256, HashAlgorithm::Sha256, false) => &rs::ECDSA_P256_SHA256_ASN1,
        (oid::P256, HashAlgorithm::Sha256, true) => &rs::ECDSA_P256_SHA256_FIXED,
        (oid::P256, HashAlgorithm::Sha384, false) => &rs::ECDSA_P256_SHA384_ASN1,
        (oid::P384, HashAlgorithm::Sha256, false) => &rs::ECDSA_P384_SHA256_ASN1,
        (oid::P384, HashAlgorithm::Sha384, false) => &rs::ECDSA_P384_SHA384_ASN1,
        (oid::P384, HashAlgorithm::Sha384, true) => &rs::ECDSA_P384_SHA384_FIXED,
        _ => return None,
    })
}

/// Verifies `signature` over `message` with ring, as [`super::sig::verify`] takes them.
pub fn verify(
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Outcome {
    let o = alg.oid;
    let judge = |ok: bool, h| if ok { Outcome::Valid(h) } else { Outcome::NotValid };
    let rsa_key = key.algorithm.oid == oid::RSA_ENCRYPTION || key.algorithm.oid == oid::RSASSA_PSS;
    if let Some(h) = rsa_pkcs1_hash(&o, digest_hint) {
        let Some(bits) = modulus_bits(key).filter(|_| rsa_key) else { return Outcome::NotCovered };
        let Some(params) = rsa_params(h, bits, None) else { return Outcome::NotCovered };
        return judge(verify_rsa(key, params, message, signature), h);
    }
    if o == oid::RSASSA_PSS {
        let Ok((h, salt)) = pss_params(alg) else { return Outcome::NotCovered };
        let Some(bits) = modulus_bits(key).filter(|_| rsa_key) else { return Outcome::NotCovered };
        let Some(params) = rsa_params(h, bits, Some(salt)) else { return Outcome::NotCovered };
        return judge(verify_rsa(key, params, message, signature), h);
    }
    let Some((h, plain)) = ecdsa_scheme(&o) else { return Outcome::NotCovered };
    if key.algorithm.oid != oid::EC_PUBLIC_KEY {
        return Outcome::NotCovered;
    }
    // Named or explicit parameters: `ec_curve` recognises explicit ones field by field.
    let Ok(curve) = ec_curve(key) else { return Outcome::NotCovered };
    let Some(algorithm) = ec_algorithm(curve, h, plain) else { return Outcome::NotCovered };
    let Some(point) = key.subject_public_key.as_bytes() else { return Outcome::NotCovered };
    if point.first() != Some(&0x04) {
        return Outcome::NotCovered; // compressed points: RustCrypto decodes them
    }
    judge(UnparsedPublicKey::new(algorithm, point).verify(message, signature).is_ok(), h)
}
