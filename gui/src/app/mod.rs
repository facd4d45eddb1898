//! The app's state and what the clerk can do to it, one file per concern: the access key
//! (`access`), reading the card (`reading`), the keyboard and scanner (`keys`), consent and
//! sending (`sending`), printing and saving files (`printing`), History and the holder's rights
//! (`history`), the ward counters' forms (`forms`), settings (`settings`), starting (`start`).
//! Drawing is in `ui/`;
//! nothing here draws.

mod access;
mod face;
pub mod forms;
mod history;
mod keys;
mod printing;
mod reading;
mod sending;
mod settings;
mod start;

pub use face::{FaceCheck, FaceStep, Taken};
pub use forms::{FormConsent, FormPerson, FormSession};

use crate::i18n::LangExt;
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cancuoc_bridge::Report;
use cancuoc_core::access::TypedKey;
use cancuoc_core::error::Error;
use cancuoc_core::read::{PartialRead, Progress};
use cancuoc_core::{AccessKey, Credentials, TransportError};
use eframe::egui;

use crate::checkin::{BhytState, Checkin};
use crate::consent::{Field, Purpose, field_keys};
use crate::i18n::{Lang, Tr};
use crate::qr;
use crate::reader::{self, ReadError, ReadJob, ReaderStatus, Source, WorkerMsg};
use crate::store::{AuditRow, CheckinRow, Settings, Store};
use cancuoc_bridge::his::bhyt::{self, Account, Answer, NotChecked, Query};

/// How the app was started.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Run against the built-in simulated card, with the simulated insurer and HIS.
    pub demo: bool,
    /// Where the database lives (`None`: the user's data directory; demo: memory only).
    pub data_dir: Option<std::path::PathBuf>,
    pub lang: Option<Lang>,
    pub large_text: bool,
    /// Delay per APDU on the simulated card (a realistic read takes a second or two).
    pub sim_latency: Duration,
    /// Extra serial ports to look for a cancuoc USB reader on.
    pub usb_ports: Vec<String>,
    /// The trust store (CSCA certificates) to verify with, instead of the user's.
    pub trust_dir: Option<std::path::PathBuf>,
    /// The site's PostgreSQL server (`postgres://…`), shared by every counter; `None`: this
    /// PC's own SQLite file.
    pub database_url: Option<String>,
    /// This counter's name on the site server (default: the PC's name).
    pub counter: Option<String>,
    /// A picture file that stands in for the camera (the demo, the tests, a PC without one).
    pub camera_file: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Checkin,
    History,
    /// The privacy officer's page: a citizen's requests, the register.
    Privacy,
    Settings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    /// The 12-digit ID number alone (its last 6 digits are the PACE CAN), or a 6-digit CAN.
    IdNumber,
    /// ID number (or MRZ document number) with the dates, for BAC.
    Mrz,
}

/// What the clerk typed (or the scanner filled).
#[derive(Clone, Debug, Default)]
pub struct KeyEntry {
    /// The quick field: the 12-digit ID number, or a 6-digit CAN.
    pub id_or_can: String,
    pub id_number: String,
    pub document_number: String,
    pub dob: String,
    pub expiry: String,
    /// A note shown under the fields (QR scanned, expiry derived, …).
    pub note: Option<String>,
}

/// The training scenarios of demo mode: a card variant and whether it is pulled away mid-read.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub variant: String,
    pub remove_mid_read: bool,
}

/// The APDU at which the "pulled away" scenario removes the card: the READ BINARY of DG2 (the
/// photo; the 12th APDU of the default card: EF.CardAccess 2, PACE 5, SELECT, EF.COM, EF.SOD,
/// DG1), so the files before it are kept and the rest continues.
pub const DEMO_REMOVE_AT: usize = 11;

pub enum Phase {
    Entry {
        error: Option<String>,
    },
    Reading {
        files: Vec<Progress<'static>>,
        job: ReadJob,
        unplugged: bool,
        resumed: bool,
        holder: Option<(String, String)>,
    },
    Interrupted {
        message: String,
        partial: PartialRead,
    },
    Result,
}

