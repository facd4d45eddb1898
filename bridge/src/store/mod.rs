//! The site store (the desk app's, `cancuoc serve --site-db`'s and `cancuoc privacy`'s): check-ins, the day's queue numbers, an audit log of who sent which
//! fields where, and the settings. One PC keeps them in SQLite ([`sqlite`]); a site with several
//! counters points every counter at one PostgreSQL server ([`postgres`], one connection URL) and
//! they share the queue and the audit trail. [`Store`] is what the app uses; each backend
//! implements [`Backend`], and a row is turned into a [`CheckinRow`] or [`AuditRow`] in one place
//! ([`checkin_row`], [`audit_row`]) for both. Both schemas are versioned migrations (refinery,
//! `bridge/migrations/{sqlite,postgres}`), applied when the store opens.
//!
//! Personal data is kept only as long as the retention setting says (default 30 days; 0 keeps
//! none) and purged automatically; photos only when the setting allows. The audit log holds
//! field *names*, never values, and is kept a year.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::words::Lang;

mod outbox;
pub mod pin;
mod postgres;
mod sqlite;

/// Audit rows carry no personal values; they are kept this long regardless of retention.
pub const AUDIT_DAYS: u32 = 365;
/// On a site server, a scheduled purge is skipped when any counter purged this recently.
pub const SITE_PURGE_EVERY_S: i64 = 3600;
/// The spool file's name in the data folder (site server only). It holds audit rows only (field
/// names, never values) and exists only while some could not be sent.
pub const AUDIT_SPOOL: &str = "audit-pending.json";

/// The app's settings (stored as JSON in the `settings` table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub lang: Lang,
    pub large_text: bool,
    pub clerk_name: String,
    pub clerk_id: String,
    pub bhyt_url: String,
    pub bhyt_user: String,
    /// MD5 of the gateway password (what the gateway takes); the password itself is not kept.
    pub bhyt_password_md5: String,
    pub offline: bool,
    pub timeout_s: u32,
    pub his_url: String,
    pub his_token: String,
    pub retention_days: u32,
    pub store_photos: bool,
    pub print_command: String,
    pub export_dir: String,
    /// Which counter this desk is: what the result screen offers after a read.
    pub counter_mode: CounterMode,
    /// The printer the print command sends to (`lp -d …`); empty: the system's default.
    pub printer: String,
    /// The office the forms are addressed to ("Kính gửi": e.g. "UBND phường Hàng Bạc").
    pub office_name: String,
    /// The commune police office CT01 and DC02 are addressed to ("Công an phường Hàng Bạc");
    /// the ward's forms use `office_name`.
    pub police_office_name: String,
    /// The site's name printed at the head of slips ("Bệnh viện Đa khoa …").
    pub site_name: String,
    /// The place printed in "Làm tại …" / "…, ngày … tháng … năm …" (e.g. "Hà Nội").
    pub office_place: String,
    /// The site's code in the visit evidence (e.g. the facility code, mã cơ sở KCB).
    pub site_id: String,
    /// The commune of today the site is in ("Phường Hoàn Kiếm, Hà Nội"): the forms' default
    /// addressee and place when `office_name` / `office_place` are empty (docs/address.md).
    pub site_commune: String,
    /// Where the citizen answers consent questions (docs/privacy.md).
    pub citizen_display: CitizenDisplay,
    /// Seconds the citizen has to answer; then nothing is sent (no answer is recorded).
    pub citizen_timeout_s: u32,
    /// The administrator PIN that locks the settings page, as [`pin::hash`] keeps it; empty:
    /// no lock.
    pub admin_pin: String,
}

/// Where the citizen answers consent questions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitizenDisplay {
    /// No citizen screen: the clerk records the citizen's spoken answer.
    #[default]
    Off,
    /// A second window for a citizen-facing monitor or touch screen.
    SecondWindow,
    /// One monitor: the question fills the screen and the clerk turns it to the citizen.
    TurnScreen,
}

/// The counter a desk serves. Hospital reception sees the check-in, BHYT and the HIS; a ward
/// People's Committee or commune-police counter sees its declaration forms instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterMode {
    #[default]
    Hospital,
    WardCommittee,
    CommunePolice,
}

