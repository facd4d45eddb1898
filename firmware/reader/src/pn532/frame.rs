//! The PN532's frame layer (UM0701-02 §6.2.1): normal and extended information frames, ACK,
//! NACK and the error frame, checksums checked, no panic on any input. The driver beside it
//! (`super`) speaks commands through these frames.

use alloc::vec::Vec;
use cancuoc_core::apdu::TransportError;

use super::LIMITS;

/// Frame data bytes (TFI + command + parameters) one information frame carries to or from the
/// PN532 (its buffer is 265 bytes; 262 is the usable InDataExchange payload plus 3).
pub const MAX_FRAME_DATA: usize = 265;
const TFI_HOST: u8 = 0xD4;
const TFI_PN532: u8 = 0xD5;
pub(super) const ACK: [u8; 6] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00];

/// PN532 commands we use (UM0701-02 chapter 7).
pub mod cmd {
    pub const DIAGNOSE: u8 = 0x00;
    pub const GET_FIRMWARE_VERSION: u8 = 0x02;
    pub const SAM_CONFIGURATION: u8 = 0x14;
    pub const RF_CONFIGURATION: u8 = 0x32;
    pub const IN_DATA_EXCHANGE: u8 = 0x40;
    pub const IN_LIST_PASSIVE_TARGET: u8 = 0x4A;
    pub const IN_PSL: u8 = 0x4E;
    pub const IN_RELEASE: u8 = 0x52;
}

/// Why the front end did not deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontEndError {
    /// The bus (SPI/I2C) failed.
    Bus,
    /// The PN532 did not get ready in time (not powered, not wired, wrong mode jumpers).
    NotReady,
    /// The PN532 did not acknowledge the command.
    BadAck,
    /// A frame that is not a PN532 frame (no start code, wrong TFI or command code, too long).
    BadFrame,
    /// Length or data checksum mismatch.
    Checksum,
    /// The PN532 sent its error frame: it did not understand the command.
    Syntax,
    /// The PN532 reported an error status (UM0701-02 table 6.2.3): the card did not answer (0x01),
    /// a transmission error (0x02–0x0B), the card left (0x29, 0x2A, 0x2B) …
    Status(u8),
    /// More data than one exchange may carry ([`LIMITS`]).
    TooLong,
}

impl FrontEndError {
    /// How the core should see this error.
    pub fn to_transport(self) -> TransportError {
        match self {
            Self::Status(0x01) => TransportError::Timeout,
            Self::Status(0x29..=0x2B) => TransportError::CardRemoved,
            Self::TooLong => TransportError::CommandTooLong { len: 0, max: LIMITS.max_command },
            Self::Status(code) => TransportError::Reader(alloc::format!("PN532: error status {code:02X}")),
            Self::Bus => TransportError::Reader("PN532: the SPI/I2C bus failed".into()),
            Self::NotReady => TransportError::Reader("PN532: not ready in time (power, wiring, mode switches)".into()),
            Self::BadAck => TransportError::Reader("PN532: command not acknowledged".into()),
            Self::BadFrame => TransportError::Reader("PN532: malformed frame".into()),
            Self::Checksum => TransportError::Reader("PN532: frame checksum mismatch".into()),
            Self::Syntax => TransportError::Reader("PN532: command not understood".into()),
        }
    }
}

/// Builds the frame that carries `data` (command code first) from the host to the PN532: a normal
/// frame up to 255 bytes of TFI + data, an extended frame above.
pub fn encode_frame(data: &[u8], out: &mut Vec<u8>) -> Result<(), FrontEndError> {
    let len = data.len() + 1; // TFI
    if len > MAX_FRAME_DATA {
        return Err(FrontEndError::TooLong);
    }
    out.clear();
    out.extend_from_slice(&[0x00, 0x00, 0xFF]);
    if len <= 255 {
        let l = len as u8; // fits: checked above
        out.extend_from_slice(&[l, l.wrapping_neg()]);
    } else {
        let [m, l] = (len as u16).to_be_bytes(); // ≤ 265
        out.extend_from_slice(&[0xFF, 0xFF, m, l, m.wrapping_add(l).wrapping_neg()]);
    }
    out.push(TFI_HOST);
    out.extend_from_slice(data);
    let sum = data.iter().fold(TFI_HOST, |s, &b| s.wrapping_add(b));
    out.push(sum.wrapping_neg());
    out.push(0x00);
    Ok(())
}

