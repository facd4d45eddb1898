//! Scalar multiplication for PACE and chip authentication in Jacobian coordinates, on the curve
//! crate's own field arithmetic (issue 39).
//!
//! RustCrypto's `primeorder` multiplies with the complete formulas of Renes–Costello–Batina: safe
//! for every input, but on a curve whose `a` is not −3 (brainpoolP256r1, the curve of PACE and
//! chip authentication on the cards we read) a doubling costs eight multiplications, three
//! squarings and five multiplications by the curve's constants, with `3·b` recomputed each time.
//! Here a doubling is `dbl-2007-bl` (1M + 8S + 1·a; `dbl-2001-b`, 3M + 5S, when a = −3) and an
//! addition `add-2007-bl` (11M + 5S), from the Explicit-Formulas Database
//! (<https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian.html>).
//!
//! The scalars are secret (ephemeral keys, the PACE nonce), so the work does not depend on them:
//! the scalar is made odd (k or n − k, the result negated back) and written in Joye–Tunstall's
//! regular signed radix-16 digits (every digit odd, in ±1…±15), so every step is four doublings
//! and one addition; the table entry is picked by scanning the whole table with constant-time
//! selects, and its sign applied with a constant-time select. The branches left are the formulas'
//! exceptional cases (adding a point to itself or to its negative, the identity), which a step
//! reaches only when the running multiple equals ± the table's — never, for a scalar below the
//! group order, but handled correctly all the same.

use alloc::vec::Vec;

use elliptic_curve::ff::{Field, PrimeField};
use elliptic_curve::sec1::{FromSec1Point, Sec1Point};
use elliptic_curve::subtle::{Choice, ConditionallySelectable};
use primeorder::PrimeCurveParams;

use super::EccError;

type Fe<C> = <C as elliptic_curve::hazmat::FieldArithmetic>::FieldElement;

/// Window width of the signed digits: 8 table entries (P, 3P, …, 15P).
const W: usize = 4;
const TABLE: usize = 1 << (W - 1);

/// A point (X : Y : Z) standing for (X/Z², Y/Z³); Z = 0 is the identity.
struct Jacobian<C: PrimeCurveParams> {
    x: Fe<C>,
    y: Fe<C>,
    z: Fe<C>,
}

impl<C: PrimeCurveParams> Clone for Jacobian<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: PrimeCurveParams> Copy for Jacobian<C> {}

/// What the doubling may use of the curve: `a`, and whether it is −3.
struct Shape<C: PrimeCurveParams> {
    a: Fe<C>,
    a_is_minus_3: bool,
}

impl<C: PrimeCurveParams> Shape<C> {
    fn new() -> Self {
        let a = C::EQUATION_A;
        Self { a, a_is_minus_3: a == -Fe::<C>::from(3) }
    }
}

impl<C: PrimeCurveParams> Jacobian<C> {
    fn identity() -> Self {
        Self { x: Fe::<C>::ONE, y: Fe::<C>::ONE, z: Fe::<C>::ZERO }
    }

    fn from_affine(x: Fe<C>, y: Fe<C>) -> Self {
        Self { x, y, z: Fe::<C>::ONE }
    }

    fn is_identity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    fn neg(&self) -> Self {
        Self { x: self.x, y: -self.y, z: self.z }
    }