impl CounterMode {
    pub const ALL: [CounterMode; 3] = [CounterMode::Hospital, CounterMode::WardCommittee, CounterMode::CommunePolice];
    /// The forms this counter takes (`None`: hospital reception, which fills none).
    pub fn forms_counter(self) -> Option<crate::forms::Counter> {
        match self {
            CounterMode::Hospital => None,
            CounterMode::WardCommittee => Some(crate::forms::Counter::WardCommittee),
            CounterMode::CommunePolice => Some(crate::forms::Counter::CommunePolice),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lang: Lang::Vi,
            large_text: false,
            clerk_name: String::new(),
            clerk_id: String::new(),
            bhyt_url: String::new(),
            bhyt_user: String::new(),
            bhyt_password_md5: String::new(),
            offline: false,
            timeout_s: 10,
            his_url: String::new(),
            his_token: String::new(),
            retention_days: 30,
            store_photos: false,
            // CUPS takes text and PDF on its standard input; Windows has no such command, so
            // there printing saves the document and opens it in the default viewer (the desk app).
            print_command: if cfg!(windows) { String::new() } else { "lp".into() },
            export_dir: dirs::document_dir()
                .or_else(dirs::home_dir)
                .unwrap_or_else(std::env::temp_dir)
                .to_string_lossy()
                .into_owned(),
            counter_mode: CounterMode::Hospital,
            printer: String::new(),
            office_name: String::new(),
            police_office_name: String::new(),
            site_name: String::new(),
            office_place: String::new(),
            site_id: String::new(),
            site_commune: String::new(),
            citizen_display: CitizenDisplay::Off,
            citizen_timeout_s: 120,
            admin_pin: String::new(),
        }
    }
}

/// A check-in as saved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckinRow {
    pub id: i64,
    pub at: i64,
    pub clerk: String,
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
    pub reason: String,
    pub service: String,
    /// "verified", "signer_untrusted", "not_verified".
    pub verdict: String,
    /// BHYT result summary (code and validity), or "not checked".
    pub bhyt: String,
    pub photo: Option<Vec<u8>>,
    /// The counter that saved it (filled in by the store).
    pub counter: String,
    /// The queue number it was given (filled in by the store).
    pub queue_no: Option<i64>,
    /// The visit evidence record (DER, docs/evidence.md), when the card gave one.
    pub evidence: Option<Vec<u8>>,
    /// Its SHA-256 (hex): what the row and the FHIR export reference.
    pub evidence_sha256: Option<String>,
}

/// What saving a check-in gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The row's id; `None` when retention keeps nothing.
    pub id: Option<i64>,
    /// The patient's number in today's queue (shared by every counter of the site).
    pub queue_no: i64,
    /// This visit's write id had been saved already (a second press, or a retry whose first
    /// reply was lost): nothing new was stored; `id` and `queue_no` are the first save's.
    pub repeat: bool,
}

/// An audit entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    pub clerk: String,
    /// "consent", "refused", "bhyt", "his", "export_csv", "export_fhir", "print", "copy",
    /// "checkin", "purge".
    pub action: String,
    pub purpose: Option<String>,
    /// Comma-separated field names (never values).
    pub fields: String,
    pub checkin: Option<i64>,
    pub detail: String,
}

/// A consent record: who (a keyed hash of the ID number, [`Store::subject`]), when, to what
/// (purpose, recipient, field names, the notice's hash) and how (docs/privacy.md).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub at: i64,
    pub subject: String,
    pub purpose: String,
    pub recipient: String,
    /// Comma-separated field names (never values).
    pub fields: String,
    /// SHA-256 (hex) of the exact notice text the citizen was shown or read.
    pub notice_sha256: String,
    /// "citizen_screen", "signed_slip:N", "clerk_recorded:REASON" or "stated_by_his".
    pub method: String,
    /// "agreed" or "refused" — only ever an explicit answer.
    pub answer: String,
    pub site: String,
    pub counter: String,
    pub clerk: String,
    pub checkin: Option<i64>,
    pub withdrawn_at: Option<i64>,
}

