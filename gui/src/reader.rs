//! Readers: which one is there (polled in the background, always shown), and the read itself on
//! a worker thread that reports progress to the UI over a channel. The read is the bridge's and
//! the core's, unchanged: the simulated card, any PC/SC reader, or a cancuoc USB reader.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cancuoc_bridge::pcsc_reader::{self, PcscError, PcscTransport};
use cancuoc_bridge::trust_store::{self, TrustDir};
use cancuoc_bridge::usb_reader::{self, UsbError};
use cancuoc_bridge::{ReaderReport, now_unix};
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_core::read::{CardRead, PartialRead, Progress, ReadFailure, ReadOptions, read_card};
use cancuoc_core::{Credentials, TrustStore};
use cancuoc_sim::{Fault, SimChip};

use crate::i18n::Tr;

/// What the status bar shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReaderStatus {
    /// Demo mode's built-in card.
    Simulated,
    Usb {
        path: String,
        firmware: String,
    },
    UsbNeedsUpdate {
        path: String,
    },
    UsbNotOurs {
        path: String,
    },
    Pcsc {
        name: String,
        card: bool,
    },
    NoService,
    None,
    /// Not polled yet.
    Unknown,
}

/// Traffic-light level of a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Bad,
}

impl ReaderStatus {
    /// Title, the fix in plain words (empty when nothing needs fixing), level.
    pub fn describe(&self, t: &Tr) -> (String, &'static str, Level) {
        match self {
            Self::Simulated => (t.reader_simulated.into(), "", Level::Ok),
            Self::Usb { firmware, .. } => (format!("{} ({firmware})", t.reader_usb), "", Level::Ok),
            Self::UsbNeedsUpdate { .. } => (t.reader_update.into(), t.reader_update_fix, Level::Bad),
            Self::UsbNotOurs { path } => (format!("{} ({path})", t.reader_none), t.reader_not_ours_fix, Level::Bad),
            Self::Pcsc { name, card: true } => (format!("{}: {name}", t.reader_pcsc), "", Level::Ok),
            Self::Pcsc { name, card: false } => {
                (format!("{}: {name} — {}", t.reader_pcsc, t.reader_pcsc_no_card), "", Level::Warn)
            }
            Self::NoService => (t.reader_no_service.into(), t.reader_no_service_fix, Level::Bad),
            Self::None | Self::Unknown => (t.reader_none.into(), t.reader_none_fix, Level::Bad),
        }
    }
}

/// Polls for readers every `every`: cancuoc USB readers first (found by USB ID, plus `extra`
/// ports), then PC/SC. A USB port is opened once to learn whether its firmware speaks our
/// protocol; the answer is remembered until the port goes away. While `busy` is set (a read is
/// running) it keeps its hands off the ports, so it never talks over the read.
pub fn spawn_poller(extra: Vec<String>, every: Duration, busy: Arc<AtomicBool>) -> Arc<Mutex<ReaderStatus>> {
    let status = Arc::new(Mutex::new(ReaderStatus::Unknown));
    let out = status.clone();
    std::thread::spawn(move || {
        let mut known: BTreeMap<String, ReaderStatus> = BTreeMap::new();
        loop {
            if busy.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            let s = poll_once(&extra, &mut known);
            match out.lock() {
                Ok(mut g) => *g = s,
                Err(_) => return,
            }
            if Arc::strong_count(&out) == 1 {
                return; // the app is gone
            }
            std::thread::sleep(every);
        }
    });
    status
}

fn poll_once(extra: &[String], known: &mut BTreeMap<String, ReaderStatus>) -> ReaderStatus {
    let mut ports: Vec<String> = usb_reader::list().into_iter().map(|p| p.path).collect();
    for p in extra {
        if std::path::Path::new(p).exists() && !ports.contains(p) {
            ports.push(p.clone());
        }
    }
    known.retain(|k, _| ports.contains(k));
    for p in &ports {
        let s = known.entry(p.clone()).or_insert_with(|| match usb_reader::UsbReader::open(p) {
            Ok(r) => ReaderStatus::Usb { path: p.clone(), firmware: r.info.firmware.clone() },
            Err(UsbError::Protocol { .. }) => ReaderStatus::UsbNeedsUpdate { path: p.clone() },
            Err(_) => ReaderStatus::UsbNotOurs { path: p.clone() },
        });
        if matches!(s, ReaderStatus::Usb { .. } | ReaderStatus::UsbNeedsUpdate { .. }) {
            return s.clone();
        }
    }
    match pcsc_reader::readers() {
        Ok(rs) => match rs.iter().find(|r| r.card_present).or(rs.first()) {
            Some(r) => ReaderStatus::Pcsc { name: r.name.clone(), card: r.card_present },
            None => known.values().next().cloned().unwrap_or(ReaderStatus::None),
        },
        Err(PcscError::NoService) => ReaderStatus::NoService,
        Err(_) => known.values().next().cloned().unwrap_or(ReaderStatus::None),
    }
}

