//! The one way the host reads a card. The CLI, the API server and the desk app call [`read`]:
//! it picks the transport ([`Source`]), loads the trust store (one policy: a store that cannot be
//! loaded is an [`Error::TrustStore`] that says so, everywhere; an empty one is read with and
//! flagged), runs the core's read with the OS random generator, and returns the PC's verdict with
//! what the reader said. Credentials come from what a person typed or scanned through
//! [`cancuoc_core::access::TypedKey`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cancuoc_core::read::{CardRead, PartialRead, Progress, ReadFailure, ReadOptions, read_card};
use cancuoc_core::{Credentials, Transport, TransportError, TransportLimits, TrustStore};

use crate::card_files::TraceTransport;
use crate::transport::pcsc::{PcscError, PcscTransport};
use crate::transport::usb::{self, UsbError};
use crate::trust_store::{self, TrustDir};
use crate::{ErrorReport, ReaderReport};

/// Where a read goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The built-in simulated card (the `demo` feature): its variant, a removal from the reader
    /// at this APDU (the demo's "card pulled" scenario), and a delay per APDU.
    Simulated { variant: String, remove_at: Option<usize>, latency: Duration },
    /// A PC/SC reader by name, or the first one with a card.
    Pcsc(Option<String>),
    /// A cancuoc USB reader on this serial port; "auto": the first one found.
    Usb(String),
}

impl Source {
    /// The simulated card of this variant, no fault, no delay.
    pub fn simulated(variant: &str) -> Self {
        Self::Simulated { variant: variant.to_string(), remove_at: None, latency: Duration::ZERO }
    }
}

/// Which trust store verifies the read.
#[derive(Clone, Debug, Default)]
pub enum Trust {
    /// The user's store (`cancuoc trust`), or — for the simulated card — the test PKI's CSCAs.
    #[default]
    Default,
    /// The store in this directory, whatever the source.
    Dir(PathBuf),
    /// The simulated card's test CSCAs (the `demo` feature), whatever the source.
    TestPki,
}

/// What the caller hears during a read, and how it stops one.
pub struct Hooks<'a> {
    pub progress: &'a mut dyn FnMut(Progress),
    /// A USB reader was unplugged mid-read; the read waits for it to come back.
    pub unplugged: &'a mut dyn FnMut(),
    /// Set from another thread to stop the read at the next APDU.
    pub cancel: &'a AtomicBool,
    /// When given, receives the APDU trace (secure-messaging bytes only; `--trace`), whatever the
    /// outcome. Not for the USB reader (its APDUs stay on the reader).
    pub trace: Option<&'a mut String>,
}

/// A read that finished: the card as the PC verified it.
pub struct Outcome {
    pub card: CardRead,
    /// A cancuoc USB reader's part, when one did the read.
    pub reader: Option<ReaderReport>,
    /// Which reader or card, for people ("Đầu đọc / reader: …").
    pub label: String,
    /// The trust store had no CSCA: the signer cannot be trusted (the verdict says so too).
    pub trust_store_empty: bool,
    /// Where the trust store was loaded from (`None`: the simulated card's test CSCAs).
    pub trust_store_path: Option<PathBuf>,
}