/// A data subject's request (Decree 356/2025/NĐ-CP art. 5), in the register.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyRequest {
    pub id: i64,
    pub subject: String,
    /// "report", "withdraw", "erase" (and the other rights' names as the site records them).
    pub kind: String,
    pub purpose: Option<String>,
    pub received_at: i64,
    /// yyyy-mm-dd: the acknowledgement's deadline.
    pub acknowledge_by: String,
    /// yyyy-mm-dd: the request's deadline.
    pub due: String,
    /// yyyy-mm-dd: the one extension, when taken.
    pub extended_to: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub done_at: Option<i64>,
    pub result: String,
}

/// What an erasure deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub checkins: usize,
    pub consents: usize,
    /// Audit rows (field names only) no longer linked to a deleted check-in.
    pub audit_unlinked: usize,
}

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Memory only (demo): nothing reaches the disk.
    Memory,
    /// This PC's database file.
    File(PathBuf),
    /// The site's PostgreSQL server (host and database; never the password).
    Site { server: String, counter: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot create {0}: {1}")]
    Dir(PathBuf, std::io::Error),
    #[error("site database: {0}")]
    Pg(#[from] ::postgres::Error),
    #[error("the site database cannot be reached ({0}); nothing was saved — try again")]
    Unreachable(String),
    #[error("the site database URL is not valid: {0}")]
    Url(String),
    #[error("database schema: {0}")]
    Migrate(String),
    #[error("another counter is purging the site's old data right now; nothing was deleted here")]
    PurgeBusy,
}

/// One way of keeping the data: the app's [`Store`] calls these, whichever database it is.
trait Backend: Send {
    /// Audit rows written but not yet stored (a site server that cannot be reached).
    fn pending_audit(&self) -> usize {
        0
    }
    /// Where audit rows still waiting when the app closes are kept (a site server only).
    fn use_spool(&mut self, _dir: &Path) {}
    fn schema_version(&mut self) -> Result<i64, StoreError>;
    fn settings(&mut self) -> Result<Settings, StoreError>;
    fn save_settings(&mut self, s: &Settings) -> Result<(), StoreError>;
    fn save_checkin(&mut self, n: &NewCheckin) -> Result<Saved, StoreError>;
    fn checkins(&mut self, limit: usize) -> Result<Vec<CheckinRow>, StoreError>;
    /// Deletes one check-in (a visit cancelled); returns whether it existed.
    fn delete_checkin(&mut self, id: i64) -> Result<bool, StoreError>;
    fn audit(&mut self, uid: String, row: &AuditRow) -> Result<(), StoreError>;
    fn audit_log(&mut self, limit: usize) -> Result<Vec<AuditRow>, StoreError>;
    /// Returns the number of check-ins deleted.
    fn purge(&mut self, now: i64, s: &Settings, force: bool) -> Result<usize, StoreError>;
    /// This database's secret for keyed hashes of ID numbers (made on first use, 32 bytes).
    fn site_key(&mut self, fresh: &[u8]) -> Result<Vec<u8>, StoreError>;
    fn record_consent(&mut self, uid: &str, c: &ConsentRecord) -> Result<i64, StoreError>;
    fn consents_of(&mut self, subject: &str) -> Result<Vec<ConsentRecord>, StoreError>;
    fn checkins_of(&mut self, id_number: &str) -> Result<Vec<CheckinRow>, StoreError>;
    fn audit_between(&mut self, from: i64, to: i64) -> Result<Vec<AuditRow>, StoreError>;
    /// Marks the subject's consents to `purpose` withdrawn; deletes the check-ins kept only on
    /// such a consent (saved through the API). Returns (consents, check-ins).
    fn withdraw(&mut self, subject: &str, purpose: &str, now: i64) -> Result<(usize, usize), StoreError>;
    /// Deletes every check-in of the ID number and every consent of the subject; audit rows
    /// keep their field names but lose the link.
    fn erase(&mut self, id_number: &str, subject: &str) -> Result<Erased, StoreError>;
    fn add_request(&mut self, r: &PrivacyRequest) -> Result<i64, StoreError>;
    fn requests(&mut self) -> Result<Vec<PrivacyRequest>, StoreError>;
    fn finish_request(&mut self, id: i64, at: i64, result: &str) -> Result<(), StoreError>;
}

/// A check-in about to be written, with what the store decided for it.
struct NewCheckin<'a> {
    row: &'a CheckinRow,
    /// The write's unique id (a retry with the same id stores nothing more).
    uid: &'a str,
    /// The queue's day (local date).
    day: String,
    /// Whether retention keeps the row at all.
    keep: bool,
    /// The photo, when the settings keep photos.
    photo: Option<&'a [u8]>,
}

