//! Elliptic-curve operations that PACE and chip authentication need on the standardized domain
//! parameters (ICAO 9303-11 §9.5.1), with RustCrypto's curve arithmetic. Points travel as
//! uncompressed SEC1 bytes at full field length (a dropped leading zero byte is the classic
//! intermittent PACE failure, so encodings are never trimmed).

use alloc::vec::Vec;
use core::fmt;

use elliptic_curve::ff::PrimeField;
use elliptic_curve::group::{Curve as _, Group};
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, Sec1Point, ToSec1Point};
use elliptic_curve::{CurveArithmetic, FieldBytes, FieldBytesSize, NonZeroScalar};
use primeorder::PrimeCurveParams;
use rand_core::CryptoRng;
use rsa::BigUint;

mod jacobian;
pub mod spare;
pub use jacobian::ecdsa_verify;

/// The curves this build computes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    #[cfg(feature = "large-curves")]
    P384,
    /// NIST P-521 (secp521r1).
    #[cfg(feature = "large-curves")]
    P521,
    /// brainpoolP256r1 (RFC 5639).
    BrainpoolP256r1,
    /// brainpoolP384r1 (RFC 5639).
    #[cfg(feature = "large-curves")]
    BrainpoolP384r1,
    /// brainpoolP512r1 (RFC 5639).
    #[cfg(feature = "large-curves")]
    BrainpoolP512r1,
}

/// Why a curve operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EccError {
    /// Standardized domain parameter ID (9303-11 table 4) this build has no arithmetic for.
    UnsupportedDomain(u32),
    /// A point is malformed, not on the curve, or the identity.
    BadPoint,
    /// A scalar is zero or not below the group order.
    BadScalar,
}

impl fmt::Display for EccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedDomain(id) => {
                write!(f, "{} (standardized domain parameters {id}) is not supported", domain_name(*id))
            }
            Self::BadPoint => f.write_str("the chip sent an invalid elliptic-curve point"),
            Self::BadScalar => f.write_str("invalid scalar"),
        }
    }
}

/// The name of a standardized domain parameter set (9303-11 §9.5.1, table 4).
pub fn domain_name(id: u32) -> &'static str {
    match id {
        0 => "1024-bit MODP group with 160-bit prime order subgroup",
        1 => "2048-bit MODP group with 224-bit prime order subgroup",
        2 => "2048-bit MODP group with 256-bit prime order subgroup",
        8 => "NIST P-192",
        9 => "brainpoolP192r1",
        10 => "NIST P-224",
        11 => "brainpoolP224r1",
        12 => "NIST P-256",
        13 => "brainpoolP256r1",
        14 => "brainpoolP320r1",
        15 => "NIST P-384",
        16 => "brainpoolP384r1",
        17 => "brainpoolP512r1",
        18 => "NIST P-521",
        _ => "unknown domain parameters",
    }
}

impl Curve {
    /// The curve for a standardized domain parameter ID.
    pub fn from_domain_id(id: u32) -> Result<Self, EccError> {
        Ok(match id {
            12 => Self::P256,
            13 => Self::BrainpoolP256r1,
            #[cfg(feature = "large-curves")]
            15 => Self::P384,
            #[cfg(feature = "large-curves")]
            16 => Self::BrainpoolP384r1,
            #[cfg(feature = "large-curves")]
            17 => Self::BrainpoolP512r1,
            #[cfg(feature = "large-curves")]
            18 => Self::P521,
            other => return Err(EccError::UnsupportedDomain(other)),
        })
    }
    /// Its standardized domain parameter ID (9303-11 table 4).
    pub fn domain_id(self) -> u32 {
        match self {
            Self::P256 => 12,
            Self::BrainpoolP256r1 => 13,
            #[cfg(feature = "large-curves")]
            Self::P384 => 15,
            #[cfg(feature = "large-curves")]
            Self::BrainpoolP384r1 => 16,
            #[cfg(feature = "large-curves")]
            Self::BrainpoolP512r1 => 17,
            #[cfg(feature = "large-curves")]
            Self::P521 => 18,
        }
    }
    /// The curve's name ("NIST P-256", "brainpoolP256r1").
    pub fn name(self) -> &'static str {
        domain_name(self.domain_id())
    }
    /// Field (and x-coordinate) length in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 | Self::BrainpoolP256r1 => 32,
            #[cfg(feature = "large-curves")]
            Self::P384 | Self::BrainpoolP384r1 => 48,
            #[cfg(feature = "large-curves")]
            Self::BrainpoolP512r1 => 64,
            #[cfg(feature = "large-curves")]
            Self::P521 => 66,
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A secret scalar, big-endian at field length. Not printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

mod generic {
    use super::*;

