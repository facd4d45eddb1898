//! Selecting the eMRTD application and its elementary files, and reading them in the largest
//! blocks that the chip and the transport allow (ICAO 9303-10 §3.6, 9303-11 §9.8, ISO 7816-4 §11.2).

use alloc::vec::Vec;

use crate::apdu::{Command, Response, SwKind, Transport, TransportLimits};
use crate::error::{Error, Step};
use crate::sm::{self, SmError, SmSession};
use crate::tlv;

/// The eMRTD application identifier (9303-10 §3.6.1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// The files by name: defined with the LDS parsers, re-exported where the reading happens.
pub use crate::lds::FileId;

/// Counts of what crossed the link, for the performance report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkStats {
    /// Command APDUs sent.
    pub apdus: usize,
    /// Bytes of those commands, as sent (with secure messaging).
    pub bytes_sent: usize,
    /// Bytes of the answers, status words included.
    pub bytes_received: usize,
    /// The first extended-length READ BINARY failed (the chip refused it, or the reader could not
    /// carry it: a transmit error, a reader's 6700, a cut answer) and the read went on with short
    /// APDUs in a new session.
    pub short_apdu_fallback: bool,
    /// The chip refused READ BINARY by short EF identifier: files were SELECTed (one APDU more
    /// per file).
    pub sfi_refused: bool,
    /// The chip refused a first READ BINARY asking for more than the file holds: each file's
    /// length was probed with an 8-byte read first (one APDU more per file).
    pub whole_block_refused: bool,
}

/// Progress of one file: bytes done out of total (total is 0 until the header is read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileProgress<'a> {
    /// The file being read.
    pub file: FileId,
    /// Bytes read so far.
    pub done: usize,
    /// The file's length from its header, 0 until known.
    pub total: usize,
    /// The whole file, once, when its last byte is read (before the read goes on): a reader can
    /// pass it on at once instead of after every check (issue 39). Not verified yet.
    pub data: Option<&'a [u8]>,
}

/// Short APDUs carry at most 256 response data bytes plus the status word.
const SHORT_RESPONSE: usize = 258;
/// Offsets above this need READ BINARY with odd INS (ISO 7816-4 §11.2.3).
const MAX_EVEN_OFFSET: usize = 0x7FFF;
/// Bytes read first to learn a file's length: tag (1) + length (up to 4) + slack. Every LDS file
/// is longer than this.
const HEADER_PROBE: usize = 8;

/// A card behind a transport, with the secure-messaging session once one is established.
pub struct Card<T: Transport> {
    transport: T,
    sm: Option<SmSession>,
    limits: TransportLimits,
    /// Cleared when the chip refuses an extended-length read.
    chip_extended: bool,
    /// Whether the chip reads by short EF identifier (`None`: not tried yet). Learned once per
    /// card and kept across sessions.
    sfi: Option<bool>,
    /// Whether the chip answers a first READ BINARY that asks for a whole block (more than the
    /// file may hold) with what it has, instead of refusing the length (`None`: not tried yet).
    whole_first: Option<bool>,
    /// A refusal just taught us one of the two above: the caller may need a new session (a chip
    /// that answers the refusal unprotected ends secure messaging).
    learned: bool,
    stats: LinkStats,
}

/// What a chip answers to a READ BINARY by short EF identifier it does not offer (ISO 7816-4:
/// function not supported, wrong P1-P2, instruction or class not supported).
fn refuses_sfi(sw: crate::apdu::StatusWord) -> bool {
    matches!(sw.kind(), SwKind::Other | SwKind::WrongParameters | SwKind::InsNotSupported | SwKind::ClaNotSupported)
        && sw.0 != 0x6982
}

/// What a chip answers to an Le it will not serve (wrong length; 6Cxx is retried on the spot).
fn refuses_length(sw: crate::apdu::StatusWord) -> bool {
    matches!(sw.kind(), SwKind::WrongLength | SwKind::WrongLe(_) | SwKind::WrongParameters)
}

impl<T: Transport> Card<T> {
    /// A card behind `transport`, no session yet.
    pub fn new(transport: T) -> Self {
        let limits = transport.limits();
        Self {
            transport,
            sm: None,
            limits,
            chip_extended: true,
            sfi: None,
            whole_first: None,
            learned: false,
            stats: LinkStats::default(),
        }
    }

