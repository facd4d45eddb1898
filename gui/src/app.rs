//! The app's state and what the clerk can do to it. Drawing is in `ui/`; nothing here draws.

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

use crate::bhyt::{self, BhytConfig, BhytQuery, BhytResult, NotChecked};
use crate::checkin::{BhytState, Checkin};
use crate::consent::{Field, Purpose, field_keys};
use crate::i18n::{Lang, Tr};
use crate::qr;
use crate::reader::{self, ReadError, ReadJob, ReaderStatus, Source, WorkerMsg};
use crate::store::{AuditRow, CheckinRow, Settings, Store};

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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Checkin,
    History,
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

/// The APDU at which the "pulled away" scenario removes the card: after DG1 and while DG2
/// (the photo) is being read, so part is kept and the rest continues.
pub const DEMO_REMOVE_AT: usize = 24;

pub enum Phase {
    Entry { error: Option<String> },
    Reading { files: Vec<Progress>, job: ReadJob, unplugged: bool, resumed: bool },
    Interrupted { message: String, partial: PartialRead },
    Result,
}

/// A pending consent question.
pub struct ConsentAsk {
    pub purpose: Purpose,
    pub fields: Vec<Field>,
    /// What to do once agreed.
    pub then: Action,
}

/// Something that sends data out; needs the purpose's consent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Bhyt,
    His,
    Csv,
    Fhir,
    Print,
    Copy,
}

