//! `cancuoc`: read and verify a Vietnamese chip ID card (CCCD).
//!
//! Exit codes: 0 verified · 1 read but NOT verified · 2 usage error · 3 access denied ·
//! 4 no card / card removed · 5 reader or card error.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use cancuoc_bridge::diagnostics::{self, TraceTransport};
use cancuoc_bridge::pcsc_reader::{PcscError, PcscTransport};
use cancuoc_bridge::trust_store::{self, TrustDir};
use cancuoc_bridge::{ErrorReport, Report, Status, exit, now_unix, photo_bytes};
use cancuoc_core::pace::Can;
use cancuoc_core::verdict::HashStatus;
use cancuoc_core::{AccessKey, Credentials};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
        action: TrustCmd,
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
    Serve(ServeArgs),
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
    Read(ReadArgs),
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
    /// Put reader firmware on a Raspberry Pi Pico / Pico 2: write it as UF2, or copy it onto a
    /// Pico plugged in with BOOTSEL held.
    Flash(FlashArgs),
}

#[derive(Args)]
struct FlashArgs {
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
enum ChipArg {
    Rp2040,
    Rp2350,
}

#[derive(Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, default_value_t = 47831)]
    port: u16,
    /// Listen on another address than 127.0.0.1 (needs --allow-remote).
    #[arg(long)]
    listen: Option<std::net::IpAddr>,
    /// Allow a non-loopback --listen address (the API hands out personal data: think twice).
    #[arg(long)]
    allow_remote: bool,
    /// A web origin allowed to call the API from a browser (repeatable), e.g. https://his.example.vn
    #[arg(long)]
    allow_origin: Vec<String>,
    /// Where the API token is kept (created on first start).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Seconds a read result stays retrievable in memory.
    #[arg(long, default_value_t = 300)]
    retention_secs: u64,
    /// Offer the built-in simulated card as reader "simulated".
    #[arg(long)]
    simulated: bool,
    /// Delay per APDU on the simulated reader, in milliseconds (a realistic link).
    #[arg(long, default_value_t = 0)]
    simulated_latency_ms: u64,
    /// Offer the cancuoc USB reader on this serial port as reader "usb:PORT" (repeatable;
    /// readers found by their USB IDs are offered anyway).
    #[arg(long)]
    usb: Vec<String>,
    /// The trust store directory for real cards.
    #[arg(long)]
    trust_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum TrustCmd {
    /// Import CSCA certificates (DER or PEM), ICAO CSCA master lists (the list's signer must
    /// chain to a CSCA already trusted, or to one given with --signer-ca), or CSCA revocation
    /// lists (DER or PEM; signed by a CSCA already trusted; a newer one replaces the older).
    Import {
        files: Vec<PathBuf>,
        /// A CA certificate that may vouch for a master list's signer (not itself imported).
        #[arg(long)]
        signer_ca: Vec<PathBuf>,
    },
    /// List the trusted CSCAs and the revocation lists held.
    List {
        /// JSON: the CSCAs as an array (the revocation lists: `cancuoc trust crls --json`).
        #[arg(long)]
        json: bool,
    },
    /// List the revocation lists held.
    Crls {
        #[arg(long)]
        json: bool,
    },
    /// Remove the CSCAs whose SHA-256 fingerprint starts with this (8 hex digits at least).
    Remove { fingerprint: String },
    /// Copy this trust store into a cancuoc USB reader's flash, replacing the reader's.
    Push {
        /// The reader's serial port (default: the first cancuoc reader found).
        #[arg(long)]
        usb: Option<String>,
    },
}

#[derive(Args)]
struct ReadArgs {
    /// Read the built-in simulated card (no reader needed).
    #[arg(long, conflicts_with = "reader")]
    simulated: bool,
    /// The PC/SC reader to use (see `cancuoc readers`); default: the first one with a card.
    #[arg(long)]
    reader: Option<String>,
    /// Read through a cancuoc USB reader: its serial port (e.g. /dev/ttyACM0, COM3), or nothing
    /// for the first one found.
    #[arg(long, num_args = 0..=1, default_missing_value = "auto", conflicts_with_all = ["simulated", "reader"])]
    usb: Option<String>,
    /// The trust store directory (default: $CANCUOC_TRUST_DIR or the user data dir; the
    /// simulated card uses its test PKI unless this is given).
    #[arg(long)]
    trust_dir: Option<PathBuf>,
    /// Which simulated card (see --list-variants).
    #[arg(long, default_value = "rsa", requires = "simulated")]
    variant: String,
    /// List the simulated card variants and exit.
    #[arg(long)]
    list_variants: bool,
    /// Print the result as JSON on stdout (for scripts).
    #[arg(long)]
    json: bool,
    /// Print the holder as a FHIR R4 Patient resource (the verdict is in meta.tag).
    #[arg(long, conflicts_with = "json")]
    fhir: bool,
    /// With --fhir: include the face photo.
    #[arg(long, requires = "fhir")]
    fhir_photo: bool,
    /// Write the face image (JPEG or JPEG 2000, as stored on the chip) to this file.
    #[arg(long, value_name = "FILE")]
    photo: Option<PathBuf>,
    /// Card access number for PACE, when it is not the last 6 digits of the ID number (Vietnamese
    /// cards print no CAN; --id-number derives it).
    #[arg(long)]
    can: Option<String>,
    /// 12-digit ID number (số định danh): enough on its own — its last 6 digits are the PACE CAN.
    /// With --dob and --expiry the read falls back to BAC (document number = its last 9 digits)
    /// when the chip refuses PACE.
    #[arg(long, conflicts_with = "document_number")]
    id_number: Option<String>,
    /// MRZ document number (9 characters), when it cannot be derived from the ID number.
    #[arg(long)]
    document_number: Option<String>,
    /// Date of birth: DD/MM/YYYY or YYMMDD (for BAC).
    #[arg(long)]
    dob: Option<String>,
    /// Date of expiry: DD/MM/YYYY or YYMMDD.
    #[arg(long)]
    expiry: Option<String>,
    /// Field diagnostics: write the card's files exactly as read into this folder (owner-only),
    /// for `cancuoc verify DIR`. They are PERSONAL DATA: delete them when done.
    #[arg(long, value_name = "DIR")]
    save_files: Option<PathBuf>,
    /// Field diagnostics: write the APDU exchange to this file — secure-messaging bytes only, no
    /// access key, no plain personal data — to send a failing card's behaviour to be replayed.
    #[arg(long, value_name = "FILE", conflicts_with = "usb")]
    trace: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Read(a) => ExitCode::from(read(a)),
        Cmd::Readers { json, usb } => ExitCode::from(list_readers(json, usb)),
        Cmd::Serve(a) => ExitCode::from(serve(a)),
        Cmd::Doctor { json, usb, trust_dir } => ExitCode::from(doctor(json, usb, trust_dir)),
        Cmd::Trust { action, trust_dir } => ExitCode::from(trust(action, trust_dir)),
        Cmd::Flash(a) => ExitCode::from(flash(a)),
        Cmd::Verify { dir, trust_dir, test_pki, json } => ExitCode::from(verify(&dir, trust_dir, test_pki, json)),
    }
}