    fn select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: Fe::<C>::conditional_select(&a.x, &b.x, choice),
            y: Fe::<C>::conditional_select(&a.y, &b.y, choice),
            z: Fe::<C>::conditional_select(&a.z, &b.z, choice),
        }
    }

    fn double(&self, shape: &Shape<C>) -> Self {
        if self.is_identity() {
            return *self;
        }
        if shape.a_is_minus_3 {
            // dbl-2001-b
            let delta = self.z.square();
            let gamma = self.y.square();
            let beta = self.x * gamma;
            let t = (self.x - delta) * (self.x + delta);
            let alpha = t.double() + t;
            let beta4 = beta.double().double();
            let x3 = alpha.square() - beta4.double();
            let z3 = (self.y + self.z).square() - gamma - delta;
            let gamma2 = gamma.square();
            let y3 = alpha * (beta4 - x3) - gamma2.double().double().double();
            Self { x: x3, y: y3, z: z3 }
        } else {
            // dbl-2007-bl
            let xx = self.x.square();
            let yy = self.y.square();
            let yyyy = yy.square();
            let zz = self.z.square();
            let s = ((self.x + yy).square() - xx - yyyy).double();
            let m = xx.double() + xx + shape.a * zz.square();
            let t = m.square() - s.double();
            let y3 = m * (s - t) - yyyy.double().double().double();
            let z3 = (self.y + self.z).square() - yy - zz;
            Self { x: t, y: y3, z: z3 }
        }
    }

    fn add(&self, other: &Self, shape: &Shape<C>) -> Self {
        if self.is_identity() {
            return *other;
        }
        if other.is_identity() {
            return *self;
        }
        // add-2007-bl
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x * z2z2;
        let u2 = other.x * z1z1;
        let s1 = self.y * other.z * z2z2;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) { self.double(shape) } else { Self::identity() };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + other.z).square() - z1z1 - z2z2) * h;
        Self { x: x3, y: y3, z: z3 }
    }

    /// The affine x; `BadPoint` for the identity.
    fn affine_x(&self) -> Result<Fe<C>, EccError> {
        let zinv: Option<Fe<C>> = self.z.invert().into();
        Ok(self.x * zinv.ok_or(EccError::BadPoint)?.square())
    }

    /// Uncompressed SEC1 bytes of the affine point; `BadPoint` for the identity.
    fn to_sec1(self) -> Result<Vec<u8>, EccError> {
        let zinv: Option<Fe<C>> = self.z.invert().into();
        let zinv = zinv.ok_or(EccError::BadPoint)?;
        let zinv2 = zinv.square();
        let x = self.x * zinv2;
        let y = self.y * zinv2 * zinv;
        // A last check that costs two multiplications: what leaves here is on the curve.
        if y.square() != (x.square() + C::EQUATION_A) * x + C::EQUATION_B {
            return Err(EccError::BadPoint);
        }
        let mut out = alloc::vec![0x04u8];
        out.extend_from_slice(&x.to_repr());
        out.extend_from_slice(&y.to_repr());
        Ok(out)
    }
}

/// The affine coordinates of a point given as SEC1 bytes, checked to be on the curve and not the
/// identity (the curve crate's own decoding).
fn affine<C>(bytes: &[u8]) -> Result<Jacobian<C>, EccError>
where
    C: PrimeCurveParams,
{
    let ep = Sec1Point::<C>::from_bytes(bytes).map_err(|_| EccError::BadPoint)?;
    let a: Option<C::AffinePoint> = C::AffinePoint::from_sec1_point(&ep).into();
    let a = a.ok_or(EccError::BadPoint)?;
    // The identity has no coordinates (SEC1's single zero byte): x() and y() are None.
    let full = elliptic_curve::sec1::ToSec1Point::to_sec1_point(&a, false);
    let (x, y) = match (full.x(), full.y()) {
        (Some(x), Some(y)) => (x, y),
        _ => return Err(EccError::BadPoint),
    };
    let fx: Option<Fe<C>> = Fe::<C>::from_repr(*x).into();
    let fy: Option<Fe<C>> = Fe::<C>::from_repr(*y).into();
    match (fx, fy) {
        (Some(x), Some(y)) => Ok(Jacobian::from_affine(x, y)),
        _ => Err(EccError::BadPoint),
    }
}

/// Joye–Tunstall regular recoding of an odd scalar (big-endian bytes): `2 · len` signed digits,
/// least significant first, each odd and in −15…15, with Σ dᵢ·16ⁱ equal to the scalar.
fn odd_digits(k: &[u8]) -> Vec<i8> {
    // Little-endian 32-bit words with one spare word for the carries of the recoding.
    let mut v: Vec<u32> = alloc::vec![0; k.len().div_ceil(4) + 1];
    for (i, byte) in k.iter().rev().enumerate() {
        if let Some(w) = v.get_mut(i / 4) {
            *w |= u32::from(*byte) << (8 * (i % 4));
        }
    }
    let count = 2 * k.len();
    let mut digits = Vec::with_capacity(count);
    for _ in 0..count - 1 {
        // d = (v mod 2^(W+1)) − 2^W: odd, so v − d ≡ 2^W (mod 2^(W+1)) and (v − d) / 2^W is odd.
        let low = v.first().copied().unwrap_or(0) & ((1 << (W + 1)) - 1);
        let d = low as i32 - (1 << W);
        // v −= d, then v >>= W. d < 0 adds |d|; d > 0 only clears bits that are set.
        let mut carry = if d < 0 { d.unsigned_abs() } else { 0 };
        if d > 0
            && let Some(w) = v.first_mut()
        {
            *w -= d as u32;
        }
        for w in v.iter_mut() {
            let (s, c) = w.overflowing_add(carry);
            *w = s;
            carry = u32::from(c);
        }
        let mut high = 0u32;
        for w in v.iter_mut().rev() {
            let next = *w << (32 - W);
            *w = (*w >> W) | high;
            high = next;
        }
        digits.push(d as i8);
    }
    // What is left is odd and below 16 (at most (2^(8·len) + 15·…)/16^(count−1) < 17).
    digits.push(v.first().copied().unwrap_or(1) as i8);
    digits
}

