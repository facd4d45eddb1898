//! DG1 (9303-10 §4.7.1): the MRZ as printed, parsed into fields.

use alloc::string::String;

use super::ParseError;
use crate::mrz::Mrz;
use crate::tlv;

/// DG1 (9303-10 §4.7.1): the machine-readable zone.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg1 {
    /// The MRZ characters as stored (90 for TD1, 88 for TD3), without line breaks.
    pub mrz_text: String,
    /// The MRZ, parsed.
    pub mrz: Mrz,
}

/// Parses DG1 (tag `61`, the MRZ in `5F1F`).
pub fn parse(bytes: &[u8]) -> Result<Dg1, ParseError> {
    let t = tlv::expect(bytes, 0x61)?;
    let m = t.children().require(0x5F1F)?;
    let text = core::str::from_utf8(m.value).map_err(|_| ParseError::Text)?;
    Ok(Dg1 { mrz_text: String::from(text), mrz: Mrz::parse(text)? })
}
