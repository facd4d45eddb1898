//! DG15 (9303-11 §6.1): the active-authentication public key, a SubjectPublicKeyInfo (RSA or EC).

use alloc::vec::Vec;

use der::Decode;
use spki::SubjectPublicKeyInfoOwned;

use super::ParseError;
use crate::tlv;

/// DG15 (9303-10 §4.7.15): the active authentication public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dg15 {
    /// The key, parsed.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// The SubjectPublicKeyInfo DER exactly as stored.
    pub spki_der: Vec<u8>,
}

/// Parses DG15 (tag `6F`).
pub fn parse(bytes: &[u8]) -> Result<Dg15, ParseError> {
    let t = tlv::expect(bytes, 0x6F)?;
    let (inner, _) = tlv::parse_one(t.value)?;
    let public_key = SubjectPublicKeyInfoOwned::from_der(inner.raw)?;
    Ok(Dg15 { public_key, spki_der: inner.raw.to_vec() })
}

/// DG15 holding this SubjectPublicKeyInfo (for the simulator and tests).
pub fn encode(spki_der: &[u8]) -> Vec<u8> {
    tlv::encode(0x6F, spki_der)
}