    /// What crossed the link so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }
    /// Every later command goes through this secure-messaging session.
    pub fn set_session(&mut self, sm: SmSession) {
        self.sm = Some(sm);
    }
    /// The secure-messaging session, if one is open.
    pub fn session(&self) -> Option<&SmSession> {
        self.sm.as_ref()
    }
    /// Back to plain APDUs (the chip ended the session, or a new one is to be opened).
    pub fn end_session(&mut self) {
        self.sm = None;
    }
    /// The transport, for another use.
    pub fn into_transport(self) -> T {
        self.transport
    }
    /// Whether the chip is assumed to take extended-length reads (set `false` to force short).
    pub fn set_chip_extended(&mut self, on: bool) {
        self.chip_extended = on;
        // A whole first block refused over extended length may be served in a short one.
        if !on && self.whole_first == Some(false) {
            self.whole_first = None;
        }
    }

    fn extended(&self) -> bool {
        self.limits.extended_length && self.chip_extended
    }

    /// Whether reads currently use extended-length APDUs.
    pub fn uses_extended_length(&self) -> bool {
        self.extended()
    }

    /// Sends a command as is.
    pub fn transmit_plain(&mut self, step: Step, cmd: &Command) -> Result<Response, Error> {
        let bytes = cmd.encode(self.limits.extended_length).map_err(|_| Error::MalformedResponse { step })?;
        if bytes.len() > self.limits.max_command {
            return Err(Error::Transport {
                step,
                error: crate::apdu::TransportError::CommandTooLong { len: bytes.len(), max: self.limits.max_command },
            });
        }
        self.stats.apdus += 1;
        self.stats.bytes_sent += bytes.len();
        let raw = self.transport.transmit(&bytes).map_err(|error| Error::Transport { step, error })?;
        self.stats.bytes_received += raw.len();
        let mut resp = Response::from_bytes(raw).ok_or(Error::MalformedResponse { step })?;
        // ISO 7816-4 §5.3.4: 6Cxx means "wrong Le, xx bytes are available": send it again once —
        // in plain only: a protected command sent again would reuse its send sequence counter,
        // and a chip that answers a protected command in plain has ended the session anyway.
        let protected = cmd.cla & 0x0C == 0x0C;
        if let (SwKind::WrongLe(n), Some(_), false) = (resp.sw.kind(), cmd.le, protected) {
            let again = Command { le: Some(if n == 0 { 256 } else { usize::from(n) }), ..cmd.clone() };
            let bytes = again.encode(self.limits.extended_length).map_err(|_| Error::MalformedResponse { step })?;
            self.stats.apdus += 1;
            self.stats.bytes_sent += bytes.len();
            let raw = self.transport.transmit(&bytes).map_err(|error| Error::Transport { step, error })?;
            self.stats.bytes_received += raw.len();
            resp = Response::from_bytes(raw).ok_or(Error::MalformedResponse { step })?;
        }
        // ISO 7816-4 §5.3.4: 61xx means more response bytes wait; fetch them with GET RESPONSE.
        let mut rounds = 0;
        while let SwKind::MoreData(n) = resp.sw.kind() {
            rounds += 1;
            if rounds > 256 {
                return Err(Error::MalformedResponse { step });
            }
            let le = if n == 0 { 256 } else { usize::from(n) };
            let get = Command::new(0x00, 0xC0, 0x00, 0x00)
                .with_le(le)
                .encode(false)
                .map_err(|_| Error::MalformedResponse { step })?;
            self.stats.apdus += 1;
            self.stats.bytes_sent += get.len();
            let raw = self.transport.transmit(&get).map_err(|error| Error::Transport { step, error })?;
            self.stats.bytes_received += raw.len();
            let more = Response::from_bytes(raw).ok_or(Error::MalformedResponse { step })?;
            resp.data.extend_from_slice(&more.data);
            resp.sw = more.sw;
        }
        Ok(resp)
    }

    /// Sends a command through secure messaging when a session exists.
    pub fn transmit(&mut self, step: Step, cmd: &Command) -> Result<Response, Error> {
        let Some(sm) = self.sm.as_mut() else { return self.transmit_plain(step, cmd) };
        let wrapped = sm.wrap_command(cmd).map_err(|error| Error::SecureMessaging { step, error })?;
        let resp = self.transmit_plain(step, &wrapped)?;
        let sm = self.sm.as_mut().ok_or(Error::MalformedResponse { step })?;
        match sm.unwrap_response(&resp) {
            Ok(r) => Ok(r),
            Err(SmError::Unprotected(sw)) => {
                // The chip dropped the session; nothing more can be sent under these keys.
                self.sm = None;
                Err(Error::Status { step, sw })
            }
            Err(error) => {
                self.sm = None;
                Err(Error::SecureMessaging { step, error })
            }
        }
    }

    fn expect_ok(step: Step, r: Response) -> Result<Response, Error> {
        if r.sw.is_success() { Ok(r) } else { Err(Error::Status { step, sw: r.sw }) }
    }

    /// SELECT the eMRTD application by AID.
    pub fn select_application(&mut self) -> Result<(), Error> {
        let cmd = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        // After PACE the application is selected under secure messaging; before BAC, in plain.
        let r = self.transmit(Step::SelectApplication, &cmd)?;
        Self::expect_ok(Step::SelectApplication, r).map(|_| ())
    }