/// `k · P` for a scalar already checked to be in 1…n−1 and a point on the curve (P = the
/// generator for `None`).
pub fn mul<C>(k: &C::Scalar, point: Option<&[u8]>) -> Result<Vec<u8>, EccError>
where
    C: PrimeCurveParams,
{
    let shape = Shape::new();
    lincomb::<C>(&[(base::<C>(point)?, *k)], &shape).to_sec1()
}

/// `s · G + H` (the generic mapping's new generator).
pub fn mul_generator_add<C>(s: &C::Scalar, h: &[u8]) -> Result<Vec<u8>, EccError>
where
    C: PrimeCurveParams,
{
    let shape = Shape::new();
    let h = affine::<C>(h)?;
    lincomb::<C>(&[(base::<C>(None)?, *s)], &shape).add(&h, &shape).to_sec1()
}

/// ECDSA verification (SEC 1 §4.1.4, FIPS 186-5 §6.4.2) of a signature (r, s) — both already
/// known to be in 1…n−1, as `ecdsa::Signature` guarantees — over the hash `z`, with the public key
/// `q` (SEC1 bytes, compressed or not): R = (z·s⁻¹)·G + (r·s⁻¹)·Q, valid when R is not the identity
/// and its x reduced mod n is r. `z` is truncated to the bit length of n as the `ecdsa` crate's
/// `bits2int` does. Only public values take part, so nothing here needs to be constant-time.
pub fn ecdsa_verify<C>(q: &[u8], z: &[u8], r: &C::Scalar, s: &C::Scalar) -> Result<bool, EccError>
where
    C: PrimeCurveParams,
{
    use elliptic_curve::bigint::{BitOps, Encoding};
    use elliptic_curve::ops::Reduce;
    let reduce = |bytes: &[u8]| -> C::Scalar {
        let n_bits = C::ORDER.bits();
        let n_bytes = n_bits.div_ceil(8) as usize;
        let b = bytes.get(..n_bytes).unwrap_or(bytes);
        <C::Scalar as Reduce<C::Uint>>::reduce(&C::Uint::from_be_slice_truncated(b, n_bits))
    };
    let shape = Shape::new();
    let q = affine::<C>(q)?;
    let w: Option<C::Scalar> = s.invert().into();
    let w = w.ok_or(EccError::BadScalar)?;
    let u1 = reduce(z) * w;
    let u2 = *r * w;
    let point = lincomb::<C>(&[(base::<C>(None)?, u1), (q, u2)], &shape);
    if point.is_identity() {
        return Ok(false);
    }
    let x = point.affine_x()?;
    Ok(reduce(&x.to_repr()) == *r)
}

fn base<C: PrimeCurveParams>(point: Option<&[u8]>) -> Result<Jacobian<C>, EccError> {
    match point {
        Some(bytes) => affine::<C>(bytes),
        None => Ok(Jacobian::from_affine(C::GENERATOR.0, C::GENERATOR.1)),
    }
}

