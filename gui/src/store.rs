//! The desk app's store: check-ins, the day's queue numbers, an audit log of who sent which
//! fields where, and the settings. One PC keeps them in SQLite (rusqlite, bundled); a site with
//! several counters points every counter at one PostgreSQL server (one connection URL) and they
//! share the queue and the audit trail. Both schemas are versioned migrations (refinery,
//! `gui/migrations/{sqlite,postgres}`), applied when the store opens.
//!
//! Personal data is kept only as long as the retention setting says (default 30 days; 0 keeps
//! none) and purged automatically; photos only when the setting allows. The audit log holds
//! field *names*, never values, and is kept a year.
//!
//! On PostgreSQL every write carries a random id (`uid`, unique): a write retried after the
//! connection dropped (server restart, network) is stored once, never twice. Reads fail fast
//! while the server is unreachable; audit rows written then wait in memory and are sent when it
//! is back.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

mod sqlite_migrations {
    refinery::embed_migrations!("migrations/sqlite");
}
mod pg_migrations {
    refinery::embed_migrations!("migrations/postgres");
}

/// Audit rows carry no personal values; they are kept this long regardless of retention.
pub const AUDIT_DAYS: u32 = 365;
/// On a site server, a scheduled purge is skipped when any counter purged this recently.
pub const SITE_PURGE_EVERY_S: i64 = 3600;
/// Connecting to the site server gives up after this long (each attempt).
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A write is tried again after these pauses when the connection is lost (a server restart
/// takes a second or two).
const PG_RETRY_WAITS: [Duration; 4] =
    [Duration::from_millis(200), Duration::from_millis(500), Duration::from_secs(1), Duration::from_secs(2)];
/// After a failed attempt, reads (the history screen redraws) do not try again for this long.
const PG_READ_BACKOFF: Duration = Duration::from_secs(5);
/// The advisory lock key for migrations and the site's purge ("cancuoc" in ASCII, truncated).
const PG_LOCK_MIGRATE: i64 = 0x6361_6e63_756f_6301;
const PG_LOCK_PURGE: i64 = 0x6361_6e63_756f_6302;

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
            print_command: "lp".into(),
            export_dir: dirs::document_dir()
                .or_else(dirs::home_dir)
                .unwrap_or_else(std::env::temp_dir)
                .to_string_lossy()
                .into_owned(),
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
}

/// What saving a check-in gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The row's id; `None` when retention keeps nothing.
    pub id: Option<i64>,
    /// The patient's number in today's queue (shared by every counter of the site).
    pub queue_no: i64,
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
    Pg(#[from] postgres::Error),
    #[error("the site database cannot be reached ({0}); nothing was saved — try again")]
    Unreachable(String),
    #[error("the site database URL is not valid: {0}")]
    Url(String),
    #[error("database schema: {0}")]
    Migrate(String),
}

/// The database.
pub struct Store {
    backend: Mutex<Backend>,
    location: Location,
}

