//! The fault matrix: for every APDU of a full read (over PACE and over BAC), inject each fault the
//! simulator knows — card removed, a bad response MAC, each ISO 7816 error status word, a
//! truncated and an oversized response, a timeout — and judge what the pipeline did:
//!
//! - it failed with an error that names the step (and never a verdict), kept only bytes that are
//!   exactly what the card holds, and a retry in a new session, resuming from what was kept,
//!   completes and verifies; or
//! - it tolerated the fault (an optional step, e.g. SELECT of the master file) and the read it
//!   finished is identical to the fault-free one and verified.
//!
//! Anything else is a violation. `tests/tests/fault_matrix.rs` asserts there are none, and
//! `cargo run -p cancuoc-sim --bin reliability` writes the table into docs/reliability.md.

use std::collections::BTreeMap;

use cancuoc_core::error::Error;
use cancuoc_core::files::FileId;
use cancuoc_core::pace::Can;
use cancuoc_core::read::{CardRead, Credentials, PartialRead, ReadFailure, ReadOptions, read_card};

use crate::{Fault, PERSONA, SimChip, os_rng, simulated_card, trust_store};

/// The time certificates are checked at (inside the test PKI's validity).
pub const NOW: u64 = 1_795_392_000;

/// The status words injected (ISO 7816-4 §5.1.3 and 9303-11's SM errors).
pub const STATUS_WORDS: &[u16] = &[
    0x6281, 0x6282, 0x6400, 0x6581, 0x6700, 0x6882, 0x6982, 0x6985, 0x6987, 0x6988, 0x6A80, 0x6A82, 0x6A86, 0x6B00,
    0x6D00, 0x6E00, 0x6F00,
];

/// Every fault of one cell, with its column name.
pub fn faults() -> Vec<(String, Fault)> {
    let mut v = vec![
        ("removed".to_string(), Fault::Remove),
        ("bad MAC".to_string(), Fault::CorruptMac),
        ("truncated".to_string(), Fault::Truncate(3)),
        ("oversized".to_string(), Fault::Oversize),
        ("timeout".to_string(), Fault::Timeout),
    ];
    v.extend(STATUS_WORDS.iter().map(|sw| (format!("{sw:04X}"), Fault::Status(*sw))));
    v
}

/// How the read is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// PACE with the CAN (variant "rsa": PACE on brainpoolP256r1, AES-128).
    Pace,
    /// BAC with the MRZ key (variant "bac-only").
    Bac,
}

impl Access {
    pub fn variant(self) -> &'static str {
        match self {
            Access::Pace => "rsa",
            Access::Bac => "bac-only",
        }
    }
    pub fn credentials(self) -> Credentials {
        match self {
            Access::Pace => Credentials { can: Can::new(crate::image::CAN).ok(), mrz: None },
            Access::Bac => Credentials::mrz(PERSONA.access_key()),
        }
    }
}

/// What happened in one cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A clean failure: the step it named, files kept, and the retry verified.
    Failed { message: String, kept: usize, retry_verified: bool, intact: bool },
    /// The fault did not matter; the read finished identical to the fault-free one, verified.
    Tolerated,
    /// The chip refused active or chip authentication (an error status to INTERNAL AUTHENTICATE
    /// or to a chip-authentication command): every file was read intact and the verdict is NOT
    /// verified, naming that proof — as for a clone that copied DG15 or DG14 without the key. A
    /// retry verifies.
    RefusedProof { message: String, retry_verified: bool },
    /// Something the rules forbid, said in words.
    Violation(String),
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        match self {
            Outcome::Failed { retry_verified, intact, message, .. } => {
                *retry_verified && *intact && names_a_step(message)
            }
            Outcome::Tolerated => true,
            Outcome::RefusedProof { retry_verified, .. } => *retry_verified,
            Outcome::Violation(_) => false,
        }
    }
}

/// Whether an error message says where it happened.
pub fn names_a_step(message: &str) -> bool {
    const STEPS: &[&str] = &[
        "SELECT",
        "READ BINARY",
        "PACE",
        "BAC",
        "GET CHALLENGE",
        "EF.CardAccess",
        "INTERNAL AUTHENTICATE",
        "chip authentication",
        "access denied",
        "EF.",
        "DG",
    ];
    STEPS.iter().any(|s| message.contains(s))
}

/// One APDU's row: its index, what the command was, and the outcome per fault.
#[derive(Clone, Debug)]
pub struct Row {
    pub apdu: usize,
    pub command: String,
    pub cells: Vec<(String, Outcome)>,
}

fn read(chip: &mut SimChip, access: Access, resume: Option<PartialRead>) -> Result<CardRead, ReadFailure> {
    let trust = trust_store();
    read_card(chip, &access.credentials(), &ReadOptions::cccd(&trust, NOW), &mut os_rng(), resume, &mut |_| {})
}

/// A short name for a command APDU.
pub fn command_name(c: &[u8]) -> String {
    let sm = c.first().is_some_and(|cla| cla & 0x0C == 0x0C);
    let ins = match c.get(1) {
        Some(0xA4) => "SELECT",
        Some(0xB0 | 0xB1) => "READ BINARY",
        Some(0x84) => "GET CHALLENGE",
        Some(0x82) => "EXTERNAL AUTHENTICATE",
        Some(0x22) => "MSE:Set AT",
        Some(0x86) => "GENERAL AUTHENTICATE",
        Some(0x88) => "INTERNAL AUTHENTICATE",
        Some(0xC0) => "GET RESPONSE",
        _ => "other",
    };
    if sm { format!("{ins} (SM)") } else { ins.to_string() }
}