/// A value both databases can hand back.
trait Value: rusqlite::types::FromSql + for<'a> ::postgres::types::FromSql<'a> {}
impl<T: rusqlite::types::FromSql + for<'a> ::postgres::types::FromSql<'a>> Value for T {}

/// A result row of either database, read by column index.
trait Columns {
    fn col<T: Value>(&self, i: usize) -> Result<T, StoreError>;
}

/// The check-in columns, in the order [`checkin_row`] reads them.
const CHECKIN_COLUMNS: &str = "id, at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, counter, queue_no, evidence, evidence_sha256";
/// The audit columns, in the order [`audit_row`] reads them.
const AUDIT_COLUMNS: &str = "at, clerk, action, purpose, fields, checkin, detail";
/// The consent columns, in the order [`consent_row`] reads them.
const CONSENT_COLUMNS: &str = "at, subject, purpose, recipient, fields, notice_sha256, method, answer, site, counter, clerk, checkin, withdrawn_at";
/// The request columns, in the order [`request_row`] reads them.
const REQUEST_COLUMNS: &str =
    "id, subject, kind, purpose, received_at, acknowledge_by, due, extended_to, acknowledged_at, done_at, result";

fn consent_row(r: &impl Columns) -> Result<ConsentRecord, StoreError> {
    Ok(ConsentRecord {
        at: r.col(0)?,
        subject: r.col(1)?,
        purpose: r.col(2)?,
        recipient: r.col(3)?,
        fields: r.col(4)?,
        notice_sha256: r.col(5)?,
        method: r.col(6)?,
        answer: r.col(7)?,
        site: r.col(8)?,
        counter: r.col(9)?,
        clerk: r.col(10)?,
        checkin: r.col(11)?,
        withdrawn_at: r.col(12)?,
    })
}

fn request_row(r: &impl Columns) -> Result<PrivacyRequest, StoreError> {
    Ok(PrivacyRequest {
        id: r.col(0)?,
        subject: r.col(1)?,
        kind: r.col(2)?,
        purpose: r.col(3)?,
        received_at: r.col(4)?,
        acknowledge_by: r.col(5)?,
        due: r.col(6)?,
        extended_to: r.col(7)?,
        acknowledged_at: r.col(8)?,
        done_at: r.col(9)?,
        result: r.col(10)?,
    })
}

/// A row of [`CHECKIN_COLUMNS`] as a check-in (both databases).
fn checkin_row(r: &impl Columns) -> Result<CheckinRow, StoreError> {
    Ok(CheckinRow {
        id: r.col(0)?,
        at: r.col(1)?,
        clerk: r.col(2)?,
        full_name: r.col(3)?,
        id_number: r.col(4)?,
        date_of_birth: r.col(5)?,
        sex: r.col(6)?,
        address: r.col(7)?,
        reason: r.col(8)?,
        service: r.col(9)?,
        verdict: r.col(10)?,
        bhyt: r.col(11)?,
        photo: r.col(12)?,
        counter: r.col(13)?,
        queue_no: r.col(14)?,
        evidence: r.col(15)?,
        evidence_sha256: r.col(16)?,
    })
}

