//! cancuoc USB readers (Pico + PN532, firmware/board): found by their USB IDs, spoken to with the
//! link protocol over the CDC serial port.
//!
//! The reader reads and verifies the card itself and streams every file. The bridge does not
//! take its word for it: it verifies the files again with its own trust store, and checks active
//! authentication from a challenge the bridge chose and the chip's answer as relayed. Only chip
//! authentication, which needs the chip, is taken from the reader's report.

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cancuoc_core::files::FileId;
use cancuoc_core::read::{CardRead, Progress, ReadOptions, verify_files};
use cancuoc_core::verdict::ActiveAuthStatus;
use cancuoc_core::{Credentials, TrustStore};
use cancuoc_link::{
    AccessKey, Decoder, DeviceVerdict, ErrorCode, HostMsg, Info, PROTOCOL_VERSION, ProofReport, ReadRequest, ReaderMsg,
};

/// Why talking to a USB reader failed.
#[derive(Debug, thiserror::Error)]
pub enum UsbError {
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("{0} does not answer as a cancuoc reader (no hello within 2 s)")]
    NotAReader(String),
    #[error(
        "the reader's firmware speaks link protocol {reader}, this bridge speaks {bridge}: update the firmware (docs/hardware.md, `cancuoc flash`)"
    )]
    Protocol { reader: u16, bridge: u16 },
    #[error("the reader was unplugged or stopped answering")]
    Disconnected,
    #[error("the reader did not answer in time ({0})")]
    Timeout(&'static str),
    #[error("reader: {detail}")]
    Reader { code: ErrorCode, detail: String },
}

impl UsbError {
    /// The error kind of [`crate::ErrorReport`].
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Reader { code: ErrorCode::AccessDenied | ErrorCode::NoAccessKey, .. } => "access_denied",
            Self::Reader { code: ErrorCode::NoCard | ErrorCode::CardRemoved, .. } => "no_card",
            Self::Reader { code: ErrorCode::Cancelled, .. } => "cancelled",
            _ => "reader_error",
        }
    }
    pub fn retryable(&self) -> bool {
        !matches!(self, Self::Protocol { .. } | Self::Reader { code: ErrorCode::AccessDenied, .. })
    }
}

/// A cancuoc reader seen on USB.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UsbPort {
    pub path: String,
    pub serial: Option<String>,
    pub product: Option<String>,
}

/// The serial ports that carry cancuoc readers (USB 1209:0001).
pub fn list() -> Vec<UsbPort> {
    serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p.port_type {
            serialport::SerialPortType::UsbPort(u)
                if u.vid == cancuoc_link::USB_VID && u.pid == cancuoc_link::USB_PID =>
            {
                Some(UsbPort { path: p.port_name, serial: u.serial_number, product: u.product })
            }
            _ => None,
        })
        .collect()
}

/// What a reader streamed for one read.
#[derive(Clone, Debug)]
pub struct UsbRead {
    pub files: BTreeMap<FileId, Vec<u8>>,
    pub aa_answer: Option<([u8; 8], Vec<u8>)>,
    pub reader_verdict: DeviceVerdict,
}

/// An open link to one reader.
pub struct UsbReader {
    port: Box<dyn serialport::SerialPort>,
    decoder: Decoder,
    queue: VecDeque<ReaderMsg>,
    pub info: Info,
    pub path: String,
}

