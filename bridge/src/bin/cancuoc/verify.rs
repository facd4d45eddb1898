//! `cancuoc verify DIR`: passive authentication of files saved by `read --save-files`, offline.

use std::path::PathBuf;

use cancuoc_bridge::read::{Trust, load_trust};
use cancuoc_bridge::{Report, card_files, exit, now_unix};
use cancuoc_core::TrustStore;

use crate::print::print_human;

/// `cancuoc verify DIR`: passive authentication of saved files, offline.
pub fn verify(dir: &std::path::Path, trust_dir: Option<PathBuf>, test_pki: bool, json: bool) -> u8 {
    let files = match card_files::load_files(dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("✘ {e}");
            return exit::USAGE;
        }
    };
    let trust = match offline_trust(test_pki, trust_dir) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let read = card_files::verify_saved(files, &trust, now_unix());
    let report = Report::from_files(&read);
    if json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print_human(&report, &format!("Tệp đã lưu / saved files: {}", dir.display()));
        println!(
            "
Chỉ xác thực thụ động (passive authentication only): chống sao chép chip cần chính con chip —              active and chip authentication need the chip and were not checked."
        );
    }
    report.exit_code()
}

/// The trust store an offline check uses (`--test-pki`, `--trust-dir DIR`, or the user's), or
/// the exit code after saying why it cannot be loaded.
pub fn offline_trust(test_pki: bool, trust_dir: Option<PathBuf>) -> Result<TrustStore, u8> {
    let trust = match (test_pki, trust_dir) {
        (true, _) => Trust::TestPki,
        (false, Some(d)) => Trust::Dir(d),
        (false, None) => Trust::Default,
    };
    load_trust(&trust).map(|(t, _)| t).map_err(|e| {
        eprintln!("✘ {e}");
        exit::USAGE
    })
}
