//! The connection to the site server: made again when it drops, every write retried with its
//! id so that it is stored once, reads failing fast while the server is away, and the audit
//! rows that wait (on disk while any do) sent when it is back.

use std::time::Instant;

use super::{PG_READ_BACKOFF, PG_RETRY_WAITS};
use crate::store::StoreError;

/// The connection to the site server, re-made when it drops.
pub(in crate::store) struct Pg {
    pub(super) config: postgres::Config,
    pub(super) counter: String,
    pub(super) client: Option<postgres::Client>,
    /// Audit rows not yet on the server, with their write ids (on disk while any wait).
    pub(super) outbox: super::super::outbox::Outbox,
    /// When the server last could not be reached (cleared by a success).
    pub(super) down_since: Option<Instant>,
}

impl Drop for Pg {
    fn drop(&mut self) {
        // One last try; what still waits is already on disk (the outbox keeps it there).
        if !self.outbox.rows.is_empty() {
            self.down_since = None;
            self.flush();
        }
    }
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
    pub(super) fn settings_key(&self) -> String {
        format!("counter:{}", self.counter)
    }
    pub(super) fn client(&mut self) -> Result<&mut postgres::Client, postgres::Error> {
        let c = match self.client.take() {
            Some(c) if !c.is_closed() => c,
            _ => self.config.connect(postgres::NoTls)?,
        };
        Ok(self.client.insert(c))
    }
    /// One attempt. `Err(Some(e))`: a statement error (no retry); `Err(None)` with the reason
    /// in `lost`: the connection is gone.
    pub(super) fn attempt<T>(
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
    pub(super) fn attempt_fresh<T>(
        &mut self,
        f: &mut impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, Result<postgres::Error, postgres::Error>> {
        let had_client = self.client.is_some();
        match self.attempt(f) {
            Err(Err(_)) if had_client => self.attempt(f),
            r => r,
        }
    }
    pub(super) fn succeeded(&mut self) {
        self.down_since = None;
        self.flush();
    }
    /// A write: tried again over a new connection when it drops (the write id makes the retry
    /// safe).
    pub(super) fn write<T>(
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
    pub(super) fn read<T>(
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
    pub(super) fn flush(&mut self) {
        if self.outbox.rows.is_empty() {
            return;
        }
        self.send_waiting();
        // The disk matches what still waits (written, fsynced, when rows wait; removed when none
        // do) before the call that queued a row returns.
        let _ = self.outbox.persist();
    }

    pub(super) fn send_waiting(&mut self) {
        if let Some(t) = self.down_since
            && t.elapsed() < PG_READ_BACKOFF
            && self.client.is_none()
        {
            return;
        }
        let counter = self.counter.clone();
        while let Some((uid, a)) = self.outbox.rows.first().cloned() {
            let r = self.attempt_fresh(&mut |c: &mut postgres::Client| {
                c.execute(
                    "INSERT INTO audit(at, clerk, action, purpose, fields, checkin, detail, uid, counter)
                     VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uid) DO NOTHING",
                    &[&a.at, &a.clerk, &a.action, &a.purpose, &a.fields, &a.checkin, &a.detail, &uid, &counter],
                )
            });
            match r {
                Ok(_) => {
                    self.outbox.rows.remove(0);
                }
                Err(Ok(_)) => {
                    // The row itself is refused (cannot happen with this schema): drop it rather
                    // than block every later row.
                    self.outbox.rows.remove(0);
                }
                Err(Err(_)) => {
                    self.down_since = Some(Instant::now());
                    return;
                }
            }
        }
    }
}
