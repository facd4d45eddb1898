//! ISO/IEC 7816-4 command and response APDUs, status words, and the one transport trait.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// What a reader (PN532 firmware, PC/SC, the simulator) can carry in one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransportLimits {
    /// Largest command APDU in bytes, header included.
    pub max_command: usize,
    /// Largest response APDU in bytes, status word included.
    pub max_response: usize,
    /// Whether the reader passes extended-length APDUs (ISO 7816-4 §5.1) through.
    pub extended_length: bool,
}

impl TransportLimits {
    /// A reader that carries short APDUs only: 5 + 255 + 1 bytes out, 256 + 2 bytes back.
    pub const SHORT: Self = Self { max_command: 261, max_response: 258, extended_length: false };
    /// A reader that carries any extended APDU (most PC/SC readers).
    pub const EXTENDED: Self = Self { max_command: 65_544, max_response: 65_538, extended_length: true };
}

/// Why an exchange with the card did not produce a response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the field (or was never there) during the exchange.
    CardRemoved,
    /// The card did not answer in time.
    Timeout,
    /// The command does not fit what the transport can carry.
    CommandTooLong {
        /// The command's length in bytes.
        len: usize,
        /// The most the transport carries.
        max: usize,
    },
    /// The reader or its driver failed; the text comes from the reader and names no personal data.
    Reader(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CardRemoved => f.write_str("the card was removed from the reader"),
            Self::Timeout => f.write_str("the card did not answer in time"),
            Self::CommandTooLong { len, max } => {
                write!(f, "command of {len} bytes exceeds the reader's limit of {max}")
            }
            Self::Reader(m) => write!(f, "reader error: {m}"),
        }
    }
}

/// The one thing every card link implements: send a command APDU, get the response APDU.
pub trait Transport {
    /// Sends the encoded command APDU and returns the response bytes, status word last.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// What this transport can carry.
    fn limits(&self) -> TransportLimits;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn limits(&self) -> TransportLimits {
        (**self).limits()
    }
}

/// A command APDU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// Class byte (`0C` with secure messaging).
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter byte.
    pub p1: u8,
    /// Second parameter byte.
    pub p2: u8,
    /// Command data (Lc is its length).
    pub data: Vec<u8>,
    /// Expected response length; `Some(256)` encodes as short `00`, `Some(65536)` as extended `0000`.
    pub le: Option<usize>,
}

/// Why a command could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// Data longer than 65 535 bytes or Le above 65 536.
    TooLong,
    /// Extended length needed but not allowed by the transport.
    ExtendedNotSupported,
}

impl Command {
    /// A command without data and without Le.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self { cla, ins, p1, p2, data: Vec::new(), le: None }
    }
    /// This command with `data`.
    pub fn with_data(mut self, data: Vec<u8>) -> Self {
        self.data = data;
        self
    }
    /// This command expecting `le` bytes back.
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Whether this command needs the extended-length encoding.
    pub fn needs_extended(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    /// Encodes per ISO 7816-4 §5.1 (cases 1–4, short or extended).
    pub fn encode(&self, allow_extended: bool) -> Result<Vec<u8>, EncodeError> {
        let extended = self.needs_extended();
        if extended && !allow_extended {
            return Err(EncodeError::ExtendedNotSupported);
        }
        if self.data.len() > 65_535 || self.le.is_some_and(|le| le > 65_536) {
            return Err(EncodeError::TooLong);
        }
        let mut out = Vec::with_capacity(self.data.len() + 9);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.data.is_empty() {
            let n = self.data.len();
            if extended {
                out.extend_from_slice(&[0, (n >> 8) as u8, n as u8]);
            } else {
                out.push(n as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                let v = if le == 65_536 { 0 } else { le };
                out.extend_from_slice(&[(v >> 8) as u8, v as u8]);
            } else {
                out.push(if le == 256 { 0 } else { le as u8 });
            }
        }
        Ok(out)
    }

    /// Decodes an encoded command APDU (used by the chip simulator and the link protocol).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&[cla, ins, p1, p2], body) = bytes.split_first_chunk::<4>()?;
        let mut cmd = Command::new(cla, ins, p1, p2);
        match body {
            [] => {}
            [le] => cmd.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, hi, lo, rest @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                if rest.is_empty() {
                    // case 2E: the two bytes were Le
                    cmd.le = Some(if lc == 0 { 65_536 } else { lc });
                } else {
                    cmd.data = rest.get(..lc)?.to_vec();
                    match rest.get(lc..)? {
                        [] => {}
                        [a, b] => {
                            let le = usize::from(u16::from_be_bytes([*a, *b]));
                            cmd.le = Some(if le == 0 { 65_536 } else { le });
                        }
                        _ => return None,
                    }
                }
            }
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                cmd.data = rest.get(..lc)?.to_vec();
                match rest.get(lc..)? {
                    [] => {}
                    [le] => cmd.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return None,
                }
            }
        }
        Some(cmd)
    }
}

