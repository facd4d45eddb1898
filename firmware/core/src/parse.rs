//! The error of every content parser (LDS files, certificates, revocation lists): malformed TLV,
//! MRZ or DER, bad text, or well-formed content the standard does not allow.

use core::fmt;

use crate::mrz::MrzError;
use crate::tlv::TlvError;

/// Why a file's content could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The TLV structure is broken (what, and where).
    Tlv(TlvError),
    /// The MRZ is malformed.
    Mrz(MrzError),
    /// DER inside the file (SOD, DG14, DG15) is malformed; the text is der's.
    Der(der::ErrorKind),
    /// Text that should be UTF-8 or ASCII is not.
    Text,
    /// The content is well-formed but not what the standard prescribes here.
    Invalid(&'static str),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tlv(e) => e.fmt(f),
            Self::Mrz(e) => e.fmt(f),
            Self::Der(e) => write!(f, "malformed DER: {e}"),
            Self::Text => f.write_str("text is not valid UTF-8"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

impl From<TlvError> for ParseError {
    fn from(e: TlvError) -> Self {
        Self::Tlv(e)
    }
}
impl From<MrzError> for ParseError {
    fn from(e: MrzError) -> Self {
        Self::Mrz(e)
    }
}
impl From<der::Error> for ParseError {
    fn from(e: der::Error) -> Self {
        Self::Der(e.kind())
    }
}
