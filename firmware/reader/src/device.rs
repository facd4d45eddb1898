//! The reader's side of the link protocol: takes host messages, runs the core's read on a card
//! transport, and streams progress, the files, and its verdict back.
//!
//! Everything here is plain synchronous code over two seams — a [`Transport`] to the card and a
//! sink for [`ReaderMsg`]s — so that the same logic runs on the RP2040/RP2350 (PN532 + USB CDC),
//! on a PC behind a pseudo-terminal (the bridge's tests), and under QEMU.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use cancuoc_core::access::AccessKey as MrzKey;
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_core::files::FileId;
use cancuoc_core::pace::Can;
use cancuoc_core::read::{CardRead, Credentials, Overlap, PartialRead, ReadFailure, ReadOptions, read_card_overlapped};
use cancuoc_core::trust::TrustStore;
use cancuoc_core::verdict::ActiveAuthStatus;
use cancuoc_link::{
    AccessKey, DeviceVerdict, ErrorCode, HostMsg, Info, MAX_CHUNK, PROTOCOL_VERSION, ProofReport, ReadRequest,
    ReaderMsg,
};
use core::cell::Cell;
use rand_core::CryptoRng;

/// What the board must do after a host message that [`Device::handle`] cannot do itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Read the card (wait for one first) and call [`Device::read`].
    Read(ReadRequest),
    /// Write this trust-store image to flash (already checked); see [`TrustImage`].
    StoreTrust(Vec<u8>),
    /// Restart, into the USB bootloader when set.
    Reboot { bootloader: bool },
}

/// A trust-store update being received.
struct TrustUpdate {
    count: u16,
    total: u32,
    bytes: Vec<u8>,
}

/// The largest trust store the reader keeps (the flash region's size minus its header).
pub const MAX_TRUST_BYTES: usize = 60 * 1024;

/// The reader.
pub struct Device {
    info: Info,
    key: Option<Credentials>,
    trust: TrustStore,
    update: Option<TrustUpdate>,
    /// What was fully read before the card left, for a retry on the same card.
    partial: Option<PartialRead>,
}

impl Device {
    /// A reader with its identity and the trust store found in flash (empty if none or damaged).
    pub fn new(firmware: &str, board: &str, front_end: &str, limits: TransportLimits, trust_image: &[u8]) -> Self {
        let mut d = Self {
            info: Info {
                protocol: PROTOCOL_VERSION,
                firmware: firmware.to_string(),
                board: board.to_string(),
                front_end: front_end.to_string(),
                max_command: u32::try_from(limits.max_command).unwrap_or(u32::MAX),
                max_response: u32::try_from(limits.max_response).unwrap_or(u32::MAX),
                extended_length: limits.extended_length,
                trust_count: 0,
                trust_crc32: 0,
            },
            key: None,
            trust: TrustStore::new(),
            update: None,
            partial: None,
        };
        if let Some(packed) = TrustImage::decode(trust_image) {
            d.load_trust(packed);
        }
        d
    }

