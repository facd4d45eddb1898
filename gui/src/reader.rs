//! Readers: which one is there (polled in the background, always shown), and the read itself on
//! a worker thread that reports progress to the UI over a channel. The read is the bridge's one
//! read path: the simulated card, any PC/SC reader, or a cancuoc USB reader.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cancuoc_bridge::ReaderReport;
use cancuoc_bridge::read::{Hooks, Trust};
use cancuoc_bridge::transport::pcsc::{self, PcscError};
use cancuoc_bridge::transport::usb::{self, UsbError};
use cancuoc_core::Credentials;
use cancuoc_core::read::{CardRead, PartialRead, Progress};

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
    let mut ports: Vec<String> = usb::list().into_iter().map(|p| p.path).collect();
    for p in extra {
        if std::path::Path::new(p).exists() && !ports.contains(p) {
            ports.push(p.clone());
        }
    }
    known.retain(|k, _| ports.contains(k));
    for p in &ports {
        let s = known.entry(p.clone()).or_insert_with(|| match usb::UsbReader::open(p) {
            Ok(r) => ReaderStatus::Usb { path: p.clone(), firmware: r.info.firmware.clone() },
            Err(UsbError::Protocol { .. }) => ReaderStatus::UsbNeedsUpdate { path: p.clone() },
            Err(_) => ReaderStatus::UsbNotOurs { path: p.clone() },
        });
        if matches!(s, ReaderStatus::Usb { .. } | ReaderStatus::UsbNeedsUpdate { .. }) {
            return s.clone();
        }
    }
    match pcsc::readers() {
        Ok(rs) => match rs.iter().find(|r| r.card_present).or(rs.first()) {
            Some(r) => ReaderStatus::Pcsc { name: r.name.clone(), card: r.card_present },
            None => known.values().next().cloned().unwrap_or(ReaderStatus::None),
        },
        Err(PcscError::NoService) => ReaderStatus::NoService,
        Err(_) => known.values().next().cloned().unwrap_or(ReaderStatus::None),
    }
}

/// Where a read goes: the bridge's sources (the simulated card, a PC/SC reader, a USB reader).
pub use cancuoc_bridge::read::{Error as ReadError, Source};

/// What the worker tells the UI.
pub enum WorkerMsg {
    Progress(Progress<'static>),
    /// The holder's name and ID number from DG13 as it was read — not yet verified: shown with
    /// "being checked" until the verdict comes.
    Holder {
        name: String,
        id_number: String,
    },
    Unplugged,
    Done(Box<Result<(CardRead, Option<ReaderReport>), ReadError>>),
}

/// A running read.
pub struct ReadJob {
    pub rx: Receiver<WorkerMsg>,
    pub cancel: Arc<AtomicBool>,
}

/// Starts a read through the bridge (`cancuoc_bridge::read::read`, as the CLI and the API do).
/// `resume` carries what an interrupted read of the same card got; `trust_dir` replaces the
/// user's trust store (the simulated card uses the test PKI's otherwise).
pub fn start(
    source: Source,
    creds: Credentials,
    resume: Option<PartialRead>,
    trust_dir: Option<std::path::PathBuf>,
    challenge: Option<[u8; 8]>,
) -> ReadJob {
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let c = cancel.clone();
    std::thread::spawn(move || {
        let trust = trust_dir.map_or(Trust::Default, Trust::Dir);
        let progress_tx = tx.clone();
        let unplug_tx = tx.clone();
        let hooks = Hooks {
            progress: &mut |p| {
                if let (cancuoc_core::files::FileId::Dg(13), Some(bytes)) = (p.file, p.data)
                    && let Ok(dg13) = cancuoc_core::lds::dg13::parse(bytes)
                    && let Some(name) = dg13.full_name
                {
                    let id_number = dg13.id_number.unwrap_or_default();
                    let _ = progress_tx.send(WorkerMsg::Holder { name, id_number });
                }
                let _ = progress_tx.send(WorkerMsg::Progress(Progress { data: None, ..p }));
            },
            unplugged: &mut || {
                let _ = unplug_tx.send(WorkerMsg::Unplugged);
            },
            cancel: &c,
            trace: None,
        };
        let result =
            cancuoc_bridge::read::read(&source, &creds, &trust, resume, challenge, hooks).map(|o| (o.card, o.reader));
        let _ = tx.send(WorkerMsg::Done(Box::new(result)));
    });
    ReadJob { rx, cancel }
}