    pub fn decode<C>(bytes: &[u8]) -> Result<C::ProjectivePoint, EccError>
    where
        C: CurveArithmetic,
        C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        let ep = Sec1Point::<C>::from_bytes(bytes).map_err(|_| EccError::BadPoint)?;
        let a: Option<C::AffinePoint> = C::AffinePoint::from_sec1_point(&ep).into();
        let p: C::ProjectivePoint = a.ok_or(EccError::BadPoint)?.into();
        if bool::from(p.is_identity()) {
            return Err(EccError::BadPoint);
        }
        Ok(p)
    }

    pub fn encode<C>(p: &C::ProjectivePoint) -> Result<Vec<u8>, EccError>
    where
        C: CurveArithmetic,
        C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        if bool::from(p.is_identity()) {
            return Err(EccError::BadPoint);
        }
        Ok(p.to_affine().to_sec1_point(false).as_bytes().to_vec())
    }

    pub fn scalar<C: CurveArithmetic>(bytes: &[u8]) -> Result<C::Scalar, EccError> {
        let mut repr = FieldBytes::<C>::default();
        let n = repr.len();
        if bytes.len() > n {
            return Err(EccError::BadScalar);
        }
        repr.get_mut(n - bytes.len()..).ok_or(EccError::BadScalar)?.copy_from_slice(bytes);
        let s: Option<C::Scalar> = C::Scalar::from_repr(repr).into();
        let s = s.ok_or(EccError::BadScalar)?;
        if bool::from(elliptic_curve::ff::Field::is_zero(&s)) {
            return Err(EccError::BadScalar);
        }
        Ok(s)
    }

    pub fn random<C: CurveArithmetic, R: CryptoRng + ?Sized>(rng: &mut R) -> Vec<u8> {
        let s: C::Scalar = <NonZeroScalar<C> as elliptic_curve::Generate>::generate_from_rng(rng).into();
        let b: FieldBytes<C> = s.into();
        b.to_vec()
    }

    /// `k · P` (P = the standard generator when `point` is `None`).
    pub fn mul<C: PrimeCurveParams>(k: &[u8], point: Option<&[u8]>) -> Result<Vec<u8>, EccError> {
        super::jacobian::mul::<C>(&scalar::<C>(k)?, point)
    }

    /// `s · G + H` — the generic mapping's new generator (9303-11 §4.4.3.3.1).
    pub fn map<C: PrimeCurveParams>(s: &[u8], h: &[u8]) -> Result<Vec<u8>, EccError> {
        super::jacobian::mul_generator_add::<C>(&scalar::<C>(s)?, h)
    }

    /// The point encoding f_G of the ECDH integrated mapping (ICAO 9303-11 Appendix B.2, affine
    /// coordinates, p ≡ 3 mod 4): maps R_p (an integer, big-endian, reduced mod p here) to a
    /// point of the curve, with the curve's own field arithmetic.
    pub fn encode_to_curve<C>(r: &[u8]) -> Result<Vec<u8>, EccError>
    where
        C: PrimeCurveParams,
        C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        use elliptic_curve::ff::Field;
        type Fe<C> = <C as elliptic_curve::hazmat::FieldArithmetic>::FieldElement;
        let hex = Fe::<C>::MODULUS.strip_prefix("0x").unwrap_or(Fe::<C>::MODULUS);
        let p = BigUint::parse_bytes(hex.as_bytes(), 16).ok_or(EccError::BadScalar)?;
        let field = |v: &BigUint| -> Result<Fe<C>, EccError> {
            let mut repr = FieldBytes::<C>::default();
            let b = v.to_bytes_be();
            let n = repr.len();
            repr.get_mut(n.checked_sub(b.len()).ok_or(EccError::BadScalar)?..)
                .ok_or(EccError::BadScalar)?
                .copy_from_slice(&b);
            Option::from(Fe::<C>::from_repr(repr)).ok_or(EccError::BadScalar)
        };
        let t = field(&(BigUint::from_bytes_be(r) % &p))?;
        let (a, b) = (C::EQUATION_A, C::EQUATION_B);
        let alpha = -t.square();
        let alpha2 = alpha + alpha.square();
        let inv: Option<Fe<C>> = (a * alpha2).invert().into();
        let x2 = -b * (Fe::<C>::ONE + alpha2) * inv.ok_or(EccError::BadPoint)?;
        let x3 = alpha * x2;
        let h2 = x2.square() * x2 + a * x2 + b;
        let u = t.square() * t * h2;
        // A = h2^(p − 1 − (p + 1)/4) = h2^((3p − 5)/4)
        let e = (&p * BigUint::from(3u8) - BigUint::from(5u8)) / BigUint::from(4u8);
        let le = e.to_bytes_le();
        let limbs: Vec<u64> =
            le.chunks(8).map(|c| c.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x))).collect();
        let big_a = h2.pow_vartime(&limbs);
        let (x, y) = if big_a.square() * h2 == Fe::<C>::ONE { (x2, big_a * h2) } else { (x3, big_a * u) };
        let mut sec1 = alloc::vec![0x04u8];
        sec1.extend_from_slice(&x.to_repr());
        sec1.extend_from_slice(&y.to_repr());
        // Decoding checks that the point is on the curve; all curves here have cofactor 1.
        encode::<C>(&decode::<C>(&sec1)?)
    }

    pub fn cam<C>(sk_static: &[u8], sk_map: &[u8]) -> Result<Vec<u8>, EccError>
    where
        C: CurveArithmetic,
        C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        let inv: Option<C::Scalar> = elliptic_curve::ff::Field::invert(&scalar::<C>(sk_static)?).into();
        let ca = inv.ok_or(EccError::BadScalar)? * scalar::<C>(sk_map)?;
        let b: FieldBytes<C> = ca.into();
        Ok(b.to_vec())
    }

    pub fn x<C>(point: &[u8]) -> Result<Vec<u8>, EccError>
    where
        C: CurveArithmetic,
        C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        Ok(decode::<C>(point)?.to_affine().x().to_vec())
    }
}