/// A file waiting for the clerk to choose where it goes (the save dialog).
pub struct PendingSave {
    pub name: String,
    pub bytes: Vec<u8>,
    /// The folder, as the clerk edits it (the export folder of the settings to start with;
    /// empty in demo mode, which writes nothing unless the clerk names a folder).
    pub folder: String,
    /// The audit row written once the file is saved: action, purpose, field names, detail.
    pub audit: (String, Option<String>, String, String),
    /// The notice shown once saved (the path follows it).
    pub done_text: &'static str,
    /// The visit the audit row names (the current one's, or a History row's for a reprint).
    pub checkin: Option<i64>,
    /// A document to print on a PC without a print command: opened in the default viewer once
    /// saved, and what its printing means follows.
    pub print: Option<AfterPrint>,
}

/// What a document printed through the viewer means once it is saved.
#[derive(Clone, Debug, PartialEq)]
pub enum AfterPrint {
    /// Nothing more (the slip, a form, the receipt).
    Nothing,
    /// The consent slip with this number: the answer will be recorded as the signed slip's.
    ConsentSlip(String),
}

/// A pending consent question.
pub struct ConsentAsk {
    pub purpose: Purpose,
    pub fields: Vec<Field>,
    /// What to do once agreed.
    pub then: Action,
    /// Asked on the citizen's screen (the clerk's screen only shows the answers as they come).
    pub on_citizen_screen: bool,
    /// When it was asked (the citizen's screen times out).
    pub asked_at: std::time::Instant,
    /// The clerk takes the answer instead (the citizen cannot use the screen): the reason.
    pub clerk_reason: Option<String>,
    /// The reason as the clerk types it.
    pub reason_draft: String,
    /// The printed slip's number, once printed: the answer is then the signed slip's.
    pub slip: Option<String>,
}

/// Something that sends data out; needs the purpose's consent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Bhyt,
    History,
    His,
    Csv,
    Fhir,
    Print,
    Copy,
    /// The visit evidence record (its own consent).
    Evidence,
    /// The face comparison (its own consent; nothing leaves the PC).
    Face,
}

impl Action {
    pub fn purpose(self) -> Purpose {
        match self {
            Action::Bhyt => Purpose::Bhyt,
            Action::History => Purpose::History,
            Action::His => Purpose::His,
            Action::Evidence => Purpose::Evidence,
            Action::Face => Purpose::Face,
            _ => Purpose::Export,
        }
    }
    fn key(self) -> &'static str {
        match self {
            Action::Bhyt => "bhyt",
            Action::History => "bhyt_history",
            Action::His => "his",
            Action::Csv => "export_csv",
            Action::Fhir => "export_fhir",
            Action::Print => "print",
            Action::Copy => "copy",
            Action::Evidence => "export_evidence",
            Action::Face => "face_compare",
        }
    }
}

/// A short message at the bottom of the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub good: bool,
}

pub struct App {
    pub opts: Options,
    pub settings: Settings,
    /// The settings page's working copy; saved on "Save".
    pub draft: Settings,
    pub draft_password: String,
    pub store: Store,
    pub tab: Tab,
    pub reader: Arc<Mutex<ReaderStatus>>,
    /// Set while a read runs (the reader poller stays off the ports then).
    reading: Arc<std::sync::atomic::AtomicBool>,
    pub key_mode: KeyMode,
    pub key: KeyEntry,
    pub scenario: Scenario,
    pub phase: Phase,
    pub checkin: Option<Checkin>,
    pub photo_texture: Option<Result<egui::TextureHandle, String>>,
    pub consent: Option<ConsentAsk>,
    /// The declaration form being filled (ward and police counters).
    pub form: Option<FormSession>,
    /// The visit of the read under way or on screen (its challenge went to the chip).
    pub visit: Option<cancuoc_bridge::his::evidence::Visit>,
    pub notice: Option<Notice>,
    pub wedge: qr::WedgeDetector,
    wedge_snapshot: Option<(KeyMode, KeyEntry)>,
    bhyt_rx: Option<Receiver<Result<Answer, NotChecked>>>,
    history_rx: Option<Receiver<Result<bhyt::History, NotChecked>>>,
    his_rx: Option<Receiver<Result<Option<String>, sending::HisError>>>,
    /// The simulated insurer and HIS of demo mode (stop when the app does).
    pub hospital: Option<cancuoc_bridge::demo::hospital::Hospital>,
    pub last_purge: f64,
    /// Move keyboard focus to the first key field on the next frame.
    pub focus_key_field: bool,
    /// Text for the clipboard, handed to egui on the next frame.
    pub pending_copy: Option<String>,
    /// Whether our fonts and style are installed (they take effect a frame later).
    pub fonts_ready: bool,
    /// The language of the citizen's screen (the citizen switches it).
    pub citizen_lang: crate::i18n::Lang,
    /// A file the clerk asked to save, waiting for them to choose where (nothing is written
    /// before they do).
    pub pending_save: Option<PendingSave>,
    /// The privacy page: the report on screen, the purpose to withdraw, the erasure's tick.
    pub privacy_shown: Option<cancuoc_bridge::privacy::Report>,
    pub privacy_purpose: String,
    pub privacy_confirm_erase: bool,
    /// The settings page is open for changes (the PIN was given, or none is set); locked again
    /// when the clerk leaves the page.
    pub settings_unlocked: bool,
    /// The PIN as typed on the lock screen.
    pub pin_entry: String,
    /// Wrong PINs in a row, and until when no more are taken.
    pub pin_wrong: u32,
    pub pin_wait_until: Option<std::time::Instant>,
    /// The new PIN as typed twice, and "remove the lock", on the settings page.
    pub draft_pin: (String, String),
    pub draft_pin_remove: bool,
    /// The site's table of facility names (`co-so-kcb.tsv` in the data folder; docs/desk.md).
    pub facility_names: BTreeMap<String, String>,
    /// History's search, as typed.
    pub history_query: String,
    /// A saved visit the clerk is cancelling (the dialog asks why first), with the reason typed.
    pub cancelling: Option<(CheckinRow, String)>,
    /// The window title last set.
    pub shown_title: &'static str,
    /// The first person's read, kept while the form waits for another person's card ("back to
    /// the form" returns to it).
    pub form_return: Option<(Checkin, Option<Result<egui::TextureHandle, String>>)>,
    /// The face comparison under way (its pictures live only here, dropped when it closes).
    pub face: Option<FaceCheck>,
    /// The face networks, loaded the first time they are needed.
    face_models: Option<std::sync::Arc<cancuoc_face::FaceModels>>,
}