/// Why a read did not finish. [`Error::code`] gives the snake_case code of the JSON output and
/// the API.
#[derive(Debug)]
pub enum Error {
    /// The core's failure, with what was read before it (kept for a retry with `resume`).
    Card(Box<ReadFailure>),
    Pcsc(PcscError),
    Usb(UsbError),
    /// No cancuoc USB reader is plugged in ("auto").
    NoUsbReader,
    /// The trust store could not be loaded.
    TrustStore(String),
    /// No simulated card of this name.
    UnknownVariant(String),
    /// This build has no simulated card (built without the `demo` feature).
    NoDemo,
    /// The person stopped the read.
    Cancelled,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Card(c) => write!(f, "{}", c.error),
            Self::Pcsc(e) => write!(f, "{e}"),
            Self::Usb(e) => write!(f, "{e}"),
            Self::NoUsbReader => f.write_str(
                "Không thấy đầu đọc USB cancuoc — no cancuoc USB reader found: plug it in (its light blinks every 2 s), \
                 or name its port (e.g. /dev/ttyACM0); `cancuoc doctor` checks permissions",
            ),
            Self::TrustStore(e) => write!(f, "the trust store cannot be loaded: {e}"),
            Self::UnknownVariant(v) => {
                write!(f, "unknown simulated card {v:?}; see `cancuoc read --simulated --list-variants`")
            }
            Self::NoDemo => f.write_str("this build has no simulated card (built without the `demo` feature)"),
            Self::Cancelled => f.write_str("the read was cancelled"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The error code of the JSON output and the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Card(f) => ErrorReport::from_failure(f).error,
            Self::Pcsc(PcscError::NoCard(_)) => "no_card",
            Self::Pcsc(PcscError::UnknownReader(_)) => "unknown_reader",
            Self::Pcsc(_) | Self::NoUsbReader => "reader_error",
            Self::Usb(e) => e.kind(),
            Self::TrustStore(_) => "trust_store",
            Self::UnknownVariant(_) => "bad_request",
            Self::NoDemo => "unknown_reader",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether trying again (card on the reader, same key) may succeed.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Card(f) => f.error.is_retryable(),
            Self::Pcsc(PcscError::NoCard(_) | PcscError::NoReaders | PcscError::NoService | PcscError::Other(_)) => {
                true
            }
            Self::Pcsc(PcscError::UnknownReader(_)) => false,
            Self::Usb(e) => e.retryable(),
            Self::NoUsbReader | Self::Cancelled => true,
            Self::TrustStore(_) | Self::UnknownVariant(_) | Self::NoDemo => false,
        }
    }

    /// For people and scripts: code, message, whether a retry can help, files read before.
    pub fn report(&self) -> ErrorReport {
        let files_read: BTreeMap<String, usize> = match self {
            Self::Card(f) => f.partial.complete.iter().map(|(k, b)| (k.to_string(), b.len())).collect(),
            _ => BTreeMap::new(),
        };
        ErrorReport { error: self.code(), message: self.to_string(), retryable: self.retryable(), files_read }
    }

    /// What was read before a card failure (for "continue").
    pub fn partial(&self) -> Option<&PartialRead> {
        match self {
            Self::Card(f) => Some(&f.partial),
            _ => None,
        }
    }
}

/// The trust store for a read from `source`, by the one policy: the given one; by default the
/// user's, or the test CSCAs for the simulated card. A store that cannot be loaded is an error.
pub fn trust_store_for(source: &Source, trust: &Trust) -> Result<(TrustStore, Option<PathBuf>), Error> {
    match (trust, source) {
        (Trust::Default, Source::Simulated { .. }) => load_trust(&Trust::TestPki),
        (t, _) => load_trust(t),
    }
}

/// Loads a trust store; with its directory (`None` for the test CSCAs).
pub fn load_trust(trust: &Trust) -> Result<(TrustStore, Option<PathBuf>), Error> {
    let dir = match trust {
        Trust::Dir(d) => d.clone(),
        Trust::Default => trust_store::default_dir(),
        #[cfg(feature = "demo")]
        Trust::TestPki => return Ok((cancuoc_demo::trust_store(), None)),
        #[cfg(not(feature = "demo"))]
        Trust::TestPki => return Err(Error::NoDemo),
    };
    let store = TrustDir::new(dir.clone());
    store.load().map(|t| (t, Some(dir))).map_err(|e| Error::TrustStore(e.to_string()))
}