/// Σ kᵢ·Pᵢ with one shared run of doublings (Straus–Shamir); a zero scalar drops its term.
fn lincomb<C: PrimeCurveParams>(terms: &[(Jacobian<C>, C::Scalar)], shape: &Shape<C>) -> Jacobian<C> {
    // Per term: k even → (n − k)·(−P), so that every scalar recoded is odd.
    let mut tables: Vec<[Jacobian<C>; TABLE]> = Vec::with_capacity(terms.len());
    let mut digits: Vec<Vec<i8>> = Vec::with_capacity(terms.len());
    for (p, k) in terms {
        if bool::from(k.is_zero()) {
            continue;
        }
        let even = !k.is_odd();
        let odd = C::Scalar::conditional_select(k, &-*k, even);
        let p = Jacobian::select(p, &p.neg(), even);
        digits.push(odd_digits(&odd.to_repr()));
        // table[i] = (2i + 1) · P
        let twice = p.double(shape);
        let mut table = [p; TABLE];
        for i in 1..TABLE {
            if let (Some(prev), Some(slot)) = (table.get(i - 1).copied(), table.get_mut(i)) {
                *slot = prev.add(&twice, shape);
            }
        }
        tables.push(table);
    }
    let pick = |table: &[Jacobian<C>; TABLE], d: i8| -> Jacobian<C> {
        let index = d.unsigned_abs() >> 1;
        let mut t = Jacobian::identity();
        for (i, entry) in table.iter().enumerate() {
            t = Jacobian::select(&t, entry, (i as u8).ct_eq_u8(index));
        }
        Jacobian::select(&t, &t.neg(), Choice::from(u8::from(d < 0)))
    };
    let count = digits.iter().map(Vec::len).max().unwrap_or(0);
    let mut acc = Jacobian::identity();
    for i in (0..count).rev() {
        if i + 1 < count {
            for _ in 0..W {
                acc = acc.double(shape);
            }
        }
        for (table, d) in tables.iter().zip(&digits) {
            if let Some(&d) = d.get(i) {
                acc = acc.add(&pick(table, d), shape);
            }
        }
    }
    acc
}

trait CtEqU8 {
    fn ct_eq_u8(self, other: u8) -> Choice;
}

impl CtEqU8 for u8 {
    fn ct_eq_u8(self, other: u8) -> Choice {
        elliptic_curve::subtle::ConstantTimeEq::ct_eq(&self, &other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(digits: &[i8]) -> i128 {
        digits.iter().rev().fold(0i128, |acc, &d| acc * 16 + i128::from(d))
    }

    #[test]
    fn digits_are_odd_small_and_add_up() {
        for k in [1u64, 3, 15, 17, 0xffff, 0x1234_5677, u64::MAX] {
            let bytes = k.to_be_bytes();
            let d = odd_digits(&bytes);
            assert_eq!(d.len(), 16);
            assert!(d.iter().all(|x| x % 2 != 0 && (-15..=15).contains(x)), "{k}: {d:?}");
            assert_eq!(value(&d), i128::from(k), "{k}");
        }
    }

    /// Against the curve crate's own (complete-formula) multiplication, on the scalars where
    /// the recoding and the exceptional cases would go wrong first: 1, 2, 3, n − 1, n − 2, and a
    /// spread of others, by the generator and by another point.
    fn agrees_with_primeorder<C>()
    where
        C: PrimeCurveParams,
        C::AffinePoint: elliptic_curve::sec1::ToSec1Point<C>,
    {
        use elliptic_curve::sec1::ToSec1Point;
        let g = C::ProjectivePoint::from(C::AffinePoint::GENERATOR);
        let other = g * C::Scalar::from(0x1234_5678_9abc_u64);
        let other_bytes = other.to_affine().to_sec1_point(false).as_bytes().to_vec();
        let one = C::Scalar::ONE;
        let mut scalars = alloc::vec![one, one.double(), one.double() + one, -one, -one.double()];
        let mut k = C::Scalar::from(0x0123_4567_89ab_cdef_u64);
        for _ in 0..12 {
            k = k.square() + C::Scalar::from(7u64);
            scalars.push(k);
        }
        for k in scalars {
            for (point, bytes) in [(g, None), (other, Some(other_bytes.as_slice()))] {
                let want = (point * k).to_affine().to_sec1_point(false).as_bytes().to_vec();
                assert_eq!(mul::<C>(&k, bytes).ok(), Some(want));
            }
            let want = (g * k + other).to_affine().to_sec1_point(false).as_bytes().to_vec();
            assert_eq!(mul_generator_add::<C>(&k, &other_bytes).ok(), Some(want));
        }
        // k·G + H where H = −k·G is the identity: refused, not encoded.
        let minus = (g * -one.double()).to_affine().to_sec1_point(false).as_bytes().to_vec();
        assert_eq!(mul_generator_add::<C>(&one.double(), &minus), Err(EccError::BadPoint));
    }

    #[test]
    fn agrees_with_the_curve_crates() {
        agrees_with_primeorder::<p256::NistP256>();
        agrees_with_primeorder::<bp256::BrainpoolP256r1>();
    }
}