/// A row of [`AUDIT_COLUMNS`] as an audit entry (both databases).
fn audit_row(r: &impl Columns) -> Result<AuditRow, StoreError> {
    Ok(AuditRow {
        at: r.col(0)?,
        clerk: r.col(1)?,
        action: r.col(2)?,
        purpose: r.col(3)?,
        fields: r.col(4)?,
        checkin: r.col(5)?,
        detail: r.col(6)?,
    })
}

/// Stored settings JSON, or the defaults when there is none (or it cannot be read).
fn parse_settings(v: Option<String>) -> Settings {
    v.and_then(|s| serde_json::from_str::<Settings>(&s).ok()).unwrap_or_default()
}

/// Audit rows older than this are deleted.
fn audit_cutoff(now: i64) -> i64 {
    now - i64::from(AUDIT_DAYS) * 86_400
}

/// The database.
pub struct Store {
    backend: Mutex<Box<dyn Backend>>,
    location: Location,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("location", &self.location).finish_non_exhaustive()
    }
}

/// A visit's write id, made when the visit starts and reused by every save of it (a second
/// press or a retry after a lost reply stores nothing more; [`Saved::repeat`] says so).
pub fn new_write_id() -> String {
    new_uid()
}

/// A fresh random id for one write (128 bits, hex).
fn new_uid() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness (never seen in practice): time and a counter still make it unique
        // for this process.
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        b[..8].copy_from_slice(&(t as u64).to_le_bytes());
        b[8..].copy_from_slice(&N.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The queue's day (local date) for a timestamp.
fn queue_day(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// This PC's name, the default counter name on a site server.
pub fn host_name() -> String {
    let n = std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .unwrap_or_default();
    let n = n.trim();
    if n.is_empty() { "counter".into() } else { n.to_string() }
}

impl Store {
    fn with(backend: impl Backend + 'static, location: Location) -> Store {
        Store { backend: Mutex::new(Box::new(backend)), location }
    }
    fn backend(&self) -> std::sync::MutexGuard<'_, Box<dyn Backend>> {
        self.backend.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens (creating) the database file in `dir`, readable by this user only.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Dir(dir.to_path_buf(), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let path = dir.join("desk.sqlite");
        Ok(Self::with(sqlite::Sqlite::open_file(&path)?, Location::File(path)))
    }
    /// Opens the store a command names: a PostgreSQL URL (`postgres://…`, as counter `counter`)
    /// or a SQLite file (created, readable by this user only) — the desk app's `desk.sqlite`
    /// included, so the CLI and the API work on the same data.
    pub fn open_named(db: &str, counter: &str) -> Result<Store, StoreError> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            return Self::connect(db, counter);
        }
        let path = PathBuf::from(db);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Dir(dir.to_path_buf(), e))?;
        }
        let store = sqlite::Sqlite::open_file(&path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Self::with(store, Location::File(path)))
    }

    /// A database in memory only (demo mode: nothing reaches the disk).
    pub fn in_memory() -> Result<Store, StoreError> {
        Ok(Self::with(sqlite::Sqlite::new(rusqlite::Connection::open_in_memory()?)?, Location::Memory))
    }

    /// Connects to the site's PostgreSQL server (`postgres://user:password@host:port/db`) as
    /// `counter`, bringing its schema up to date (one counter at a time).
    pub fn connect(url: &str, counter: &str) -> Result<Store, StoreError> {
        let (pg, server) = postgres::connect(url, counter)?;
        Ok(Self::with(pg, Location::Site { server, counter: counter.to_string() }))
    }

    /// On a site server: keep audit rows that could not be sent by the time the app closes in
    /// `dir` (the app's data folder), and send any that an earlier run left there.
    pub fn with_spool(self, dir: &Path) -> Store {
        self.backend().use_spool(dir);
        self
    }

    pub fn location(&self) -> &Location {
        &self.location
    }
    /// The database file, when there is one on this PC.
    pub fn path(&self) -> Option<&Path> {
        match &self.location {
            Location::File(p) => Some(p),
            _ => None,
        }
    }
    /// Demo mode: nothing is kept once the app closes.
    pub fn is_memory(&self) -> bool {
        self.location == Location::Memory
    }
    /// Audit rows waiting for the site server to come back.
    pub fn pending_audit(&self) -> usize {
        self.backend().pending_audit()
    }
    /// The applied schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.backend().schema_version()
    }

    pub fn settings(&self) -> Result<Settings, StoreError> {
        self.backend().settings()
    }
    /// Saves the settings. On a site server, the retention rule (days, photos) is the site's:
    /// saving it at one counter sets it for all of them.
    pub fn save_settings(&self, s: &Settings) -> Result<(), StoreError> {
        self.backend().save_settings(s)
    }

    /// Saves a check-in (when retention allows) and gives it the next number in today's
    /// queue. The photo is dropped unless `store_photos`.
    pub fn save_checkin(&self, c: &CheckinRow, s: &Settings) -> Result<Saved, StoreError> {
        self.save_checkin_as(&new_uid(), c, s)
    }

    /// [`Store::save_checkin`] with the write's unique id given: saving the same id again
    /// returns the first save's result and stores nothing more (what a retry after a lost
    /// connection does).
    #[doc(hidden)]
    pub fn save_checkin_as(&self, uid: &str, c: &CheckinRow, s: &Settings) -> Result<Saved, StoreError> {
        let n = NewCheckin {
            row: c,
            uid,
            day: queue_day(c.at),
            keep: s.retention_days > 0,
            photo: if s.store_photos { c.photo.as_deref() } else { None },
        };
        self.backend().save_checkin(&n)
    }

    pub fn checkins(&self, limit: usize) -> Result<Vec<CheckinRow>, StoreError> {
        self.backend().checkins(limit)
    }

    /// Cancels a saved visit (saved by mistake, the wrong person): the check-in and what it
    /// held are deleted; the audit log keeps that it was cancelled, by whom, its queue number and
    /// the reason (never a personal value). The queue number is not given again. Returns whether
    /// the visit was there.
    pub fn cancel_checkin(&self, row: &CheckinRow, clerk: &str, reason: &str, now: i64) -> Result<bool, StoreError> {
        let gone = self.backend().delete_checkin(row.id)?;
        if gone {
            let queue = row.queue_no.map(|q| format!("queue {q}; ")).unwrap_or_default();
            self.audit(&AuditRow {
                at: now,
                clerk: clerk.into(),
                action: "checkin_cancel".into(),
                purpose: None,
                fields: String::new(),
                checkin: Some(row.id),
                detail: format!("{queue}reason: {}", reason.trim()),
            })?;
        }
        Ok(gone)
    }

    /// Writes an audit row. On a site server that cannot be reached, the row waits in memory
    /// and is sent with the next successful write (see [`Store::pending_audit`]).
    pub fn audit(&self, row: &AuditRow) -> Result<(), StoreError> {
        self.backend().audit(new_uid(), row)
    }

    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        self.backend().audit_log(limit)
    }

    /// Deletes check-ins older than the retention period (all of them at 0 days), photos when
    /// they are no longer to be kept, and audit rows older than [`AUDIT_DAYS`]. Returns the
    /// number of check-ins deleted.
    ///
    /// On a site server this is the scheduled purge: it runs once for the whole site (one
    /// counter at a time, and not again within [`SITE_PURGE_EVERY_S`] of the last one), with
    /// the site's retention rule. [`Store::purge_now`] runs it regardless of the schedule.
    pub fn purge(&self, now: i64, s: &Settings) -> Result<usize, StoreError> {
        self.backend().purge(now, s, false)
    }
    /// Purges now (after the retention rule changed, or from the history screen's button).
    pub fn purge_now(&self, now: i64, s: &Settings) -> Result<usize, StoreError> {
        self.backend().purge(now, s, true)
    }

    /// The subject key of an ID number: HMAC-SHA-256 under this database's own secret (made on
    /// first use), hex. Consent and request records carry it instead of the number: a copy of
    /// those tables does not give the numbers away, and the site can still find a person's
    /// records when they show their card again.
    pub fn subject(&self, id_number: &str) -> Result<String, StoreError> {
        let mut fresh = [0u8; 32];
        let _ = getrandom::fill(&mut fresh);
        let key = self.backend().site_key(&fresh)?;
        Ok(crate::privacy::keyed_hash(&key, id_number.trim()))
    }

    /// Writes a consent record; returns its id.
    pub fn record_consent(&self, c: &ConsentRecord) -> Result<i64, StoreError> {
        self.backend().record_consent(&new_uid(), c)
    }
    pub fn consents_of(&self, subject: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        self.backend().consents_of(subject)
    }
    /// The check-ins kept for an ID number (newest first).
    pub fn checkins_of(&self, id_number: &str) -> Result<Vec<CheckinRow>, StoreError> {
        self.backend().checkins_of(id_number)
    }
    /// Audit rows with `from <= at < to` (oldest first).
    pub fn audit_between(&self, from: i64, to: i64) -> Result<Vec<AuditRow>, StoreError> {
        self.backend().audit_between(from, to)
    }
    /// See [`Backend::withdraw`].
    pub fn withdraw(&self, subject: &str, purpose: &str, now: i64) -> Result<(usize, usize), StoreError> {
        self.backend().withdraw(subject, purpose, now)
    }
    /// Erases what is held about an ID number (check-ins, consents) so that its bytes are gone
    /// from the database file (SQLite: secure_delete, then VACUUM).
    pub fn erase(&self, id_number: &str, subject: &str) -> Result<Erased, StoreError> {
        self.backend().erase(id_number, subject)
    }
    pub fn add_request(&self, r: &PrivacyRequest) -> Result<i64, StoreError> {
        self.backend().add_request(r)
    }
    pub fn requests(&self) -> Result<Vec<PrivacyRequest>, StoreError> {
        self.backend().requests()
    }
    pub fn finish_request(&self, id: i64, at: i64, result: &str) -> Result<(), StoreError> {
        self.backend().finish_request(id, at, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: i64) -> CheckinRow {
        CheckinRow {
            at,
            clerk: "Lê Văn Tiếp".into(),
            full_name: Some("Nguyễn Thị Thu Hà".into()),
            id_number: Some("079195012345".into()),
            reason: "Đau đầu".into(),
            service: "Khám bệnh".into(),
            verdict: "verified".into(),
            bhyt: "000".into(),
            photo: Some(vec![1, 2, 3]),
            ..Default::default()
        }
    }

    #[test]
    fn saves_purges_and_keeps_settings_on_disk() {
        let dir = tempfile::tempdir().expect("tmp");
        let now = 1_800_000_000;
        {
            let st = Store::open(dir.path()).expect("open");
            let mut s = Settings { clerk_name: "Lê Văn Tiếp".into(), ..Default::default() };
            st.save_settings(&s).expect("settings");
            let old = st.save_checkin(&row(now - 31 * 86_400), &s).expect("save").id.expect("kept");
            let new = st.save_checkin(&row(now - 86_400), &s).expect("save").id.expect("kept");
            assert!(new > old);
            // Photos are not stored by default.
            assert_eq!(st.checkins(10).expect("list")[0].photo, None);
            s.store_photos = true;
            st.save_checkin(&row(now), &s).expect("save");
            assert_eq!(st.checkins(10).expect("list")[0].photo, Some(vec![1, 2, 3]));
            // 30 days: the 31-day-old one goes, the others stay.
            s.store_photos = false;
            assert_eq!(st.purge(now, &s).expect("purge"), 1);
            let left = st.checkins(10).expect("list");
            assert_eq!(left.len(), 2);
            assert!(left.iter().all(|c| c.photo.is_none()), "photos dropped when no longer kept");
        }
        // Reopened: the settings survived, the rows too; retention 0 deletes everything.
        let st = Store::open(dir.path()).expect("reopen");
        let mut s = st.settings().expect("settings");
        assert_eq!(s.clerk_name, "Lê Văn Tiếp");
        assert_eq!(st.checkins(10).expect("list").len(), 2);
        s.retention_days = 0;
        assert_eq!(st.save_checkin(&row(now), &s).expect("save").id, None);
        assert_eq!(st.purge(now, &s).expect("purge"), 2);
        assert!(st.checkins(10).expect("list").is_empty());
    }

    #[test]
    fn audit_rows_carry_names_not_values_and_age_out_after_a_year() {
        let st = Store::in_memory().expect("db");
        let now = 1_800_000_000;
        for (at, action) in [(now - 400 * 86_400, "bhyt"), (now, "his")] {
            st.audit(&AuditRow {
                at,
                clerk: "clerk".into(),
                action: action.into(),
                purpose: Some(action.into()),
                fields: "id_number,full_name".into(),
                checkin: None,
                detail: String::new(),
            })
            .expect("audit");
        }
        st.purge(now, &Settings::default()).expect("purge");
        let log = st.audit_log(10).expect("log");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "his");
    }

    #[test]
    fn queue_numbers_run_per_day_and_a_repeated_write_is_stored_once() {
        let st = Store::in_memory().expect("db");
        let s = Settings::default();
        let day1 = 1_800_000_000;
        let day2 = day1 + 86_400;
        let nos: Vec<i64> = (0..3).map(|i| st.save_checkin(&row(day1 + i), &s).expect("save").queue_no).collect();
        assert_eq!(nos, [1, 2, 3]);
        assert_eq!(st.save_checkin(&row(day2), &s).expect("save").queue_no, 1, "a new day starts at 1");
        // Retention 0 keeps no row but the patient still gets a number.
        let none = Settings { retention_days: 0, ..Settings::default() };
        let r = st.save_checkin(&row(day2 + 1), &none).expect("save");
        assert_eq!((r.id, r.queue_no), (None, 2));
        // The same write id again: same answer, no second row, no number used.
        let a = st.save_checkin_as("retry-1", &row(day2 + 2), &s).expect("save");
        let b = st.save_checkin_as("retry-1", &row(day2 + 2), &s).expect("save again");
        assert_eq!((a.id, a.queue_no, a.repeat), (b.id, b.queue_no, false));
        assert!(b.repeat, "the second answer says it was saved before");
        assert_eq!(st.checkins(10).expect("list").len(), 5);
        assert_eq!(st.save_checkin(&row(day2 + 3), &s).expect("save").queue_no, 4);
        assert_eq!(st.checkins(1).expect("list")[0].queue_no, Some(4));
        assert_eq!(st.schema_version().expect("version"), 4);
    }

    #[test]
    fn a_database_from_before_versioned_migrations_is_upgraded_in_place() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            // The schema as the first release created it, with a row and settings.
            let c = rusqlite::Connection::open(dir.path().join("desk.sqlite")).expect("open");
            c.execute_batch(
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE checkins (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL,
                   full_name TEXT, id_number TEXT, date_of_birth TEXT, sex TEXT, address TEXT,
                   reason TEXT NOT NULL, service TEXT NOT NULL, verdict TEXT NOT NULL, bhyt TEXT NOT NULL, photo BLOB);
                 CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL, action TEXT NOT NULL,
                   purpose TEXT, fields TEXT NOT NULL, checkin INTEGER, detail TEXT NOT NULL);
                 INSERT INTO settings VALUES('settings', '{\"clerk_name\":\"Lê Văn Tiếp\"}');
                 INSERT INTO checkins(at, clerk, full_name, reason, service, verdict, bhyt)
                   VALUES(1800000000, 'c', 'Nguyễn Thị Thu Hà', '', 'Khám bệnh', 'verified', '000');",
            )
            .expect("old schema");
        }
        let st = Store::open(dir.path()).expect("upgrade");
        assert_eq!(st.schema_version().expect("version"), 4);
        assert_eq!(st.settings().expect("settings").clerk_name, "Lê Văn Tiếp");
        let rows = st.checkins(10).expect("list");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].full_name.as_deref(), Some("Nguyễn Thị Thu Hà"));
        assert_eq!(rows[0].queue_no, None);
        assert_eq!(st.save_checkin(&row(1_800_000_100), &Settings::default()).expect("save").queue_no, 1);
        drop(st);
        // Opening again applies nothing twice.
        assert_eq!(Store::open(dir.path()).expect("reopen").checkins(10).expect("list").len(), 2);
    }
}
