//! The core's one error type: what happened, at which step, with the raw status word kept.

use core::fmt;

use crate::access::KeyError;
use crate::apdu::{StatusWord, SwKind, TransportError};
use alloc::string::String;

use crate::ecc::EccError;
use crate::lds::FileId;
use crate::parse::ParseError;
use crate::sm::SmError;

/// The protocol step an error happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Step {
    /// SELECT of the eMRTD application.
    SelectApplication,
    /// Reading EF.CardAccess.
    ReadCardAccess,
    /// PACE: MSE:Set AT (protocol and password chosen).
    PaceSetAt,
    /// PACE: the encrypted nonce.
    PaceNonce,
    /// PACE: the mapping step.
    PaceMap,
    /// PACE: the key agreement.
    PaceKeyAgreement,
    /// PACE: the mutual authentication tokens.
    PaceMutualAuth,
    /// BAC: GET CHALLENGE.
    GetChallenge,
    /// BAC: EXTERNAL AUTHENTICATE.
    ExternalAuthenticate,
    /// SELECT of this file.
    SelectFile(FileId),
    /// READ BINARY of this file.
    ReadBinary(FileId),
    /// Active authentication: INTERNAL AUTHENTICATE.
    InternalAuthenticate,
    /// Chip authentication (DG14).
    ChipAuthentication,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SelectApplication => f.write_str("SELECT eMRTD application"),
            Self::ReadCardAccess => f.write_str("reading EF.CardAccess"),
            Self::PaceSetAt => f.write_str("PACE (MSE:Set AT)"),
            Self::PaceNonce => f.write_str("PACE (encrypted nonce)"),
            Self::PaceMap => f.write_str("PACE (mapping)"),
            Self::PaceKeyAgreement => f.write_str("PACE (key agreement)"),
            Self::PaceMutualAuth => f.write_str("PACE (mutual authentication)"),
            Self::GetChallenge => f.write_str("GET CHALLENGE"),
            Self::ExternalAuthenticate => f.write_str("BAC mutual authentication"),
            Self::SelectFile(id) => write!(f, "SELECT {id}"),
            Self::ReadBinary(id) => write!(f, "READ BINARY {id}"),
            Self::InternalAuthenticate => f.write_str("active authentication (INTERNAL AUTHENTICATE)"),
            Self::ChipAuthentication => f.write_str("chip authentication"),
        }
    }
}

/// Everything that can stop a read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The link to the card failed (card removed, timeout, reader fault).
    Transport {
        /// The protocol step it happened in.
        step: Step,
        /// What the transport said.
        error: TransportError,
    },
    /// The chip answered with an error status word.
    Status {
        /// The protocol step it happened in.
        step: Step,
        /// The status word.
        sw: StatusWord,
    },
    /// The chip rejected the access key (BAC failed): wrong document number, date of birth or expiry.
    AccessDenied {
        /// The chip's status word, when it gave one.
        sw: Option<StatusWord>,
    },
    /// Secure messaging failed (bad MAC, malformed objects, session ended by the chip).
    SecureMessaging {
        /// The protocol step it happened in.
        step: Step,
        /// What was wrong with the protected answer.
        error: SmError,
    },
    /// The chip's answer has the wrong shape (e.g. wrong length of a challenge).
    MalformedResponse {
        /// The protocol step it happened in.
        step: Step,
    },
    /// A file's content could not be parsed.
    Parse {
        /// The file.
        file: FileId,
        /// What is wrong with its content.
        error: ParseError,
    },
    /// The access key is invalid.
    Key(KeyError),
    /// PACE could not run or the chip misbehaved in it.
    Pace(PaceError),
    /// Neither credential fits the chip: e.g. only a CAN for a chip without PACE.
    NeedCredential(&'static str),
}

impl Error {
    /// Whether a new session (same key, card still on the reader) may succeed: link faults,
    /// SM failures and transient statuses, but not a rejected key.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self,
            Self::AccessDenied { .. }
                | Self::Key(_)
                | Self::NeedCredential(_)
                | Self::Pace(PaceError::Unsupported(_))
                // A chip that leaves out a mandatory secure-messaging object (DO'99', DO'8E')
                // does so every time: a retry cannot help. A bad MAC can be a garbled answer.
                | Self::SecureMessaging { error: crate::sm::SmError::MissingObject(_), .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport { step, error } => write!(f, "{step}: {error}"),
            Self::Status { step, sw } => write!(f, "{step}: chip answered {sw}"),
            Self::AccessDenied { sw } => {
                f.write_str(
                    "access denied — check document number, date of birth, expiry (or the CAN) (the chip rejected the access key)",
                )?;
                if let Some(SwKind::VerificationFailed { tries_left }) = sw.map(StatusWord::kind) {
                    write!(f, "; {tries_left} tries left before the chip suspends this password")?;
                }
                if matches!(sw.map(StatusWord::kind), Some(SwKind::AuthMethodBlocked)) {
                    f.write_str("; the chip has blocked this password")?;
                }
                f.write_str(". Do not retry blindly: repeated wrong attempts can suspend or block the card")
            }
            Self::SecureMessaging { step, error } => write!(f, "{step}: {error}"),
            Self::MalformedResponse { step } => write!(f, "{step}: malformed answer from the chip"),
            Self::Parse { file, error } => write!(f, "{file}: {error}"),
            Self::Key(e) => write!(f, "access key: {e}"),
            Self::Pace(e) => write!(f, "PACE: {e}"),
            Self::NeedCredential(why) => f.write_str(why),
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

/// What PACE needs to fail with, beyond status words.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaceError {
    /// The chip offers only PACE variants this build does not run (OIDs).
    Unsupported(String),
    /// Elliptic-curve failure (unsupported domain, invalid point from the chip).
    Curve(EccError),
    /// The chip's authentication token is wrong: it does not share our key.
    TokenMismatch,
    /// The chip echoed our own ephemeral public key (9303-11 §4.4.3.4 forbids it).
    ReflectedKey,
    /// The chip's answer is not the dynamic authentication data expected.
    Malformed,
}

impl fmt::Display for PaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported(o) => write!(f, "the chip offers only PACE variants not supported here ({o})"),
            Self::Curve(e) => e.fmt(f),
            Self::TokenMismatch => f.write_str("the chip's PACE authentication token is wrong"),
            Self::ReflectedKey => f.write_str("the chip returned our own ephemeral key"),
            Self::Malformed => f.write_str("malformed PACE answer from the chip"),
        }
    }
}

impl From<EccError> for PaceError {
    fn from(e: EccError) -> Self {
        Self::Curve(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sm::SmError;

    #[test]
    fn a_chip_that_leaves_out_sm_objects_is_not_worth_a_retry_but_a_bad_mac_is() {
        let step = Step::ReadBinary(FileId::Dg(1));
        assert!(!Error::SecureMessaging { step, error: SmError::MissingObject(0x8E) }.is_retryable());
        assert!(!Error::SecureMessaging { step, error: SmError::MissingObject(0x99) }.is_retryable());
        assert!(Error::SecureMessaging { step, error: SmError::BadMac }.is_retryable());
        assert!(Error::Transport { step, error: TransportError::CardRemoved }.is_retryable());
    }
}