enum Backend {
    Sqlite(Connection),
    Pg(Box<Pg>),
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

fn lock(m: &Mutex<Backend>) -> std::sync::MutexGuard<'_, Backend> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Store {
    /// Opens (creating) the database file in `dir`, readable by this user only.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Dir(dir.to_path_buf(), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let path = dir.join("desk.sqlite");
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        Self::sqlite(conn, Location::File(path))
    }
    /// A database in memory only (demo mode: nothing reaches the disk).
    pub fn in_memory() -> Result<Store, StoreError> {
        Self::sqlite(Connection::open_in_memory()?, Location::Memory)
    }
    fn sqlite(mut conn: Connection, location: Location) -> Result<Store, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        sqlite_migrations::migrations::runner().run(&mut conn).map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Store { backend: Mutex::new(Backend::Sqlite(conn)), location })
    }

    /// Connects to the site's PostgreSQL server (`postgres://user:password@host:port/db`) as
    /// `counter`, bringing its schema up to date (one counter at a time).
    pub fn connect(url: &str, counter: &str) -> Result<Store, StoreError> {
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| StoreError::Url(e.to_string()))?;
        config.connect_timeout(PG_CONNECT_TIMEOUT);
        config.application_name(&format!("cancuoc-desk {counter}"));
        let server = {
            let hosts: Vec<String> = config
                .get_hosts()
                .iter()
                .map(|h| match h {
                    postgres::config::Host::Tcp(h) => h.clone(),
                    #[cfg(unix)]
                    postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect();
            let port = config.get_ports().first().copied().unwrap_or(5432);
            format!("{}:{port}/{}", hosts.join(","), config.get_dbname().unwrap_or(""))
        };
        let mut pg = Pg {
            config,
            counter: counter.to_string(),
            client: None,
            outbox: Vec::new(),
            down_since: None,
            spool: None,
        };
        // The server's address (never the password) and the cause, for the technician.
        let client = pg.client().map_err(|e| {
            let cause = std::error::Error::source(&e).map(|c| format!(": {c}")).unwrap_or_default();
            StoreError::Unreachable(format!("{server}: {e}{cause}"))
        })?;
        client.query_one("SELECT pg_advisory_lock($1)", &[&PG_LOCK_MIGRATE])?;
        let migrated = pg_migrations::migrations::runner().run(client).map_err(|e| StoreError::Migrate(e.to_string()));
        client.query_one("SELECT pg_advisory_unlock($1)", &[&PG_LOCK_MIGRATE])?;
        migrated?;
        Ok(Store {
            backend: Mutex::new(Backend::Pg(Box::new(pg))),
            location: Location::Site { server, counter: counter.to_string() },
        })
    }

    /// On a site server: keep audit rows that could not be sent by the time the app closes in
    /// `dir` (the app's data folder), and send any that an earlier run left there.
    pub fn with_spool(self, dir: &Path) -> Store {
        if let Backend::Pg(pg) = &mut *lock(&self.backend) {
            let path = dir.join(AUDIT_SPOOL);
            if let Ok(bytes) = std::fs::read(&path) {
                if let Ok(rows) = serde_json::from_slice::<Vec<(String, AuditRow)>>(&bytes) {
                    pg.outbox.extend(rows);
                }
                let _ = std::fs::remove_file(&path);
                pg.flush();
            }
            pg.spool = Some(path);
        }
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
        match &*lock(&self.backend) {
            Backend::Sqlite(_) => 0,
            Backend::Pg(pg) => pg.outbox.len(),
        }
    }
    /// The applied schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        match &mut *lock(&self.backend) {
            Backend::Sqlite(c) => {
                Ok(c.query_row("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", [], |r| r.get(0))?)
            }
            Backend::Pg(pg) => pg.read(|c| {
                let v: i32 = c.query_one("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", &[])?.get(0);
                Ok(i64::from(v))
            }),
        }
    }

    pub fn settings(&self) -> Result<Settings, StoreError> {
        let parse = |v: Option<String>| v.and_then(|s| serde_json::from_str::<Settings>(&s).ok()).unwrap_or_default();
        match &mut *lock(&self.backend) {
            Backend::Sqlite(c) => {
                let v: Option<String> =
                    c.query_row("SELECT value FROM settings WHERE key = 'settings'", [], |r| r.get(0)).optional()?;
                Ok(parse(v))
            }
            Backend::Pg(pg) => {
                let key = pg.settings_key();
                let (mine, site) = pg.write(|c| {
                    let mine: Option<String> =
                        c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?.map(|r| r.get(0));
                    let site: Option<String> =
                        c.query_opt("SELECT value FROM settings WHERE key = 'site_policy'", &[])?.map(|r| r.get(0));
                    Ok((mine, site))
                })?;
                let mut s = parse(mine);
                if let Some(p) = site.and_then(|v| serde_json::from_str::<SitePolicy>(&v).ok()) {
                    s.retention_days = p.retention_days;
                    s.store_photos = p.store_photos;
                }
                Ok(s)
            }
        }
    }
    /// Saves the settings. On a site server, the retention rule (days, photos) is the site's:
    /// saving it at one counter sets it for all of them.
    pub fn save_settings(&self, s: &Settings) -> Result<(), StoreError> {
        let json = serde_json::to_string(s).unwrap_or_default();
        match &mut *lock(&self.backend) {
            Backend::Sqlite(c) => {
                c.execute(
                    "INSERT INTO settings(key, value) VALUES('settings', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
                    params![json],
                )?;
                Ok(())
            }
            Backend::Pg(pg) => {
                let key = pg.settings_key();
                let policy = serde_json::to_string(&SitePolicy {
                    retention_days: s.retention_days,
                    store_photos: s.store_photos,
                })
                .unwrap_or_default();
                pg.write(|c| {
                    let mut tx = c.transaction()?;
                    for (k, v) in [(key.as_str(), &json), ("site_policy", &policy)] {
                        tx.execute(
                            "INSERT INTO settings(key, value) VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET value = $2",
                            &[&k, v],
                        )?;
                    }
                    tx.commit()
                })
            }
        }
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
        let keep = s.retention_days > 0;
        let photo = if s.store_photos { c.photo.clone() } else { None };
        let day = queue_day(c.at);
        match &mut *lock(&self.backend) {
            Backend::Sqlite(conn) => {
                let tx = conn.transaction()?;
                if let Some((id, q)) = tx
                    .query_row("SELECT id, queue_no FROM checkins WHERE uid = ?1", params![uid], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
                    })
                    .optional()?
                {
                    return Ok(Saved { id: Some(id), queue_no: q.unwrap_or(0) });
                }
                let q: i64 = tx.query_row(
                    "INSERT INTO queue(day, last) VALUES(?1, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
                    params![day],
                    |r| r.get(0),
                )?;
                let id = if keep {
                    tx.execute(
                        "INSERT INTO checkins(at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, uid, counter, queue_no)
                         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '', ?14)",
                        params![
                            c.at, c.clerk, c.full_name, c.id_number, c.date_of_birth, c.sex, c.address, c.reason,
                            c.service, c.verdict, c.bhyt, photo, uid, q
                        ],
                    )?;
                    Some(tx.last_insert_rowid())
                } else {
                    None
                };
                tx.commit()?;
                Ok(Saved { id, queue_no: q })
            }
            Backend::Pg(pg) => {
                let counter = pg.counter.clone();
                pg.write(|cl| {
                    let mut tx = cl.transaction()?;
                    if let Some(r) = tx.query_opt("SELECT id, queue_no FROM checkins WHERE uid = $1", &[&uid])? {
                        let q: Option<i64> = r.get(1);
                        return Ok(Saved { id: Some(r.get(0)), queue_no: q.unwrap_or(0) });
                    }
                    let q: i64 = tx
                        .query_one(
                            "INSERT INTO queue(day, last) VALUES($1, 1) ON CONFLICT(day) DO UPDATE SET last = queue.last + 1 RETURNING last",
                            &[&day],
                        )?
                        .get(0);
                    let id = if keep {
                        let r = tx.query_one(
                            "INSERT INTO checkins(at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, uid, counter, queue_no)
                             VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
                            &[
                                &c.at, &c.clerk, &c.full_name, &c.id_number, &c.date_of_birth, &c.sex, &c.address,
                                &c.reason, &c.service, &c.verdict, &c.bhyt, &photo, &uid, &counter, &q,
                            ],
                        )?;
                        Some(r.get(0))
                    } else {
                        None
                    };
                    tx.commit()?;
                    Ok(Saved { id, queue_no: q })
                })
            }
        }
    }

    pub fn checkins(&self, limit: usize) -> Result<Vec<CheckinRow>, StoreError> {
        const COLS: &str = "id, at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, counter, queue_no";
        match &mut *lock(&self.backend) {
            Backend::Sqlite(conn) => {
                let mut st =
                    conn.prepare(&format!("SELECT {COLS} FROM checkins ORDER BY at DESC, id DESC LIMIT ?1"))?;
                let rows = st.query_map(params![limit as i64], |r| {
                    Ok(CheckinRow {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        clerk: r.get(2)?,
                        full_name: r.get(3)?,
                        id_number: r.get(4)?,
                        date_of_birth: r.get(5)?,
                        sex: r.get(6)?,
                        address: r.get(7)?,
                        reason: r.get(8)?,
                        service: r.get(9)?,
                        verdict: r.get(10)?,
                        bhyt: r.get(11)?,
                        photo: r.get(12)?,
                        counter: r.get(13)?,
                        queue_no: r.get(14)?,
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Pg(pg) => pg.read(|c| {
                let rows = c.query(
                    &format!("SELECT {COLS} FROM checkins ORDER BY at DESC, id DESC LIMIT $1"),
                    &[&(limit as i64)],
                )?;
                Ok(rows
                    .iter()
                    .map(|r| CheckinRow {
                        id: r.get(0),
                        at: r.get(1),
                        clerk: r.get(2),
                        full_name: r.get(3),
                        id_number: r.get(4),
                        date_of_birth: r.get(5),
                        sex: r.get(6),
                        address: r.get(7),
                        reason: r.get(8),
                        service: r.get(9),
                        verdict: r.get(10),
                        bhyt: r.get(11),
                        photo: r.get(12),
                        counter: r.get(13),
                        queue_no: r.get(14),
                    })
                    .collect())
            }),
        }
    }

    /// Writes an audit row. On a site server that cannot be reached, the row waits in memory
    /// and is sent with the next successful write (see [`Store::pending_audit`]).
    pub fn audit(&self, row: &AuditRow) -> Result<(), StoreError> {
        let uid = new_uid();
        match &mut *lock(&self.backend) {
            Backend::Sqlite(c) => {
                c.execute(
                    "INSERT INTO audit(at, clerk, action, purpose, fields, checkin, detail, uid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![row.at, row.clerk, row.action, row.purpose, row.fields, row.checkin, row.detail, uid],
                )?;
                Ok(())
            }
            Backend::Pg(pg) => {
                pg.outbox.push((uid, row.clone()));
                pg.flush();
                Ok(())
            }
        }
    }

    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        const Q: &str =
            "SELECT at, clerk, action, purpose, fields, checkin, detail FROM audit ORDER BY at DESC, id DESC LIMIT";
        match &mut *lock(&self.backend) {
            Backend::Sqlite(conn) => {
                let mut st = conn.prepare(&format!("{Q} ?1"))?;
                let rows = st.query_map(params![limit as i64], |r| {
                    Ok(AuditRow {
                        at: r.get(0)?,
                        clerk: r.get(1)?,
                        action: r.get(2)?,
                        purpose: r.get(3)?,
                        fields: r.get(4)?,
                        checkin: r.get(5)?,
                        detail: r.get(6)?,
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Pg(pg) => pg.read(|c| {
                Ok(c.query(&format!("{Q} $1"), &[&(limit as i64)])?
                    .iter()
                    .map(|r| AuditRow {
                        at: r.get(0),
                        clerk: r.get(1),
                        action: r.get(2),
                        purpose: r.get(3),
                        fields: r.get(4),
                        checkin: r.get(5),
                        detail: r.get(6),
                    })
                    .collect())
            }),
        }
    }

    /// Deletes check-ins older than the retention period (all of them at 0 days), photos when
    /// they are no longer to be kept, and audit rows older than [`AUDIT_DAYS`]. Returns the
    /// number of check-ins deleted.
    ///
    /// On a site server this is the scheduled purge: it runs once for the whole site (one
    /// counter at a time, and not again within [`SITE_PURGE_EVERY_S`] of the last one), with
    /// the site's retention rule. [`Store::purge_now`] runs it regardless of the schedule.
    pub fn purge(&self, now: i64, s: &Settings) -> Result<usize, StoreError> {
        self.purge_inner(now, s, false)
    }
    /// Purges now (after the retention rule changed, or from the history screen's button).
    pub fn purge_now(&self, now: i64, s: &Settings) -> Result<usize, StoreError> {
        self.purge_inner(now, s, true)
    }
    fn purge_inner(&self, now: i64, s: &Settings, force: bool) -> Result<usize, StoreError> {
        let audit_cutoff = now - i64::from(AUDIT_DAYS) * 86_400;
        match &mut *lock(&self.backend) {
            Backend::Sqlite(c) => {
                let cutoff = now - i64::from(s.retention_days) * 86_400;
                let n = c.execute("DELETE FROM checkins WHERE at < ?1 OR ?2 = 0", params![cutoff, s.retention_days])?;
                if !s.store_photos {
                    c.execute("UPDATE checkins SET photo = NULL WHERE photo IS NOT NULL", [])?;
                }
                c.execute("DELETE FROM audit WHERE at < ?1", params![audit_cutoff])?;
                Ok(n)
            }
            Backend::Pg(pg) => pg.write(|c| {
                let mut tx = c.transaction()?;
                // Another counter is purging right now: that one covers the site.
                let got: bool = tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&PG_LOCK_PURGE])?.get(0);
                if !got {
                    return Ok(0);
                }
                if !force {
                    let last: Option<i64> =
                        tx.query_opt("SELECT at FROM maintenance WHERE job = 'purge'", &[])?.map(|r| r.get(0));
                    if last.is_some_and(|l| now - l < SITE_PURGE_EVERY_S && l <= now) {
                        return Ok(0);
                    }
                }
                let policy = tx
                    .query_opt("SELECT value FROM settings WHERE key = 'site_policy'", &[])?
                    .and_then(|r| serde_json::from_str::<SitePolicy>(&r.get::<_, String>(0)).ok())
                    .unwrap_or(SitePolicy { retention_days: s.retention_days, store_photos: s.store_photos });
                let days = i64::from(policy.retention_days);
                let cutoff = now - days * 86_400;
                let n = tx.execute("DELETE FROM checkins WHERE at < $1 OR $2::BIGINT = 0", &[&cutoff, &days])?;
                if !policy.store_photos {
                    tx.execute("UPDATE checkins SET photo = NULL WHERE photo IS NOT NULL", &[])?;
                }
                tx.execute("DELETE FROM audit WHERE at < $1", &[&audit_cutoff])?;
                tx.execute(
                    "INSERT INTO maintenance(job, at) VALUES('purge', $1) ON CONFLICT(job) DO UPDATE SET at = $1",
                    &[&now],
                )?;
                tx.commit()?;
                Ok(n as usize)
            }),
        }
    }
}

/// The part of the settings that is the site's on a shared server.
#[derive(Serialize, Deserialize)]
struct SitePolicy {
    retention_days: u32,
    store_photos: bool,
}

/// The connection to the site server, re-made when it drops.
struct Pg {
    config: postgres::Config,
    counter: String,
    client: Option<postgres::Client>,
    /// Audit rows not yet on the server, with their write ids.
    outbox: Vec<(String, AuditRow)>,
    /// When the server last could not be reached (cleared by a success).
    down_since: Option<Instant>,
    /// Where audit rows still waiting when the app closes are kept until the next start.
    spool: Option<PathBuf>,
}

/// The spool file's name in the data folder. It holds audit rows only (field names, never
/// values) and exists only while some could not be sent.
pub const AUDIT_SPOOL: &str = "audit-pending.json";

impl Drop for Pg {
    fn drop(&mut self) {
        if self.outbox.is_empty() {
            return;
        }
        self.down_since = None;
        self.flush();
        if let (false, Some(path)) = (self.outbox.is_empty(), &self.spool) {
            // Nothing is lost when the app closes while the server is away: the rows wait on
            // this PC (readable by this user only) and go out on the next start.
            if let Ok(json) = serde_json::to_vec(&self.outbox) {
                let _ = write_private(path, &json);
            }
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    std::io::Write::write_all(&mut o.open(path)?, bytes)
}

/// Whether an error means the connection is gone (try again on a new one) rather than that
/// the statement is wrong.
fn connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(db) = e.as_db_error() {
        // 08: connection exception; 57P01..57P03: the server is shutting down or starting.
        let code = db.code().code();
        return code.starts_with("08") || code.starts_with("57P");
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

impl Pg {
    fn settings_key(&self) -> String {
        format!("counter:{}", self.counter)
    }
    fn client(&mut self) -> Result<&mut postgres::Client, postgres::Error> {
        let c = match self.client.take() {
            Some(c) if !c.is_closed() => c,
            _ => self.config.connect(postgres::NoTls)?,
        };
        Ok(self.client.insert(c))
    }
    /// One attempt. `Err(Some(e))`: a statement error (no retry); `Err(None)` with the reason
    /// in `lost`: the connection is gone.
    fn attempt<T>(
        &mut self,
        f: &mut impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, Result<postgres::Error, postgres::Error>> {
        let client = match self.client() {
            Ok(c) => c,
            Err(e) => return Err(Err(e)),
        };
        match f(client) {
            Ok(v) => Ok(v),
            Err(e) if connection_lost(&e) => {
                self.client = None;
                Err(Err(e))
            }
            Err(e) => Err(Ok(e)),
        }
    }
    /// [`Pg::attempt`], once more on a new connection when an existing one turned out to be
    /// dead (the server restarted since it was last used).
    fn attempt_fresh<T>(
        &mut self,
        f: &mut impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, Result<postgres::Error, postgres::Error>> {
        let had_client = self.client.is_some();
        match self.attempt(f) {
            Err(Err(_)) if had_client => self.attempt(f),
            r => r,
        }
    }
    fn succeeded(&mut self) {
        self.down_since = None;
        self.flush();
    }
    /// A write: tried again over a new connection when it drops (the write id makes the retry
    /// safe).
    fn write<T>(
        &mut self,
        mut f: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut waits = PG_RETRY_WAITS.iter();
        loop {
            match self.attempt(&mut f) {
                Ok(v) => {
                    self.succeeded();
                    return Ok(v);
                }
                Err(Ok(e)) => return Err(e.into()),
                Err(Err(e)) => {
                    self.down_since.get_or_insert_with(Instant::now);
                    match waits.next() {
                        Some(w) => std::thread::sleep(*w),
                        None => return Err(StoreError::Unreachable(e.to_string())),
                    }
                }
            }
        }
    }
    /// A read: one attempt, none at all within a few seconds of a failure.
    fn read<T>(
        &mut self,
        mut f: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        if let Some(t) = self.down_since
            && t.elapsed() < PG_READ_BACKOFF
            && self.client.is_none()
        {
            return Err(StoreError::Unreachable("not reachable a moment ago".into()));
        }
        match self.attempt_fresh(&mut f) {
            Ok(v) => {
                self.succeeded();
                Ok(v)
            }
            Err(Ok(e)) => Err(e.into()),
            Err(Err(e)) => {
                self.down_since = Some(Instant::now());
                Err(StoreError::Unreachable(e.to_string()))
            }
        }
    }
    /// Sends the waiting audit rows (once each, thanks to their ids); stops at the first
    /// failure and keeps the rest.
    fn flush(&mut self) {
        if self.outbox.is_empty() {
            return;
        }
        if let Some(t) = self.down_since
            && t.elapsed() < PG_READ_BACKOFF
            && self.client.is_none()
        {
            return;
        }
        let counter = self.counter.clone();
        while let Some((uid, a)) = self.outbox.first().cloned() {
            let r = self.attempt_fresh(&mut |c: &mut postgres::Client| {
                c.execute(
                    "INSERT INTO audit(at, clerk, action, purpose, fields, checkin, detail, uid, counter)
                     VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uid) DO NOTHING",
                    &[&a.at, &a.clerk, &a.action, &a.purpose, &a.fields, &a.checkin, &a.detail, &uid, &counter],
                )
            });
            match r {
                Ok(_) => {
                    self.outbox.remove(0);
                }
                Err(Ok(_)) => {
                    // The row itself is refused (cannot happen with this schema): drop it rather
                    // than block every later row.
                    self.outbox.remove(0);
                }
                Err(Err(_)) => {
                    self.down_since = Some(Instant::now());
                    return;
                }
            }
        }
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
        assert_eq!(a, b);
        assert_eq!(st.checkins(10).expect("list").len(), 5);
        assert_eq!(st.save_checkin(&row(day2 + 3), &s).expect("save").queue_no, 4);
        assert_eq!(st.checkins(1).expect("list")[0].queue_no, Some(4));
        assert_eq!(st.schema_version().expect("version"), 2);
    }

    #[test]
    fn a_database_from_before_versioned_migrations_is_upgraded_in_place() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            // The schema as the first release created it, with a row and settings.
            let c = Connection::open(dir.path().join("desk.sqlite")).expect("open");
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
        assert_eq!(st.schema_version().expect("version"), 2);
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
