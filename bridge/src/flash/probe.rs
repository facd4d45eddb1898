//! Flashing reader firmware through a debug probe with probe-rs (as a library): find the probe,
//! attach to the RP2040 or RP2350, download the ELF with verification, reset.

use std::path::Path;

use probe_rs::Permissions;
use probe_rs::flashing::{DownloadOptions, ElfLoader, ElfOptions, FlashProgress, ProgressEvent, ProgressOperation};
use probe_rs::probe::list::Lister;

use crate::flash::uf2::Chip;

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(
        "no debug probe found: connect one (a Raspberry Pi Debug Probe or a second Pico running debugprobe, or any CMSIS-DAP / J-Link probe) to the reader's SWD pins — SWCLK, SWDIO, GND — and to this PC; or flash without a probe: hold BOOTSEL while plugging the Pico in and run `cancuoc flash` without --probe"
    )]
    NoProbe,
    #[error(
        "the debug probe {probe} cannot be opened: {reason} (on Linux, install the probe's udev rule or run as a user allowed to use it)"
    )]
    Open { probe: String, reason: String },
    #[error(
        "cannot attach to an {chip} through {probe}: {reason} — is the probe wired to the reader (SWCLK, SWDIO, GND), is the board powered, and is it really an {chip}? (wrong chip: build with `cargo board-rp2040` for a Pico, `cargo board-rp2350` for a Pico 2)"
    )]
    Attach { chip: &'static str, probe: String, reason: String },
    #[error("writing the firmware failed: {0}")]
    Download(String),
    #[error("the firmware is written but the reader did not restart: {0} (unplug it and plug it back in)")]
    Reset(String),
}

/// The debug probes attached to this PC, by name.
pub fn probes() -> Vec<String> {
    Lister::new().list_all().into_iter().map(|p| p.identifier).collect()
}

/// What the progress callback is told.
pub enum Step {
    Erase,
    Program,
    Verify,
}

/// Writes the ELF at `elf` to the reader through the first probe found, verifies it, resets.
/// `progress(step, done, total)` follows the work in bytes.
pub fn flash(elf: &Path, chip: Chip, progress: &mut dyn FnMut(Step, u64, u64)) -> Result<String, ProbeError> {
    let list = Lister::new().list_all();
    let info = list.first().ok_or(ProbeError::NoProbe)?;
    let probe_name = info.identifier.clone();
    let probe = info.open().map_err(|e| ProbeError::Open { probe: probe_name.clone(), reason: e.to_string() })?;
    let target = match chip {
        Chip::Rp2040 => "RP2040",
        Chip::Rp2350 => "RP235x",
    };
    let mut session = probe.attach(target, Permissions::default()).map_err(|e| ProbeError::Attach {
        chip: chip.name(),
        probe: probe_name.clone(),
        reason: e.to_string(),
    })?;
    let mut totals = std::collections::HashMap::new();
    let mut done = std::collections::HashMap::new();
    let mut options = DownloadOptions::default();
    options.verify = true;
    options.progress = FlashProgress::new(|event| {
        let step = |op: &ProgressOperation| match op {
            ProgressOperation::Erase => Some(Step::Erase),
            ProgressOperation::Program => Some(Step::Program),
            ProgressOperation::Verify => Some(Step::Verify),
            _ => None,
        };
        match event {
            ProgressEvent::AddProgressBar { operation, total } => {
                totals.insert(format!("{operation:?}"), total.unwrap_or(0));
            }
            ProgressEvent::Progress { operation, size, .. } => {
                let key = format!("{operation:?}");
                let d = done.entry(key.clone()).or_insert(0u64);
                *d += size;
                if let Some(s) = step(&operation) {
                    progress(s, *d, totals.get(&key).copied().unwrap_or(0));
                }
            }
            _ => {}
        }
    });
    probe_rs::flashing::download_file_with_options(&mut session, elf, ElfLoader(ElfOptions::default()), options)
        .map_err(|e| ProbeError::Download(e.to_string()))?;
    session.core(0).and_then(|mut core| core.reset()).map_err(|e| ProbeError::Reset(e.to_string()))?;
    Ok(probe_name)
}