/// A response APDU: data and status word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The response data, without the status word.
    pub data: Vec<u8>,
    /// SW1-SW2.
    pub sw: StatusWord,
}

impl Response {
    /// Splits raw response bytes; fewer than two bytes is a malformed response.
    pub fn from_bytes(mut bytes: Vec<u8>) -> Option<Self> {
        let n = bytes.len().checked_sub(2)?;
        let sw = StatusWord(u16::from_be_bytes([*bytes.get(n)?, *bytes.get(n + 1)?]));
        bytes.truncate(n);
        Some(Self { data: bytes, sw })
    }
    /// The response as the chip sends it: data, then SW1-SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.data.clone();
        v.extend_from_slice(&self.sw.0.to_be_bytes());
        v
    }
}

/// A raw ISO 7816-4 status word (SW1 SW2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StatusWord(pub u16);

/// What a status word means (ISO 7816-4 §5.6, ICAO 9303-11 §9.8.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SwKind {
    /// 9000: success.
    Success,
    /// 61xx: more data available.
    MoreData(u8),
    /// 6282: end of file reached before Le bytes.
    EndOfFile,
    /// 63Cx: verification failed, x tries left.
    VerificationFailed {
        /// x: how many tries the chip still allows.
        tries_left: u8,
    },
    /// 6300: authentication failed.
    AuthenticationFailed,
    /// 6700: wrong length.
    WrongLength,
    /// 6Cxx: wrong Le, the chip says how many bytes it has.
    WrongLe(u8),
    /// 6882: secure messaging not supported.
    SmNotSupported,
    /// 6982: security status not satisfied.
    SecurityStatusNotSatisfied,
    /// 6983: authentication method blocked.
    AuthMethodBlocked,
    /// 6984: reference data not usable.
    ReferenceDataNotUsable,
    /// 6985: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// 6987 / 6988: secure-messaging data objects missing or incorrect.
    SmObjectsIncorrect,
    /// 6A80: incorrect data field.
    IncorrectData,
    /// 6A82: file or application not found.
    FileNotFound,
    /// 6A86 / 6B00: incorrect parameters P1-P2.
    WrongParameters,
    /// 6D00: instruction not supported.
    InsNotSupported,
    /// 6E00: class not supported.
    ClaNotSupported,
    /// 6F00: no precise diagnosis.
    NoDiagnosis,
    /// Any other status word.
    Other,
}

