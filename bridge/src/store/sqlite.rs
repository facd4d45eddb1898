//! One PC's store: a SQLite file (rusqlite, bundled), or memory only in demo mode.
//!
//! Shared safely by several processes on one PC (two desk apps, the desk app and the CLI): the
//! schema is migrated under an exclusive lock on `<file>.lock` (two first opens both succeed);
//! the file is in WAL mode (readers never block the writer); every multi-statement write begins
//! IMMEDIATE so a busy file is waited for (5 s) rather than failed at once; an audit row that
//! cannot be written waits in the outbox (on disk beside the file) and is retried — the failure
//! is returned to the caller, never dropped.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    AUDIT_COLUMNS, AuditRow, Backend, CHECKIN_COLUMNS, CONSENT_COLUMNS, CheckinRow, ConsentRecord, Erased, NewCheckin,
    PrivacyRequest, REQUEST_COLUMNS, Saved, Settings, StoreError, audit_row, checkin_row, consent_row, request_row,
};

mod migrations {
    refinery::embed_migrations!("migrations/sqlite");
}

pub(super) struct Sqlite {
    conn: Connection,
    /// Audit rows not yet written (the file was locked), with their write ids.
    outbox: super::outbox::Outbox,
}

/// How long a write waits for another process's write to finish.
const BUSY: Duration = Duration::from_secs(5);

