//! DG14 (9303-11 §9.2): SecurityInfos — chip authentication, PACE and active-authentication
//! parameters. Kept as (protocol OID, raw SecurityInfo); the AA signature algorithm is named.

use alloc::vec::Vec;

use const_oid::ObjectIdentifier;

use super::ParseError;
use crate::crypto::oid;
use crate::tlv;

/// One SecurityInfo (9303-11 §9.2): a protocol identifier and its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityInfo {
    /// The protocol identifier.
    pub protocol: ObjectIdentifier,
    /// The whole SecurityInfo SEQUENCE as stored.
    pub raw: Vec<u8>,
}

/// DG14 (9303-10 §4.7.14): the chip's SecurityInfos for chip authentication and PACE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dg14 {
    /// Every SecurityInfo, in order.
    pub infos: Vec<SecurityInfo>,
    /// From ActiveAuthenticationInfo (9303-11 §9.2.4): the ECDSA signature algorithm for AA.
    pub aa_signature_algorithm: Option<ObjectIdentifier>,
}

fn oid_of(t: &tlv::Tlv<'_>) -> Result<ObjectIdentifier, ParseError> {
    if t.tag != 0x06 {
        return Err(ParseError::Invalid("SecurityInfo does not start with an OID"));
    }
    ObjectIdentifier::from_bytes(t.value).map_err(|_| ParseError::Invalid("malformed OID in DG14"))
}

/// Parses a SET OF SecurityInfo (the content of DG14 and the whole of EF.CardAccess).
pub fn parse_security_infos(set: &tlv::Tlv<'_>) -> Result<Dg14, ParseError> {
    let mut d = Dg14::default();
    for info in set.children() {
        let info = info?;
        let mut parts = info.children();
        let protocol = oid_of(&parts.next().ok_or(ParseError::Invalid("empty SecurityInfo"))??)?;
        if protocol == oid::ACTIVE_AUTHENTICATION {
            // ActiveAuthenticationInfo ::= SEQUENCE { protocol, version INTEGER, signatureAlgorithm OID }
            let _version = parts.next();
            if let Some(alg) = parts.next() {
                d.aa_signature_algorithm = Some(oid_of(&alg?)?);
            }
        }
        d.infos.push(SecurityInfo { protocol, raw: info.raw.to_vec() });
    }
    Ok(d)
}

/// Parses DG14 (tag `6E`).
pub fn parse(bytes: &[u8]) -> Result<Dg14, ParseError> {
    let t = tlv::expect(bytes, 0x6E)?;
    parse_security_infos(&t.children().require(0x31)?)
}

/// Encodes DG14 from raw SecurityInfo SEQUENCEs (simulator).
pub fn encode(infos: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = infos.concat();
    tlv::encode(0x6E, &tlv::encode(0x31, &body))
}

/// An ActiveAuthenticationInfo naming `signature_algorithm` (simulator).
pub fn active_authentication_info(signature_algorithm: &ObjectIdentifier) -> Vec<u8> {
    let mut v = tlv::encode(0x06, oid::ACTIVE_AUTHENTICATION.as_bytes());
    v.extend(tlv::encode(0x02, &[1]));
    v.extend(tlv::encode(0x06, signature_algorithm.as_bytes()));
    tlv::encode(0x30, &v)
}
/// id-PK-ECDH (0.4.0.127.0.7.2.2.1.2): a chip-authentication public key (9303-11 §9.2.5).
pub const ID_PK_ECDH: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1.2");

/// A small non-negative INTEGER (key IDs, versions): `None` when it is not one.
pub fn small_int(t: &tlv::Tlv<'_>) -> Option<u32> {
    (t.tag == 0x02 && !t.value.is_empty() && t.value.len() <= 4)
        .then(|| t.value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

/// The chip's static ECDH public keys (id-PK-ECDH) among SecurityInfos, with their key IDs.
pub fn static_keys(infos: &[SecurityInfo]) -> Vec<(Vec<u8>, Option<u32>)> {
    let mut out = Vec::new();
    for si in infos.iter().filter(|si| si.protocol == ID_PK_ECDH) {
        let Ok(seq) = tlv::expect(&si.raw, 0x30) else { continue };
        let mut parts = seq.children().skip(1).filter_map(Result::ok);
        let Some(spki) = parts.next() else { continue };
        let key_id = parts.next().as_ref().and_then(small_int);
        // The point is the BIT STRING's content after the unused-bits byte; explicit domain
        // parameters (BSI style) are fine here, the curve comes from the PACE domain.
        if let Some(point) =
            spki.children().filter_map(Result::ok).find(|t| t.tag == 0x03).and_then(|b| b.value.get(1..))
        {
            out.push((point.to_vec(), key_id));
        }
    }
    out
}
