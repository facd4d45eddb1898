//! Local history and audit in SQLite (rusqlite, bundled): check-ins, an audit log of who sent
//! which fields where, and the settings. Personal data is kept only as long as the retention
//! setting says (default 30 days; 0 keeps none) and purged automatically; photos only when the
//! setting allows. The audit log holds field *names*, never values, and is kept a year.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Audit rows carry no personal values; they are kept this long regardless of retention.
pub const AUDIT_DAYS: u32 = 365;

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
}

/// An audit entry.
#[derive(Clone, Debug, PartialEq)]
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

/// The database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot create {0}: {1}")]
    Dir(PathBuf, std::io::Error),
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkins (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL,
    full_name TEXT, id_number TEXT, date_of_birth TEXT, sex TEXT, address TEXT,
    reason TEXT NOT NULL, service TEXT NOT NULL, verdict TEXT NOT NULL, bhyt TEXT NOT NULL,
    photo BLOB);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL, action TEXT NOT NULL,
    purpose TEXT, fields TEXT NOT NULL, checkin INTEGER, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS checkins_at ON checkins(at);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
";

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
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        Ok(Store { conn, path: Some(path) })
    }
    /// A database in memory only (demo mode: nothing reaches the disk).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn, path: None })
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn settings(&self) -> Result<Settings, StoreError> {
        let v: Option<String> =
            self.conn.query_row("SELECT value FROM settings WHERE key = 'settings'", [], |r| r.get(0)).optional()?;
        Ok(v.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }
    pub fn save_settings(&self, s: &Settings) -> Result<(), StoreError> {
        let json = serde_json::to_string(s).unwrap_or_default();
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES('settings', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
            params![json],
        )?;
        Ok(())
    }

    /// Saves a check-in (when retention allows; `None` when it keeps nothing). The photo is
    /// dropped unless `store_photo`.
    pub fn save_checkin(&self, c: &CheckinRow, s: &Settings) -> Result<Option<i64>, StoreError> {
        if s.retention_days == 0 {
            return Ok(None);
        }
        let photo = if s.store_photos { c.photo.clone() } else { None };
        self.conn.execute(
            "INSERT INTO checkins(at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo)
             VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                c.at, c.clerk, c.full_name, c.id_number, c.date_of_birth, c.sex, c.address, c.reason, c.service,
                c.verdict, c.bhyt, photo
            ],
        )?;
        Ok(Some(self.conn.last_insert_rowid()))
    }

    pub fn checkins(&self, limit: usize) -> Result<Vec<CheckinRow>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo
             FROM checkins ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
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
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn audit(&self, row: &AuditRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO audit(at, clerk, action, purpose, fields, checkin, detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![row.at, row.clerk, row.action, row.purpose, row.fields, row.checkin, row.detail],
        )?;
        Ok(())
    }

    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT at, clerk, action, purpose, fields, checkin, detail FROM audit ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
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

    /// Deletes check-ins older than the retention period (all of them at 0 days), photos when
    /// they are no longer to be kept, and audit rows older than [`AUDIT_DAYS`]. Returns the
    /// number of check-ins deleted.
    pub fn purge(&self, now: i64, s: &Settings) -> Result<usize, StoreError> {
        let cutoff = now - i64::from(s.retention_days) * 86_400;
        let n = self.conn.execute("DELETE FROM checkins WHERE at < ?1 OR ?2 = 0", params![cutoff, s.retention_days])?;
        if !s.store_photos {
            self.conn.execute("UPDATE checkins SET photo = NULL WHERE photo IS NOT NULL", [])?;
        }
        let audit_cutoff = now - i64::from(AUDIT_DAYS) * 86_400;
        self.conn.execute("DELETE FROM audit WHERE at < ?1", params![audit_cutoff])?;
        Ok(n)
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
            let old = st.save_checkin(&row(now - 31 * 86_400), &s).expect("save").expect("kept");
            let new = st.save_checkin(&row(now - 86_400), &s).expect("save").expect("kept");
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
        assert_eq!(st.save_checkin(&row(now), &s).expect("save"), None);
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
}