/// Today as `dd/mm/yyyy`, local time.
pub fn today() -> String {
    chrono::Local::now().format("%d/%m/%Y").to_string()
}
pub fn now_ts() -> i64 {
    chrono::Local::now().timestamp()
}
pub fn format_ts(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

impl App {
    pub fn tr(&self) -> &'static Tr {
        self.settings.lang.tr()
    }
    pub fn lang(&self) -> Lang {
        self.settings.lang
    }
    /// A ward or commune-police counter (forms), not a hospital reception.
    pub fn office(&self) -> bool {
        self.settings.counter_mode != crate::store::CounterMode::Hospital
    }
    /// The counter's own words: the window title, the first tab, the save button.
    pub fn counter_words(&self) -> (&'static str, &'static str, &'static str) {
        let t = self.tr();
        if self.office() {
            (t.app_title_office, t.tab_office, t.save_visit_office)
        } else {
            (t.app_title, t.tab_checkin, t.save_checkin)
        }
    }
    pub fn reader_status(&self) -> ReaderStatus {
        self.reader.lock().map(|s| s.clone()).unwrap_or(ReaderStatus::Unknown)
    }
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Reading { .. })
            || self.bhyt_rx.is_some()
            || self.history_rx.is_some()
            || self.his_rx.is_some()
            || self.face.as_ref().is_some_and(|f| matches!(f.step, FaceStep::Taking(_)))
    }
    /// A new visit: this site, this counter, a fresh visit id, now, a fresh nonce.
    fn new_visit(&self) -> Option<cancuoc_bridge::his::evidence::Visit> {
        let site = if self.settings.site_id.trim().is_empty() { "-" } else { self.settings.site_id.trim() };
        let counter = self.opts.counter.clone().unwrap_or_else(crate::store::host_name);
        let mut id = [0u8; 6];
        getrandom::fill(&mut id).ok()?;
        let visit: String = id.iter().map(|b| format!("{b:02x}")).collect();
        cancuoc_bridge::his::evidence::Visit::now(site, &counter, &visit).ok()
    }

    fn notice(&mut self, text: impl Into<String>, good: bool) {
        self.notice = Some(Notice { text: text.into(), good });
    }
}

/// The site's table of facility names in the data folder: `code<TAB>name` a line.
pub const FACILITY_TABLE: &str = "co-so-kcb.tsv";

/// The user's data directory for the database (`$CANCUOC_DATA_DIR` overrides).
pub fn default_data_dir() -> std::path::PathBuf {
    std::env::var_os("CANCUOC_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dirs::data_local_dir().unwrap_or_else(std::env::temp_dir).join("cancuoc"))
}
