//! `cancuoc flash`: put reader firmware on a Pico (UF2 onto the BOOTSEL drive, or through a
//! debug probe).

use std::path::PathBuf;

use cancuoc_bridge::exit;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Args)]
pub struct FlashArgs {
    /// The firmware image: the ELF from `cargo board-rp2040` / `cargo board-rp2350`, or a UF2.
    image: PathBuf,
    /// The chip the image is for (default: read from the image).
    #[arg(long, value_enum)]
    chip: Option<ChipArg>,
    /// Only write the UF2 file here (to copy onto the Pico by hand).
    #[arg(long, value_name = "FILE")]
    uf2: Option<PathBuf>,
    /// The Pico's BOOTSEL drive (default: look under /media, /run/media, /mnt).
    #[arg(long, value_name = "DIR", conflicts_with = "probe")]
    drive: Option<PathBuf>,
    /// Write through a debug probe on the reader's SWD pins (download, verify, reset) instead.
    #[arg(long, conflicts_with = "uf2")]
    probe: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ChipArg {
    Rp2040,
    Rp2350,
}

pub fn flash(a: FlashArgs) -> u8 {
    use cancuoc_bridge::flash::uf2::{self, Chip};
    let fail = |msg: String| {
        eprintln!("✗ {msg}");
        exit::USAGE
    };
    let bytes = match std::fs::read(&a.image) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read {}: {e}", a.image.display())),
    };
    let given = a.chip.map(|c| match c {
        ChipArg::Rp2040 => Chip::Rp2040,
        ChipArg::Rp2350 => Chip::Rp2350,
    });
    if a.probe {
        if bytes.starts_with(b"UF2\n") {
            return fail(
                "--probe takes the ELF image (target/<triple>/<profile>/cancuoc-board), not a UF2 file".into(),
            );
        }
        let chip = match given.map(Ok).unwrap_or_else(|| uf2::chip_of(&bytes)) {
            Ok(c) => c,
            Err(e) => return fail(e.to_string()),
        };
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {bytes:>9}/{total_bytes:9}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let result = cancuoc_bridge::flash::probe::flash(&a.image, chip, &mut |step, done, total| {
            bar.set_prefix(match step {
                cancuoc_bridge::flash::probe::Step::Erase => "erase",
                cancuoc_bridge::flash::probe::Step::Program => "program",
                cancuoc_bridge::flash::probe::Step::Verify => "verify",
            });
            bar.set_length(total);
            bar.set_position(done);
        });
        bar.finish_and_clear();
        return match result {
            Ok(probe) => {
                println!("✓ firmware written and verified through {probe} ({}); the reader restarted", chip.name());
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✗ {e}");
                exit::READER_ERROR
            }
        };
    }
    let (uf2_bytes, chip) = if bytes.starts_with(b"UF2\n") {
        match uf2::parse_uf2(&bytes) {
            Ok(blocks) => {
                let chip = given.or_else(|| {
                    blocks.iter().find_map(|b| match b.0 {
                        0xE48B_FF56 => Some(Chip::Rp2040),
                        0xE48B_FF59 => Some(Chip::Rp2350),
                        _ => None,
                    })
                });
                (bytes, chip)
            }
            Err(e) => return fail(e.to_string()),
        }
    } else {
        let chip = match given.map(Ok).unwrap_or_else(|| uf2::chip_of(&bytes)) {
            Ok(c) => c,
            Err(e) => return fail(e.to_string()),
        };
        match uf2::elf_to_uf2(&bytes, chip) {
            Ok(u) => (u, Some(chip)),
            Err(e) => return fail(e.to_string()),
        }
    };
    let chip_name = chip.map_or("unknown chip", Chip::name);
    if let Some(out) = a.uf2 {
        if let Err(e) = std::fs::write(&out, &uf2_bytes) {
            return fail(format!("cannot write {}: {e}", out.display()));
        }
        println!(
            "✓ {} ({chip_name}, {} blocks of 256 bytes) — copy it onto the Pico's BOOTSEL drive",
            out.display(),
            uf2_bytes.len() / 512
        );
        return exit::VERIFIED;
    }
    let drives = uf2::find_bootsel_drives(&a.drive.into_iter().collect::<Vec<_>>());
    let Some(drive) = drives.first() else {
        return fail(
            "no Pico in BOOTSEL mode found: unplug the reader, hold the BOOTSEL button while plugging it back in, \
             wait for the RPI-RP2 / RP2350 drive to appear (mount it if your desktop does not), then run this again; \
             or give the drive with --drive"
                .into(),
        );
    };
    if let (Some(want), Some(have)) = (chip, drive.chip)
        && want != have
    {
        return fail(format!(
            "wrong chip: the image is for the {} but the board on {} is an {} — build with `cargo board-{}`",
            want.name(),
            drive.path.display(),
            have.name(),
            have.name().to_lowercase()
        ));
    }
    let target = drive.path.join("cancuoc.uf2");
    if let Err(e) = std::fs::write(&target, &uf2_bytes) {
        return fail(format!("cannot copy onto {}: {e}", drive.path.display()));
    }
    println!("✓ firmware copied to {} ({chip_name}); the Pico restarts as a cancuoc reader", drive.path.display());
    exit::VERIFIED
}