    fn load_trust(&mut self, packed: &[u8]) -> bool {
        let Some(certs) = cancuoc_link::unpack_trust_store(packed) else { return false };
        let mut store = TrustStore::new();
        for c in &certs {
            if store.add_der(c).is_err() {
                return false;
            }
        }
        self.trust = store;
        self.info.trust_count = u16::try_from(certs.len()).unwrap_or(u16::MAX);
        self.info.trust_crc32 = cancuoc_link::crc32(packed);
        true
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    /// Handles one host message; answers through `out`, and returns what the board must do next.
    pub fn handle(&mut self, msg: HostMsg, out: &mut dyn FnMut(ReaderMsg)) -> Option<Action> {
        match msg {
            HostMsg::Hello { protocol } if protocol != PROTOCOL_VERSION => {
                // Still say who we are: the host shows both versions and the fix.
                out(ReaderMsg::Info(self.info.clone()));
                out(error(
                    ErrorCode::UnsupportedVersion,
                    "the bridge and the reader firmware speak different protocol versions",
                ));
            }
            HostMsg::Hello { .. } | HostMsg::GetInfo => out(ReaderMsg::Info(self.info.clone())),
            HostMsg::SetAccessKey(k) => match credentials(k) {
                Ok(c) => {
                    self.key = Some(c);
                    self.partial = None;
                    out(ReaderMsg::Ack);
                }
                Err(why) => out(error(ErrorCode::NoAccessKey, why)),
            },
            HostMsg::StartRead(req) => {
                if self.key.is_none() {
                    out(error(ErrorCode::NoAccessKey, "send the access key (CAN or MRZ) before starting a read"));
                } else {
                    return Some(Action::Read(req));
                }
            }
            // Nothing is running when a message reaches here (a running read sees Cancel through
            // its cancel flag); say so rather than stay silent.
            HostMsg::Cancel => out(error(ErrorCode::Unexpected, "no read is running")),
            HostMsg::TrustBegin { count, total } => {
                if usize::try_from(total).map_or(true, |t| t > MAX_TRUST_BYTES) {
                    out(error(ErrorCode::TrustStore, "trust store larger than the reader's flash region"));
                } else {
                    self.update = Some(TrustUpdate { count, total, bytes: Vec::new() });
                    out(ReaderMsg::Ack);
                }
            }
            HostMsg::TrustChunk { offset, data } => match &mut self.update {
                Some(u) if offset as usize == u.bytes.len() && u.bytes.len() + data.len() <= u.total as usize => {
                    u.bytes.extend_from_slice(&data);
                    out(ReaderMsg::Ack);
                }
                Some(_) => {
                    self.update = None;
                    out(error(
                        ErrorCode::TrustStore,
                        "trust-store chunk out of order or beyond the announced size; start again",
                    ));
                }
                None => out(error(ErrorCode::Unexpected, "trust-store chunk without TrustBegin")),
            },
            HostMsg::TrustCommit { crc32 } => {
                let Some(u) = self.update.take() else {
                    out(error(ErrorCode::Unexpected, "trust-store commit without TrustBegin"));
                    return None;
                };
                let count_ok =
                    cancuoc_link::unpack_trust_store(&u.bytes).is_some_and(|c| c.len() == usize::from(u.count));
                if u.bytes.len() != u.total as usize || cancuoc_link::crc32(&u.bytes) != crc32 || !count_ok {
                    out(error(
                        ErrorCode::TrustStore,
                        "trust store incomplete or damaged in transfer (size, CRC or count); nothing was changed",
                    ));
                } else if !self.load_trust(&u.bytes) {
                    out(error(
                        ErrorCode::TrustStore,
                        "a certificate in the trust store does not parse; nothing was changed",
                    ));
                } else {
                    out(ReaderMsg::Ack);
                    return Some(Action::StoreTrust(TrustImage::encode(&u.bytes)));
                }
            }
            HostMsg::Reboot { bootloader } => {
                out(ReaderMsg::Ack);
                return Some(Action::Reboot { bootloader });
            }
        }
        None
    }

    /// Reads the card through `transport` and streams the outcome. `cancelled` is polled before
    /// every APDU; when it turns true the read stops there with [`ErrorCode::Cancelled`].
    /// `overlap` says where passive authentication runs while the chip gives its proofs (the
    /// board: its other core; [`cancuoc_core::read::InTurn`]: after them, here).
    pub fn read<T: Transport, R: CryptoRng + ?Sized>(
        &mut self,
        transport: T,
        request: &ReadRequest,
        rng: &mut R,
        cancelled: &dyn Fn() -> bool,
        out: &mut dyn FnMut(ReaderMsg),
        overlap: &mut dyn Overlap,
    ) {
        let Some(credentials) = self.key.as_ref() else {
            out(error(ErrorCode::NoAccessKey, "send the access key (CAN or MRZ) before starting a read"));
            return;
        };
        let mut options = ReadOptions::cccd(&self.trust, request.now_unix);
        options.data_groups = request.data_groups.clone();
        options.active_auth = request.active_auth;
        options.chip_auth = request.chip_auth;
        options.aa_challenge = request.aa_challenge;
        let stopped = Cell::new(false);
        let guarded = Cancellable { inner: transport, cancelled, stopped: &stopped };
        let resume = self.partial.take();
        // Each file goes to the host as soon as its last byte is read, so that the PC can show
        // the holder's data (and check it on its own) while the reader's checks run; what a
        // resumed read had already completed goes at the end with the verdict.
        let mut sent: Vec<FileId> = Vec::new();
        let result = read_card_overlapped(
            guarded,
            credentials,
            &options,
            rng,
            resume,
            &mut |p| match p.data {
                Some(bytes) => {
                    stream_file(p.file, bytes, out);
                    sent.push(p.file);
                }
                None => out(ReaderMsg::Progress {
                    fid: p.file.fid(),
                    done: u32::try_from(p.done).unwrap_or(u32::MAX),
                    total: u32::try_from(p.total).unwrap_or(u32::MAX),
                }),
            },
            overlap,
        );
        match result {
            Ok(read) => {
                stream(&read, &sent, out);
                // The access key is wiped once the card has been read.
                self.key = None;
            }
            Err(failure) => {
                let ReadFailure { error: e, partial } = failure;
                let code = if stopped.get() { ErrorCode::Cancelled } else { error_code(&e) };
                // Keep what was fully read: a retry on the same card starts where this stopped.
                self.partial = Some(partial);
                out(error(code, e.to_string()));
            }
        }
    }
}

/// Sends the files not yet sent, the verdict and the end marker.
fn stream(read: &CardRead, sent: &[FileId], out: &mut dyn FnMut(ReaderMsg)) {
    for (id, bytes) in read.files.iter().filter(|(id, _)| !sent.contains(id)) {
        stream_file(*id, bytes, out);
    }
    if let Some((challenge, answer)) = &read.aa_exchange {
        out(ReaderMsg::ActiveAuth { challenge: *challenge, answer: answer.clone() });
    }
    out(ReaderMsg::Verdict(DeviceVerdict {
        verified: read.verdict.is_verified(),
        failures: read.verdict.failures().iter().map(|f| f.to_string()).collect(),
        access: read.verdict.access.as_ref().map(|a| a.to_string()).unwrap_or_default(),
        chip_auth: match &read.verdict.chip_auth {
            ActiveAuthStatus::Passed => ProofReport::Passed,
            ActiveAuthStatus::Failed(why) => ProofReport::Failed(why.clone()),
            ActiveAuthStatus::NotSupported => ProofReport::NotSupported,
            ActiveAuthStatus::NotAttempted => ProofReport::NotAttempted,
            ActiveAuthStatus::UnsupportedAlgorithm(a) => ProofReport::UnsupportedAlgorithm(a.clone()),
        },
    }));
    out(ReaderMsg::ReadDone);
}

fn stream_file(id: FileId, bytes: &[u8], out: &mut dyn FnMut(ReaderMsg)) {
    let total = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    let mut offset = 0u32;
    for chunk in bytes.chunks(MAX_CHUNK) {
        out(ReaderMsg::FileData { fid: id.fid(), offset, total, data: chunk.to_vec() });
        offset = offset.saturating_add(u32::try_from(chunk.len()).unwrap_or(u32::MAX));
    }
}

fn error(code: ErrorCode, detail: impl Into<String>) -> ReaderMsg {
    ReaderMsg::Error { code, detail: detail.into() }
}

fn error_code(e: &cancuoc_core::Error) -> ErrorCode {
    use cancuoc_core::Error as E;
    match e {
        E::Transport { error: TransportError::CardRemoved, .. } => ErrorCode::CardRemoved,
        E::AccessDenied { .. } => ErrorCode::AccessDenied,
        _ => ErrorCode::ReadFailed,
    }
}

fn credentials(k: AccessKey) -> Result<Credentials, &'static str> {
    match k {
        AccessKey::Can(can) => Can::new(&can).map(Credentials::can).map_err(|_| "the CAN must be 6 digits"),
        AccessKey::Mrz { document_number, date_of_birth, date_of_expiry } => {
            MrzKey::new(&document_number, &date_of_birth, &date_of_expiry)
                .map(Credentials::mrz)
                .map_err(|_| "the MRZ key needs a document number and two YYMMDD dates")
        }
        AccessKey::CanAndMrz { can, document_number, date_of_birth, date_of_expiry } => {
            let can = Can::new(&can).map_err(|_| "the CAN must be 6 digits")?;
            let mrz = MrzKey::new(&document_number, &date_of_birth, &date_of_expiry)
                .map_err(|_| "the MRZ key needs a document number and two YYMMDD dates")?;
            Ok(Credentials { can: Some(can), mrz: Some(mrz) })
        }
    }
}