fn intact(partial: &PartialRead, full: &BTreeMap<FileId, Vec<u8>>) -> bool {
    partial.complete.iter().all(|(id, b)| full.get(id) == Some(b))
        && partial.in_progress.as_ref().is_none_or(|(id, b)| full.get(id).is_some_and(|f| f.starts_with(b)))
}

/// Runs one cell.
pub fn cell(access: Access, at: usize, fault: Fault, baseline: &CardRead) -> Outcome {
    let Some(mut chip) = simulated_card(access.variant()) else { return Outcome::Violation("no such variant".into()) };
    chip.inject(at, fault);
    match read(&mut chip, access, None) {
        Ok(r) => {
            if r.files == baseline.files && r.verdict.is_verified() {
                Outcome::Tolerated
            } else if r.verdict.is_verified() {
                Outcome::Violation("verified with data that differs from the card's".into())
            } else if r.files == baseline.files
                && matches!(fault, Fault::Status(_))
                && r.verdict.failures().iter().all(|f| {
                    matches!(
                        f,
                        cancuoc_core::verdict::Failure::ActiveAuthentication { .. }
                            | cancuoc_core::verdict::Failure::ChipAuthentication { .. }
                    )
                })
            {
                let Some(mut again) = simulated_card(access.variant()) else {
                    return Outcome::Violation("no such variant".into());
                };
                let retry_verified = read(&mut again, access, None).is_ok_and(|r| r.verdict.is_verified());
                Outcome::RefusedProof { message: r.verdict.summary(), retry_verified }
            } else {
                Outcome::Violation(format!("finished NOT verified instead of failing: {}", r.verdict.summary()))
            }
        }
        Err(f) => {
            let message = f.error.to_string();
            let kept = f.partial.complete.len();
            let intact = intact(&f.partial, &baseline.files);
            // A new session on the same card, fault gone, resuming from what was kept.
            let Some(mut again) = simulated_card(access.variant()) else {
                return Outcome::Violation("no such variant".into());
            };
            let retry_verified = match read(&mut again, access, Some(f.partial)) {
                Ok(r) => r.verdict.is_verified() && r.files == baseline.files,
                Err(_) => false,
            };
            if matches!(f.error, Error::Parse { .. }) {
                return Outcome::Violation(format!("a link fault surfaced as a parse error: {message}"));
            }
            Outcome::Failed { message, kept, retry_verified, intact }
        }
    }
}

/// The whole matrix for one access protocol.
pub fn run(access: Access) -> Vec<Row> {
    let Some(mut chip) = simulated_card(access.variant()) else { return Vec::new() };
    let Ok(baseline) = read(&mut chip, access, None) else { return Vec::new() };
    let commands: Vec<String> = chip.log.iter().map(|(c, _)| command_name(c)).collect();
    let faults = faults();
    commands
        .iter()
        .enumerate()
        .map(|(i, name)| Row {
            apdu: i,
            command: name.clone(),
            cells: faults.iter().map(|(n, f)| (n.clone(), cell(access, i, *f, &baseline))).collect(),
        })
        .collect()
}

/// The table in Markdown: one row per APDU, one column per fault; ✔ tolerated, ↻ failed
/// cleanly and the retry verified, ✘ a violation (with a footnote).
pub fn markdown(title: &str, rows: &[Row]) -> String {
    let mut out = format!("#### {title}\n\n");
    let Some(first) = rows.first() else { return out + "(no rows)\n" };
    out.push_str("| # | command |");
    for (n, _) in &first.cells {
        out.push_str(&format!(" {n} |"));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(first.cells.len()));
    out.push('\n');
    let mut notes = Vec::new();
    for r in rows {
        out.push_str(&format!("| {} | {} |", r.apdu, r.command));
        for (n, o) in &r.cells {
            let mark = match o {
                Outcome::Tolerated => "✔".to_string(),
                o @ Outcome::RefusedProof { .. } if o.is_ok() => "⚠".to_string(),
                o @ Outcome::Failed { .. } if o.is_ok() => "↻".to_string(),
                other => {
                    notes.push(format!("APDU {} / {n}: {other:?}", r.apdu));
                    format!("✘{}", notes.len())
                }
            };
            out.push_str(&format!(" {mark} |"));
        }
        out.push('\n');
    }
    let cells: usize = rows.iter().map(|r| r.cells.len()).sum();
    let tolerated = rows.iter().flat_map(|r| &r.cells).filter(|(_, o)| *o == Outcome::Tolerated).count();
    let refused = rows.iter().flat_map(|r| &r.cells).filter(|(_, o)| matches!(o, Outcome::RefusedProof { .. })).count();
    out.push_str(&format!(
        "\n{cells} cells: {} failed cleanly and verified on retry (↻), {tolerated} tolerated — read identical and verified (✔), {refused} refused active authentication — NOT verified naming it, verified on retry (⚠), {} violations (✘).\n",
        cells - tolerated - refused - notes.len(),
        notes.len()
    ));
    for (i, n) in notes.iter().enumerate() {
        out.push_str(&format!("\n✘{}: {n}", i + 1));
    }
    out
}