/// Reads the card at `source` with `credentials` and verifies it on this PC. `resume` carries
/// what an interrupted read of the same card got. `challenge` is the active-authentication
/// challenge to send — a visit's ([`crate::his::evidence::Visit::challenge`]) — or `None` for a fresh
/// random one; a USB reader sends the PC's unchanged.
pub fn read(
    source: &Source,
    credentials: &Credentials,
    trust: &Trust,
    resume: Option<PartialRead>,
    challenge: Option<[u8; 8]>,
    hooks: Hooks<'_>,
) -> Result<Outcome, Error> {
    let (store, path) = trust_store_for(source, trust)?;
    let now = crate::now_unix();
    let trust_store_empty = store.is_empty();
    let Hooks { progress, unplugged, cancel, trace } = hooks;
    let finish = |card: CardRead, reader: Option<ReaderReport>, label: String| Outcome {
        card,
        reader,
        label,
        trust_store_empty,
        trust_store_path: path.clone(),
    };
    match source {
        Source::Simulated { variant, remove_at, latency } => {
            #[cfg(feature = "demo")]
            {
                let mut chip =
                    cancuoc_demo::simulated_card(variant).ok_or_else(|| Error::UnknownVariant(variant.clone()))?;
                if let Some(at) = remove_at {
                    chip.inject(*at, cancuoc_demo::Fault::Remove);
                }
                let label = format!("Thẻ mô phỏng / simulated card: {variant}");
                let t = Cancellable { inner: chip, cancel, latency: *latency };
                run(t, credentials, &store, now, resume, challenge, progress, cancel, trace)
                    .map(|c| finish(c, None, label))
            }
            #[cfg(not(feature = "demo"))]
            {
                let _ = (variant, remove_at, latency, resume, challenge, progress, cancel, trace, finish, now);
                Err(Error::NoDemo)
            }
        }
        Source::Pcsc(name) => {
            let (name, t) = match name {
                Some(n) => PcscTransport::connect(n).map(|t| (n.clone(), t)),
                None => PcscTransport::first_with_card(),
            }
            .map_err(Error::Pcsc)?;
            let label = format!("Đầu đọc / reader: {name}");
            let t = Cancellable { inner: t, cancel, latency: Duration::ZERO };
            run(t, credentials, &store, now, resume, challenge, progress, cancel, trace).map(|c| finish(c, None, label))
        }
        Source::Usb(port) => {
            let path = if port == "auto" {
                usb::list().first().map(|p| p.path.clone()).ok_or(Error::NoUsbReader)?
            } else {
                port.clone()
            };
            let (card, info) =
                usb::read_verified(&path, credentials, &store, now, challenge, progress, cancel, unplugged).map_err(
                    |e| match e {
                        UsbError::Reader { code: cancuoc_link::ErrorCode::Cancelled, .. } => Error::Cancelled,
                        e => Error::Usb(e),
                    },
                )?;
            let label = format!("Đầu đọc USB / USB reader: {path} (cancuoc {} on {})", info.firmware, info.board);
            Ok(finish(card, Some(info), label))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run<T: Transport>(
    transport: T,
    credentials: &Credentials,
    store: &TrustStore,
    now: u64,
    resume: Option<PartialRead>,
    challenge: Option<[u8; 8]>,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    trace: Option<&mut String>,
) -> Result<CardRead, Error> {
    let mut opts = ReadOptions::cccd(store, now);
    opts.aa_challenge = challenge;
    let mut traced = TraceTransport::new(transport);
    let result = read_card(&mut traced, credentials, &opts, &mut crate::os_rng(), resume, progress);
    if let Some(out) = trace {
        *out = traced.text();
    }
    result.map_err(|f| {
        if cancel.load(Ordering::Relaxed) && !matches!(f.error, cancuoc_core::error::Error::AccessDenied { .. }) {
            Error::Cancelled
        } else {
            Error::Card(Box::new(f))
        }
    })
}

/// Stops a transport as soon as the person cancels; delays each APDU (the demo's pace).
struct Cancellable<'a, T> {
    inner: T,
    cancel: &'a AtomicBool,
    latency: Duration,
}

impl<T: Transport> Transport for Cancellable<'_, T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        if self.cancel.load(Ordering::Relaxed) {
            return Err(TransportError::Reader("cancelled".into()));
        }
        self.inner.transmit(command)
    }
    fn limits(&self) -> TransportLimits {
        self.inner.limits()
    }
}

/// The credentials for a read from `source`, from what a person typed or scanned (see
/// [`Credentials::from_typed`]). For the simulated card, what was not typed is its citizen's —
/// as a clerk with that card in hand would type it — unless a CAN alone was given; with nothing
/// typed, the simulated passport opens with the key printed in its MRZ.
pub fn credentials(
    source: &Source,
    typed: &cancuoc_core::access::TypedKey<'_>,
) -> Result<Credentials, cancuoc_core::access::KeyError> {
    #[cfg(feature = "demo")]
    if let Source::Simulated { variant, .. } = source {
        let t = typed;
        let can_alone = t.can.is_some()
            && t.id_number.is_none()
            && t.document_number.is_none()
            && t.date_of_birth.is_none()
            && t.date_of_expiry.is_none();
        if can_alone {
            return Credentials::from_typed(typed, None);
        }
        let nothing = t.can.is_none() && t.id_number.is_none() && t.document_number.is_none();
        let no_dates = t.date_of_birth.is_none() && t.date_of_expiry.is_none();
        if cancuoc_demo::persona::is_passport(variant) && nothing && no_dates {
            return Ok(Credentials::mrz(cancuoc_demo::passport_access_key()));
        }
        let p = cancuoc_demo::persona::persona_for(variant);
        let (dob, exp) = (p.dob_yymmdd(), p.expiry_yymmdd());
        let filled = cancuoc_core::access::TypedKey {
            id_number: t.id_number.or(t.document_number.is_none().then_some(p.id_number)),
            can: t.can,
            document_number: t.document_number,
            date_of_birth: Some(t.date_of_birth.unwrap_or(&dob)),
            date_of_expiry: Some(t.date_of_expiry.unwrap_or(&exp)),
        };
        return Credentials::from_typed(&filled, None);
    }
    let _ = source;
    Credentials::from_typed(typed, None)
}

/// The simulated card's own key (what [`credentials`] gives when nothing was typed).
#[cfg(feature = "demo")]
pub fn simulated_credentials(variant: &str) -> Credentials {
    credentials(&Source::simulated(variant), &cancuoc_core::access::TypedKey::default())
        .unwrap_or_else(|_| Credentials::mrz(cancuoc_demo::PERSONA.access_key()))
}
