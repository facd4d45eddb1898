//! `cancuoc read`: read a card from the simulated card, a PC/SC reader or a cancuoc USB reader
//! (all through `cancuoc_bridge::read::read`), and print the verdict and the holder's data.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use cancuoc_bridge::read::{self, Hooks, Source, Trust};
use cancuoc_bridge::{ErrorReport, Report, card_files, exit, photo_bytes};
use cancuoc_core::Credentials;
use cancuoc_core::access::TypedKey;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::print::print_human;

#[derive(Args)]
pub struct ReadArgs {
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
    /// The visit this read is for, SITE/COUNTER/VISIT: the chip's active-authentication challenge
    /// is made from it (with the time and a fresh nonce), so its answer proves this visit.
    #[arg(long, value_name = "SITE/COUNTER/VISIT")]
    visit: Option<String>,
    /// With --visit: write the visit evidence record here (no personal data; docs/evidence.md),
    /// for `cancuoc evidence verify FILE`.
    #[arg(long, value_name = "FILE", requires = "visit")]
    evidence: Option<PathBuf>,
}

fn prompt(label: &str) -> Option<String> {
    eprint!("{label}: ");
    std::io::stderr().flush().ok()?;
    let mut s = String::new();
    std::io::stdin().read_line(&mut s).ok()?;
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The credentials from the flags (through the bridge's one rule); asks on the terminal for what
/// a real card needs and was not given.
fn credentials(a: &ReadArgs, source: &Source) -> Result<Credentials, String> {
    let mut typed = TypedKey {
        id_number: a.id_number.as_deref(),
        can: a.can.as_deref(),
        document_number: a.document_number.as_deref(),
        date_of_birth: a.dob.as_deref(),
        date_of_expiry: a.expiry.as_deref(),
    };
    let (dob, exp, id);
    if !matches!(source, Source::Simulated { .. }) {
        if typed.document_number.is_some() && typed.date_of_birth.is_none() && typed.date_of_expiry.is_none() {
            dob = prompt("Ngày sinh / date of birth (DD/MM/YYYY)").ok_or("date of birth is required")?;
            exp = prompt("Có giá trị đến / date of expiry (DD/MM/YYYY)").ok_or("date of expiry is required")?;
            typed.date_of_birth = Some(&dob);
            typed.date_of_expiry = Some(&exp);
        } else if typed.id_number.is_none() && typed.document_number.is_none() && typed.can.is_none() {
            id = prompt("Số định danh (CCCD) / ID number (12 digits)").ok_or("the ID number is required")?;
            typed.id_number = Some(&id);
        }
    }
    read::credentials(source, &typed).map_err(|e| e.to_string())
}

pub fn run(a: ReadArgs) -> u8 {
    if a.list_variants {
        #[cfg(feature = "demo")]
        for (name, what) in cancuoc_bridge::demo::VARIANTS {
            println!("{name:<18} {what}");
        }
        return exit::VERIFIED;
    }
    let source = if a.simulated {
        Source::simulated(&a.variant)
    } else if let Some(port) = &a.usb {
        Source::Usb(port.clone())
    } else {
        Source::Pcsc(a.reader.clone())
    };
    let key = match credentials(&a, &source) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("cancuoc: access key: {e}");
            return exit::USAGE;
        }
    };
    let visit = match a.visit.as_deref().map(cancuoc_bridge::his::evidence::Visit::parse_now).transpose() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cancuoc: --visit: {e}");
            return exit::USAGE;
        }
    };
    let challenge = match visit.as_ref().map(|v| v.challenge()).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cancuoc: --visit: {e}");
            return exit::USAGE;
        }
    };
    let trust = a.trust_dir.clone().map_or(Trust::Default, Trust::Dir);
    let bar = progress_bar();
    let mut current = None;
    let mut trace = String::new();
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        progress: &mut |p| {
            if current != Some(p.file) {
                current = Some(p.file);
                bar.set_prefix(p.file.to_string());
                bar.set_length(p.total as u64);
            }
            bar.set_position(p.done as u64);
        },
        unplugged: &mut || eprintln!("⚠ the reader was unplugged; waiting for it to come back…"),
        cancel: &cancel,
        trace: a.trace.is_some().then_some(&mut trace),
    };
    let result = read::read(&source, &key, &trust, None, challenge, hooks);
    bar.finish_and_clear();
    if let Some(path) = &a.trace {
        match card_files::write_private(path, trace.as_bytes()) {
            Ok(()) => eprintln!("ℹ APDU trace written to {} (no access key, no plain personal data)", path.display()),
            Err(e) => eprintln!("cancuoc: cannot write the trace to {}: {e}", path.display()),
        }
    }
    if let Some(dir) = &a.save_files {
        match &result {
            Ok(o) => save_card_files(dir, &o.card.files),
            Err(e) => {
                if let Some(p) = e.partial() {
                    save_card_files(dir, &p.complete);
                }
            }
        }
    }
    match result {
        Ok(o) => {
            if o.trust_store_empty
                && let Some(path) = &o.trust_store_path
            {
                eprintln!(
                    "⚠ the trust store at {} is empty: the chip's signer cannot be trusted (import your country's CSCA with `cancuoc trust import`)",
                    path.display()
                );
            }
            let mut report = Report::from_read(&o.card);
            report.reader = o.reader;
            let evidence_sha256 = match (&visit, &a.evidence) {
                (Some(v), Some(path)) => match write_evidence(v, &o.card, path) {
                    Ok(h) => Some(h),
                    Err(code) => return code,
                },
                _ => None,
            };
            output(&o.card, report, &o.label, &a, evidence_sha256.as_deref())
        }
        Err(e @ read::Error::UnknownVariant(_)) => {
            eprintln!("cancuoc: {e}");
            exit::USAGE
        }
        Err(e) => output_error(&e.report(), &a),
    }
}