fn flash(a: FlashArgs) -> u8 {
    use cancuoc_bridge::uf2::{self, Chip};
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
        let result = cancuoc_bridge::probe::flash(&a.image, chip, &mut |step, done, total| {
            bar.set_prefix(match step {
                cancuoc_bridge::probe::Step::Erase => "erase",
                cancuoc_bridge::probe::Step::Program => "program",
                cancuoc_bridge::probe::Step::Verify => "verify",
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

fn prompt(label: &str) -> Option<String> {
    eprint!("{label}: ");
    std::io::stderr().flush().ok()?;
    let mut s = String::new();
    std::io::stdin().read_line(&mut s).ok()?;
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn credentials_from(a: &ReadArgs) -> Result<Credentials, String> {
    // The simulated card's citizen, as a clerk would have them in front of them.
    let spec = if a.simulated { cancuoc_sim::CardSpec::variant(&a.variant) } else { None };
    let sim = spec.as_ref().map(|s| s.persona);
    let can = a.can.as_deref().map(Can::new).transpose().map_err(|e| e.to_string())?;
    let any_mrz = a.id_number.is_some() || a.document_number.is_some() || a.dob.is_some() || a.expiry.is_some();
    if spec.as_ref().is_some_and(|s| s.passport) && !any_mrz && can.is_none() {
        // The simulated foreign passport: the key printed in its MRZ.
        return Ok(Credentials::mrz(cancuoc_sim::image::passport_access_key()));
    }
    if can.is_some() && !any_mrz {
        // An explicit CAN alone: PACE with it, nothing else.
        return Ok(Credentials { can, mrz: None });
    }
    let dates = match (&a.dob, &a.expiry, sim) {
        (Some(d), Some(e), _) => Some((d.clone(), e.clone())),
        (d, e, Some(p)) => {
            Some((d.clone().unwrap_or_else(|| p.dob_yymmdd()), e.clone().unwrap_or_else(|| p.expiry_yymmdd())))
        }
        (None, None, None) => None,
        (Some(_), None, None) | (None, Some(_), None) => {
            return Err("give both --dob and --expiry (or neither, to read with the ID number's CAN alone)".into());
        }
    };
    let id =
        a.id_number.clone().or_else(|| sim.filter(|_| a.document_number.is_none()).map(|p| p.id_number.to_string()));
    if let Some(id) = id {
        // The ID number alone is enough: its last 6 digits are the CAN; with the dates, BAC too.
        let mut c = Credentials::from_id_number(&id, dates.as_ref().map(|(d, e)| (d.as_str(), e.as_str())))
            .map_err(|e| e.to_string())?;
        if can.is_some() {
            c.can = can;
        }
        return Ok(c);
    }
    if let Some(doc) = &a.document_number {
        let (dob, exp) = match dates {
            Some(d) => d,
            None => (
                prompt("Ngày sinh / date of birth (DD/MM/YYYY)").ok_or("date of birth is required")?,
                prompt("Có giá trị đến / date of expiry (DD/MM/YYYY)").ok_or("date of expiry is required")?,
            ),
        };
        let key = AccessKey::new(doc, &dob, &exp).map_err(|e| e.to_string())?;
        return Ok(Credentials { can, mrz: Some(key) });
    }
    if can.is_some() {
        return Ok(Credentials { can, mrz: None });
    }
    let id = prompt("Số định danh (CCCD) / ID number (12 digits)").ok_or("the ID number is required")?;
    Credentials::from_id_number(&id, dates.as_ref().map(|(d, e)| (d.as_str(), e.as_str()))).map_err(|e| e.to_string())
}

fn read(a: ReadArgs) -> u8 {
    if a.list_variants {
        for (name, what) in cancuoc_sim::VARIANTS {
            println!("{name:<18} {what}");
        }
        return exit::VERIFIED;
    }
    if a.simulated && cancuoc_sim::CardSpec::variant(&a.variant).is_none() {
        eprintln!("cancuoc: unknown variant {:?}; see cancuoc read --simulated --list-variants", a.variant);
        return exit::USAGE;
    }
    let key = match credentials_from(&a) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("cancuoc: access key: {e}");
            return exit::USAGE;
        }
    };
    if a.simulated {
        let Some(chip) = cancuoc_sim::simulated_card(&a.variant) else {
            eprintln!("cancuoc: unknown variant {:?}; see cancuoc read --simulated --list-variants", a.variant);
            return exit::USAGE;
        };
        let label = format!("Thẻ mô phỏng / simulated card: {}", a.variant);
        return read_from(chip, &label, &key, &a);
    }
    if let Some(port) = &a.usb {
        return read_usb(port, &key, &a);
    }
    let opened = match &a.reader {
        Some(name) => PcscTransport::connect(name).map(|t| (name.clone(), t)),
        None => PcscTransport::first_with_card(),
    };
    match opened {
        Ok((name, transport)) => read_from(transport, &format!("Đầu đọc / reader: {name}"), &key, &a),
        Err(e) => {
            eprintln!("✘ {e}");
            match e {
                PcscError::NoCard(_) => {
                    eprintln!("  Đặt thẻ lên đầu đọc — place the card on the reader.");
                    exit::NO_CARD
                }
                _ => exit::READER_ERROR,
            }
        }
    }
}

fn trust(action: TrustCmd, dir: Option<PathBuf>) -> u8 {
    let store = TrustDir::new(dir.unwrap_or_else(trust_store::default_dir));
    let now = now_unix();
    let show = |e: &trust_store::Entry| {
        let state = if e.expired { "EXPIRED" } else { "valid" };
        let link = if e.link { "  [link]" } else { "" };
        println!("{}  {state:<7}  {}{link}", &e.fingerprint[..16], e.subject);
        match &e.unusable {
            None => println!("                   key: {}", e.key),
            Some(why) => println!("                   key: {} — CANNOT be used here: {why}", e.key),
        }
    };
    let show_crl = |c: &trust_store::CrlEntry| {
        let state = if c.stale { "STALE" } else { "current" };
        let next = c.next_update.map_or_else(|| "no next update".to_string(), |n| format!("next update {}", date(n)));
        println!(
            "{}  CRL {state:<7}  {}: revokes {}, issued {}, {next}",
            &c.fingerprint[..16],
            c.issuer,
            c.revoked,
            date(c.this_update)
        );
    };
    match action {
        TrustCmd::Import { files, signer_ca } => {
            let mut cas = Vec::new();
            for f in &signer_ca {
                match std::fs::read(f) {
                    Ok(b) => cas.push(b),
                    Err(e) => {
                        eprintln!("✘ cannot read {}: {e}", f.display());
                        return exit::USAGE;
                    }
                }
            }
            if files.is_empty() {
                eprintln!("✘ name at least one certificate or master list file");
                return exit::USAGE;
            }
            for f in &files {
                let bytes = match std::fs::read(f) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("✘ cannot read {}: {e}", f.display());
                        return exit::USAGE;
                    }
                };
                match store.import(&bytes, &cas, now) {
                    Ok(added) if added.crls.is_empty() => {
                        println!("{}: {} CSCA certificate(s) trusted", f.display(), added.cscas.len());
                        added.cscas.iter().for_each(show);
                        let unusable = added.cscas.iter().filter(|e| !e.usable).count();
                        if unusable > 0 {
                            println!(
                                "⚠ {unusable} of them have keys this build cannot verify with (see above): documents they sign show as \"could not be checked here\""
                            );
                        }
                        for s in &added.skipped {
                            println!("⚠ skipped {s}");
                        }
                    }
                    Ok(added) => {
                        println!("{}: {} revocation list(s) stored", f.display(), added.crls.len());
                        added.crls.iter().for_each(show_crl);
                    }
                    Err(e) => {
                        eprintln!("✘ {}: {e}", f.display());
                        return exit::NOT_VERIFIED;
                    }
                }
            }
            exit::VERIFIED
        }
        TrustCmd::List { json } => match store.list(now) {
            Ok(list) if json => {
                println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                exit::VERIFIED
            }
            Ok(list) => {
                if list.is_empty() {
                    println!(
                        "The trust store at {} is empty: import your country's CSCA with `cancuoc trust import FILE`.",
                        store.path().display()
                    );
                }
                list.iter().for_each(show);
                match store.crls(now) {
                    Ok(crls) if crls.is_empty() => {
                        println!("No revocation lists: import each CSCA's CRL with `cancuoc trust import FILE.crl`.")
                    }
                    Ok(crls) => crls.iter().for_each(show_crl),
                    Err(e) => eprintln!("✘ {e}"),
                }
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✘ {e}");
                exit::READER_ERROR
            }
        },
        TrustCmd::Crls { json } => match store.crls(now) {
            Ok(crls) if json => {
                println!("{}", serde_json::to_string_pretty(&crls).unwrap_or_default());
                exit::VERIFIED
            }
            Ok(crls) => {
                if crls.is_empty() {
                    println!("No revocation lists in {}.", store.path().display());
                }
                crls.iter().for_each(show_crl);
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✘ {e}");
                exit::READER_ERROR
            }
        },
        TrustCmd::Push { usb } => {
            let certs = match store.certificates() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("✘ {e}");
                    return exit::READER_ERROR;
                }
            };
            if certs.is_empty() {
                eprintln!(
                    "✘ the trust store at {} is empty: import certificates first (`cancuoc trust import`)",
                    store.path().display()
                );
                return exit::USAGE;
            }
            let Some(path) = usb.or_else(|| cancuoc_bridge::usb_reader::list().first().map(|p| p.path.clone())) else {
                eprintln!("✘ no cancuoc USB reader found: plug it in, or give its port with --usb");
                return exit::READER_ERROR;
            };
            let pushed = cancuoc_bridge::usb_reader::UsbReader::open(&path).and_then(|mut r| {
                r.push_trust(&certs)?;
                Ok(r.info)
            });
            match pushed {
                Ok(info) => {
                    println!(
                        "✓ {} CSCA certificate(s) stored in the reader on {path} (firmware {})",
                        info.trust_count, info.firmware
                    );
                    exit::VERIFIED
                }
                Err(e) => {
                    eprintln!("✘ {e}");
                    exit::READER_ERROR
                }
            }
        }
        TrustCmd::Remove { fingerprint } => match store.remove(&fingerprint, now) {
            Ok(removed) => {
                removed.iter().for_each(|e| println!("removed {}  {}", &e.fingerprint[..16], e.subject));
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✘ {e}");
                exit::USAGE
            }
        },
    }
}

