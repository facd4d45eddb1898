//! One PC's store: a SQLite file (rusqlite, bundled), or memory only in demo mode.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::{
    AUDIT_COLUMNS, AuditRow, Backend, CHECKIN_COLUMNS, CheckinRow, NewCheckin, Saved, Settings, StoreError, audit_row,
    checkin_row,
};

mod migrations {
    refinery::embed_migrations!("migrations/sqlite");
}

pub(super) struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Brings the schema up to date.
    pub(super) fn new(mut conn: Connection) -> Result<Sqlite, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        migrations::migrations::runner().run(&mut conn).map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Sqlite { conn })
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
        let tx = self.conn.transaction()?;
        if let Some((id, q)) = tx
            .query_row("SELECT id, queue_no FROM checkins WHERE uid = ?1", params![n.uid], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })
            .optional()?
        {
            return Ok(Saved { id: Some(id), queue_no: q.unwrap_or(0) });
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
        Ok(Saved { id, queue_no: q })
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

    fn audit(&mut self, uid: String, row: &AuditRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO audit(at, clerk, action, purpose, fields, checkin, detail, uid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![row.at, row.clerk, row.action, row.purpose, row.fields, row.checkin, row.detail, uid],
        )?;
        Ok(())
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
        let c = &self.conn;
        let n = c.execute("DELETE FROM checkins WHERE at < ?1 OR ?2 = 0", params![cutoff, s.retention_days])?;
        if !s.store_photos {
            c.execute("UPDATE checkins SET photo = NULL WHERE photo IS NOT NULL", [])?;
        }
        c.execute("DELETE FROM audit WHERE at < ?1", params![super::audit_cutoff(now)])?;
        Ok(n)
    }
}
