//! The simulated chip as a vsmartcard vpcd client, so it sits in a real PC/SC reader ("Virtual
//! PCD") behind the real pcscd. Protocol: each message is a 2-byte big-endian length and a payload;
//! a 1-byte payload is a control code (00 power off, 01 power on, 02 reset, 04 get ATR), anything
//! else is a command APDU answered with the response APDU. Closing the socket removes the card.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread::JoinHandle;

use cancuoc_core::apdu::{Transport, TransportError};

use crate::chip::SimChip;

/// ATR of a contactless card behind a PC/SC reader: TS 3B, T0 80, TD1 80, TD2 01 (T=1), TCK.
pub const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

/// The default vpcd port of the first virtual reader (Debian's /etc/reader.conf.d/vpcd).
pub const VPCD_PORT: u16 = 35963;

/// Acknowledges what arrives at once instead of after the kernel's delayed-ACK wait (Linux's
/// `TCP_QUICKACK`, which the kernel turns off again by itself, so it is set before every read).
/// vpcd sends each command as two writes, the length and then the APDU; without this, its second
/// write waited for our acknowledgement of the first: ≈ 40 ms per APDU, 6 s for a card read with
/// short APDUs, 10.6 s with T=0's GET RESPONSE (measured 7 December 2026).
fn quick_ack(s: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        // SAFETY: a valid socket, a c_int option of its size; a failure only costs time.
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = s;
}

fn read_frame(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 2];
    quick_ack(s);
    s.read_exact(&mut len)?;
    quick_ack(s);
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut buf)?;
    Ok(buf)
}

fn write_frame(s: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    let len = u16::try_from(data.len()).map_err(|_| std::io::Error::other("frame too long"))?;
    // One write: the length and the answer in one segment.
    let mut frame = Vec::with_capacity(2 + data.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(data);
    s.write_all(&frame)
}

/// A simulated card in a virtual reader.
pub struct VirtualCard {
    stream: TcpStream,
    thread: JoinHandle<SimChip>,
}

impl VirtualCard {
    /// Takes the card off the reader and returns the chip.
    pub fn remove(self) -> SimChip {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        self.thread.join().expect("vpcd thread")
    }
    /// Whether the card already left (its fault hooks removed it).
    pub fn is_gone(&self) -> bool {
        self.thread.is_finished()
    }
}

/// Inserts `chip` into the virtual reader on `port` (127.0.0.1). The card leaves when
/// [`VirtualCard::remove`] is called, when pcscd closes the connection, or when the chip's fault
/// hooks remove it.
pub fn insert(chip: SimChip, port: u16) -> std::io::Result<VirtualCard> {
    insert_with_atr(chip, port, &ATR)
}

/// ATR of a card that speaks T=0 only: TS 3B, T0 00 (no interface bytes: T=0 implied).
pub const ATR_T0: [u8; 2] = [0x3B, 0x00];

/// How the virtual reader itself treats extended-length APDUs. Cheap readers of the ACR122U class
/// (a PN532/PN533 behind CCID, 262-byte frames) cannot carry them; what the host then sees
/// differs by reader and driver (docs/hardware.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderKind {
    /// Passes every APDU (a reader with extended-length support).
    Full,
    /// Answers an extended-length command with its own 6700 without passing it to the card.
    RefusesExtended,
    /// Passes the command but cuts an answer longer than 256 data bytes at 256, keeping the
    /// status word (the card's data is lost in the reader's buffer).
    CutsLongAnswers,
}

/// Whether an encoded command APDU uses extended length (ISO 7816-4 §5.1: a 00 byte where a
/// short Lc or Le would be, followed by two length bytes).
pub fn is_extended(apdu: &[u8]) -> bool {
    apdu.len() > 5 && apdu.get(4) == Some(&0)
}

/// [`insert`] with the given ATR (e.g. [`ATR_T0`] for a T=0 card).
pub fn insert_with_atr(chip: SimChip, port: u16, atr: &[u8]) -> std::io::Result<VirtualCard> {
    insert_with(chip, port, atr, ReaderKind::Full)
}

/// [`insert_with_atr`] into a virtual reader of the given kind.
pub fn insert_with(mut chip: SimChip, port: u16, atr: &[u8], kind: ReaderKind) -> std::io::Result<VirtualCard> {
    let atr = atr.to_vec();
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_nodelay(true)?;
    let handle = stream.try_clone()?;
    let thread = std::thread::spawn(move || {
        while let Ok(msg) = read_frame(&mut stream) {
            let reply = match msg.as_slice() {
                [0x00] | [0x01] | [0x02] => {
                    chip.reinsert_keeping_faults();
                    continue;
                }
                [0x04] => atr.clone(),
                [_] => continue,
                apdu if kind == ReaderKind::RefusesExtended && is_extended(apdu) => vec![0x67, 0x00],
                apdu => match chip.transmit(apdu) {
                    Ok(r) if kind == ReaderKind::CutsLongAnswers && r.len() > 258 => {
                        let mut cut = r[..256].to_vec();
                        cut.extend_from_slice(&r[r.len() - 2..]);
                        cut
                    }
                    Ok(r) => r,
                    // The card leaves the field: close the connection, as pulling it away would.
                    Err(TransportError::CardRemoved) => break,
                    Err(_) => continue,
                },
            };
            if write_frame(&mut stream, &reply).is_err() {
                break;
            }
        }
        let _ = stream.shutdown(std::net::Shutdown::Both);
        chip
    });
    Ok(VirtualCard { stream: handle, thread })
}
