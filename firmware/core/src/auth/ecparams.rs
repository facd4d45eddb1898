//! Explicit elliptic-curve domain parameters (X9.62 `ECParameters`, RFC 3279 §2.3.5) recognised
//! as the named curve they describe.
//!
//! ICAO 9303-12 asks issuers to put the curve into their keys as explicit parameters, and most
//! EC CSCAs and many document signers do (138 of the 581 certificates of the German master list;
//! every EC certificate of 26 countries). A verifier must compare them with the curves it knows:
//! here every field (p, a, b, the base point G, its order n and the cofactor h) is compared with
//! the constants of the curve crate that will do the arithmetic, so a key is only ever used with
//! exactly the curve it names. Parameters that match no curve this build has — a curve we do not
//! implement, or a set with one value changed (a classic attack on verifiers that trust explicit
//! parameters) — are refused by name, never guessed.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use const_oid::ObjectIdentifier;
use der::Tagged;
use elliptic_curve::ff::PrimeField;
use primeorder::PrimeCurveParams;

use spki::SubjectPublicKeyInfoOwned;

use super::alg::SigError;
use crate::crypto::oid;
use crate::tlv::{self, Tlv};

const PRIME_FIELD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.1.1");
const CHARACTERISTIC_TWO_FIELD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.1.2");

/// The fields of an `ECParameters` SEQUENCE, as stored.
#[derive(Debug)]
struct Explicit<'a> {
    p: &'a [u8],
    a: &'a [u8],
    b: &'a [u8],
    base: &'a [u8],
    n: &'a [u8],
    h: Option<&'a [u8]>,
}

fn malformed() -> SigError {
    SigError::BadKey
}

fn next<'a>(it: &mut impl Iterator<Item = Result<Tlv<'a>, tlv::TlvError>>, tag: u32) -> Result<Tlv<'a>, SigError> {
    let t = it.next().ok_or_else(malformed)?.map_err(|_| malformed())?;
    if t.tag == tag { Ok(t) } else { Err(malformed()) }
}

/// `ECParameters ::= SEQUENCE { version, fieldID, curve, base, order, cofactor OPTIONAL }`;
/// `content` is the SEQUENCE's content.
fn parse(content: &[u8]) -> Result<Explicit<'_>, SigError> {
    let mut it = tlv::TlvIter::new(content);
    let _version = next(&mut it, 0x02)?;
    let field = next(&mut it, 0x30)?;
    let mut f = field.children();
    let field_type = next(&mut f, 0x06)?;
    let field_type = ObjectIdentifier::from_bytes(field_type.value).map_err(|_| malformed())?;
    if field_type == CHARACTERISTIC_TWO_FIELD {
        return Err(SigError::UnsupportedCurve("explicit parameters of a binary-field curve".to_string()));
    }
    if field_type != PRIME_FIELD {
        return Err(SigError::UnsupportedCurve(format!("explicit parameters over field type {field_type}")));
    }
    let p = next(&mut f, 0x02)?.value;
    let curve = next(&mut it, 0x30)?;
    let mut c = curve.children();
    let a = next(&mut c, 0x04)?.value;
    let b = next(&mut c, 0x04)?.value;
    let base = next(&mut it, 0x04)?.value;
    let n = next(&mut it, 0x02)?.value;
    // cofactor INTEGER OPTIONAL, then X9.62's optional hash AlgorithmIdentifier; nothing else.
    let h = match it.next() {
        None => None,
        Some(Ok(t)) if t.tag == 0x02 => Some(t.value),
        Some(_) => return Err(malformed()),
    };
    match (it.next(), it.next()) {
        (None, None) => {}
        (Some(Ok(t)), None) if t.tag == 0x30 && h.is_some() => {}
        _ => return Err(malformed()),
    }
    Ok(Explicit { p, a, b, base, n, h })
}

/// Big-endian bytes without leading zeros (INTEGERs carry a sign byte, OCTET STRING field
/// elements are padded to field length; some encoders trim them).
fn strip(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default()
}

