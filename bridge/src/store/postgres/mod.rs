//! A site's shared store: one PostgreSQL server for every counter (the queue and the audit
//! trail are the site's). Every write carries a random id (`uid`, unique), so a write retried
//! after the connection dropped (server restart, network) is stored once, never twice. Reads
//! fail fast while the server is unreachable; audit rows written then wait in memory (and, when
//! the app closes, in a spool file) and are sent when it is back.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    AUDIT_COLUMNS, AUDIT_SPOOL, AuditRow, Backend, CHECKIN_COLUMNS, CONSENT_COLUMNS, CheckinRow, ConsentRecord, Erased,
    NewCheckin, PrivacyRequest, REQUEST_COLUMNS, SITE_PURGE_EVERY_S, Saved, Settings, StoreError, audit_row,
    checkin_row, consent_row, request_row,
};

mod link;

pub(super) use link::Pg;

mod migrations {
    refinery::embed_migrations!("migrations/postgres");
}

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

impl super::Columns for postgres::Row {
    fn col<T: super::Value>(&self, i: usize) -> Result<T, StoreError> {
        Ok(self.try_get(i)?)
    }
}

/// Connects to the site's server as `counter` and brings its schema up to date (one counter at
/// a time). Returns the connection and the server's address for display (never the password).
pub(super) fn connect(url: &str, counter: &str) -> Result<(Pg, String), StoreError> {
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
    let mut pg =
        Pg { config, counter: counter.to_string(), client: None, outbox: Default::default(), down_since: None };
    // The server's address (never the password) and the cause, for the technician.
    let client = pg.client().map_err(|e| {
        let cause = std::error::Error::source(&e).map(|c| format!(": {c}")).unwrap_or_default();
        StoreError::Unreachable(format!("{server}: {e}{cause}"))
    })?;
    client.query_one("SELECT pg_advisory_lock($1)", &[&PG_LOCK_MIGRATE])?;
    let migrated = migrations::migrations::runner().run(client).map_err(|e| StoreError::Migrate(e.to_string()));
    client.query_one("SELECT pg_advisory_unlock($1)", &[&PG_LOCK_MIGRATE])?;
    migrated?;
    Ok((pg, server))
}

impl Backend for Pg {
    fn pending_audit(&self) -> usize {
        self.outbox.rows.len()
    }

    /// Rows an earlier run left are sent now, and removed from the file only once stored.
    fn use_spool(&mut self, dir: &Path) {
        self.outbox.use_spool(dir.join(AUDIT_SPOOL));
        self.flush();
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        self.read(|c| {
            let v: i32 = c.query_one("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", &[])?.get(0);
            Ok(i64::from(v))
        })
    }

    /// This counter's settings, with the site's retention rule.
    fn settings(&mut self) -> Result<Settings, StoreError> {
        let key = self.settings_key();
        let (mine, site) = self.write(|c| {
            let mine: Option<String> =
                c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?.map(|r| r.get(0));
            let site: Option<String> =
                c.query_opt("SELECT value FROM settings WHERE key = 'site_policy'", &[])?.map(|r| r.get(0));
            Ok((mine, site))
        })?;
        let mut s = super::parse_settings(mine);
        if let Some(p) = site.and_then(|v| serde_json::from_str::<SitePolicy>(&v).ok()) {
            s.retention_days = p.retention_days;
            s.store_photos = p.store_photos;
        }
        Ok(s)
    }