impl Action {
    pub fn purpose(self) -> Purpose {
        match self {
            Action::Bhyt => Purpose::Bhyt,
            Action::His => Purpose::His,
            _ => Purpose::Export,
        }
    }
    fn key(self) -> &'static str {
        match self {
            Action::Bhyt => "bhyt",
            Action::His => "his",
            Action::Csv => "export_csv",
            Action::Fhir => "export_fhir",
            Action::Print => "print",
            Action::Copy => "copy",
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
    pub notice: Option<Notice>,
    pub wedge: qr::WedgeDetector,
    wedge_snapshot: Option<(KeyMode, KeyEntry)>,
    bhyt_rx: Option<Receiver<Result<BhytResult, NotChecked>>>,
    his_rx: Option<Receiver<Result<u16, String>>>,
    /// The simulated insurer and HIS of demo mode (stop when the app does).
    pub hospital: Option<cancuoc_bridge::demo::hospital::Hospital>,
    pub last_purge: f64,
    /// Move keyboard focus to the first key field on the next frame.
    pub focus_key_field: bool,
    /// Text for the clipboard, handed to egui on the next frame.
    pub pending_copy: Option<String>,
    /// Whether our fonts and style are installed (they take effect a frame later).
    pub fonts_ready: bool,
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
    pub fn new(opts: Options) -> Result<App, String> {
        let store = if let Some(url) = &opts.database_url {
            let counter = opts.counter.clone().unwrap_or_else(crate::store::host_name);
            // Audit rows that cannot reach the server by closing time wait in the data folder
            // (not in demo mode, which writes nothing to disk unless given a folder).
            let spool = if opts.demo {
                opts.data_dir.clone()
            } else {
                Some(opts.data_dir.clone().unwrap_or_else(default_data_dir))
            };
            Store::connect(url, &counter).map(|s| match spool {
                Some(dir) => s.with_spool(&dir),
                None => s,
            })
        } else if opts.demo && opts.data_dir.is_none() {
            Store::in_memory()
        } else {
            let dir = opts.data_dir.clone().unwrap_or_else(default_data_dir);
            Store::open(&dir)
        }
        .map_err(|e| e.to_string())?;
        let mut settings = store.settings().map_err(|e| e.to_string())?;
        let mut hospital = None;
        if opts.demo {
            // Demo: a clerk, and the simulated insurer and HIS on loopback, so every step works.
            let h = cancuoc_bridge::demo::hospital::Hospital::start(Default::default()).map_err(|e| e.to_string())?;
            if settings.clerk_name.is_empty() {
                settings.clerk_name = "Lê Văn Tiếp (demo)".into();
                settings.clerk_id = "001090000001".into();
            }
            settings.bhyt_url = h.base_url();
            settings.bhyt_user = h.username().into();
            settings.bhyt_password_md5 = bhyt::md5_hex(h.password());
            settings.his_url = h.his_url();
            hospital = Some(h);
        }
        if let Some(l) = opts.lang {
            settings.lang = l;
        }
        settings.large_text |= opts.large_text;
        let reading = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = if opts.demo {
            Arc::new(Mutex::new(ReaderStatus::Simulated))
        } else {
            reader::spawn_poller(opts.usb_ports.clone(), Duration::from_secs(2), reading.clone())
        };
        let _ = store.purge(now_ts(), &settings);
        Ok(App {
            draft: settings.clone(),
            draft_password: String::new(),
            settings,
            store,
            tab: Tab::Checkin,
            reader,
            reading,
            key_mode: KeyMode::IdNumber,
            key: KeyEntry::default(),
            scenario: Scenario { variant: "rsa".into(), remove_mid_read: false },
            phase: Phase::Entry { error: None },
            checkin: None,
            photo_texture: None,
            consent: None,
            notice: None,
            wedge: qr::WedgeDetector::default(),
            wedge_snapshot: None,
            bhyt_rx: None,
            his_rx: None,
            hospital,
            last_purge: 0.0,
            focus_key_field: true,
            pending_copy: None,
            fonts_ready: false,
            opts,
        })
    }

    pub fn tr(&self) -> &'static Tr {
        self.settings.lang.tr()
    }
    pub fn lang(&self) -> Lang {
        self.settings.lang
    }
    pub fn reader_status(&self) -> ReaderStatus {
        self.reader.lock().map(|s| s.clone()).unwrap_or(ReaderStatus::Unknown)
    }
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Reading { .. }) || self.bhyt_rx.is_some() || self.his_rx.is_some()
    }
    fn notice(&mut self, text: impl Into<String>, good: bool) {
        self.notice = Some(Notice { text: text.into(), good });
    }

    // ---- access key --------------------------------------------------------------------------

    /// The credentials from what was typed (the core's one rule, `Credentials::from_typed`), or
    /// what is missing.
    pub fn credentials(&self) -> Result<Credentials, String> {
        let t = self.tr();
        let k = &self.key;
        let typed = match self.key_mode {
            KeyMode::IdNumber => {
                let digits: String = k.id_or_can.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.len() == 12 {
                    // Dates known (from a QR scan) make BAC possible if the chip refuses PACE.
                    let (dob, exp) = (k.dob.trim(), k.expiry.trim());
                    let dates = (!dob.is_empty() && !exp.is_empty())
                        .then_some((dob, exp))
                        .filter(|(d, e)| AccessKey::from_cccd_number(&digits, d, e).is_ok());
                    let typed = TypedKey {
                        id_number: Some(&digits),
                        date_of_birth: dates.map(|d| d.0),
                        date_of_expiry: dates.map(|d| d.1),
                        ..TypedKey::default()
                    };
                    return Credentials::from_typed(&typed, None).map_err(|_| t.can_invalid.to_string());
                }
                let typed = TypedKey { can: Some(&digits), ..TypedKey::default() };
                return Credentials::from_typed(&typed, None).map_err(|_| t.can_invalid.to_string());
            }
            KeyMode::Mrz => {
                let (dob, exp) = (k.dob.trim(), k.expiry.trim());
                if dob.is_empty() || exp.is_empty() {
                    return Err(t.dates_needed.into());
                }
                // The document number when typed; else PACE with the ID number's CAN first, BAC
                // with these fields if the chip refuses.
                let doc = k.document_number.trim();
                TypedKey {
                    id_number: doc.is_empty().then_some(k.id_number.trim()),
                    document_number: Some(doc).filter(|d| !d.is_empty()),
                    date_of_birth: Some(dob),
                    date_of_expiry: Some(exp),
                    can: None,
                }
            }
        };
        Credentials::from_typed(&typed, None).map_err(|e| e.to_string())
    }

    /// Where reads go now.
    pub fn source(&self) -> Result<Source, String> {
        if self.opts.demo {
            return Ok(Source::Simulated {
                variant: self.scenario.variant.clone(),
                remove_at: self.scenario.remove_mid_read.then_some(DEMO_REMOVE_AT),
                latency: self.opts.sim_latency,
            });
        }
        match self.reader_status() {
            ReaderStatus::Usb { path, .. } => Ok(Source::Usb(path)),
            ReaderStatus::Pcsc { name, .. } => Ok(Source::Pcsc(Some(name))),
            other => {
                let (title, fix, _) = other.describe(self.tr());
                Err(format!("{title}. {fix}"))
            }
        }
    }

    /// Enter on the entry screen: read the card.
    pub fn start_read(&mut self) {
        if matches!(self.phase, Phase::Reading { .. }) {
            return;
        }
        let creds = match self.credentials() {
            Ok(c) => c,
            Err(e) => {
                self.phase = Phase::Entry { error: Some(e) };
                return;
            }
        };
        let source = match self.source() {
            Ok(s) => s,
            Err(e) => {
                self.phase = Phase::Entry { error: Some(e) };
                return;
            }
        };
        self.clear_person();
        self.reading.store(true, std::sync::atomic::Ordering::Relaxed);
        self.phase = Phase::Reading {
            files: Vec::new(),
            job: reader::start(source, creds, None, self.opts.trust_dir.clone()),
            unplugged: false,
            resumed: false,
        };
    }

    /// "Continue" after the card was taken away: a new session, keeping what was read.
    pub fn continue_read(&mut self) {
        let Phase::Interrupted { partial, .. } = &self.phase else { return };
        let partial = partial.clone();
        let (Ok(creds), Ok(mut source)) = (self.credentials(), self.source()) else {
            self.phase = Phase::Entry { error: None };
            return;
        };
        // The card is back on the reader: in demo mode it is not pulled away a second time.
        if let Source::Simulated { remove_at, .. } = &mut source {
            *remove_at = None;
        }
        self.reading.store(true, std::sync::atomic::Ordering::Relaxed);
        self.phase = Phase::Reading {
            files: Vec::new(),
            job: reader::start(source, creds, Some(partial), self.opts.trust_dir.clone()),
            unplugged: false,
            resumed: true,
        };
    }

    pub fn cancel(&mut self) {
        match &self.phase {
            Phase::Reading { job, .. } => job.cancel.store(true, std::sync::atomic::Ordering::Relaxed),
            Phase::Interrupted { .. } => self.phase = Phase::Entry { error: None },
            _ => {}
        }
    }

    /// Esc on the result: forget this person and get ready for the next.
    pub fn next_person(&mut self) {
        self.clear_person();
        self.key = KeyEntry::default();
        self.phase = Phase::Entry { error: None };
        self.focus_key_field = true;
    }

    fn clear_person(&mut self) {
        self.checkin = None;
        self.photo_texture = None;
        self.consent = None;
        self.bhyt_rx = None;
        self.his_rx = None;
        self.notice = None;
    }

    /// Handles the scanner's text: fills the key from the QR code.
    pub fn apply_qr(&mut self, text: &str) -> bool {
        let t = self.tr();
        if let Some((mode, key)) = self.wedge_snapshot.take() {
            // Undo whatever of the burst reached the focused field before it was recognised.
            self.key_mode = mode;
            self.key = key;
        }
        let Some(q) = qr::parse(text) else {
            self.key.note = Some(t.qr_unreadable.into());
            return false;
        };
        // The ID number alone opens the chip; the dates are kept for BAC if the chip refuses PACE.
        self.key_mode = KeyMode::IdNumber;
        self.key.id_or_can = q.id_number.clone();
        self.key.id_number = q.id_number.clone();
        self.key.document_number.clear();
        self.key.dob = q.date_of_birth.clone();
        let derived = qr::Date::parse(&q.date_of_birth)
            .zip(qr::Date::parse(&q.date_of_issue))
            .and_then(|(d, i)| qr::derive_expiry(d, i));
        let scanned = match q.generation {
            cancuoc_core::lds::dg13::Generation::CanCuoc2024 => t.qr_scanned_2024,
            cancuoc_core::lds::dg13::Generation::Cccd2021 => t.qr_scanned,
        };
        match derived {
            Some(e) => {
                self.key.expiry = e.dmy();
                self.key.note = Some(format!("{scanned} {}", t.qr_expiry_derived));
            }
            None => {
                self.key.expiry.clear();
                self.key.note = Some(format!("{scanned} {}", t.qr_no_expiry));
            }
        }
        // The ID number alone opens the chip: read at once.
        true
    }

    /// Keyboard handling before widgets draw: scanner bursts, Enter and Escape.
    pub fn handle_keys(&mut self, ctx: &egui::Context) {
        let on_entry = self.tab == Tab::Checkin && matches!(self.phase, Phase::Entry { .. });
        let mut enter = false;
        let mut escape = false;
        let mut scanned: Option<String> = None;
        let now = ctx.input(|i| i.time);
        ctx.input_mut(|i| {
            let mut keep = Vec::with_capacity(i.events.len());
            for ev in i.events.drain(..) {
                match &ev {
                    egui::Event::Text(t) if on_entry => {
                        if self.wedge.starts_burst(now) {
                            self.wedge_snapshot = Some((self.key_mode, self.key.clone()));
                        }
                        if self.wedge.text(t, now) {
                            continue; // part of a scanner burst: not for the focused field
                        }
                        keep.push(ev);
                    }
                    egui::Event::Key { key: egui::Key::Enter, pressed: true, .. } => {
                        if on_entry && let Some(s) = self.wedge.enter(now) {
                            scanned = Some(s);
                            continue;
                        }
                        enter = true;
                        keep.push(ev);
                    }
                    egui::Event::Key { key: egui::Key::Escape, pressed: true, .. } => {
                        escape = true;
                        keep.push(ev);
                    }
                    _ => keep.push(ev),
                }
            }
            i.events = keep;
        });
        if let Some(s) = scanned {
            if self.apply_qr(&s) {
                self.start_read();
            }
            return;
        }
        if self.consent.is_some() {
            if escape {
                self.refuse_consent();
            }
            return; // the dialog's own buttons take Enter
        }
        if self.tab != Tab::Checkin {
            return;
        }
        match &self.phase {
            Phase::Entry { .. } if enter => self.start_read(),
            Phase::Reading { .. } if escape => self.cancel(),
            Phase::Interrupted { .. } if enter => self.continue_read(),
            Phase::Interrupted { .. } if escape => self.cancel(),
            Phase::Result if escape => self.next_person(),
            _ => {}
        }
    }

    // ---- background work ---------------------------------------------------------------------

    /// Takes what the workers sent since the last frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let mut done = None;
        if let Phase::Reading { files, job, unplugged, .. } = &mut self.phase {
            while let Ok(m) = job.rx.try_recv() {
                match m {
                    WorkerMsg::Progress(p) => match files.iter_mut().find(|f| f.file == p.file) {
                        Some(f) => *f = p,
                        None => files.push(p),
                    },
                    WorkerMsg::Unplugged => *unplugged = true,
                    WorkerMsg::Done(r) => done = Some(*r),
                }
            }
        }
        if let Some(r) = done {
            self.finish_read(ctx, r);
        }
        if let Some(rx) = &self.bhyt_rx
            && let Ok(r) = rx.try_recv()
        {
            self.bhyt_rx = None;
            if let Some(c) = &mut self.checkin {
                c.bhyt = match r {
                    Ok(res) => BhytState::Done(res),
                    Err(e) => BhytState::NotChecked(Some(e)),
                };
            }
        }
        if let Some(rx) = &self.his_rx
            && let Ok(r) = rx.try_recv()
        {
            self.his_rx = None;
            let t = self.tr();
            match r {
                Ok(_) => self.notice(t.his_sent, true),
                Err(e) => self.notice(e, false),
            }
        }
        // Retention: purge hourly while the app runs.
        let now = ctx.input(|i| i.time);
        if now - self.last_purge > 3600.0 {
            self.last_purge = now;
            let _ = self.store.purge(now_ts(), &self.settings);
        }
    }

    fn finish_read(
        &mut self,
        ctx: &egui::Context,
        r: Result<(cancuoc_core::read::CardRead, Option<cancuoc_bridge::ReaderReport>), ReadError>,
    ) {
        let t = self.tr();
        self.reading.store(false, std::sync::atomic::Ordering::Relaxed);
        match r {
            Ok((read, usb)) => {
                let mut report = Report::from_read(&read);
                report.reader = usb;
                let photo = read.dg2.as_ref().and_then(|d| d.faces.first()).map(|f| (f.image.clone(), f.format.mime()));
                self.photo_texture = photo.as_ref().map(|(b, mime)| {
                    crate::photo::decode(b, mime).map(|img| ctx.load_texture("face", img, egui::TextureOptions::LINEAR))
                });
                self.checkin = Some(Checkin {
                    failures: read.verdict.failures(),
                    report,
                    photo,
                    reason: String::new(),
                    service: 0,
                    bhyt: BhytState::NotChecked(None),
                    consents: BTreeMap::new(),
                    saved: None,
                    queue_no: None,
                });
                self.phase = Phase::Result;
            }
            Err(ReadError::Card(f)) => {
                let removed = matches!(
                    f.error,
                    Error::Transport { error: TransportError::CardRemoved | TransportError::Timeout, .. }
                );
                let denied = matches!(f.error, Error::AccessDenied { .. } | Error::Key(_) | Error::NeedCredential(_));
                if denied {
                    self.phase = Phase::Entry { error: Some(t.access_denied.into()) };
                } else if removed || !f.partial.complete.is_empty() {
                    self.phase = Phase::Interrupted { message: f.error.to_string(), partial: f.partial };
                } else {
                    self.phase = Phase::Entry { error: Some(format!("{}: {}", t.reader_error, f.error)) };
                }
            }
            Err(ReadError::Cancelled) => {
                self.phase = Phase::Entry { error: None };
                self.notice(t.cancelled, false);
            }
            Err(ReadError::Usb(e)) => {
                let msg = match e.kind() {
                    "access_denied" => t.access_denied.to_string(),
                    "no_card" => t.no_card.to_string(),
                    _ => format!("{}: {e}", t.reader_error),
                };
                self.phase = Phase::Entry { error: Some(msg) };
            }
            Err(ReadError::Pcsc(pe)) => {
                let msg = match pe {
                    cancuoc_bridge::pcsc_reader::PcscError::NoCard(_) => t.no_card.to_string(),
                    e => format!("{}: {e}", t.reader_error),
                };
                self.phase = Phase::Entry { error: Some(msg) };
            }
            Err(e @ (ReadError::TrustStore(_) | ReadError::UnknownVariant(_) | ReadError::NoDemo)) => {
                self.phase = Phase::Entry { error: Some(e.to_string()) }
            }
            Err(ReadError::NoUsbReader) => {
                self.phase = Phase::Entry { error: Some(format!("{}: {}", t.reader_error, ReadError::NoUsbReader)) }
            }
        }
    }

    // ---- consent and sending -----------------------------------------------------------------

    /// A button that sends data: asks consent for its purpose unless already given.
    pub fn request(&mut self, action: Action) {
        let Some(c) = &self.checkin else { return };
        let purpose = action.purpose();
        if c.consents.contains_key(&purpose) {
            self.perform(action);
            return;
        }
        self.consent = Some(ConsentAsk { purpose, fields: purpose.defaults(), then: action });
    }

    /// The citizen agreed: record it, then do what was asked.
    pub fn agree_consent(&mut self) {
        let Some(ask) = self.consent.take() else { return };
        let mut fields = ask.fields.clone();
        for r in ask.purpose.required() {
            if !fields.contains(r) {
                fields.push(*r);
            }
        }
        fields.sort();
        self.audit("consent", Some(ask.purpose), &fields, "");
        if let Some(c) = &mut self.checkin {
            c.consents.insert(ask.purpose, fields);
        }
        self.perform(ask.then);
    }

    /// The citizen did not agree: nothing is sent; the refusal is logged.
    pub fn refuse_consent(&mut self) {
        let Some(ask) = self.consent.take() else { return };
        self.audit("refused", Some(ask.purpose), &[], "");
        let t = self.tr();
        self.notice(t.consent_refused, false);
    }

    fn audit(&self, action: &str, purpose: Option<Purpose>, fields: &[Field], detail: &str) {
        let checkin = self.checkin.as_ref().and_then(|c| c.saved.flatten());
        let _ = self.store.audit(&AuditRow {
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            action: action.into(),
            purpose: purpose.map(|p| p.key().to_string()),
            fields: field_keys(fields),
            checkin,
            detail: detail.into(),
        });
    }

    fn perform(&mut self, action: Action) {
        let Some(c) = &self.checkin else { return };
        let lang = self.lang();
        let t = self.tr();
        let Some(fields) = c.consents.get(&action.purpose()).cloned() else { return };
        match action {
            Action::Bhyt => {
                if self.settings.offline || self.settings.bhyt_url.trim().is_empty() {
                    if let Some(c) = &mut self.checkin {
                        c.bhyt = BhytState::NotChecked(Some(NotChecked::Offline));
                    }
                    return;
                }
                let q = BhytQuery {
                    id_number: c.value(Field::IdNumber, lang).unwrap_or_default(),
                    full_name: c.value(Field::FullName, lang).unwrap_or_default(),
                    date_of_birth: c.value(Field::DateOfBirth, lang).unwrap_or_default(),
                };
                let cfg = BhytConfig {
                    base_url: self.settings.bhyt_url.clone(),
                    username: self.settings.bhyt_user.clone(),
                    password_md5: self.settings.bhyt_password_md5.clone(),
                    clerk_name: self.settings.clerk_name.clone(),
                    clerk_id: self.settings.clerk_id.clone(),
                    timeout: Duration::from_secs(u64::from(self.settings.timeout_s.max(1))),
                };
                let (tx, rx) = channel();
                let today = today();
                std::thread::spawn(move || {
                    let _ = tx.send(bhyt::lookup(&cfg, &q, &today));
                });
                self.bhyt_rx = Some(rx);
                if let Some(c) = &mut self.checkin {
                    c.bhyt = BhytState::Checking;
                }
                self.audit(action.key(), Some(Purpose::Bhyt), Purpose::Bhyt.required(), "");
            }
            Action::His => {
                let url = self.settings.his_url.trim().to_string();
                if url.is_empty() {
                    self.notice(t.his_not_configured, false);
                    return;
                }
                let body = c.fhir(&fields);
                let token = self.settings.his_token.clone();
                let timeout = Duration::from_secs(u64::from(self.settings.timeout_s.max(1)));
                let (tx, rx) = channel();
                std::thread::spawn(move || {
                    let _ = tx.send(send_his(&url, &token, &body, timeout));
                });
                self.his_rx = Some(rx);
                self.audit(action.key(), Some(Purpose::His), &fields, "");
            }
            Action::Csv | Action::Fhir => {
                let (name, data) = if action == Action::Csv {
                    ("csv", c.csv(&fields, lang))
                } else {
                    ("json", serde_json::to_string_pretty(&c.fhir(&fields)).unwrap_or_default())
                };
                let file = std::path::Path::new(&self.settings.export_dir)
                    .join(format!("tiep-don-{}.{name}", chrono::Local::now().format("%Y%m%d-%H%M%S")));
                match std::fs::write(&file, data) {
                    Ok(()) => {
                        self.audit(action.key(), Some(Purpose::Export), &fields, "");
                        self.notice(format!("{}: {}", t.exported, file.display()), true);
                    }
                    Err(e) => self.notice(format!("{}: {e}", file.display()), false),
                }
            }
            Action::Print => {
                let text = c.print_text(&fields, lang, &self.settings.clerk_name, &format_ts(now_ts()));
                match print(&self.settings.print_command, &text, t.no_print_command) {
                    Ok(()) => {
                        self.audit(action.key(), Some(Purpose::Export), &fields, "");
                        self.notice(t.printed, true);
                    }
                    Err(e) => self.notice(e, false),
                }
            }
            Action::Copy => {
                let text = c.print_text(&fields, lang, &self.settings.clerk_name, &format_ts(now_ts()));
                self.pending_copy = Some(text);
                self.audit(action.key(), Some(Purpose::Export), &fields, "");
                self.notice(t.copied, true);
            }
        }
    }

    /// Saves the check-in to the history (as retention allows).
    pub fn save_checkin(&mut self) {
        let lang = self.lang();
        let t = self.tr();
        let Some(c) = &self.checkin else { return };
        let row = CheckinRow {
            id: 0,
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            full_name: c.value(Field::FullName, lang),
            id_number: c.value(Field::IdNumber, lang),
            date_of_birth: c.value(Field::DateOfBirth, lang),
            sex: c.value(Field::Sex, lang),
            address: c.value(Field::Address, lang),
            reason: c.reason.clone(),
            service: t.services.get(c.service).copied().unwrap_or_default().to_string(),
            verdict: c.status_key().into(),
            bhyt: c.bhyt_summary(lang),
            photo: c.photo.as_ref().map(|(b, _)| b.clone()),
            ..Default::default()
        };
        match self.store.save_checkin(&row, &self.settings) {
            Ok(saved) => {
                if let Some(c) = &mut self.checkin {
                    c.saved = Some(saved.id);
                    c.queue_no = Some(saved.queue_no);
                }
                self.audit("checkin", None, &[], "");
                let text = if saved.id.is_some() { t.saved } else { t.not_stored };
                self.notice(format!("{} {}: {}", text, t.queue_no, saved.queue_no), true);
            }
            // The form stays on the screen: the clerk saves again once the server is back.
            Err(crate::store::StoreError::Unreachable(_)) => self.notice(t.db_unreachable, false),
            Err(e) => self.notice(e.to_string(), false),
        }
    }

    // ---- settings ----------------------------------------------------------------------------

    pub fn save_settings(&mut self) -> Result<(), String> {
        let t = self.tr();
        for u in [&self.draft.bhyt_url, &self.draft.his_url] {
            let u = u.trim();
            if !(u.is_empty() || u.starts_with("http://") || u.starts_with("https://")) {
                return Err(t.s_invalid_url.into());
            }
        }
        if !self.draft_password.is_empty() {
            self.draft.bhyt_password_md5 = bhyt::md5_hex(&self.draft_password);
            self.draft_password.clear();
        }
        self.settings = self.draft.clone();
        self.store.save_settings(&self.settings).map_err(|e| e.to_string())?;
        let _ = self.store.purge_now(now_ts(), &self.settings);
        Ok(())
    }

    pub fn set_lang(&mut self, l: Lang) {
        self.settings.lang = l;
        self.draft.lang = l;
        let _ = self.store.save_settings(&self.settings);
    }
    pub fn set_large_text(&mut self, on: bool) {
        self.settings.large_text = on;
        self.draft.large_text = on;
        let _ = self.store.save_settings(&self.settings);
    }
}