/// Bytes of a hex string such as ff's `PrimeField::MODULUS` ("0x…").
fn hex_bytes(h: &str) -> Vec<u8> {
    let h = h.strip_prefix("0x").unwrap_or(h).as_bytes();
    let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    let mut out = Vec::with_capacity(h.len() / 2 + 1);
    let odd = h.len() % 2 == 1;
    if odd {
        out.push(h.first().map_or(0, |&c| digit(c)));
    }
    for pair in h.get(usize::from(odd)..).unwrap_or_default().chunks(2) {
        out.push(pair.iter().fold(0u8, |acc, &c| (acc << 4) | digit(c)));
    }
    out
}

/// Whether `e` is exactly curve `C`'s domain: p, a, b, G (uncompressed, or compressed with the
/// right parity), n and h = 1.
fn is_curve<C: PrimeCurveParams>(e: &Explicit<'_>) -> bool {
    type Fe<C> = <C as elliptic_curve::hazmat::FieldArithmetic>::FieldElement;
    let p = hex_bytes(Fe::<C>::MODULUS);
    let n = hex_bytes(<C::Scalar as PrimeField>::MODULUS);
    let a = C::EQUATION_A.to_repr();
    let b = C::EQUATION_B.to_repr();
    let (gx, gy) = (C::GENERATOR.0.to_repr(), C::GENERATOR.1.to_repr());
    let (gx, gy): (&[u8], &[u8]) = (gx.as_ref(), gy.as_ref());
    let len = gx.len();
    let y_odd = gy.last().is_some_and(|y| y & 1 == 1);
    let g_ok = match e.base.split_first() {
        Some((&0x04, xy)) => xy.len() == 2 * len && xy.get(..len) == Some(gx) && xy.get(len..) == Some(gy),
        // Hybrid form: both coordinates and the parity of y in the prefix.
        Some((&prefix @ (0x06 | 0x07), xy)) => {
            xy.len() == 2 * len && xy.get(..len) == Some(gx) && xy.get(len..) == Some(gy) && (prefix == 0x07) == y_odd
        }
        Some((&prefix @ (0x02 | 0x03), x)) => x == gx && (prefix == 0x03) == y_odd,
        _ => false,
    };
    strip(e.p) == strip(&p)
        && strip(e.a) == strip(a.as_ref())
        && strip(e.b) == strip(b.as_ref())
        && g_ok
        && strip(e.n) == strip(&n)
        && e.h.is_none_or(|h| strip(h) == [1])
}

/// Whether explicit parameters are one particular curve's.
type Matcher = fn(&Explicit<'_>) -> bool;

/// The named curve (its OID) whose domain parameters the `ECParameters` content `content` holds.
pub fn named_curve(content: &[u8]) -> Result<ObjectIdentifier, SigError> {
    let e = parse(content)?;
    let known: &[(Matcher, ObjectIdentifier)] = &[
        (is_curve::<p256::NistP256>, oid::P256),
        (is_curve::<bp256::BrainpoolP256r1>, oid::BRAINPOOL_P256R1),
        #[cfg(feature = "large-curves")]
        (is_curve::<p384::NistP384>, oid::P384),
        #[cfg(feature = "large-curves")]
        (is_curve::<bp384::BrainpoolP384r1>, oid::BRAINPOOL_P384R1),
        #[cfg(feature = "large-curves")]
        (is_curve::<p521::NistP521>, oid::P521),
        #[cfg(feature = "large-curves")]
        (is_curve::<crate::bp512::BrainpoolP512r1>, oid::BRAINPOOL_P512R1),
    ];
    if let Some((_, o)) = known.iter().find(|(is, _)| is(&e)) {
        return Ok(*o);
    }
    let bits = (strip(e.p).len() * 8).saturating_sub(strip(e.p).first().map_or(0, |b| b.leading_zeros() as usize));
    Err(SigError::UnsupportedCurve(format!("a {bits}-bit curve given by explicit parameters")))
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
        der::Tag::Sequence => named_curve(params.value()),
        _ => Err(SigError::BadKey),
    }
}
