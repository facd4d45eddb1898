//! EF.CardAccess (9303-11 §9.2.1): the SecurityInfos a chip shows before any session — which
//! PACE protocols and domain parameters it offers, and chip-authentication parameters.

use alloc::vec::Vec;

use const_oid::ObjectIdentifier;

use super::ParseError;
use super::dg14::{self, SecurityInfo};
use crate::tlv;

/// PACEInfo ::= SEQUENCE { protocol OID, version INTEGER, parameterId INTEGER OPTIONAL }.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaceInfo {
    /// The id-PACE-… protocol identifier.
    pub protocol: ObjectIdentifier,
    /// The protocol version (2).
    pub version: u32,
    /// Standardized domain parameters (9303-11 table 4); `None` means proprietary parameters in a
    /// PACEDomainParameterInfo.
    pub parameter_id: Option<u32>,
}

/// EF.CardAccess (9303-11 §9.2.11): the chip's SecurityInfos, what PACE needs picked out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardAccess {
    /// The PACEInfos, in the order found.
    pub pace: Vec<PaceInfo>,
    /// Every SecurityInfo, PACEInfos included.
    pub infos: Vec<SecurityInfo>,
}

/// id-PACE (0.4.0.127.0.7.2.2.4).
pub const ID_PACE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4");

fn int(t: &tlv::Tlv<'_>) -> Option<u32> {
    (t.tag == 0x02 && !t.value.is_empty() && t.value.len() <= 4)
        .then(|| t.value.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
}

/// Parses EF.CardAccess: a SET OF SecurityInfo; unknown infos are kept, not refused.
pub fn parse(bytes: &[u8]) -> Result<CardAccess, ParseError> {
    let set = tlv::expect(bytes, 0x31)?;
    let infos = dg14::parse_security_infos(&set)?.infos;
    let mut pace = Vec::new();
    for info in &infos {
        if info.protocol.parent() != Some(ID_PACE) && info.protocol.parent().and_then(|p| p.parent()) != Some(ID_PACE) {
            continue;
        }
        let seq = tlv::expect(&info.raw, 0x30)?;
        let mut parts = seq.children().skip(1);
        let version =
            parts.next().transpose()?.as_ref().and_then(int).ok_or(ParseError::Invalid("PACEInfo without version"))?;
        let parameter_id = parts.next().transpose()?.as_ref().and_then(int);
        pace.push(PaceInfo { protocol: info.protocol, version, parameter_id });
    }
    Ok(CardAccess { pace, infos })
}

/// Encodes EF.CardAccess from PACEInfos (simulator).
pub fn encode(pace: &[PaceInfo]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in pace {
        let mut v = tlv::encode(0x06, p.protocol.as_bytes());
        v.extend(tlv::encode(0x02, &[p.version as u8]));
        if let Some(id) = p.parameter_id {
            v.extend(tlv::encode(0x02, &[id as u8]));
        }
        body.extend(tlv::encode(0x30, &v));
    }
    tlv::encode(0x31, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_icao_g1_card_access() {
        // PACEInfo of 9303-11 Appendix G.1: ECDH-GM-AES-128, version 2, brainpoolP256r1 (13).
        let b = hex::decode("31143012060A04007F0007020204020202010202010D").unwrap();
        let c = parse(&b).unwrap();
        assert_eq!(c.pace.len(), 1);
        assert_eq!(c.pace[0].protocol, ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2"));
        assert_eq!((c.pace[0].version, c.pace[0].parameter_id), (2, Some(13)));
        assert_eq!(encode(&c.pace), b);
    }
}
