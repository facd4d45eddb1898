//! `cancuoc face compare CHIP LIVE`: the advisory face comparison for scripts (the desk app
//! runs the same one after a verified read, with the citizen's consent). Nothing is written
//! anywhere: the pictures are read, compared in memory and forgotten.

use std::path::{Path, PathBuf};

use cancuoc_bridge::exit;
use cancuoc_bridge::words::{self, Lang};
use cancuoc_face::{FaceModels, Picture, Settings, Verdict};
use clap::Subcommand;

/// The exit code when the two pictures could not be compared (no face, several, too dark).
pub const CANNOT_COMPARE: u8 = 6;

#[derive(Subcommand)]
pub enum FaceCmd {
    /// Compare the chip's photo (JPEG or JPEG 2000, or the DG2.bin `read --save-files` wrote)
    /// with a picture of the person (JPEG or PNG): "same", "different" or "cannot compare", with the
    /// distance. Advice for the clerk's eye, never a decision; no liveness check.
    #[command(after_help = "Exit codes: 0 same, 1 different, 2 usage error or unreadable picture, 6 cannot compare.")]
    Compare {
        /// The chip's photo.
        chip: PathBuf,
        /// The live picture.
        live: PathBuf,
        /// Distance at or below which the faces are called the same (default 0.6; lower is
        /// stricter — docs/face.md).
        #[arg(long, default_value_t = Settings::default().threshold)]
        threshold: f32,
        /// Print JSON (for scripts).
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: FaceCmd) -> u8 {
    match cmd {
        FaceCmd::Compare { chip, live, threshold, json } => compare(&chip, &live, threshold, json),
    }
}

fn load(path: &Path) -> Result<Picture, u8> {
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("✘ {}: {e}", path.display());
        exit::USAGE
    })?;
    // DG2 as read from the chip (tag 0x75): its first facial record's image.
    let bytes = match cancuoc_core::lds::dg2::parse(&bytes) {
        Ok(dg2) if bytes.first() == Some(&0x75) => match dg2.faces.into_iter().next() {
            Some(face) => face.image,
            None => {
                eprintln!("✘ {}: DG2 without a face image", path.display());
                return Err(exit::USAGE);
            }
        },
        _ => bytes,
    };
    Picture::decode(&bytes).map_err(|e| {
        eprintln!("✘ {}: {e}", path.display());
        exit::USAGE
    })
}

fn compare(chip: &Path, live: &Path, threshold: f32, json: bool) -> u8 {
    if !(threshold.is_finite() && threshold > 0.0) {
        eprintln!("✘ --threshold must be a positive number");
        return exit::USAGE;
    }
    let (chip, live) = match (load(chip), load(live)) {
        (Ok(c), Ok(l)) => (c, l),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let models = match FaceModels::load() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("✘ {e}");
            return exit::READER_ERROR;
        }
    };
    let result = models.compare(&chip, &live, &Settings { threshold, ..Settings::default() });
    if json {
        println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
    } else {
        let sign = match result.verdict {
            Verdict::Same => '✔',
            Verdict::Different => '✘',
            Verdict::CannotCompare { .. } => '⚠',
        };
        println!(
            "{sign} {} / {}",
            words::face_headline(&result.verdict, Lang::Vi),
            words::face_headline(&result.verdict, Lang::En)
        );
        match (&result.verdict, result.distance) {
            (Verdict::CannotCompare { side, problem }, _) => {
                println!("  {}", words::face_problem(*side, problem, Lang::Vi));
                println!("  {}", words::face_problem(*side, problem, Lang::En));
            }
            (_, Some(d)) => println!("  Khoảng cách / distance {d:.3} (ngưỡng / threshold {threshold:.2})"),
            _ => {}
        }
        println!("  {}\n  {}", words::face_advice(Lang::Vi), words::face_advice(Lang::En));
    }
    match result.verdict {
        Verdict::Same => 0,
        Verdict::Different => 1,
        Verdict::CannotCompare { .. } => CANNOT_COMPARE,
    }
}
