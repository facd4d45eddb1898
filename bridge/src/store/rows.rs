//! A database row turned into a record in one place for both backends (SQLite and PostgreSQL):
//! the column lists and the row readers.

use super::{AUDIT_DAYS, AuditRow, CheckinRow, ConsentRecord, PrivacyRequest, Settings, StoreError};

/// A value both databases can hand back.
pub(super) trait Value: rusqlite::types::FromSql + for<'a> ::postgres::types::FromSql<'a> {}
impl<T: rusqlite::types::FromSql + for<'a> ::postgres::types::FromSql<'a>> Value for T {}

/// A result row of either database, read by column index.
pub(super) trait Columns {
    fn col<T: Value>(&self, i: usize) -> Result<T, StoreError>;
}

/// The check-in columns, in the order [`checkin_row`] reads them.
pub(super) const CHECKIN_COLUMNS: &str = "id, at, clerk, full_name, id_number, date_of_birth, sex, address, reason, service, verdict, bhyt, photo, counter, queue_no, evidence, evidence_sha256";
/// The audit columns, in the order [`audit_row`] reads them.
pub(super) const AUDIT_COLUMNS: &str = "at, clerk, action, purpose, fields, checkin, detail";
/// The consent columns, in the order [`consent_row`] reads them.
pub(super) const CONSENT_COLUMNS: &str = "at, subject, purpose, recipient, fields, notice_sha256, method, answer, site, counter, clerk, checkin, withdrawn_at";
/// The request columns, in the order [`request_row`] reads them.
pub(super) const REQUEST_COLUMNS: &str =
    "id, subject, kind, purpose, received_at, acknowledge_by, due, extended_to, acknowledged_at, done_at, result";

pub(super) fn consent_row(r: &impl Columns) -> Result<ConsentRecord, StoreError> {
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

pub(super) fn request_row(r: &impl Columns) -> Result<PrivacyRequest, StoreError> {
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
pub(super) fn checkin_row(r: &impl Columns) -> Result<CheckinRow, StoreError> {
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
pub(super) fn audit_row(r: &impl Columns) -> Result<AuditRow, StoreError> {
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
pub(super) fn parse_settings(v: Option<String>) -> Settings {
    v.and_then(|s| serde_json::from_str::<Settings>(&s).ok()).unwrap_or_default()
}

/// Audit rows older than this are deleted.
pub(super) fn audit_cutoff(now: i64) -> i64 {
    now - i64::from(AUDIT_DAYS) * 86_400
}
