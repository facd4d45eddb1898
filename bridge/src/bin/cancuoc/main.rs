//! `cancuoc`: read and verify a Vietnamese chip ID card (CCCD). One file per subcommand; this one
//! only parses the command line and dispatches. Every read goes through
//! `cancuoc_bridge::read::read`, as the API server's and the desk app's do.
//!
//! Exit codes: 0 verified · 1 read but NOT verified · 2 usage error · 3 access denied ·
//! 4 no card / card removed · 5 reader or card error · 6 (`face compare`) cannot compare.

mod address;
mod bhyt;
mod doctor;
mod evidence;
mod face;
mod flash;
mod form;
mod print;
mod privacy;
mod read;
mod serve;
mod trust;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cancuoc",
    version,
    about = "Read and verify Vietnamese chip ID cards (CCCD) — đọc và xác thực thẻ căn cước gắn chip"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Manage the CSCA trust store (country signing CA certificates and ICAO master lists).
    Trust {
        #[command(subcommand)]
        action: trust::TrustCmd,
        /// The trust store directory (default: $CANCUOC_TRUST_DIR or the user data dir).
        #[arg(long, global = true)]
        trust_dir: Option<PathBuf>,
    },
    /// Check this PC: smart-card service, readers, trust store, clock — with the fix for each problem.
    Doctor {
        #[arg(long)]
        json: bool,
        /// Also check the cancuoc USB reader on this serial port (readers on USB are found anyway).
        #[arg(long)]
        usb: Vec<String>,
        /// The trust store directory to check.
        #[arg(long)]
        trust_dir: Option<PathBuf>,
    },
    /// Serve the loopback HTTP/WebSocket API for web-based hospital systems.
    Serve(serve::ServeArgs),
    /// List the PC/SC readers and whether a card is on each.
    Readers {
        /// Print JSON (for scripts).
        #[arg(long)]
        json: bool,
        /// Also look for a cancuoc USB reader on this serial port (readers on USB are found by
        /// their USB IDs anyway).
        #[arg(long)]
        usb: Vec<String>,
    },
    /// Read a card, verify its chip, and print the holder's data and the verdict.
    #[command(
        after_help = "Exit codes: 0 verified, 1 read but NOT verified, 2 usage error, 3 access denied, 4 no card, 5 reader error."
    )]
    Read(read::ReadArgs),
    /// Verify card files saved by `read --save-files` offline: passive authentication (hashes,
    /// SOD signature, DS → CSCA chain) with this PC's trust store. Active and chip authentication
    /// need the chip and are reported as not checked.
    #[command(after_help = "Exit codes: 0 passive authentication passed, 1 it did not, 2 usage error.")]
    Verify {
        /// The folder `cancuoc read --save-files` wrote.
        dir: PathBuf,
        /// The trust store directory (default: $CANCUOC_TRUST_DIR or the user data dir).
        #[arg(long)]
        trust_dir: Option<PathBuf>,
        /// Verify with the simulated card's test PKI (for files saved from `--simulated`).
        #[arg(long, conflicts_with = "trust_dir")]
        test_pki: bool,
        /// Print JSON (for scripts).
        #[arg(long)]
        json: bool,
    },
    /// Ask the insurer's gateway whether the holder's health insurance (BHYT) card is usable
    /// today, by CCCD number (the same check as the desk app's and the API's).
    Bhyt(bhyt::BhytArgs),
    /// The ward and commune-police counters' declaration forms (CT01, DC02, birth, marriage,
    /// marital status) filled from verified cards, as an A4 PDF.
    Form {
        #[command(subcommand)]
        action: form::FormCmd,
    },
    /// Visit evidence: check a record that proves the chip answered a visit's challenge.
    Evidence {
        #[command(subcommand)]
        action: evidence::EvidenceCmd,
    },
    /// An address as a card holds it (before the 1 July 2025 reform), in today's communes and
    /// provinces with their codes.
    Address(address::AddressArgs),
    /// A person's rights at this site (Law 91/2025/QH15): what is held about them, withdrawal,
    /// erasure, the register of requests and their deadlines, breach facts.
    Privacy {
        #[command(subcommand)]
        action: privacy::PrivacyCmd,
    },
    /// Compare the chip's face photo with a picture of the person at the counter — advice for
    /// the clerk's eye, on this PC, offline; nothing is kept.
    Face {
        #[command(subcommand)]
        action: face::FaceCmd,
    },
    /// Put reader firmware on a Raspberry Pi Pico / Pico 2: write it as UF2, or copy it onto a
    /// Pico plugged in with BOOTSEL held.
    Flash(flash::FlashArgs),
}
fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Cmd::Read(a) => read::run(a),
        Cmd::Readers { json, usb } => doctor::list_readers(json, usb),
        Cmd::Serve(a) => serve::serve(a),
        Cmd::Doctor { json, usb, trust_dir } => doctor::doctor(json, usb, trust_dir),
        Cmd::Trust { action, trust_dir } => trust::trust(action, trust_dir),
        Cmd::Flash(a) => flash::flash(a),
        Cmd::Bhyt(a) => bhyt::run(a),
        Cmd::Address(a) => address::run(a),
        Cmd::Privacy { action } => privacy::run(action),
        Cmd::Form { action } => form::run(action),
        Cmd::Evidence { action } => evidence::run(action),
        Cmd::Face { action } => face::run(action),
        Cmd::Verify { dir, trust_dir, test_pki, json } => verify::verify(&dir, trust_dir, test_pki, json),
    })
}
