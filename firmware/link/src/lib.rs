//! The link protocol spoken over USB between a cancuoc reader and the bridge.
//!
//! One frame on the wire is `COBS(postcard(message) ‖ CRC-32(postcard(message)) LE) 0x00`:
//! - postcard gives a compact, versionable encoding of the message enums below;
//! - the CRC-32 (ISO-HDLC, the Ethernet/zip one) catches line noise the USB CRC cannot (a host
//!   driver that drops bytes, a reader that rebooted mid-frame);
//! - COBS removes every zero byte from the frame so that `0x00` marks its end: after any garbage
//!   the receiver resynchronises at the next zero.
//!
//! The reader speaks first after the host's [`HostMsg::Hello`]: it answers [`ReaderMsg::Info`]
//! with [`PROTOCOL_VERSION`]; a host that does not speak that version says so and stops (a
//! firmware update is the fix). Either side answers a frame it cannot decode with
//! [`ReaderMsg::Error`] / ignores it, and carries on with the next frame: a bad frame never
//! stops the link.
//!
//! The bridge does not trust the reader's verdict: the reader streams every file it read, and the
//! bridge verifies those bytes again with its own trust store. The reader's verdict is shown only
//! when the two agree, and a disagreement is itself an error (see docs/architecture.md).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

/// The protocol version; bumped on any incompatible change of the messages below.
/// 2 (2026-12-01): [`AccessKey::CanAndMrz`], so the reader can fall back from PACE to BAC.
pub const PROTOCOL_VERSION: u16 = 2;
/// The largest decoded frame (message + CRC) either side accepts.
pub const MAX_FRAME: usize = 1024;
/// The largest encoded frame: COBS adds one byte in 254, plus the delimiter.
pub const MAX_ENCODED: usize = cobs::max_encoding_length(MAX_FRAME) + 1;
/// File bytes carried per [`ReaderMsg::FileData`] frame (and trust-store bytes per
/// [`HostMsg::TrustChunk`]); leaves room for the message's other fields.
pub const MAX_CHUNK: usize = 896;
/// The USB identity of a cancuoc reader: pid.codes' open-source vendor ID and a product ID from
/// its test range (to be replaced by an allocated PID before volume production; docs/hardware.md).
pub const USB_VID: u16 = 0x1209;
pub const USB_PID: u16 = 0x0001;

const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// CRC-32 (ISO-HDLC) of `bytes`, as used in frames and for the trust store's integrity check.
pub fn crc32(bytes: &[u8]) -> u32 {
    CRC.checksum(bytes)
}

/// What the host asks of the reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostMsg {
    /// Opens a session; the reader answers [`ReaderMsg::Info`].
    Hello { protocol: u16 },
    /// Asks for [`ReaderMsg::Info`] again.
    GetInfo,
    /// The access key for the next read; kept in RAM only, wiped after the read.
    SetAccessKey(AccessKey),
    /// Reads the card on the reader (waiting for one if none is present).
    StartRead(ReadRequest),
    /// Stops the read in progress at the next APDU boundary; answered by [`ReaderMsg::Error`]
    /// with [`ErrorCode::Cancelled`].
    Cancel,
    /// Starts replacing the reader's CSCA trust store with `total` bytes in `count` certificates.
    TrustBegin { count: u16, total: u32 },
    /// Bytes `offset..offset+data.len()` of the new trust store (DER certificates, each preceded
    /// by its length as u16 big-endian).
    TrustChunk { offset: u32, data: Vec<u8> },
    /// Ends the update: the reader checks the CRC over everything received, checks each
    /// certificate parses, and only then writes the store to flash.
    TrustCommit { crc32: u32 },
    /// Restarts the reader, into the USB bootloader (UF2 drive) when `bootloader` is set.
    Reboot { bootloader: bool },
}

/// The key that opens the chip (ICAO 9303-11 §4.3 BAC / §4.4 PACE).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessKey {
    /// The 6-digit card access number printed on the card.
    Can(String),
    /// Document number, date of birth and date of expiry (YYMMDD) from the MRZ.
    Mrz { document_number: String, date_of_birth: String, date_of_expiry: String },
    /// Both: PACE with the CAN (on a CCCD, the ID number's last 6 digits), and BAC with the MRZ
    /// key if the chip refuses PACE or PACE fails.
    CanAndMrz { can: String, document_number: String, date_of_birth: String, date_of_expiry: String },
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is personal data: never in a log.
        match self {
            Self::Can(_) => f.write_str("AccessKey::Can(…)"),
            Self::Mrz { .. } => f.write_str("AccessKey::Mrz(…)"),
            Self::CanAndMrz { .. } => f.write_str("AccessKey::CanAndMrz(…)"),
        }
    }
}