    /// SELECT an elementary file by its identifier.
    pub fn select_file(&mut self, file: FileId) -> Result<(), Error> {
        let step = Step::SelectFile(file);
        let cmd = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
        let r = self.transmit(step, &cmd)?;
        Self::expect_ok(step, r).map(|_| ())
    }

    /// The largest number of plain bytes one READ BINARY can return under the current session,
    /// derived from the response limit and the SM framing (see [`sm::response_overhead`]).
    pub fn max_read_block(&self) -> usize {
        self.max_read_block_at(0)
    }

    /// As [`Self::max_read_block`], for a read starting at `offset`. Past offset 32 767 the read
    /// is the odd-INS one, whose answer wraps the data in DO'53' (up to 4 header bytes) before
    /// secure messaging pads it, so the block is chosen with those bytes inside the padding.
    pub fn max_read_block_at(&self, offset: usize) -> usize {
        let limit = if self.extended() {
            self.limits.max_response.min(65_536 + 2)
        } else {
            SHORT_RESPONSE.min(self.limits.max_response)
        };
        let odd = offset > MAX_EVEN_OFFSET;
        // Even reads keep the same 4 bytes of room, so that their size never depends on the offset.
        let room = limit.saturating_sub(4);
        match &self.sm {
            None => room.saturating_sub(2),
            Some(sm) => {
                let c = sm.cipher();
                let mut n = room.saturating_sub(sm::response_overhead(c, 0));
                let fits = |n: usize| {
                    if odd {
                        n + 4 + sm::response_overhead(c, n + 4) <= limit
                    } else {
                        n + sm::response_overhead(c, n) <= room
                    }
                };
                while n > 0 && !fits(n) {
                    n -= 1;
                }
                n
            }
        }
    }

    /// Whether a refusal just changed how files are read (and clears the flag): the caller opens
    /// a new session when the refusal ended secure messaging.
    pub fn take_learned(&mut self) -> bool {
        core::mem::take(&mut self.learned)
    }

    /// What was learned about the chip's reading: (reads by short EF identifier, serves a whole
    /// first block); `None` where not tried.
    pub fn read_strategy(&self) -> (Option<bool>, Option<bool>) {
        (self.sfi, self.whole_first)
    }

    /// One READ BINARY by short EF identifier of up to `len` bytes at offset 0; the file becomes
    /// the current EF (ISO 7816-4 §11.2.3), so later reads of it need no SELECT.
    fn read_binary_sfi(&mut self, file: FileId, sfi: u8, len: usize) -> Result<Vec<u8>, Error> {
        let step = Step::ReadBinary(file);
        let cmd = Command::new(0x00, 0xB0, 0x80 | (sfi & 0x1F), 0x00).with_le(len);
        let r = self.transmit(step, &cmd)?;
        match r.sw.kind() {
            SwKind::Success | SwKind::EndOfFile => Ok(r.data),
            _ => Err(Error::Status { step, sw: r.sw }),
        }
    }

    /// The first bytes of a file that has none yet: by short EF identifier without a SELECT when
    /// the chip takes it, and the whole block the session allows rather than an 8-byte header
    /// probe when the chip serves it — each learned from the chip's first refusal (and kept for
    /// the card). A refusal that ended secure messaging is returned for the caller to open a new
    /// session; otherwise the next way is tried at once.
    fn read_first(&mut self, file: FileId, buf: &mut Vec<u8>) -> Result<(), Error> {
        let mut selected = false;
        // The read by short EF identifier said "file not found": SELECT tells whether the file
        // is missing or the chip does not address files that way.
        let mut missed = false;
        loop {
            let whole = self.whole_first != Some(false);
            let want = if whole { self.max_read_block_at(0).max(HEADER_PROBE) } else { HEADER_PROBE };
            let sfi = if self.sfi == Some(false) || selected || missed { None } else { file.sfi() };
            if sfi.is_none() && !selected {
                self.select_file(file)?;
                selected = true;
                if missed && self.sfi.is_none() {
                    // SELECT finds what the short EF identifier did not: the chip has no SFIs.
                    self.sfi = Some(false);
                    self.learned = true;
                }
            }
            let had_session = self.sm.is_some();
            let result = match sfi {
                Some(id) => self.read_binary_sfi(file, id, want),
                None => self.read_binary(file, 0, want),
            };
            let refused = match result {
                Ok(chunk) if !chunk.is_empty() => {
                    if sfi.is_some() {
                        self.sfi = Some(true);
                    }
                    if whole {
                        self.whole_first = Some(true);
                    }
                    buf.extend_from_slice(&chunk);
                    return Ok(());
                }
                // Nothing at all for a whole block (an empty 6282): ask for the header instead.
                Ok(_) if whole => {
                    self.whole_first = Some(false);
                    None
                }
                Ok(_) => return Err(Error::MalformedResponse { step: Step::ReadBinary(file) }),
                Err(Error::Status { sw, step }) if sfi.is_some() && sw.kind() == SwKind::FileNotFound => {
                    // Missing, or addressed in a way this chip does not take: SELECT decides.
                    missed = true;
                    if had_session && self.sm.is_none() {
                        self.sfi = Some(false);
                        self.learned = true;
                        return Err(Error::Status { sw, step });
                    }
                    continue;
                }
                Err(Error::Status { sw, step }) if sfi.is_some() && refuses_sfi(sw) => {
                    self.sfi = Some(false);
                    Some(Error::Status { sw, step })
                }
                Err(Error::Status { sw, step }) if whole && refuses_length(sw) => {
                    self.whole_first = Some(false);
                    Some(Error::Status { sw, step })
                }
                Err(e) => return Err(e),
            };
            self.learned = true;
            if had_session && self.sm.is_none() {
                // The chip answered in plain and so ended secure messaging: a new session goes on.
                return Err(refused.unwrap_or(Error::MalformedResponse { step: Step::ReadBinary(file) }));
            }
        }
    }