fn doctor(json: bool, usb: Vec<String>, dir: Option<PathBuf>) -> u8 {
    use cancuoc_bridge::doctor::{self, Level};
    let store = TrustDir::new(dir.unwrap_or_else(trust_store::default_dir));
    let checks = doctor::run_with_usb(&store, now_unix(), &usb);
    if json {
        println!("{}", serde_json::to_string_pretty(&checks).unwrap_or_default());
    } else {
        for c in &checks {
            let mark = match c.level {
                Level::Ok => "✔",
                Level::Warning => "⚠",
                Level::Problem => "✘",
                Level::Info => "ℹ",
            };
            println!("{mark} {}", c.finding);
            if let Some(f) = &c.fix {
                println!("    → {f}");
            }
        }
    }
    if checks.iter().any(|c| c.level == Level::Problem) { exit::NOT_VERIFIED } else { exit::VERIFIED }
}

fn serve(a: ServeArgs) -> u8 {
    use cancuoc_bridge::api;
    let ip = a.listen.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    let addr = std::net::SocketAddr::new(ip, a.port);
    if !api::is_loopback(&addr) {
        if !a.allow_remote {
            eprintln!(
                "✘ refusing to listen on {ip}: the API serves personal data; add --allow-remote if you really mean it"
            );
            return exit::USAGE;
        }
        eprintln!("⚠ listening on {ip}: other machines can reach the API (the token is still required)");
    }
    let token_file = a.token_file.unwrap_or_else(api::default_token_file);
    let token = match api::load_or_create_token(&token_file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("✘ cannot read or create the API token at {}: {e}", token_file.display());
            return exit::READER_ERROR;
        }
    };
    let cfg = api::Config {
        listen: addr,
        token,
        allowed_origins: a.allow_origin,
        retention: std::time::Duration::from_secs(a.retention_secs),
        simulated: a.simulated,
        simulated_latency: std::time::Duration::from_millis(a.simulated_latency_ms),
        trust_dir: a.trust_dir.unwrap_or_else(trust_store::default_dir),
        usb_ports: a.usb,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("✘ {e}");
            return exit::READER_ERROR;
        }
    };
    let file = token_file.display().to_string();
    let result = rt.block_on(api::serve(cfg, move |bound| {
        println!("cancuoc API on http://{bound} (token in {file})");
        let _ = std::io::stdout().flush();
    }));
    match result {
        Ok(()) => exit::VERIFIED,
        Err(e) => {
            eprintln!("✘ cannot serve on {addr}: {e}");
            exit::READER_ERROR
        }
    }
}