impl UsbReader {
    /// Opens the port and says hello; fails unless a cancuoc reader of our protocol answers.
    pub fn open(path: &str) -> Result<Self, UsbError> {
        let port = serialport::new(path, 115_200)
            .timeout(Duration::from_millis(50))
            .open()
            .map_err(|e| UsbError::Open { path: path.to_string(), reason: e.to_string() })?;
        let mut r = Self {
            port,
            decoder: Decoder::new(),
            queue: VecDeque::new(),
            info: Info {
                protocol: 0,
                firmware: String::new(),
                board: String::new(),
                front_end: String::new(),
                max_command: 0,
                max_response: 0,
                extended_length: false,
                trust_count: 0,
                trust_crc32: 0,
            },
            path: path.to_string(),
        };
        let _ = r.port.write_data_terminal_ready(true);
        // A zero byte first: ends whatever half frame the reader may hold from a previous host.
        r.port.write_all(&[0]).map_err(|_| UsbError::Disconnected)?;
        r.send(&HostMsg::Hello { protocol: PROTOCOL_VERSION })?;
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match r.next(deadline) {
                Ok(ReaderMsg::Info(info)) => {
                    r.info = info;
                    break;
                }
                Ok(_) => continue,
                Err(UsbError::Timeout(_)) => return Err(UsbError::NotAReader(path.to_string())),
                Err(e) => return Err(e),
            }
        }
        if r.info.protocol != PROTOCOL_VERSION {
            return Err(UsbError::Protocol { reader: r.info.protocol, bridge: PROTOCOL_VERSION });
        }
        // Drop the version error the reader may have queued after its hello.
        r.queue.clear();
        Ok(r)
    }

    fn send(&mut self, m: &HostMsg) -> Result<(), UsbError> {
        let frame = cancuoc_link::encode(m).map_err(|_| UsbError::Reader {
            code: ErrorCode::FrameTooLong,
            detail: "message too large for the link".into(),
        })?;
        self.port.write_all(&frame).map_err(|_| UsbError::Disconnected)?;
        self.port.flush().map_err(|_| UsbError::Disconnected)
    }

    /// The next message from the reader, waiting until `deadline`. Frames that do not decode are
    /// skipped (the decoder resynchronises at the next delimiter).
    fn next(&mut self, deadline: Instant) -> Result<ReaderMsg, UsbError> {
        let mut buf = [0u8; 512];
        loop {
            if let Some(m) = self.queue.pop_front() {
                return Ok(m);
            }
            if Instant::now() >= deadline {
                return Err(UsbError::Timeout("waiting for the reader"));
            }
            match self.port.read(&mut buf) {
                Ok(0) => return Err(UsbError::Disconnected),
                Ok(n) => {
                    let q = &mut self.queue;
                    self.decoder.feed::<ReaderMsg>(&buf[..n], |r| {
                        if let Ok(m) = r {
                            q.push_back(m);
                        }
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut || e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(UsbError::Disconnected),
            }
        }
    }

    /// Waits for the reader's answer to a command that ends with [`ReaderMsg::Ack`].
    fn ack(&mut self, what: &'static str) -> Result<(), UsbError> {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            match self
                .next(deadline)
                .map_err(|e| if let UsbError::Timeout(_) = e { UsbError::Timeout(what) } else { e })?
            {
                ReaderMsg::Ack => return Ok(()),
                ReaderMsg::Error { code, detail } => return Err(UsbError::Reader { code, detail }),
                _ => continue,
            }
        }
    }

    /// Reads the card on the reader (waiting up to 30 s for one). `cancel` is polled while the
    /// read runs; when set the reader is told to stop.
    pub fn read(
        &mut self,
        key: AccessKey,
        request: ReadRequest,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<UsbRead, UsbError> {
        self.queue.clear();
        self.send(&HostMsg::SetAccessKey(key))?;
        self.ack("access key")?;
        self.send(&HostMsg::StartRead(request))?;
        let mut files: BTreeMap<u16, Vec<u8>> = BTreeMap::new();
        let mut aa_answer = None;
        let mut cancel_sent = false;
        // Each message restarts the clock: a read is many messages; 35 s covers the reader's 30 s
        // wait for a card.
        let mut deadline = Instant::now() + Duration::from_secs(35);
        loop {
            if cancel.load(Ordering::Relaxed) && !cancel_sent {
                self.send(&HostMsg::Cancel)?;
                cancel_sent = true;
                deadline = Instant::now() + Duration::from_secs(5);
            }
            let m = match self.next(deadline.min(Instant::now() + Duration::from_millis(100))) {
                Ok(m) => m,
                Err(UsbError::Timeout(_)) if Instant::now() < deadline => continue,
                Err(e) => return Err(e),
            };
            deadline = Instant::now() + Duration::from_secs(if cancel_sent { 5 } else { 35 });
            match m {
                ReaderMsg::Progress { fid, done, total } => {
                    if let Some(file) = file_id(fid) {
                        progress(Progress { file, done: done as usize, total: total as usize, data: None });
                    }
                }
                ReaderMsg::FileData { fid, offset, total, data } => {
                    let b = files.entry(fid).or_default();
                    if b.len() != offset as usize || b.len() + data.len() > total as usize {
                        return Err(UsbError::Reader {
                            code: ErrorCode::BadFrame,
                            detail: format!("file {fid:04X} arrived out of order"),
                        });
                    }
                    b.extend_from_slice(&data);
                    // A whole file, as the reader sends each one when read (before its checks):
                    // passed on, not verified, so that the holder's data can be shown at once.
                    if b.len() == total as usize
                        && let Some(file) = file_id(fid)
                    {
                        progress(Progress { file, done: b.len(), total: b.len(), data: Some(b) });
                    }
                }
                ReaderMsg::ActiveAuth { challenge, answer } => aa_answer = Some((challenge, answer)),
                ReaderMsg::Verdict(v) => {
                    // The end marker follows.
                    let files = files.into_iter().filter_map(|(fid, b)| file_id(fid).map(|f| (f, b))).collect();
                    self.wait_done()?;
                    return Ok(UsbRead { files, aa_answer, reader_verdict: v });
                }
                ReaderMsg::Error { code, detail } => return Err(UsbError::Reader { code, detail }),
                _ => {}
            }
        }
    }

    fn wait_done(&mut self) -> Result<(), UsbError> {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            if let ReaderMsg::ReadDone = self.next(deadline)? {
                return Ok(());
            }
        }
    }

    /// Replaces the reader's CSCA trust store with these certificates (DER).
    pub fn push_trust(&mut self, certs: &[Vec<u8>]) -> Result<(), UsbError> {
        let packed = cancuoc_link::pack_trust_store(certs.iter().map(|c| c.as_slice())).map_err(|n| {
            UsbError::Reader { code: ErrorCode::TrustStore, detail: format!("a certificate of {n} bytes is too large") }
        })?;
        self.queue.clear();
        self.send(&HostMsg::TrustBegin { count: certs.len() as u16, total: packed.len() as u32 })?;
        self.ack("trust store")?;
        for (i, chunk) in packed.chunks(cancuoc_link::MAX_CHUNK).enumerate() {
            self.send(&HostMsg::TrustChunk { offset: (i * cancuoc_link::MAX_CHUNK) as u32, data: chunk.to_vec() })?;
            self.ack("trust store")?;
        }
        self.send(&HostMsg::TrustCommit { crc32: cancuoc_link::crc32(&packed) })?;
        self.ack("trust store")?;
        self.send(&HostMsg::GetInfo)?;
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            if let ReaderMsg::Info(i) = self.next(deadline)? {
                self.info = i;
                return Ok(());
            }
        }
    }
}

