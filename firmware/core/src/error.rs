//! The core's one error type: what happened, at which step, with the raw status word kept.

use core::fmt;

use crate::access::KeyError;
use crate::apdu::{StatusWord, TransportError};
use crate::files::FileId;
use crate::lds::ParseError;
use crate::sm::SmError;

/// The protocol step an error happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Step {
    SelectApplication,
    GetChallenge,
    ExternalAuthenticate,
    SelectFile(FileId),
    ReadBinary(FileId),
    InternalAuthenticate,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SelectApplication => f.write_str("SELECT eMRTD application"),
            Self::GetChallenge => f.write_str("GET CHALLENGE"),
            Self::ExternalAuthenticate => f.write_str("BAC mutual authentication"),
            Self::SelectFile(id) => write!(f, "SELECT {id}"),
            Self::ReadBinary(id) => write!(f, "READ BINARY {id}"),
            Self::InternalAuthenticate => f.write_str("active authentication (INTERNAL AUTHENTICATE)"),
        }
    }
}

/// Everything that can stop a read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The link to the card failed (card removed, timeout, reader fault).
    Transport { step: Step, error: TransportError },
    /// The chip answered with an error status word.
    Status { step: Step, sw: StatusWord },
    /// The chip rejected the access key (BAC failed): wrong document number, date of birth or expiry.
    AccessDenied { sw: Option<StatusWord> },
    /// Secure messaging failed (bad MAC, malformed objects, session ended by the chip).
    SecureMessaging { step: Step, error: SmError },
    /// The chip's answer has the wrong shape (e.g. wrong length of a challenge).
    MalformedResponse { step: Step },
    /// A file's content could not be parsed.
    Parse { file: FileId, error: ParseError },
    /// The access key is invalid.
    Key(KeyError),
}

impl Error {
    /// Whether a new session (same key, card still on the reader) may succeed: link faults,
    /// SM failures and transient statuses, but not a rejected key.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::AccessDenied { .. } | Self::Key(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport { step, error } => write!(f, "{step}: {error}"),
            Self::Status { step, sw } => write!(f, "{step}: chip answered {sw}"),
            Self::AccessDenied { .. } => f.write_str(
                "access denied — check document number, date of birth, expiry (the chip rejected the access key)",
            ),
            Self::SecureMessaging { step, error } => write!(f, "{step}: {error}"),
            Self::MalformedResponse { step } => write!(f, "{step}: malformed answer from the chip"),
            Self::Parse { file, error } => write!(f, "{file}: {error}"),
            Self::Key(e) => write!(f, "access key: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}