impl StatusWord {
    /// 9000.
    pub const OK: Self = Self(0x9000);
    /// What the status word means.
    pub fn kind(self) -> SwKind {
        let [sw1, sw2] = self.0.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => SwKind::Success,
            (0x61, n) => SwKind::MoreData(n),
            (0x62, 0x82) => SwKind::EndOfFile,
            (0x63, 0x00) => SwKind::AuthenticationFailed,
            (0x63, n) if n & 0xF0 == 0xC0 => SwKind::VerificationFailed { tries_left: n & 0x0F },
            (0x67, 0x00) => SwKind::WrongLength,
            (0x6C, n) => SwKind::WrongLe(n),
            (0x68, 0x82) => SwKind::SmNotSupported,
            (0x69, 0x82) => SwKind::SecurityStatusNotSatisfied,
            (0x69, 0x83) => SwKind::AuthMethodBlocked,
            (0x69, 0x84) => SwKind::ReferenceDataNotUsable,
            (0x69, 0x85) => SwKind::ConditionsNotSatisfied,
            (0x69, 0x87) | (0x69, 0x88) => SwKind::SmObjectsIncorrect,
            (0x6A, 0x80) => SwKind::IncorrectData,
            (0x6A, 0x82) => SwKind::FileNotFound,
            (0x6A, 0x86) | (0x6B, 0x00) => SwKind::WrongParameters,
            (0x6D, 0x00) => SwKind::InsNotSupported,
            (0x6E, 0x00) => SwKind::ClaNotSupported,
            (0x6F, 0x00) => SwKind::NoDiagnosis,
            _ => SwKind::Other,
        }
    }
    /// Whether it is 9000.
    pub fn is_success(self) -> bool {
        matches!(self.kind(), SwKind::Success)
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW {:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind() {
            SwKind::Success => "success",
            SwKind::MoreData(_) => "more data available",
            SwKind::EndOfFile => "end of file reached",
            SwKind::VerificationFailed { .. } => "verification failed",
            SwKind::AuthenticationFailed => "authentication failed",
            SwKind::WrongLength => "wrong length",
            SwKind::WrongLe(_) => "wrong expected length",
            SwKind::SmNotSupported => "secure messaging not supported",
            SwKind::SecurityStatusNotSatisfied => "security status not satisfied",
            SwKind::AuthMethodBlocked => "authentication method blocked",
            SwKind::ReferenceDataNotUsable => "reference data not usable",
            SwKind::ConditionsNotSatisfied => "conditions of use not satisfied",
            SwKind::SmObjectsIncorrect => "secure messaging data objects incorrect",
            SwKind::IncorrectData => "incorrect data",
            SwKind::FileNotFound => "file not found",
            SwKind::WrongParameters => "wrong parameters",
            SwKind::InsNotSupported => "instruction not supported",
            SwKind::ClaNotSupported => "class not supported",
            SwKind::NoDiagnosis => "no precise diagnosis",
            SwKind::Other => "unexpected status",
        };
        write!(f, "{what} ({:04X})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn encodes_all_cases() {
        assert_eq!(Command::new(0, 0x84, 0, 0).with_le(8).encode(false).unwrap(), [0, 0x84, 0, 0, 8]);
        assert_eq!(
            Command::new(0, 0xA4, 2, 0x0C).with_data(vec![1, 0x1E]).encode(false).unwrap(),
            [0, 0xA4, 2, 0x0C, 2, 1, 0x1E]
        );
        assert_eq!(Command::new(0, 0xB0, 0, 0).with_le(256).encode(false).unwrap(), [0, 0xB0, 0, 0, 0]);
        assert_eq!(Command::new(0, 0xB0, 0, 0).with_le(1000).encode(true).unwrap(), [0, 0xB0, 0, 0, 0, 0x03, 0xE8]);
        assert_eq!(Command::new(0, 0xB0, 0, 0).with_le(1000).encode(false), Err(EncodeError::ExtendedNotSupported));
        let big = Command::new(0x0C, 0xB0, 0, 0).with_data(vec![7; 300]).with_le(65_536);
        let enc = big.encode(true).unwrap();
        assert_eq!(&enc[4..7], &[0, 0x01, 0x2C]);
        assert_eq!(&enc[enc.len() - 2..], &[0, 0]);
        assert_eq!(Command::decode(&enc).unwrap(), big);
    }

    #[test]
    fn decode_round_trips_short() {
        for c in [
            Command::new(0, 0x84, 0, 0).with_le(8),
            Command::new(0, 0xA4, 4, 0x0C).with_data(vec![0xA0, 0, 0, 2, 0x47, 0x10, 1]),
            Command::new(0x0C, 0xB0, 1, 2).with_data(vec![1, 2, 3]).with_le(256),
            Command::new(0, 0xB0, 0, 0).with_le(2000),
        ] {
            assert_eq!(Command::decode(&c.encode(true).unwrap()).unwrap(), c);
        }
        assert!(Command::decode(&[0, 0xA4, 2]).is_none());
        assert!(Command::decode(&[0, 0xA4, 2, 0, 5, 1]).is_none());
    }

    #[test]
    fn status_words_are_typed() {
        assert_eq!(StatusWord(0x6982).kind(), SwKind::SecurityStatusNotSatisfied);
        assert_eq!(StatusWord(0x63C2).kind(), SwKind::VerificationFailed { tries_left: 2 });
        assert_eq!(StatusWord(0x6A82).kind(), SwKind::FileNotFound);
        assert_eq!(Response::from_bytes(vec![1, 0x90, 0]).unwrap().data, [1]);
        assert!(Response::from_bytes(vec![0x90]).is_none());
    }
}