impl Sqlite {
    /// Brings the schema up to date (a database in memory).
    pub(super) fn new(mut conn: Connection) -> Result<Sqlite, StoreError> {
        conn.busy_timeout(BUSY)?;
        migrations::migrations::runner().run(&mut conn).map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Sqlite { conn, outbox: Default::default() })
    }

    /// Opens a database file shared with other processes: WAL, the busy timeout, the schema
    /// migrated under an exclusive lock on `<file>.lock`, the audit outbox beside the file.
    pub(super) fn open_file(path: &std::path::Path) -> Result<Sqlite, StoreError> {
        let lock_path = path.with_extension("sqlite.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::Dir(lock_path.clone(), e))?;
        // Two processes opening a new file at once: one switches it to WAL and migrates, the other
        // then finds both done. Switching to WAL needs the file to itself and SQLite answers
        // "database is locked" at once, without waiting, when another connection is busy with it
        // (seen in CI), so the switch happens under the same lock as the migration.
        lock.lock().map_err(|e| StoreError::Dir(lock_path.clone(), e))?;
        let opened = Self::open_locked(path);
        let _ = lock.unlock();
        let conn = opened?;
        let mut outbox = super::outbox::Outbox::default();
        outbox.use_spool(path.with_extension("audit-pending.json"));
        let mut s = Sqlite { conn, outbox };
        let _ = s.flush();
        Ok(s)
    }

    /// Opens, switches to WAL and migrates; the caller holds the file's lock.
    fn open_locked(path: &std::path::Path) -> Result<Connection, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY)?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        migrations::migrations::runner().run(&mut conn).map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(conn)
    }

    /// Writes the waiting audit rows in order; keeps the rest (and the file on disk) at the first
    /// failure, which it returns.
    fn flush(&mut self) -> Result<(), StoreError> {
        let mut failed = None;
        while let Some((uid, row)) = self.outbox.rows.first().cloned() {
            let r = self.conn.execute(
                "INSERT INTO audit(at, clerk, action, purpose, fields, checkin, detail, uid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(uid) DO NOTHING",
                params![row.at, row.clerk, row.action, row.purpose, row.fields, row.checkin, row.detail, uid],
            );
            match r {
                Ok(_) => {
                    self.outbox.rows.remove(0);
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let _ = self.outbox.persist();
        failed.map_or(Ok(()), |e| Err(e.into()))
    }
}

impl super::Columns for rusqlite::Row<'_> {
    fn col<T: super::Value>(&self, i: usize) -> Result<T, StoreError> {
        Ok(self.get(i)?)
    }
}

impl Backend for Sqlite {
    fn schema_version(&mut self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", [], |r| r.get(0))?)
    }

    fn settings(&mut self) -> Result<Settings, StoreError> {
        let v: Option<String> =
            self.conn.query_row("SELECT value FROM settings WHERE key = 'settings'", [], |r| r.get(0)).optional()?;
        Ok(super::parse_settings(v))
    }

    fn save_settings(&mut self, s: &Settings) -> Result<(), StoreError> {
        let json = serde_json::to_string(s).unwrap_or_default();
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES('settings', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
            params![json],
        )?;
        Ok(())
    }

    fn save_checkin(&mut self, n: &NewCheckin) -> Result<Saved, StoreError> {
        let c = n.row;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some((id, q)) = tx
            .query_row("SELECT id, queue_no FROM checkins WHERE uid = ?1", params![n.uid], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })
            .optional()?
        {
            return Ok(Saved { id: Some(id), queue_no: q.unwrap_or(0), repeat: true });
        }
        let q: i64 = tx.query_row(
            "INSERT INTO queue(day, last) VALUES(?1, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
            params![n.day],
            |r| r.get(0),
        )?;
        let id = if n.keep {
            tx.execute(
                "INSERT INTO checkins(at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, uid, counter, queue_no, evidence, evidence_sha256)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '', ?14, ?15, ?16)",
                params![
                    c.at, c.clerk, c.full_name, c.id_number, c.date_of_birth, c.sex, c.address, c.reason, c.service,
                    c.verdict, c.bhyt, n.photo, n.uid, q, c.evidence, c.evidence_sha256
                ],
            )?;
            Some(tx.last_insert_rowid())
        } else {
            None
        };
        tx.commit()?;
        Ok(Saved { id, queue_no: q, repeat: false })
    }

    fn checkins(&mut self, limit: usize) -> Result<Vec<CheckinRow>, StoreError> {
        let mut st =
            self.conn.prepare(&format!("SELECT {CHECKIN_COLUMNS} FROM checkins ORDER BY at DESC, id DESC LIMIT ?1"))?;
        let mut rows = st.query(params![limit as i64])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(checkin_row(r)?);
        }
        Ok(out)
    }

    fn delete_checkin(&mut self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM checkins WHERE id = ?1", params![id])? > 0)
    }

    /// Queued, then written with any that wait; a failure is returned (the row waits, on disk,
    /// and goes with the next write).
    fn audit(&mut self, uid: String, row: &AuditRow) -> Result<(), StoreError> {
        self.outbox.rows.push((uid, row.clone()));
        self.flush()
    }

    fn pending_audit(&self) -> usize {
        self.outbox.rows.len()
    }

    fn audit_log(&mut self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut st =
            self.conn.prepare(&format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY at DESC, id DESC LIMIT ?1"))?;
        let mut rows = st.query(params![limit as i64])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(audit_row(r)?);
        }
        Ok(out)
    }

    fn purge(&mut self, now: i64, s: &Settings, _force: bool) -> Result<usize, StoreError> {
        let cutoff = now - i64::from(s.retention_days) * 86_400;
        let c = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = c.execute("DELETE FROM checkins WHERE at < ?1 OR ?2 = 0", params![cutoff, s.retention_days])?;
        if !s.store_photos {
            c.execute("UPDATE checkins SET photo = NULL WHERE photo IS NOT NULL", [])?;
        }
        c.execute("DELETE FROM audit WHERE at < ?1", params![super::audit_cutoff(now)])?;
        // Consent records prove what was agreed; they go with the audit log (a year).
        c.execute("DELETE FROM consents WHERE at < ?1", params![super::audit_cutoff(now)])?;
        c.commit()?;
        Ok(n)
    }

    fn site_key(&mut self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.conn
            .execute("INSERT INTO site_secret(id, key) VALUES(1, ?1) ON CONFLICT(id) DO NOTHING", params![fresh])?;
        Ok(self.conn.query_row("SELECT key FROM site_secret WHERE id = 1", [], |r| r.get(0))?)
    }

    fn record_consent(&mut self, uid: &str, c: &ConsentRecord) -> Result<i64, StoreError> {
        self.conn.execute(
            &format!("INSERT INTO consents(uid, {CONSENT_COLUMNS}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
            params![
                uid, c.at, c.subject, c.purpose, c.recipient, c.fields, c.notice_sha256, c.method, c.answer, c.site,
                c.counter, c.clerk, c.checkin, c.withdrawn_at
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn consents_of(&mut self, subject: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        let mut st =
            self.conn.prepare(&format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE subject = ?1 ORDER BY at, id"))?;
        let mut rows = st.query(params![subject])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(consent_row(r)?);
        }
        Ok(out)
    }

    fn checkins_of(&mut self, id_number: &str) -> Result<Vec<CheckinRow>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id_number = ?1 ORDER BY at DESC, id DESC"
        ))?;
        let mut rows = st.query(params![id_number])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(checkin_row(r)?);
        }
        Ok(out)
    }

    fn audit_between(&mut self, from: i64, to: i64) -> Result<Vec<AuditRow>, StoreError> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY at, id"))?;
        let mut rows = st.query(params![from, to])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(audit_row(r)?);
        }
        Ok(out)
    }

    fn withdraw(&mut self, subject: &str, purpose: &str, now: i64) -> Result<(usize, usize), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE consents SET withdrawn_at = ?3 WHERE subject = ?1 AND purpose = ?2 AND answer = 'agreed' AND withdrawn_at IS NULL",
            params![subject, purpose, now],
        )?;
        let kept = tx.execute(
            "DELETE FROM checkins WHERE id IN (SELECT checkin FROM consents WHERE subject = ?1 AND purpose = ?2 AND checkin IS NOT NULL AND method = 'stated_by_his')",
            params![subject, purpose],
        )?;
        tx.commit()?;
        Ok((n, kept))
    }

    fn erase(&mut self, id_number: &str, subject: &str) -> Result<Erased, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let audit_unlinked = tx.execute(
            "UPDATE audit SET checkin = NULL WHERE checkin IN (SELECT id FROM checkins WHERE id_number = ?1)",
            params![id_number],
        )?;
        let checkins = tx.execute("DELETE FROM checkins WHERE id_number = ?1", params![id_number])?;
        let consents = tx.execute("DELETE FROM consents WHERE subject = ?1", params![subject])?;
        tx.commit()?;
        // secure_delete overwrote the freed cells; VACUUM rebuilds the file without free pages;
        // the checkpoint moves that into the file and empties the write-ahead log (WAL mode),
        // where the old pages would otherwise linger.
        self.conn.execute_batch("VACUUM")?;
        let _: (i64, i64, i64) =
            self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(Erased { checkins, consents, audit_unlinked })
    }

    fn add_request(&mut self, r: &PrivacyRequest) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO privacy_requests(subject, kind, purpose, received_at, acknowledge_by, due, extended_to, acknowledged_at, done_at, result)
             VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![r.subject, r.kind, r.purpose, r.received_at, r.acknowledge_by, r.due, r.extended_to, r.acknowledged_at, r.done_at, r.result],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn requests(&mut self) -> Result<Vec<PrivacyRequest>, StoreError> {
        let mut st =
            self.conn.prepare(&format!("SELECT {REQUEST_COLUMNS} FROM privacy_requests ORDER BY received_at, id"))?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(request_row(r)?);
        }
        Ok(out)
    }

    fn finish_request(&mut self, id: i64, at: i64, result: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE privacy_requests SET done_at = ?2, acknowledged_at = COALESCE(acknowledged_at, ?2), result = ?3 WHERE id = ?1",
            params![id, at, result],
        )?;
        Ok(())
    }
}
