//! Audit rows written but not yet stored (a site server that cannot be reached, a SQLite file
//! locked by another process): kept in order with their write ids, and — whenever any are
//! waiting — on disk too, fsynced before the call that queued them returns, so a counter that
//! is killed (power cut, task manager) loses none. The file is rewritten as rows go out and
//! removed when none wait; at start its rows are sent first and only then removed. Sending a
//! row twice stores it once (its write id).

use std::path::PathBuf;

use super::AuditRow;

#[derive(Default)]
pub(super) struct Outbox {
    pub rows: Vec<(String, AuditRow)>,
    /// Where waiting rows are kept on disk (`None`: memory only, e.g. demo mode).
    spool: Option<PathBuf>,
}

impl Outbox {
    /// Uses `path` as the spool, taking the rows an earlier run left there (they go out before
    /// any new one).
    pub fn use_spool(&mut self, path: PathBuf) {
        if let Ok(bytes) = std::fs::read(&path)
            && let Ok(left) = serde_json::from_slice::<Vec<(String, AuditRow)>>(&bytes)
        {
            let mut rows = left;
            rows.retain(|(uid, _)| !self.rows.iter().any(|(u, _)| u == uid));
            rows.append(&mut self.rows);
            self.rows = rows;
        }
        self.spool = Some(path);
    }

    /// Makes the file match the rows waiting: written durably (`crate::write_private`: fsynced, renamed, folder fsynced) when any
    /// wait, removed when none do.
    pub fn persist(&self) -> std::io::Result<()> {
        let Some(path) = &self.spool else { return Ok(()) };
        if self.rows.is_empty() {
            return match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let json = serde_json::to_vec(&self.rows).map_err(std::io::Error::other)?;
        crate::write_private(path, &json)
    }
}