/// How to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    /// Data groups to read besides EF.COM and EF.SOD.
    pub data_groups: Vec<u8>,
    pub active_auth: bool,
    pub chip_auth: bool,
    /// The host's clock, seconds since the Unix epoch: certificates are checked at this time
    /// (the reader has no battery-backed clock).
    pub now_unix: u64,
    /// The active-authentication challenge the host chose: the reader sends it to the chip and
    /// relays the answer ([`ReaderMsg::ActiveAuth`]) so that the host checks it itself.
    pub aa_challenge: Option<[u8; 8]>,
}

/// What the reader tells the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReaderMsg {
    Info(Info),
    State(ReaderState),
    /// A card entered the field.
    CardPresent {
        kind: CardKind,
    },
    /// The card left the field.
    CardRemoved,
    /// Bytes of a file read so far (total is 0 until the file's header was read).
    Progress {
        fid: u16,
        done: u32,
        total: u32,
    },
    /// A piece of a file exactly as read from the chip.
    FileData {
        fid: u16,
        offset: u32,
        total: u32,
        data: Vec<u8>,
    },
    /// The chip's answer to the active-authentication challenge, as received.
    ActiveAuth {
        challenge: [u8; 8],
        answer: Vec<u8>,
    },
    /// The reader's own verdict over the files it sent.
    Verdict(DeviceVerdict),
    /// The read is over (after the files and the verdict).
    ReadDone,
    /// Something went wrong; the link stays up.
    Error {
        code: ErrorCode,
        detail: String,
    },
    /// A host message that needs no other answer was done.
    Ack,
}

/// The reader's identity and what it can do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    pub protocol: u16,
    /// Firmware version (semver).
    pub firmware: String,
    /// "rp2040" or "rp2350" (or "host" for the firmware logic running on a PC).
    pub board: String,
    /// The NFC front end and its firmware, e.g. "PN532 v1.6"; empty when none answered.
    pub front_end: String,
    /// Largest command and response APDU the front end carries.
    pub max_command: u32,
    pub max_response: u32,
    pub extended_length: bool,
    /// Number of CSCA certificates in the trust store, and the CRC of the stored bytes.
    pub trust_count: u16,
    pub trust_crc32: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReaderState {
    Idle,
    WaitingForCard,
    Reading,
    /// The NFC front end does not answer (wiring, power).
    FrontEndMissing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardKind {
    IsoA,
    IsoB,
}

/// The reader's verdict: whether every check passed and, if not, which failed (plain text, no
/// personal data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceVerdict {
    pub verified: bool,
    pub failures: Vec<String>,
    /// How the session was secured, e.g. "PACE (CAN), ECDH generic mapping, …" or "BAC (MRZ)".
    pub access: String,
    /// Chip authentication as the reader saw it (the host cannot redo it without the chip).
    pub chip_auth: ProofReport,
}

/// The outcome of a proof the chip gives the reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProofReport {
    Passed,
    Failed(String),
    NotSupported,
    NotAttempted,
    UnsupportedAlgorithm(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// A frame failed its CRC, COBS or message decoding.
    BadFrame,
    /// A frame longer than [`MAX_FRAME`].
    FrameTooLong,
    /// The host speaks another protocol version.
    UnsupportedVersion,
    /// A read was started without an access key.
    NoAccessKey,
    /// The chip refused the access key.
    AccessDenied,
    /// The card left the field during the read.
    CardRemoved,
    /// No card answered within the wait.
    NoCard,
    /// The read failed for another reason (see the detail).
    ReadFailed,
    /// A read is already running.
    Busy,
    /// The read was cancelled by the host.
    Cancelled,
    /// A trust-store update was rejected (CRC, size, a certificate that does not parse, order).
    TrustStore,
    /// The message is not valid in the reader's state.
    Unexpected,
}

/// Why a frame could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// More than [`MAX_ENCODED`] bytes before a delimiter; those bytes were dropped.
    TooLong,
    /// The bytes are not valid COBS.
    Cobs,
    /// Shorter than a CRC.
    Truncated,
    /// The CRC does not match.
    Crc,
    /// The CRC matched but the message does not decode (another protocol version?).
    Message,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLong => "frame longer than the protocol allows",
            Self::Cobs => "frame is not valid COBS",
            Self::Truncated => "frame too short to hold a CRC",
            Self::Crc => "frame CRC mismatch",
            Self::Message => "frame does not hold a message of this protocol version",
        })
    }
}

