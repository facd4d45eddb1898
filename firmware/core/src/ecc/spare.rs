//! Ephemeral key pairs drawn ahead of a read (issue 39). The fixed-base half of an ephemeral key
//! agreement — the secret k and the public k·G — does not depend on the card, so a reader with
//! nothing to do can compute it before the card arrives: PACE's mapping key and chip
//! authentication's key are then taken from here, and the read does two scalar multiplications
//! fewer (on the RP2040, ≈ 0.6 s of a brainpoolP256r1 read).
//!
//! Each pair is used once: [`take`] removes it. Nothing is drawn unless the program asks for it
//! ([`draw`]); a read that finds no pair of its curve draws its own, as before. The pairs stay in
//! RAM only, like any other ephemeral secret, and are wiped when taken or replaced.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use spin::Mutex;
use zeroize::Zeroize;

use super::{Curve, EccError, Secret};

/// How many pairs are kept: one for PACE's mapping and one for chip authentication.
pub const PLACES: usize = 2;

struct Drawn {
    curve: Curve,
    secret: Secret,
    public: Vec<u8>,
}

static STOCK: Mutex<Vec<Drawn>> = Mutex::new(Vec::new());

/// Whether a place is free.
pub fn wanted() -> bool {
    STOCK.lock().len() < PLACES
}

/// Draws one pair on `curve` into a free place (one scalar multiplication, computed without the
/// lock held). `Ok(false)` when every place was taken, and nothing is kept.
pub fn draw<R: CryptoRng + ?Sized>(curve: Curve, rng: &mut R) -> Result<bool, EccError> {
    if !wanted() {
        return Ok(false);
    }
    let mut secret = curve.random_secret(rng);
    let public = curve.mul(&secret, None)?;
    let mut stock = STOCK.lock();
    if stock.len() >= PLACES {
        secret.0.zeroize();
        return Ok(false);
    }
    stock.push(Drawn { curve, secret, public });
    Ok(true)
}

/// A pair on `curve`, removed from the stock: (k, k·G).
pub fn take(curve: Curve) -> Option<(Secret, Vec<u8>)> {
    let mut stock = STOCK.lock();
    let at = stock.iter().position(|d| d.curve == curve)?;
    let d = stock.swap_remove(at);
    Some((d.secret, d.public))
}

/// Wipes every pair (a program that changes its mind, and the tests).
pub fn clear() {
    for mut d in STOCK.lock().drain(..) {
        d.secret.0.zeroize();
    }
}

/// k and k·G on `curve`: a pair drawn ahead when there is one, else a fresh one.
pub fn key_pair<R: CryptoRng + ?Sized>(curve: Curve, rng: &mut R) -> Result<(Secret, Vec<u8>), EccError> {
    if let Some(pair) = take(curve) {
        return Ok(pair);
    }
    let secret = curve.random_secret(rng);
    let public = curve.mul(&secret, None)?;
    Ok((secret, public))
}
