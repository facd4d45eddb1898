//! The Logical Data Structure (ICAO 9303-10): EF.COM, EF.SOD and the data groups a CCCD carries.
//! Parsers take the raw file bytes exactly as read and never re-encode them.

use core::fmt;

/// Why content could not be parsed: one error for every parser (defined below the LDS, since
/// certificates share it).
pub use crate::parse::ParseError;

/// The files this pipeline knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FileId {
    /// EF.COM: the LDS version and the data groups present.
    Com,
    /// EF.SOD: the document security object.
    Sod,
    /// Data group 1–16.
    Dg(u8),
    /// EF.CardAccess: the PACE parameters, in the master file.
    CardAccess,
}

impl FileId {
    /// The file identifier (9303-10 §4.6, table 36).
    pub fn fid(self) -> u16 {
        match self {
            Self::Com => 0x011E,
            Self::Sod => 0x011D,
            Self::Dg(n) => 0x0100 | u16::from(n),
            Self::CardAccess => 0x011C,
        }
    }
    /// The short EF identifier (9303-10 §3.6.2, tables 35–36): READ BINARY can address the file
    /// by it without a SELECT. The low byte of the FID for every LDS1 file.
    pub fn sfi(self) -> Option<u8> {
        match self {
            Self::Com => Some(0x1E),
            Self::Sod => Some(0x1D),
            Self::CardAccess => Some(0x1C),
            Self::Dg(n @ 1..=16) => Some(n),
            Self::Dg(_) => None,
        }
    }
    /// The LDS tag the file starts with (9303-10 table 34).
    pub fn tag(self) -> Option<u32> {
        Some(match self {
            Self::Com => 0x60,
            Self::Sod => 0x77,
            Self::Dg(1) => 0x61,
            Self::Dg(2) => 0x75,
            Self::Dg(3) => 0x63,
            Self::Dg(4) => 0x76,
            Self::Dg(5) => 0x65,
            Self::Dg(6) => 0x66,
            Self::Dg(7) => 0x67,
            Self::Dg(8) => 0x68,
            Self::Dg(9) => 0x69,
            Self::Dg(10) => 0x6A,
            Self::Dg(11) => 0x6B,
            Self::Dg(12) => 0x6C,
            Self::Dg(13) => 0x6D,
            Self::Dg(14) => 0x6E,
            Self::Dg(15) => 0x6F,
            Self::Dg(16) => 0x70,
            _ => return None,
        })
    }
    /// The data group with this LDS tag (as listed in EF.COM).
    pub fn from_tag(tag: u8) -> Option<Self> {
        (1..=16).map(Self::Dg).find(|f| f.tag() == Some(u32::from(tag)))
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Com => f.write_str("EF.COM"),
            Self::Sod => f.write_str("EF.SOD"),
            Self::Dg(n) => write!(f, "DG{n}"),
            Self::CardAccess => f.write_str("EF.CardAccess"),
        }
    }
}

pub mod card_access;
pub mod com;
pub mod dg1;
pub mod dg13;
pub mod dg14;
pub mod dg15;
pub mod dg2;
pub mod sod;