fn file_id(fid: u16) -> Option<FileId> {
    match fid {
        0x011E => Some(FileId::Com),
        0x011D => Some(FileId::Sod),
        0x011C => Some(FileId::CardAccess),
        f if (0x0101..=0x0110).contains(&f) => Some(FileId::Dg((f & 0xFF) as u8)),
        _ => None,
    }
}

/// The access key as the link carries it.
pub fn link_key(c: &Credentials) -> Option<AccessKey> {
    if let (Some(can), Some(k)) = (&c.can, &c.mrz) {
        // PACE with the CAN, BAC with the MRZ key if the chip refuses it: the reader decides.
        return Some(AccessKey::CanAndMrz {
            can: can.as_str().to_string(),
            document_number: k.document_number_field().trim_end_matches('<').to_string(),
            date_of_birth: k.date_of_birth().to_string(),
            date_of_expiry: k.date_of_expiry().to_string(),
        });
    }
    if let Some(can) = &c.can {
        return Some(AccessKey::Can(can.as_str().to_string()));
    }
    c.mrz.as_ref().map(|k| AccessKey::Mrz {
        document_number: k.document_number_field().trim_end_matches('<').to_string(),
        date_of_birth: k.date_of_birth().to_string(),
        date_of_expiry: k.date_of_expiry().to_string(),
    })
}