fn list_readers(json: bool, extra_usb: Vec<String>) -> u8 {
    use serde_json::json;
    let mut ports: Vec<String> = cancuoc_bridge::usb_reader::list().into_iter().map(|p| p.path).collect();
    for p in extra_usb {
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    let usb: Vec<serde_json::Value> = ports
        .iter()
        .map(|p| match cancuoc_bridge::usb_reader::UsbReader::open(p) {
            Ok(r) => json!({
                "kind": "usb", "name": p, "firmware": r.info.firmware, "board": r.info.board,
                "protocol": r.info.protocol, "front_end": r.info.front_end, "trust_count": r.info.trust_count,
            }),
            Err(e) => json!({ "kind": "usb", "name": p, "error": e.to_string() }),
        })
        .collect();
    let pcsc = cancuoc_bridge::pcsc_reader::readers();
    if json {
        let mut list: Vec<serde_json::Value> = match &pcsc {
            Ok(l) => {
                l.iter().map(|r| json!({ "kind": "pcsc", "name": r.name, "card_present": r.card_present })).collect()
            }
            Err(_) => Vec::new(),
        };
        list.extend(usb);
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return if pcsc.is_ok() || !list.is_empty() { exit::VERIFIED } else { exit::READER_ERROR };
    }
    match &pcsc {
        Ok(list) if list.is_empty() => println!("No PC/SC reader found — không tìm thấy đầu đọc PC/SC."),
        Ok(list) => {
            for r in list {
                let card = if r.card_present { "card present / có thẻ" } else { "no card / không có thẻ" };
                println!("pcsc  {}  ({card})", r.name);
            }
        }
        Err(e) => eprintln!("✘ {e}"),
    }
    for u in &usb {
        match u.get("error").and_then(|e| e.as_str()) {
            Some(e) => println!("usb   {}  ✘ {e}", u["name"].as_str().unwrap_or("")),
            None => println!(
                "usb   {}  cancuoc {} on {}, link protocol {}, {}, {} CSCA(s)",
                u["name"].as_str().unwrap_or(""),
                u["firmware"].as_str().unwrap_or(""),
                u["board"].as_str().unwrap_or(""),
                u["protocol"],
                match u["front_end"].as_str() {
                    Some("") | None => "PN532 NOT answering",
                    Some(f) => f,
                },
                u["trust_count"]
            ),
        }
    }
    if pcsc.is_err() && usb.is_empty() { exit::READER_ERROR } else { exit::VERIFIED }
}

fn read_from<T: cancuoc_core::Transport>(transport: T, label: &str, key: &Credentials, a: &ReadArgs) -> u8 {
    let bar = progress_bar();
    let mut current = None;
    let Some(trust) = load_trust(a) else { return exit::READER_ERROR };
    let mut transport = TraceTransport::new(transport);
    let result = cancuoc_bridge::read(&mut transport, key, &trust, now_unix(), &mut |p| {
        if current != Some(p.file) {
            current = Some(p.file);
            bar.set_prefix(p.file.to_string());
            bar.set_length(p.total as u64);
        }
        bar.set_position(p.done as u64);
    });
    bar.finish_and_clear();
    if let Some(path) = &a.trace {
        match transport.write(path) {
            Ok(()) => eprintln!("ℹ APDU trace written to {} (no access key, no plain personal data)", path.display()),
            Err(e) => eprintln!("cancuoc: cannot write the trace to {}: {e}", path.display()),
        }
    }
    if let Some(dir) = &a.save_files {
        let files = match &result {
            Ok(r) => r.files.clone(),
            Err(f) => f.partial.complete.clone(),
        };
        save_card_files(dir, &files);
    }
    match result {
        Ok(r) => output(&r, Report::from_read(&r), label, a),
        Err(f) => output_error(&ErrorReport::from_failure(&f), a),
    }
}

fn save_card_files(dir: &std::path::Path, files: &std::collections::BTreeMap<cancuoc_core::files::FileId, Vec<u8>>) {
    match diagnostics::save_files(dir, files) {
        Ok(written) => eprintln!(
            "⚠ {} card files written to {} — ĐÂY LÀ DỮ LIỆU CÁ NHÂN / this is PERSONAL DATA: keep it safe, delete it when done              (`cancuoc verify {}` checks it offline)",
            written.len(),
            dir.display(),
            dir.display()
        ),
        Err(e) => eprintln!("cancuoc: cannot save the card files in {}: {e}", dir.display()),
    }
}

/// `cancuoc verify DIR`: passive authentication of saved files, offline.
fn verify(dir: &std::path::Path, trust_dir: Option<PathBuf>, test_pki: bool, json: bool) -> u8 {
    let files = match diagnostics::load_files(dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("✘ {e}");
            return exit::USAGE;
        }
    };
    let trust = if test_pki {
        cancuoc_sim::trust_store()
    } else {
        let store = TrustDir::new(trust_dir.unwrap_or_else(trust_store::default_dir));
        match store.load() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("✘ {e}");
                return exit::USAGE;
            }
        }
    };
    let read = diagnostics::verify_saved(files, &trust, now_unix());
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

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>7} [{bar:30}] {bytes:>9}/{total_bytes:9} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// The trust store for this read: the test PKI for the simulated card, else the user's store.
fn load_trust(a: &ReadArgs) -> Option<cancuoc_core::TrustStore> {
    match (&a.trust_dir, a.simulated) {
        (None, true) => Some(cancuoc_sim::trust_store()),
        (dir, _) => {
            let store = TrustDir::new(dir.clone().unwrap_or_else(trust_store::default_dir));
            match store.load() {
                Ok(t) => {
                    if t.is_empty() {
                        eprintln!(
                            "⚠ the trust store at {} is empty: the chip's signer cannot be trusted (import your country's CSCA with `cancuoc trust import`)",
                            store.path().display()
                        );
                    }
                    Some(t)
                }
                Err(e) => {
                    eprintln!("✘ {e}");
                    None
                }
            }
        }
    }
}