/// What a frame from the PN532 holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    Ack,
    Nack,
    /// The application error frame (00 00 FF 01 FF 7F 81 00).
    Error,
    /// An information frame's data after the TFI (response code first).
    Info(&'a [u8]),
}

/// The length of the frame from the PN532 whose first bytes are `head` (SPI idle zeros before
/// it counted), postamble included: 6 for an ACK or NACK, 8 for the error frame, preamble + 7 +
/// LEN for a normal frame, preamble + 10 + LEN for an extended one (UM0701-02 §6.2.1). `None`
/// when `head` does not yet show a frame start with a valid length checksum.
pub fn frame_len(head: &[u8]) -> Option<usize> {
    let start = head.windows(2).position(|w| w == [0x00, 0xFF])?;
    let b = head.get(start + 2..)?;
    let tail = match (*b.first()?, *b.get(1)?) {
        (0x00, 0xFF) | (0xFF, 0x00) => 3,
        (0xFF, 0xFF) => {
            let (m, l, lcs) = (*b.get(2)?, *b.get(3)?, *b.get(4)?);
            if m.wrapping_add(l).wrapping_add(lcs) != 0 {
                return None;
            }
            7 + usize::from(u16::from_be_bytes([m, l]))
        }
        (len, lcs) if len.wrapping_add(lcs) == 0 => 4 + usize::from(len),
        _ => return None,
    };
    Some(start + 2 + tail)
}

/// Parses one frame from the PN532. Leading zero bytes (SPI idle fill) are skipped; bytes after
/// the frame are ignored.
pub fn parse_frame(buf: &[u8]) -> Result<Frame<'_>, FrontEndError> {
    let start = buf.windows(2).position(|w| w == [0x00, 0xFF]).ok_or(FrontEndError::BadFrame)?;
    let b = buf.get(start + 2..).ok_or(FrontEndError::BadFrame)?;
    let (&l0, &l1) = (b.first().ok_or(FrontEndError::BadFrame)?, b.get(1).ok_or(FrontEndError::BadFrame)?);
    let (len, body) = match (l0, l1) {
        (0x00, 0xFF) => return Ok(Frame::Ack),
        (0xFF, 0x00) => return Ok(Frame::Nack),
        (0xFF, 0xFF) => {
            let (&m, &l, &lcs) = (
                b.get(2).ok_or(FrontEndError::BadFrame)?,
                b.get(3).ok_or(FrontEndError::BadFrame)?,
                b.get(4).ok_or(FrontEndError::BadFrame)?,
            );
            if m.wrapping_add(l).wrapping_add(lcs) != 0 {
                return Err(FrontEndError::Checksum);
            }
            (usize::from(u16::from_be_bytes([m, l])), b.get(5..).ok_or(FrontEndError::BadFrame)?)
        }
        (len, lcs) => {
            if len.wrapping_add(lcs) != 0 {
                return Err(FrontEndError::Checksum);
            }
            (usize::from(len), b.get(2..).ok_or(FrontEndError::BadFrame)?)
        }
    };
    if len == 0 || len > MAX_FRAME_DATA {
        return Err(FrontEndError::BadFrame);
    }
    let data = body.get(..len).ok_or(FrontEndError::BadFrame)?;
    let dcs = *body.get(len).ok_or(FrontEndError::BadFrame)?;
    if data.iter().fold(dcs, |s, &x| s.wrapping_add(x)) != 0 {
        return Err(FrontEndError::Checksum);
    }
    match data {
        [0x7F] => Ok(Frame::Error),
        [TFI_PN532, rest @ ..] => Ok(Frame::Info(rest)),
        _ => Err(FrontEndError::BadFrame),
    }
}