/// A fresh 8-byte challenge for active authentication.
pub fn challenge() -> [u8; 8] {
    let mut c = [0u8; 8];
    rand_core::Rng::fill_bytes(&mut crate::os_rng(), &mut c);
    c
}

/// Verifies what the reader streamed with the PC's own trust store and challenge.
pub fn verify(read: &UsbRead, trust: &TrustStore, now_unix: u64, challenge: [u8; 8]) -> CardRead {
    let mut options = ReadOptions::cccd(trust, now_unix);
    options.aa_challenge = Some(challenge);
    // The answer counts only if it answers our challenge.
    let answer = read.aa_answer.as_ref().filter(|(c, _)| *c == challenge).map(|(_, a)| a.as_slice());
    let chip_auth = match &read.reader_verdict.chip_auth {
        ProofReport::Passed => ActiveAuthStatus::Passed,
        ProofReport::Failed(w) => ActiveAuthStatus::Failed(format!("{w} (reported by the reader)")),
        ProofReport::NotSupported => ActiveAuthStatus::NotSupported,
        ProofReport::NotAttempted => ActiveAuthStatus::NotAttempted,
        ProofReport::UnsupportedAlgorithm(a) => ActiveAuthStatus::UnsupportedAlgorithm(a.clone()),
    };
    verify_files(read.files.clone(), &options, answer, chip_auth, None)
}

/// One whole read through the reader on `path`, verified by the PC: opens the port, reads with
/// a fresh challenge of ours, and re-verifies. When the reader is unplugged mid-read it waits up
/// to 10 s for it to come back on the same port and reads again (`on_unplug` is told).
#[allow(clippy::too_many_arguments)]
pub fn read_verified(
    path: &str,
    credentials: &Credentials,
    trust: &TrustStore,
    now_unix: u64,
    visit_challenge: Option<[u8; 8]>,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    on_unplug: &mut dyn FnMut(),
) -> Result<(CardRead, crate::ReaderReport), UsbError> {
    let key = link_key(credentials).ok_or_else(|| UsbError::Reader {
        code: ErrorCode::NoAccessKey,
        detail: "give the CAN or the MRZ fields".into(),
    })?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut reader = match UsbReader::open(path) {
            Ok(r) => r,
            Err(UsbError::Open { .. }) if attempt > 1 && attempt < 20 => {
                std::thread::sleep(Duration::from_millis(500));
                continue;
            }
            Err(e) => return Err(e),
        };
        let ours = visit_challenge.unwrap_or_else(challenge);
        // The holder's data first (DG1, DG13), then the photo: the reader sends each file as
        // soon as it is read, so the clerk's screen can show who it is while the rest is read
        // and checked.
        let request = ReadRequest {
            data_groups: vec![1, 13, 2, 14, 15],
            active_auth: true,
            chip_auth: true,
            now_unix,
            aa_challenge: Some(ours),
        };
        match reader.read(key.clone(), request, progress, cancel) {
            Ok(read) => {
                let card = verify(&read, trust, now_unix, ours);
                let report = crate::ReaderReport {
                    port: path.to_string(),
                    firmware: reader.info.firmware.clone(),
                    board: reader.info.board.clone(),
                    verified_on_reader: read.reader_verdict.verified,
                    reader_failures: read.reader_verdict.failures.clone(),
                    agrees: read.reader_verdict.verified == card.verdict.is_verified(),
                    access: read.reader_verdict.access.clone(),
                };
                return Ok((card, report));
            }
            Err(UsbError::Disconnected) if attempt < 3 => {
                on_unplug();
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => return Err(e),
        }
    }
}