/// Where a read goes.
#[derive(Clone, Debug)]
pub enum Source {
    /// The built-in card: variant, an optional removal at this APDU, and a per-APDU delay.
    Simulated {
        variant: String,
        remove_at: Option<usize>,
        latency: Duration,
    },
    Usb(String),
    /// A PC/SC reader by name, or the first with a card.
    Pcsc(Option<String>),
}

/// What the worker tells the UI.
pub enum WorkerMsg {
    Progress(Progress),
    Unplugged,
    Done(Box<Result<(CardRead, Option<ReaderReport>), ReadError>>),
}

/// Why a read did not finish.
#[derive(Debug)]
pub enum ReadError {
    /// The core's failure, with what was read before it (kept for "continue").
    Failure(Box<ReadFailure>),
    Usb(UsbError),
    Pcsc(PcscError),
    Cancelled,
    Trust(String),
}

/// A running read.
pub struct ReadJob {
    pub rx: Receiver<WorkerMsg>,
    pub cancel: Arc<AtomicBool>,
}

/// Stops a transport as soon as the clerk cancels.
struct Cancellable<T>(T, Arc<AtomicBool>, Duration);

impl<T: Transport> Transport for Cancellable<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.2.is_zero() {
            std::thread::sleep(self.2);
        }
        if self.1.load(Ordering::Relaxed) {
            return Err(TransportError::Reader("cancelled".into()));
        }
        self.0.transmit(command)
    }
    fn limits(&self) -> TransportLimits {
        self.0.limits()
    }
}

fn trust_for(source: &Source, dir: Option<&std::path::Path>) -> Result<TrustStore, String> {
    match (source, dir) {
        (Source::Simulated { .. }, None) => Ok(cancuoc_sim::trust_store()),
        (_, dir) => TrustDir::new(dir.map(std::path::Path::to_path_buf).unwrap_or_else(trust_store::default_dir))
            .load()
            .map_err(|e| e.to_string()),
    }
}

/// Starts a read. `resume` carries what an interrupted read of the same card got; `trust_dir`
/// replaces the user's trust store (the simulated card uses the test PKI's otherwise).
pub fn start(
    source: Source,
    creds: Credentials,
    resume: Option<PartialRead>,
    trust_dir: Option<std::path::PathBuf>,
) -> ReadJob {
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let c = cancel.clone();
    std::thread::spawn(move || {
        let result = run(&source, &creds, resume, trust_dir.as_deref(), &tx, &c);
        let result = match result {
            Err(ReadError::Failure(f))
                if c.load(Ordering::Relaxed) && !matches!(f.error, cancuoc_core::error::Error::AccessDenied { .. }) =>
            {
                Err(ReadError::Cancelled)
            }
            other => other,
        };
        let _ = tx.send(WorkerMsg::Done(Box::new(result)));
    });
    ReadJob { rx, cancel }
}

fn run(
    source: &Source,
    creds: &Credentials,
    resume: Option<PartialRead>,
    trust_dir: Option<&std::path::Path>,
    tx: &Sender<WorkerMsg>,
    cancel: &Arc<AtomicBool>,
) -> Result<(CardRead, Option<ReaderReport>), ReadError> {
    let trust = trust_for(source, trust_dir).map_err(ReadError::Trust)?;
    let now = now_unix();
    let mut progress = |p: Progress| {
        let _ = tx.send(WorkerMsg::Progress(p));
    };
    let opts = ReadOptions::cccd(&trust, now);
    let mut rng = cancuoc_sim::os_rng();
    match source {
        Source::Simulated { variant, remove_at, latency } => {
            let mut chip: SimChip = cancuoc_sim::simulated_card(variant)
                .ok_or_else(|| ReadError::Trust(format!("unknown simulated card {variant:?}")))?;
            if let Some(at) = remove_at {
                chip.inject(*at, Fault::Remove);
            }
            let t = Cancellable(chip, cancel.clone(), *latency);
            read_card(t, creds, &opts, &mut rng, resume, &mut progress)
                .map(|r| (r, None))
                .map_err(|f| ReadError::Failure(Box::new(f)))
        }
        Source::Pcsc(name) => {
            let t = match name {
                Some(n) => PcscTransport::connect(n),
                None => PcscTransport::first_with_card().map(|(_, t)| t),
            }
            .map_err(ReadError::Pcsc)?;
            read_card(Cancellable(t, cancel.clone(), Duration::ZERO), creds, &opts, &mut rng, resume, &mut progress)
                .map(|r| (r, None))
                .map_err(|f| ReadError::Failure(Box::new(f)))
        }
        Source::Usb(path) => {
            let mut unplug = || {
                let _ = tx.send(WorkerMsg::Unplugged);
            };
            usb_reader::read_verified(path, creds, &trust, now, &mut progress, cancel, &mut unplug)
                .map(|(r, info)| (r, Some(info)))
                .map_err(|e| match e {
                    UsbError::Reader { code: cancuoc_link::ErrorCode::Cancelled, .. } => ReadError::Cancelled,
                    e => ReadError::Usb(e),
                })
        }
    }
}