/// A transport that stops at the next APDU once the host cancels.
struct Cancellable<'a, T> {
    inner: T,
    cancelled: &'a dyn Fn() -> bool,
    stopped: &'a Cell<bool>,
}

impl<T: Transport> Transport for Cancellable<'_, T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if (self.cancelled)() {
            self.stopped.set(true);
            return Err(TransportError::Reader("read cancelled by the host".into()));
        }
        self.inner.transmit(command)
    }
    fn limits(&self) -> TransportLimits {
        self.inner.limits()
    }
}

/// The trust store as kept in flash: `"CCTS"`, format version 1, length (u32 LE), CRC-32 of the
/// packed certificates (u32 LE), then the packed certificates ([`cancuoc_link::pack_trust_store`]).
/// Erased flash (all 0xFF) or a damaged region decodes to nothing: the reader then has an empty
/// store and says so in [`Info`].
pub struct TrustImage;

impl TrustImage {
    const MAGIC: [u8; 4] = *b"CCTS";
    const HEADER: usize = 13;

    pub fn encode(packed: &[u8]) -> Vec<u8> {
        let mut v = Vec::with_capacity(packed.len() + Self::HEADER);
        v.extend_from_slice(&Self::MAGIC);
        v.push(1);
        v.extend_from_slice(&u32::try_from(packed.len()).unwrap_or(u32::MAX).to_le_bytes());
        v.extend_from_slice(&cancuoc_link::crc32(packed).to_le_bytes());
        v.extend_from_slice(packed);
        v
    }

    pub fn decode(image: &[u8]) -> Option<&[u8]> {
        let (head, rest) = image.split_at_checked(Self::HEADER)?;
        let (magic, head) = head.split_at_checked(4)?;
        if magic != Self::MAGIC || head.first() != Some(&1) {
            return None;
        }
        let len = u32::from_le_bytes(head.get(1..5)?.try_into().ok()?) as usize;
        let crc = u32::from_le_bytes(head.get(5..9)?.try_into().ok()?);
        let packed = rest.get(..len)?;
        (cancuoc_link::crc32(packed) == crc).then_some(packed)
    }
}