/// The user's data directory for the database (`$CANCUOC_DATA_DIR` overrides).
pub fn default_data_dir() -> std::path::PathBuf {
    std::env::var_os("CANCUOC_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dirs::data_local_dir().unwrap_or_else(std::env::temp_dir).join("cancuoc"))
}

/// POSTs the Patient to the HIS; returns the HTTP status.
fn send_his(url: &str, token: &str, body: &serde_json::Value, timeout: Duration) -> Result<u16, String> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into();
    let mut req = agent.post(url).header("Content-Type", "application/fhir+json");
    if !token.is_empty() {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let resp = req.send(serde_json::to_vec(body).unwrap_or_default()).map_err(|e| format!("HIS: {e}"))?;
    let s = resp.status().as_u16();
    if (200..300).contains(&s) { Ok(s) } else { Err(format!("HIS: HTTP {s}")) }
}

/// Sends the form's text to the print command's standard input (`lp` by default).
fn print(command: &str, text: &str, none_set: &str) -> Result<(), String> {
    use std::io::Write;
    let mut parts = command.split_whitespace();
    let prog = parts.next().ok_or_else(|| none_set.to_string())?;
    let mut child = std::process::Command::new(prog)
        .args(parts)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{prog}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes()).map_err(|e| format!("{prog}: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("{prog}: {e}"))?;
    if out.status.success() { Ok(()) } else { Err(format!("{prog}: {}", String::from_utf8_lossy(&out.stderr).trim())) }
}