/// Reads through a cancuoc USB reader and verifies what it sends with our own trust store.
fn read_usb(port: &str, key: &Credentials, a: &ReadArgs) -> u8 {
    use cancuoc_bridge::usb_reader;
    let path = if port == "auto" {
        match usb_reader::list().first() {
            Some(p) => p.path.clone(),
            None => {
                eprintln!(
                    "✘ Không thấy đầu đọc USB cancuoc — no cancuoc USB reader found: plug it in (its light blinks every 2 s), \
                     or name its port with --usb /dev/ttyACM0; `cancuoc doctor` checks permissions"
                );
                return exit::READER_ERROR;
            }
        }
    } else {
        port.to_string()
    };
    let Some(trust) = load_trust(a) else { return exit::READER_ERROR };
    let bar = progress_bar();
    let mut current = None;
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let result = usb_reader::read_verified(
        &path,
        key,
        &trust,
        now_unix(),
        &mut |p| {
            if current != Some(p.file) {
                current = Some(p.file);
                bar.set_prefix(p.file.to_string());
                bar.set_length(p.total as u64);
            }
            bar.set_position(p.done as u64);
        },
        &cancel,
        &mut || eprintln!("⚠ the reader was unplugged; waiting for it to come back…"),
    );
    bar.finish_and_clear();
    let (card, reader) = match result {
        Ok(x) => x,
        Err(e) => {
            let report = ErrorReport {
                error: e.kind(),
                message: e.to_string(),
                retryable: e.retryable(),
                files_read: Default::default(),
            };
            return output_error(&report, a);
        }
    };
    if let Some(dir) = &a.save_files {
        save_card_files(dir, &card.files);
    }
    let mut report = Report::from_read(&card);
    let label = format!("Đầu đọc USB / USB reader: {path} (cancuoc {} on {})", reader.firmware, reader.board);
    report.reader = Some(reader);
    output(&card, report, &label, a)
}

