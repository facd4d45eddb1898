//! Field diagnostics for cards nobody here has seen: the LDS files exactly as read
//! (`cancuoc read --save-files DIR`), the same passive-authentication verdict from them offline
//! (`cancuoc verify DIR`), and an APDU trace a technician can send to be replayed in a test
//! (`cancuoc read --trace FILE`) that carries no access key and no plain personal data.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use cancuoc_core::files::FileId;
use cancuoc_core::read::{CardRead, ReadOptions, verify_files};
use cancuoc_core::verdict::ActiveAuthStatus;
use cancuoc_core::{Transport, TransportError, TransportLimits, TrustStore};

/// The file name a saved LDS file gets: `EF.COM.bin`, `EF.SOD.bin`, `DG1.bin`, …
pub fn file_name(id: FileId) -> String {
    format!("{id}.bin")
}

fn file_id(name: &str) -> Option<FileId> {
    let stem = name.strip_suffix(".bin")?;
    match stem {
        "EF.COM" => Some(FileId::Com),
        "EF.SOD" => Some(FileId::Sod),
        "EF.CardAccess" => Some(FileId::CardAccess),
        dg => dg.strip_prefix("DG")?.parse::<u8>().ok().filter(|n| (1..=16).contains(n)).map(FileId::Dg),
    }
}

/// Writes every file as read into `dir` (created owner-only; files 0600 on Unix): they are
/// personal data. Returns the paths written.
pub fn save_files(dir: &Path, files: &BTreeMap<FileId, Vec<u8>>) -> std::io::Result<Vec<PathBuf>> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let mut written = Vec::new();
    for (id, bytes) in files {
        let path = dir.join(file_name(*id));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(&path)?.write_all(bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Why saved card files cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The folder or one of its card files cannot be read (which, and the system's reason).
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    /// The folder holds neither EF.SOD nor any data group.
    #[error("{0} holds no saved card files (EF.SOD.bin, DG1.bin, …)")]
    Empty(String),
}

/// Reads back what [`save_files`] wrote (other files in the folder are ignored).
pub fn load_files(dir: &Path) -> Result<BTreeMap<FileId, Vec<u8>>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
    let mut files = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = file_id(&name) {
            let bytes = std::fs::read(entry.path()).map_err(|error| LoadError::Io { path: name, error })?;
            files.insert(id, bytes);
        }
    }
    if !files.contains_key(&FileId::Sod) && !files.keys().any(|f| matches!(f, FileId::Dg(_))) {
        return Err(LoadError::Empty(dir.display().to_string()));
    }
    Ok(files)
}

/// Passive authentication of saved files with `trust` at `now_unix`. Active and chip
/// authentication need the chip: they come out as not attempted, and the report built with
/// [`crate::Report::from_files`] judges on passive authentication alone.
pub fn verify_saved(files: BTreeMap<FileId, Vec<u8>>, trust: &TrustStore, now_unix: u64) -> CardRead {
    let mut opts = ReadOptions::cccd(trust, now_unix);
    opts.active_auth = false;
    opts.chip_auth = false;
    verify_files(files, &opts, None, ActiveAuthStatus::NotAttempted, None)
}

/// A transport that writes every exchange to a trace, hex, one line per command and response.
/// What it redacts: the data of BAC's EXTERNAL AUTHENTICATE (command and answer), from which the
/// MRZ access key could be guessed offline, and so the session keys derived. PACE's exchange
/// resists offline guessing by design and is kept; everything after the handshake is secure
/// messaging (encrypted and MACed), so no personal data is in plain.
pub struct TraceTransport<T> {
    inner: T,
    lines: Vec<String>,
    start: std::time::Instant,
}

impl<T: Transport> TraceTransport<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            lines: vec!["# cancuoc APDU trace: '>' command, '<' response, hex; ms since start".into()],
            start: std::time::Instant::now(),
        }
    }

    /// The trace so far, one exchange per two lines.
    pub fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        s.push('\n');
        s
    }

    /// Writes the trace to `path` (0600 on Unix).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_private(path, self.text().as_bytes())
    }
}

pub use crate::write_private;

fn redacted(bytes: &[u8], keep: usize) -> String {
    let head = bytes.get(..keep).unwrap_or(bytes);
    format!("{}[{} bytes redacted]", hex::encode_upper(head), bytes.len().saturating_sub(head.len()))
}

impl<T: Transport> Transport for TraceTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let ms = self.start.elapsed().as_millis();
        // EXTERNAL AUTHENTICATE of BAC (plain CLA, INS 82): keep the header only.
        let bac_auth = command.first().is_some_and(|c| c & 0x0C == 0) && command.get(1) == Some(&0x82);
        let shown = if bac_auth { redacted(command, 4) } else { hex::encode_upper(command) };
        self.lines.push(format!("> {ms:>6} {shown}"));
        let result = self.inner.transmit(command);
        let ms = self.start.elapsed().as_millis();
        match &result {
            Ok(r) if bac_auth && r.len() > 2 => {
                let sw = r.get(r.len() - 2..).unwrap_or_default();
                self.lines.push(format!("< {ms:>6} [{} bytes redacted]{}", r.len() - 2, hex::encode_upper(sw)));
            }
            Ok(r) => self.lines.push(format!("< {ms:>6} {}", hex::encode_upper(r))),
            Err(e) => self.lines.push(format!("< {ms:>6} ! {e}")),
        }
        result
    }
    fn limits(&self) -> TransportLimits {
        self.inner.limits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip() {
        for id in [FileId::Com, FileId::Sod, FileId::CardAccess, FileId::Dg(1), FileId::Dg(13), FileId::Dg(16)] {
            assert_eq!(file_id(&file_name(id)), Some(id));
        }
        assert_eq!(file_id("DG17.bin"), None);
        assert_eq!(file_id("DG1.txt"), None);
        assert_eq!(file_id("notes.bin"), None);
    }
}