macro_rules! dispatch {
    ($curve:expr, $f:ident ( $($arg:expr),* )) => {
        match $curve {
            Curve::P256 => generic::$f::<p256::NistP256>($($arg),*),
            #[cfg(feature = "large-curves")]
            Curve::P384 => generic::$f::<p384::NistP384>($($arg),*),
            #[cfg(feature = "large-curves")]
            Curve::P521 => generic::$f::<p521::NistP521>($($arg),*),
            Curve::BrainpoolP256r1 => generic::$f::<bp256::BrainpoolP256r1>($($arg),*),
            #[cfg(feature = "large-curves")]
            Curve::BrainpoolP384r1 => generic::$f::<bp384::BrainpoolP384r1>($($arg),*),
            #[cfg(feature = "large-curves")]
            Curve::BrainpoolP512r1 => generic::$f::<crate::bp512::BrainpoolP512r1>($($arg),*),
        }
    };
}

impl Curve {
    /// A fresh secret scalar.
    pub fn random_secret<R: CryptoRng + ?Sized>(self, rng: &mut R) -> Secret {
        Secret(match self {
            Curve::P256 => generic::random::<p256::NistP256, R>(rng),
            #[cfg(feature = "large-curves")]
            Curve::P384 => generic::random::<p384::NistP384, R>(rng),
            #[cfg(feature = "large-curves")]
            Curve::P521 => generic::random::<p521::NistP521, R>(rng),
            Curve::BrainpoolP256r1 => generic::random::<bp256::BrainpoolP256r1, R>(rng),
            #[cfg(feature = "large-curves")]
            Curve::BrainpoolP384r1 => generic::random::<bp384::BrainpoolP384r1, R>(rng),
            #[cfg(feature = "large-curves")]
            Curve::BrainpoolP512r1 => generic::random::<crate::bp512::BrainpoolP512r1, R>(rng),
        })
    }
    /// `k · P`, or `k · G` when `point` is `None`; the result is checked not to be the identity.
    pub fn mul(self, k: &Secret, point: Option<&[u8]>) -> Result<Vec<u8>, EccError> {
        dispatch!(self, mul(&k.0, point))
    }
    /// PACE-CAM's CA_IC = SK_IC⁻¹ · SK_Map,IC mod n (chip side, 9303-11 §4.4.3.5).
    pub fn cam_scalar(self, sk_static: &Secret, sk_map: &Secret) -> Result<Secret, EccError> {
        dispatch!(self, cam(&sk_static.0, &sk_map.0)).map(Secret)
    }
    /// `s · G + H`.
    pub fn map_generator(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, EccError> {
        dispatch!(self, map(s, h))
    }
    /// The x-coordinate of a point, at field length.
    pub fn x_coordinate(self, point: &[u8]) -> Result<Vec<u8>, EccError> {
        dispatch!(self, x(point))
    }
    /// The ECDH integrated mapping's point encoding f_G(R_p) (9303-11 Appendix B).
    pub fn encode_to_curve(self, r: &[u8]) -> Result<Vec<u8>, EccError> {
        dispatch!(self, encode_to_curve(r))
    }
    /// Bit length of the field prime.
    pub fn field_bits(self) -> usize {
        match self {
            Self::P256 | Self::BrainpoolP256r1 => 256,
            #[cfg(feature = "large-curves")]
            Self::P384 | Self::BrainpoolP384r1 => 384,
            #[cfg(feature = "large-curves")]
            Self::BrainpoolP512r1 => 512,
            #[cfg(feature = "large-curves")]
            Self::P521 => 521,
        }
    }
    /// Checks that bytes are a valid point on this curve (not the identity).
    pub fn validate(self, point: &[u8]) -> Result<(), EccError> {
        self.x_coordinate(point).map(|_| ())
    }
}