/// Writes the visit's evidence record; its SHA-256, or the exit code when the card gave none.
fn write_evidence(
    visit: &cancuoc_bridge::his::evidence::Visit,
    card: &cancuoc_core::read::CardRead,
    path: &std::path::Path,
) -> Result<String, u8> {
    use cancuoc_bridge::his::evidence::Evidence;
    let e = Evidence::from_read(visit, card).map_err(|e| {
        eprintln!("✘ no visit evidence: {e}");
        exit::NOT_VERIFIED
    })?;
    let der = e.to_der().map_err(|e| {
        eprintln!("cancuoc: evidence: {e}");
        exit::READER_ERROR
    })?;
    cancuoc_bridge::write_private(path, &der).map_err(|e| {
        eprintln!("cancuoc: cannot write the evidence to {}: {e}", path.display());
        exit::READER_ERROR
    })?;
    let h = e.sha256();
    eprintln!(
        "ℹ visit evidence written to {} (sha256 {h}; no personal data — `cancuoc evidence verify` checks it)",
        path.display()
    );
    Ok(h)
}

fn save_card_files(dir: &std::path::Path, files: &std::collections::BTreeMap<cancuoc_core::files::FileId, Vec<u8>>) {
    match card_files::save_files(dir, files) {
        Ok(written) => eprintln!(
            "⚠ {} card files written to {} — ĐÂY LÀ DỮ LIỆU CÁ NHÂN / this is PERSONAL DATA: keep it safe, delete it when done              (`cancuoc verify {}` checks it offline)",
            written.len(),
            dir.display(),
            dir.display()
        ),
        Err(e) => eprintln!("cancuoc: cannot save the card files in {}: {e}", dir.display()),
    }
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

fn output(r: &cancuoc_core::read::CardRead, report: Report, label: &str, a: &ReadArgs, evidence: Option<&str>) -> u8 {
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
        let mut patient =
            cancuoc_bridge::his::fhir::patient(&report, cancuoc_bridge::his::fhir::Include::IDENTITY, photo);
        if let Some(h) = evidence {
            cancuoc_bridge::his::fhir::add_evidence(&mut patient, h);
        }
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
        if e.error == "no_card" {
            eprintln!("  Đặt thẻ lên đầu đọc — place the card on the reader.");
        } else if e.retryable {
            eprintln!("  Đặt lại thẻ và thử lại — place the card again and retry.");
        }
    }
    e.exit_code()
}