    /// The retention rule (days, photos) is the site's: saving it at one counter sets it for
    /// all of them.
    fn save_settings(&mut self, s: &Settings) -> Result<(), StoreError> {
        let json = serde_json::to_string(s).unwrap_or_default();
        let key = self.settings_key();
        let policy =
            serde_json::to_string(&SitePolicy { retention_days: s.retention_days, store_photos: s.store_photos })
                .unwrap_or_default();
        self.write(|c| {
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

    fn save_checkin(&mut self, n: &NewCheckin) -> Result<Saved, StoreError> {
        let c = n.row;
        let counter = self.counter.clone();
        // The day as the queue table keys it (yyyy-mm-dd: digits and dashes only, so it may be
        // written into the statement below).
        if n.day.is_empty() || !n.day.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Err(StoreError::Url(format!("queue day {:?}", n.day)));
        }
        self.write(|cl| {
            cl.batch_execute("BEGIN")?;
            let done = (|| {
                if let Some(r) = cl.query_opt("SELECT id, queue_no FROM checkins WHERE uid = $1", &[&n.uid])? {
                    let q: Option<i64> = r.get(1);
                    cl.batch_execute("ROLLBACK")?;
                    return Ok(Some(Saved { id: Some(r.get(0)), queue_no: q.unwrap_or(0), repeat: true }));
                }
                // The row first (photo, evidence), its number last: every counter waits on the
                // day's queue row, so it is locked only for one round trip — the number and the
                // commit go in one message. Numbers stay unique and gap-free: taken inside the
                // transaction, so a save that fails gives none away.
                let id: Option<i64> = if n.keep {
                    let r = cl.query_one(
                        "INSERT INTO checkins(at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, uid, counter, queue_no, evidence, evidence_sha256)
                         VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16) RETURNING id",
                        &[
                            &c.at, &c.clerk, &c.full_name, &c.id_number, &c.date_of_birth, &c.sex, &c.address,
                            &c.reason, &c.service, &c.verdict, &c.bhyt, &n.photo, &n.uid, &counter, &c.evidence,
                            &c.evidence_sha256,
                        ],
                    )?;
                    Some(r.get(0))
                } else {
                    None
                };
                let number = format!(
                    "WITH q AS (INSERT INTO queue(day, last) VALUES('{}', 1) ON CONFLICT(day) DO UPDATE SET last = queue.last + 1 RETURNING last) ",
                    n.day
                );
                let sql = match id {
                    Some(id) => format!("{number}UPDATE checkins SET queue_no = (SELECT last FROM q) WHERE id = {id} RETURNING queue_no; COMMIT"),
                    None => format!("{number}SELECT last FROM q; COMMIT"),
                };
                let mut q = None;
                for m in cl.simple_query(&sql)? {
                    if let postgres::SimpleQueryMessage::Row(r) = m {
                        q = r.get(0).and_then(|v| v.parse::<i64>().ok());
                    }
                }
                Ok(q.map(|q| Saved { id, queue_no: q, repeat: false }))
            })();
            if done.is_err() {
                let _ = cl.batch_execute("ROLLBACK");
            }
            done
        })
        .and_then(|saved| saved.ok_or_else(|| StoreError::Migrate("the server gave no queue number".into())))
    }

    fn checkins(&mut self, limit: usize) -> Result<Vec<CheckinRow>, StoreError> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {CHECKIN_COLUMNS} FROM checkins ORDER BY at DESC, id DESC LIMIT $1"),
                &[&(limit as i64)],
            )
        })?;
        rows.iter().map(checkin_row).collect()
    }

    fn delete_checkin(&mut self, id: i64) -> Result<bool, StoreError> {
        self.write(|c| Ok(c.execute("DELETE FROM checkins WHERE id = $1", &[&id])? > 0))
    }

    /// The row waits in memory when the server cannot be reached and is sent with the next
    /// successful write.
    fn audit(&mut self, uid: String, row: &AuditRow) -> Result<(), StoreError> {
        self.outbox.rows.push((uid, row.clone()));
        self.flush();
        Ok(())
    }

    fn audit_log(&mut self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY at DESC, id DESC LIMIT $1"),
                &[&(limit as i64)],
            )
        })?;
        rows.iter().map(audit_row).collect()
    }

    /// The site's scheduled purge: once for the whole site (one counter at a time, not again
    /// within [`SITE_PURGE_EVERY_S`] unless forced), with the site's retention rule.
    fn purge(&mut self, now: i64, s: &Settings, force: bool) -> Result<usize, StoreError> {
        let audit_cutoff = super::audit_cutoff(now);
        self.write(|c| {
            let mut tx = c.transaction()?;
            // Another counter is purging right now: that one covers the site.
            let got: bool = tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&PG_LOCK_PURGE])?.get(0);
            if !got {
                return Ok(None);
            }
            if !force {
                let last: Option<i64> =
                    tx.query_opt("SELECT at FROM maintenance WHERE job = 'purge'", &[])?.map(|r| r.get(0));
                if last.is_some_and(|l| now - l < SITE_PURGE_EVERY_S && l <= now) {
                    return Ok(Some(0));
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
            // Consent records prove what was agreed; they go with the audit log (a year).
            tx.execute("DELETE FROM consents WHERE at < $1", &[&audit_cutoff])?;
            tx.execute(
                "INSERT INTO maintenance(job, at) VALUES('purge', $1) ON CONFLICT(job) DO UPDATE SET at = $1",
                &[&now],
            )?;
            tx.commit()?;
            Ok(Some(n as usize))
        })
        // The scheduled purge leaves it to the counter that holds the lock; one asked for now
        // says so instead of answering 0.
        .and_then(|done| match done {
            Some(n) => Ok(n),
            None if force => Err(StoreError::PurgeBusy),
            None => Ok(0),
        })
    }

    fn site_key(&mut self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.write(|c| {
            c.execute("INSERT INTO site_secret(id, key) VALUES(1, $1) ON CONFLICT(id) DO NOTHING", &[&fresh])?;
            Ok(c.query_one("SELECT key FROM site_secret WHERE id = 1", &[])?.get(0))
        })
    }

    fn record_consent(&mut self, uid: &str, r: &ConsentRecord) -> Result<i64, StoreError> {
        self.write(|c| {
            // A retried write (same uid) is stored once.
            let row = c.query_opt(
                &format!(
                    "INSERT INTO consents(uid, {CONSENT_COLUMNS}) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT(uid) DO NOTHING RETURNING id"
                ),
                &[
                    &uid, &r.at, &r.subject, &r.purpose, &r.recipient, &r.fields, &r.notice_sha256, &r.method,
                    &r.answer, &r.site, &r.counter, &r.clerk, &r.checkin, &r.withdrawn_at,
                ],
            )?;
            match row {
                Some(row) => Ok(row.get(0)),
                None => Ok(c.query_one("SELECT id FROM consents WHERE uid = $1", &[&uid])?.get(0)),
            }
        })
    }

    fn consents_of(&mut self, subject: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        let rows = self.read(|c| {
            c.query(&format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE subject = $1 ORDER BY at, id"), &[&subject])
        })?;
        rows.iter().map(consent_row).collect()
    }

    fn checkins_of(&mut self, id_number: &str) -> Result<Vec<CheckinRow>, StoreError> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id_number = $1 ORDER BY at DESC, id DESC"),
                &[&id_number],
            )
        })?;
        rows.iter().map(checkin_row).collect()
    }

    fn audit_between(&mut self, from: i64, to: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE at >= $1 AND at < $2 ORDER BY at, id"),
                &[&from, &to],
            )
        })?;
        rows.iter().map(audit_row).collect()
    }

    fn withdraw(&mut self, subject: &str, purpose: &str, now: i64) -> Result<(usize, usize), StoreError> {
        self.write(|c| {
            let mut tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE consents SET withdrawn_at = $3 WHERE subject = $1 AND purpose = $2 AND answer = 'agreed' AND withdrawn_at IS NULL",
                &[&subject, &purpose, &now],
            )?;
            let kept = tx.execute(
                "DELETE FROM checkins WHERE id IN (SELECT checkin FROM consents WHERE subject = $1 AND purpose = $2 AND checkin IS NOT NULL AND method = 'stated_by_his')",
                &[&subject, &purpose],
            )?;
            tx.commit()?;
            Ok((n as usize, kept as usize))
        })
    }

    /// Rows are deleted; the server's backups keep them until the backups' own retention ends
    /// (docs/privacy.md says so).
    fn erase(&mut self, id_number: &str, subject: &str) -> Result<Erased, StoreError> {
        self.write(|c| {
            let mut tx = c.transaction()?;
            let audit_unlinked = tx.execute(
                "UPDATE audit SET checkin = NULL WHERE checkin IN (SELECT id FROM checkins WHERE id_number = $1)",
                &[&id_number],
            )?;
            let checkins = tx.execute("DELETE FROM checkins WHERE id_number = $1", &[&id_number])?;
            let consents = tx.execute("DELETE FROM consents WHERE subject = $1", &[&subject])?;
            tx.commit()?;
            Ok(Erased {
                checkins: checkins as usize,
                consents: consents as usize,
                audit_unlinked: audit_unlinked as usize,
            })
        })
    }

    fn add_request(&mut self, r: &PrivacyRequest) -> Result<i64, StoreError> {
        self.write(|c| {
            Ok(c.query_one(
                "INSERT INTO privacy_requests(subject, kind, purpose, received_at, acknowledge_by, due, extended_to, acknowledged_at, done_at, result)
                 VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    &r.subject, &r.kind, &r.purpose, &r.received_at, &r.acknowledge_by, &r.due, &r.extended_to,
                    &r.acknowledged_at, &r.done_at, &r.result,
                ],
            )?
            .get(0))
        })
    }

    fn requests(&mut self) -> Result<Vec<PrivacyRequest>, StoreError> {
        let rows = self.read(|c| {
            c.query(&format!("SELECT {REQUEST_COLUMNS} FROM privacy_requests ORDER BY received_at, id"), &[])
        })?;
        rows.iter().map(request_row).collect()
    }

    fn finish_request(&mut self, id: i64, at: i64, result: &str) -> Result<(), StoreError> {
        self.write(|c| {
            c.execute(
                "UPDATE privacy_requests SET done_at = $2, acknowledged_at = COALESCE(acknowledged_at, $2), result = $3 WHERE id = $1",
                &[&id, &at, &result],
            )?;
            Ok(())
        })
    }
}

/// The part of the settings that is the site's on a shared server.
#[derive(Serialize, Deserialize)]
struct SitePolicy {
    retention_days: u32,
    store_photos: bool,
}
