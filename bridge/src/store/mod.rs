//! The site store (the desk app's, `cancuoc serve --site-db`'s and `cancuoc privacy`'s): check-ins, the day's queue numbers, an audit log of who sent which
//! fields where, and the settings. One PC keeps them in SQLite ([`sqlite`]); a site with several
//! counters points every counter at one PostgreSQL server ([`postgres`], one connection URL) and
//! they share the queue and the audit trail. [`Store`] is what the app uses; each backend
//! implements [`Backend`], and a row is turned into a [`CheckinRow`] or [`AuditRow`] in one place
//! (`rows`) for both. Both schemas are versioned migrations (refinery,
//! `bridge/migrations/{sqlite,postgres}`), applied when the store opens.
//!
//! Personal data is kept only as long as the retention setting says (default 30 days; 0 keeps
//! none) and purged automatically; photos only when the setting allows. The audit log holds
//! field *names*, never values, and is kept a year.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod outbox;
pub mod pin;
mod postgres;
mod records;
mod rows;
mod sqlite;
#[cfg(test)]
mod tests;

pub use records::*;
use rows::*;

/// Audit rows carry no personal values; they are kept this long regardless of retention.
pub const AUDIT_DAYS: u32 = 365;
/// On a site server, a scheduled purge is skipped when any counter purged this recently.
pub const SITE_PURGE_EVERY_S: i64 = 3600;
/// The spool file's name in the data folder (site server only). It holds audit rows only (field
/// names, never values) and exists only while some could not be sent.
pub const AUDIT_SPOOL: &str = "audit-pending.json";

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