fn output(r: &cancuoc_core::read::CardRead, report: Report, label: &str, a: &ReadArgs) -> u8 {
    if let Some(path) = &a.photo {
        match photo_bytes(r) {
            Some(b) => {
                if let Err(e) = std::fs::write(path, b) {
                    eprintln!("cancuoc: cannot write the photo to {}: {e}", path.display());
                }
            }
            None => eprintln!("cancuoc: the card has no face image to write"),
        }
    }
    if a.fhir {
        let photo = if a.fhir_photo {
            r.dg2.as_ref().and_then(|d| d.faces.first()).map(|f| (f.format.mime(), f.image.as_slice()))
        } else {
            None
        };
        let patient = cancuoc_bridge::fhir::patient(&report, photo);
        println!("{}", serde_json::to_string_pretty(&patient).unwrap_or_default());
    } else if a.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print_human(&report, label);
    }
    report.exit_code()
}

fn output_error(e: &ErrorReport, a: &ReadArgs) -> u8 {
    if a.json || a.fhir {
        println!("{}", serde_json::to_string_pretty(&e).unwrap_or_default());
    } else {
        let vi = match e.error {
            "access_denied" => "Từ chối truy cập — kiểm tra số giấy tờ, ngày sinh, ngày hết hạn (hoặc số CAN)",
            "credentials_needed" => "Thẻ này cần thông tin khác để mở chip",
            "no_card" => "Không có thẻ trên đầu đọc, hoặc thẻ đã bị nhấc ra",
            _ => "Lỗi đầu đọc hoặc thẻ",
        };
        eprintln!("✘ {vi}\n  {}", e.message);
        if e.retryable {
            eprintln!("  Đặt lại thẻ và thử lại — place the card again and retry.");
        }
    }
    e.exit_code()
}

