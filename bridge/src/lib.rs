//! `cancuoc-bridge`: the host side. One library that the CLI, the API server and the desk app
//! call: [`read::read`] reads a card from any source and verifies it on this PC; [`Report`] turns
//! the result into what people and scripts see.

pub mod address;
pub mod api;
pub mod card_files;
pub mod flash;
pub mod his;
pub mod pc_check;
pub mod privacy;
pub mod problems;
pub mod read;
pub mod report;
pub mod store;
pub mod transport;
pub mod trust_store;
pub mod words;

pub use report::{
    Checks, DocumentReport, ErrorReport, FailureReport, LinkReport, MrzReport, PhotoReport, ReaderReport, Report,
    Status, date_passed, mrz_date, photo_bytes,
};

use std::time::{SystemTime, UNIX_EPOCH};

/// The built-in simulated card and the simulated insurer (the `demo` feature; no signing key).
#[cfg(feature = "demo")]
pub use cancuoc_demo as demo;

/// The operating system's random generator as the core's `CryptoRng` (API tokens, result ids,
/// challenges, PACE and BAC nonces).
pub type OsRng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A fresh OS random generator.
pub fn os_rng() -> OsRng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// Writes `bytes` to `path` readable by its owner only (0600 on Unix), creating the folder, through
/// a temporary file renamed into place (a reader never sees half a file). Trace files, the sealed
/// BHYT token and the desk app's audit spool use it.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(&tmp)?;
    std::io::Write::write_all(&mut f, bytes)?;
    // On disk before it replaces the old file, and the rename itself made durable: a power cut
    // leaves the old file or the new one, never a torn one.
    f.sync_all()?;
    std::fs::rename(tmp, path)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Process exit codes of `cancuoc read`, distinct per outcome so scripts can branch on them.
pub mod exit {
    /// Read, and every check passed.
    pub const VERIFIED: u8 = 0;
    /// Read, but at least one check failed (the report names it).
    pub const NOT_VERIFIED: u8 = 1;
    /// Command-line usage error (clap's convention).
    pub const USAGE: u8 = 2;
    /// The chip rejected the access key.
    pub const ACCESS_DENIED: u8 = 3;
    /// No card on the reader, or it was removed.
    pub const NO_CARD: u8 = 4;
    /// The reader or the card failed in another way.
    pub const READER_ERROR: u8 = 5;
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
