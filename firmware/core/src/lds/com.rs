//! EF.COM (9303-10 §4.6.1): LDS version, Unicode version, and the list of data groups present.

use alloc::string::String;
use alloc::vec::Vec;

use super::ParseError;
use crate::lds::FileId;
use crate::tlv;

/// EF.COM (9303-10 §4.6.1): the LDS version and the data groups present.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Com {
    /// e.g. "0107" for LDS 1.7.
    pub lds_version: String,
    /// e.g. "040000" for Unicode 4.0.0.
    pub unicode_version: String,
    /// Data groups the chip says it holds.
    pub data_groups: Vec<FileId>,
}

/// Parses EF.COM (tag `60`).
pub fn parse(bytes: &[u8]) -> Result<Com, ParseError> {
    let t = tlv::expect(bytes, 0x60)?;
    let text = |tag| -> Result<String, ParseError> {
        match t.children().find(tag)? {
            Some(v) => core::str::from_utf8(v.value).map(String::from).map_err(|_| ParseError::Text),
            None => Ok(String::new()),
        }
    };
    let list = t.children().require(0x5C)?;
    Ok(Com {
        lds_version: text(0x5F01)?,
        unicode_version: text(0x5F36)?,
        data_groups: list.value.iter().filter_map(|&tag| FileId::from_tag(tag)).collect(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_icao_appendix_d_com() {
        // 60145F0104303130365F36063034303030305C026175 (9303-11 Appendix D.4)
        let b = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
        let c = super::parse(&b).unwrap();
        assert_eq!(c.lds_version, "0106");
        assert_eq!(c.unicode_version, "040000");
        assert_eq!(c.data_groups, [crate::lds::FileId::Dg(1), crate::lds::FileId::Dg(2)]);
    }
}