    /// One READ BINARY of up to `len` bytes at `offset`.
    pub fn read_binary(&mut self, file: FileId, offset: usize, len: usize) -> Result<Vec<u8>, Error> {
        let step = Step::ReadBinary(file);
        let (cmd, odd) = if offset <= MAX_EVEN_OFFSET {
            (Command::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(len), false)
        } else {
            let off = (offset as u32).to_be_bytes();
            let start = off.iter().position(|&b| b != 0).unwrap_or(3);
            let data = tlv::encode(0x54, off.get(start..).unwrap_or(&off));
            // Room for DO'53' header in the answer.
            (Command::new(0x00, 0xB1, 0x00, 0x00).with_data(data).with_le(len + 4), true)
        };
        let r = self.transmit(step, &cmd)?;
        let data = match r.sw.kind() {
            SwKind::Success | SwKind::EndOfFile => r.data,
            _ => return Err(Error::Status { step, sw: r.sw }),
        };
        if odd {
            let t = tlv::expect(&data, 0x53).map_err(|error| Error::Parse { file, error: error.into() })?;
            Ok(t.value.to_vec())
        } else {
            Ok(data)
        }
    }

    /// Reads a whole file into `buf`, continuing after the bytes `buf` already holds (so a read
    /// interrupted at byte N resumes at N in a new session). Selects the file first.
    pub fn read_file(
        &mut self,
        file: FileId,
        buf: &mut Vec<u8>,
        progress: &mut dyn FnMut(FileProgress),
    ) -> Result<(), Error> {
        self.learned = false;
        if buf.is_empty() {
            self.read_first(file, buf)?;
        } else {
            // Resuming in a new session: the file is selected again, reading goes on at its end.
            self.select_file(file)?;
        }
        if tlv::parse_header(buf).is_err() {
            let want = HEADER_PROBE.saturating_sub(buf.len()).max(1);
            let chunk = self.read_binary(file, buf.len(), want)?;
            if chunk.is_empty() {
                return Err(Error::MalformedResponse { step: Step::ReadBinary(file) });
            }
            buf.extend_from_slice(&chunk);
        }
        let header = tlv::parse_header(buf).map_err(|error| Error::Parse { file, error: error.into() })?;
        let total = header
            .total_len()
            .ok_or(Error::Parse { file, error: tlv::TlvError::at(tlv::TlvErrorKind::Truncated, 0).into() })?;
        progress(FileProgress { file, done: buf.len().min(total), total, data: None });
        while buf.len() < total {
            let block = self.max_read_block_at(buf.len());
            let want = block.min(total - buf.len());
            let chunk = match self.read_binary(file, buf.len(), want) {
                Ok(c) => c,
                // The chip refused the extended Le: fall back to short reads in this session.
                Err(Error::Status { sw, .. })
                    if want > SHORT_RESPONSE - 2 - 32
                        && self.extended()
                        && self.sm.is_some()
                        && matches!(sw.kind(), SwKind::WrongLength | SwKind::WrongLe(_) | SwKind::WrongParameters) =>
                {
                    self.chip_extended = false;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Err(Error::MalformedResponse { step: Step::ReadBinary(file) });
            }
            buf.extend_from_slice(&chunk);
            progress(FileProgress { file, done: buf.len().min(total), total, data: None });
        }
        buf.truncate(total);
        progress(FileProgress { file, done: total, total, data: Some(buf) });
        Ok(())
    }
}
