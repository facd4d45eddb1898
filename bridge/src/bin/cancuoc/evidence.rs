//! `cancuoc evidence verify FILE`: checks a visit evidence record offline (docs/evidence.md) —
//! the challenge made from the visit's fields, the chip's active-authentication answer with
//! DG15's key, DG15 (and DG14) in the SOD, the SOD's signature and the DS → CSCA chain at the
//! visit's time — and says what it proves and what it does not. Exit 0 only when it holds.

use std::path::PathBuf;

use cancuoc_bridge::his::evidence::Evidence;
use cancuoc_bridge::{card_files, exit};

use crate::verify::offline_trust;
use clap::Subcommand;

/// The record could be checked, but an algorithm it needs is not in this build (amber).
pub const NOT_CHECKED: u8 = 6;

#[derive(Subcommand)]
pub enum EvidenceCmd {
    /// Verify a record written by `cancuoc read --visit … --evidence FILE` (or exported by the
    /// desk app or the API).
    #[command(
        after_help = "Exit codes: 0 the record holds, 1 it does not (the failing check is named), 2 usage error, 6 a check needs an algorithm this build lacks."
    )]
    Verify {
        file: PathBuf,
        /// The trust store directory (default: $CANCUOC_TRUST_DIR or the user data dir).
        #[arg(long)]
        trust_dir: Option<PathBuf>,
        /// Verify with the simulated card's test PKI (records made from `--simulated`).
        #[arg(long, conflicts_with = "trust_dir")]
        test_pki: bool,
        /// Also show whether data groups saved by `read --save-files` (e.g. DG1, DG13, given later
        /// with the citizen's consent) belong to the same SOD.
        #[arg(long, value_name = "DIR")]
        files: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: EvidenceCmd) -> u8 {
    let EvidenceCmd::Verify { file, trust_dir, test_pki, files, json } = cmd;
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("✘ {}: {e}", file.display());
            return exit::USAGE;
        }
    };
    let trust = match offline_trust(test_pki, trust_dir) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let result = Evidence::from_der(&bytes).and_then(|e| e.verify(&trust).map(|p| (e, p)));
    match result {
        Ok((e, proof)) => {
            let belongs = match &files {
                Some(dir) => match card_files::load_files(dir).map_err(|e| e.to_string()).and_then(|f| {
                    // Only data groups: the record's own SOD is the reference.
                    e.belongs(&f, &trust).map_err(|r| r.to_string())
                }) {
                    Ok(b) => b,
                    Err(err) => {
                        eprintln!("✘ {err}");
                        return exit::USAGE;
                    }
                },
                None => Vec::new(),
            };
            if json {
                let b: Vec<_> = belongs.iter().map(|(dg, s)| serde_json::json!({ "dg": dg, "hash": s })).collect();
                let v = serde_json::json!({ "holds": true, "proof": proof, "data_groups": b });
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                println!("✔ BẰNG CHỨNG HỢP LỆ / the record holds");
                println!("  {}", proof.proves_vi);
                println!("  {}", proof.proves_en);
                println!("  ⚠ {}", proof.does_not_prove_vi);
                println!("  ⚠ {}", proof.does_not_prove_en);
                println!("  record sha256: {}", proof.record_sha256);
                for (dg, s) in &belongs {
                    let ok = *s == cancuoc_core::verdict::HashStatus::Match;
                    println!(
                        "  DG{dg}: {}",
                        if ok {
                            "thuộc cùng SOD / belongs to the same SOD"
                        } else {
                            "KHÔNG thuộc SOD này / does NOT belong to this SOD"
                        }
                    );
                }
            }
            let all = belongs.iter().all(|(_, s)| *s == cancuoc_core::verdict::HashStatus::Match);
            if all { exit::VERIFIED } else { exit::NOT_VERIFIED }
        }
        Err(r) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "holds": false, "refusal": r }))
                        .unwrap_or_default()
                );
            } else if r.not_checked {
                eprintln!("⚠ CHƯA KIỂM TRA ĐƯỢC / could not be checked here: {} — {}", r.check.key(), r.reason);
            } else {
                eprintln!("✘ BẰNG CHỨNG KHÔNG HỢP LỆ / the record does not hold: {} — {}", r.check.key(), r.reason);
            }
            if r.not_checked { NOT_CHECKED } else { exit::NOT_VERIFIED }
        }
    }
}