fn line(label: &str, value: Option<&str>) {
    if let Some(v) = value {
        let pad = 36usize.saturating_sub(label.chars().count());
        println!("  {label}{} {v}", " ".repeat(pad));
    }
}

fn print_human(r: &Report, source: &str) {
    println!("{source}");
    match r.status {
        Status::Verified => println!("\n✔ CHIP ĐÃ XÁC THỰC — chip verified: every check passed\n"),
        Status::SignerUntrusted => println!(
            "\n⚠ CHƯA XÁC THỰC ĐƯỢC NGƯỜI KÝ — signer not in the trust store: {}\n",
            r.failures.first().map_or("", |f| f.message.as_str())
        ),
        Status::NotChecked => {
            println!("\n⚠ KHÔNG KIỂM TRA ĐƯỢC TẠI ĐÂY — could not be checked here (not a forgery finding)");
            for f in &r.failures {
                println!("  ⚠ {}", f.message);
            }
            println!();
        }
        Status::NotVerified => {
            println!("\n✘ KHÔNG XÁC THỰC — NOT verified");
            for f in &r.failures {
                println!("  ✘ {}", f.message);
            }
            println!();
        }
    }
    if let Some(doc) = r.document.as_ref().filter(|d| d.expired) {
        println!(
            "⚠ GIẤY TỜ ĐÃ HẾT HẠN — document expired on {}
",
            doc.date_of_expiry.as_deref().unwrap_or("?")
        );
    }
    // A document without DG13 (a passport): what it is, from its MRZ.
    if let Some(doc) = r.document.as_ref().filter(|_| r.person.id_number.is_none()) {
        let kind = match doc.kind {
            "passport" => "hộ chiếu (passport)",
            "identity_card" => "thẻ căn cước (identity card)",
            _ => "giấy tờ khác (other document)",
        };
        line("Loại giấy tờ (document)", Some(kind));
        line("Số giấy tờ (document number)", Some(&doc.number));
        line("Nơi cấp (issuing state)", Some(&doc.issuing_state));
    }
    // The card's own labels (2021 or 2024 card), from the core's one table of DG13 fields.
    let p = &r.person;
    for (f, v) in p.entries() {
        line(&format!("{} ({})", p.label(f, false), lower_first(p.label(f, true))), Some(v));
    }
    for f in &p.other_fields {
        let v = f.values.join(" / ");
        line(&format!("Trường {} (field {}, meaning unconfirmed)", f.number, f.number), Some(&v));
    }
    if let Some(ph) = &r.photo {
        let kind = if ph.mime == "image/jp2" { "JPEG 2000" } else { "JPEG" };
        line("Ảnh (photo)", Some(&format!("{kind} {}×{}, {} bytes", ph.width, ph.height, ph.bytes)));
    }
    println!("\nKiểm tra (checks)");
    for d in &r.checks.data_groups {
        let s = match d.status {
            HashStatus::Match => "khớp (hash matches)",
            HashStatus::Mismatch => "SAI — đã bị sửa (hash MISMATCH: altered)",
            HashStatus::NotRead if d.dg == 3 => {
                "không đọc: vân tay, cần xác thực đầu cuối (not read: fingerprints need terminal authentication)"
            }
            HashStatus::NotRead => "chưa đọc (not read)",
            HashStatus::NotInSod => "không có trong SOD (not in SOD)",
            HashStatus::HashLengthMismatch => {
                "SOD không nhất quán: độ dài hash sai thuật toán (SOD inconsistent: hash length does not fit its algorithm)"
            }
            HashStatus::UnsupportedAlgorithm => "thuật toán không hỗ trợ (unsupported algorithm)",
        };
        line(&format!("DG{}", d.dg), Some(s));
    }
    use cancuoc_core::verdict::{ActiveAuthStatus, ChainStatus, SignatureStatus};
    const NOT_CHECKED: &str =
        "không kiểm tra được tại đây: thuật toán chưa hỗ trợ (not checked here: unsupported algorithm)";
    let sod = match &r.checks.sod_signature {
        SignatureStatus::Valid => "hợp lệ (valid)",
        SignatureStatus::UnsupportedAlgorithm(_) => NOT_CHECKED,
        SignatureStatus::Missing => "không có SOD (no security object)",
        _ => "KHÔNG hợp lệ (INVALID)",
    };
    line("Chữ ký SOD (SOD signature)", Some(sod));
    let chain = match &r.checks.certificate_chain {
        ChainStatus::Valid => "hợp lệ (valid)",
        ChainStatus::UnsupportedAlgorithm(_) => NOT_CHECKED,
        ChainStatus::CscaUnknown => "nơi cấp không có trong danh sách tin cậy (CSCA not in the trust store)",
        _ => "KHÔNG hợp lệ (INVALID)",
    };
    line("Chuỗi DS → CSCA (certificate chain)", Some(chain));
    let proof = |s: &ActiveAuthStatus| match s {
        ActiveAuthStatus::Passed => "đạt (passed)",
        ActiveAuthStatus::NotSupported => "thẻ không hỗ trợ (not supported by the chip)",
        ActiveAuthStatus::NotAttempted => "không thực hiện (not attempted)",
        ActiveAuthStatus::UnsupportedAlgorithm(_) => NOT_CHECKED,
        _ => "KHÔNG ĐẠT (FAILED)",
    };
    line("Chống sao chép chip (active auth)", Some(proof(&r.checks.active_authentication)));
    line("Xác thực chip (chip auth)", Some(proof(&r.checks.chip_authentication)));
    if let Some(h) = &r.checks.hash_algorithm {
        line("Thuật toán băm (hash)", Some(h));
    }
    for n in &r.checks.notices {
        line("Lưu ý (note)", Some(n));
    }
    if let Some(a) = &r.checks.access {
        line("Kênh bảo mật (session)", Some(&a.to_string()));
    }
    match &r.reader {
        Some(rd) => {
            line("Kênh bảo mật (session)", Some(&rd.access));
            let v = if rd.agrees {
                "cùng kết luận (agrees with the PC)".to_string()
            } else if rd.verified_on_reader {
                "đầu đọc báo ĐẠT nhưng máy tính KHÔNG — kết luận của máy tính có hiệu lực (reader said verified, the PC did not: the PC's verdict stands)".to_string()
            } else {
                format!(
                    "đầu đọc báo KHÔNG ĐẠT (reader: not verified — {}); máy tính kiểm tra lại: xem trên (the PC re-checked: see above)",
                    rd.reader_failures.join("; ")
                )
            };
            line("Đầu đọc tự kiểm (reader's check)", Some(&v));
        }
        None => println!(
            "\nLiên kết (link): {} APDUs, {} bytes sent, {} bytes received",
            r.link.apdus, r.link.bytes_sent, r.link.bytes_received
        ),
    }
    if r.link.short_apdu_fallback {
        println!(
            "ℹ Đầu đọc hoặc chip không nhận APDU dài: đã đọc bằng APDU ngắn — the reader (or the chip) cannot carry \
             extended-length APDUs: read with short ones (slower, same data)"
        );
    }
}

/// "Full name" → "full name", keeping acronyms ("ID number").
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !c.clone().next().is_some_and(char::is_uppercase) => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// A Unix time as YYYY-MM-DD (UTC).
fn date(secs: u64) -> String {
    match der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs)) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Err(_) => format!("{secs} s after 1970"),
    }
}