impl FrameError {
    /// The error code the reader answers with.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::TooLong => ErrorCode::FrameTooLong,
            _ => ErrorCode::BadFrame,
        }
    }
}

/// Encodes one message as a complete frame, delimiter included. Fails only when the message is
/// larger than [`MAX_FRAME`] (a programming error on the sender's side, reported, not sent).
pub fn encode<M: Serialize>(message: &M) -> Result<Vec<u8>, FrameError> {
    let mut plain = postcard::to_allocvec(message).map_err(|_| FrameError::Message)?;
    let crc = crc32(&plain);
    plain.extend_from_slice(&crc.to_le_bytes());
    if plain.len() > MAX_FRAME {
        return Err(FrameError::TooLong);
    }
    let mut out = cobs::encode_vec(&plain);
    out.push(0);
    Ok(out)
}

/// Decodes the bytes of one frame (without its delimiter).
pub fn decode<M: for<'de> Deserialize<'de>>(encoded: &[u8]) -> Result<M, FrameError> {
    if encoded.len() > MAX_ENCODED {
        return Err(FrameError::TooLong);
    }
    let plain = cobs::decode_vec(encoded).map_err(|_| FrameError::Cobs)?;
    let split = plain.len().checked_sub(4).ok_or(FrameError::Truncated)?;
    let (body, crc) = plain.split_at(split);
    let crc = u32::from_le_bytes(crc.try_into().map_err(|_| FrameError::Truncated)?);
    if crc32(body) != crc {
        return Err(FrameError::Crc);
    }
    let (message, rest) = postcard::take_from_bytes(body).map_err(|_| FrameError::Message)?;
    if !rest.is_empty() {
        return Err(FrameError::Message);
    }
    Ok(message)
}

/// Splits a byte stream into frames: feed it whatever arrived, get each complete frame's
/// message or error. Memory is fixed ([`MAX_ENCODED`] bytes); an over-long frame is dropped up to
/// the next delimiter and reported once.
pub struct Decoder {
    buf: heapless::Vec<u8, MAX_ENCODED>,
    overflowed: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    pub const fn new() -> Self {
        Self { buf: heapless::Vec::new(), overflowed: false }
    }

    /// Takes one byte; returns a result when it ended a frame. Empty frames (two delimiters in a
    /// row, which senders use to flush the line) yield nothing.
    pub fn push<M: for<'de> Deserialize<'de>>(&mut self, byte: u8) -> Option<Result<M, FrameError>> {
        if byte != 0 {
            if !self.overflowed && self.buf.push(byte).is_err() {
                self.overflowed = true;
                self.buf.clear();
            }
            return None;
        }
        if core::mem::take(&mut self.overflowed) {
            return Some(Err(FrameError::TooLong));
        }
        if self.buf.is_empty() {
            return None;
        }
        let result = decode(&self.buf);
        self.buf.clear();
        Some(result)
    }

    /// Takes a slice of bytes and hands every frame result to `on_frame`.
    pub fn feed<M: for<'de> Deserialize<'de>>(
        &mut self,
        bytes: &[u8],
        mut on_frame: impl FnMut(Result<M, FrameError>),
    ) {
        for &b in bytes {
            if let Some(r) = self.push(b) {
                on_frame(r);
            }
        }
    }

    /// Drops a partly received frame (e.g. after the port was reopened).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.overflowed = false;
    }
}

/// Serialises a CSCA trust store for [`HostMsg::TrustChunk`]: each DER certificate preceded by
/// its length (u16 big-endian).
pub fn pack_trust_store<'a>(certs: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<u8>, usize> {
    let mut out = Vec::new();
    for c in certs {
        let len = u16::try_from(c.len()).map_err(|_| c.len())?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(c);
    }
    Ok(out)
}

/// Splits a packed trust store back into certificates; `None` if the lengths do not add up.
pub fn unpack_trust_store(mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_at_checked(2)?;
        let len = usize::from(u16::from_be_bytes([*len.first()?, *len.get(1)?]));
        let (cert, rest) = rest.split_at_checked(len)?;
        out.push(cert);
        bytes = rest;
    }
    Some(out)
}
