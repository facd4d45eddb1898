//! `cancuoc form`: the ward and commune-police counters' declaration forms filled from verified
//! cards (bridge/forms/*.toml), as a PDF — for scripts; the desk app does the same on screen.
//! Every card is read through `cancuoc_bridge::read::read`. Consent is given explicitly per field
//! (`--consent required`, `--consent full_name,id_number`, `--refuse residence`); nothing else
//! leaves the chip data, and a card that is not verified fills nothing without
//! `--override-unverified`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use cancuoc_bridge::his::forms::{self, Card, FillError};
use cancuoc_bridge::read::{self, Hooks, Source, Trust};
use cancuoc_bridge::{Report, Status, exit, words};
use cancuoc_core::access::TypedKey;
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum FormCmd {
    /// The catalogue: each form's file name, code, counter and the chip fields it takes.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Fill a form from the card(s) and write it as a PDF (A4, printable as is).
    #[command(
        after_help = "Exit codes: 0 written, 1 a card is not verified (nothing filled), 2 usage error, 3 access denied, 4 no card, 5 reader error.\n\nExample: cancuoc form fill ct01 --simulated --consent required --set kinh_gui='Công an phường Hàng Bạc' --out ct01.pdf"
    )]
    Fill(Box<FillArgs>),
}

#[derive(Args)]
pub struct FillArgs {
    /// The form: its file name (ct01, dc02, khai-sinh, ket-hon, xac-nhan-hon-nhan) or code.
    form: String,
    /// Read the built-in simulated card(s).
    #[arg(long, conflicts_with_all = ["reader", "usb"])]
    simulated: bool,
    /// With --simulated: the variant of each person's card in the form's order (e.g. for the
    /// marriage form `--variant rsa --variant can-cuoc-2024`); default one card, `rsa`.
    #[arg(long, requires = "simulated")]
    variant: Vec<String>,
    /// The PC/SC reader (default: the first with a card).
    #[arg(long)]
    reader: Option<String>,
    /// A cancuoc USB reader's serial port, or nothing for the first found.
    #[arg(long, num_args = 0..=1, default_missing_value = "auto")]
    usb: Option<String>,
    /// Each person's 12-digit ID number, in the form's order (real cards; asked when missing).
    #[arg(long)]
    id_number: Vec<String>,
    /// How many people's cards to read (default: as many --variant/--id-number as given, else 1).
    #[arg(long)]
    cards: Option<usize>,
    /// The chip fields the citizen agreed to: `required`, `all`, or field ids (comma-separated).
    #[arg(long, required = true)]
    consent: Vec<String>,
    /// Chip fields the citizen refused (left blank to write by hand).
    #[arg(long)]
    refuse: Vec<String>,
    /// A clerk's or citizen's field: ID=VALUE (e.g. kinh_gui='UBND phường Hàng Bạc').
    #[arg(long = "set", value_name = "ID=VALUE")]
    set: Vec<String>,
    /// The site's commune of today (e.g. "Phường Hoàn Kiếm, Hà Nội"): the default "Kính gửi"
    /// (its People's Committee or, on police forms, its police) and place ("Làm tại").
    #[arg(long, value_name = "COMMUNE")]
    site_commune: Option<String>,
    /// Fill from a card that is not verified anyway (the clerk's decision; say why in your records).
    #[arg(long)]
    override_unverified: bool,
    /// The date printed as "ngày … tháng … năm …": DD/MM/YYYY, `today` (default), or `blank`.
    #[arg(long, default_value = "today")]
    date: String,
    /// The trust store directory (default: the user's; the simulated card uses its test PKI).
    #[arg(long)]
    trust_dir: Option<PathBuf>,
    /// Where to write the PDF (owner-only; it is personal data).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Print what was done as JSON (form, fields filled and refused — names, never values).
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: FormCmd) -> u8 {
    match cmd {
        FormCmd::List { json } => list(json),
        FormCmd::Fill(a) => fill(*a),
    }
}

fn list(json: bool) -> u8 {
    let cat = match forms::catalogue() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cancuoc: {e}");
            return exit::READER_ERROR;
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&cat).unwrap_or_default());
        return exit::VERIFIED;
    }
    for f in &cat {
        let counter = match f.counter {
            forms::Counter::WardCommittee => "UBND xã/phường (ward People's Committee)",
            forms::Counter::CommunePolice => "Công an xã/phường (commune police)",
        };
        println!("{:<18} {:<10} {} — {}", f.slug, f.code, f.name_vi, counter);
        let chip: Vec<String> =
            f.chip_fields().map(|c| format!("{}{}", c.id, if c.required { "*" } else { "" })).collect();
        println!("{:<18} chip: {}", "", chip.join(", "));
    }
    println!("(* required: what `--consent required` gives)");
    exit::VERIFIED
}

fn usage(e: impl std::fmt::Display) -> u8 {
    eprintln!("cancuoc form: {e}");
    exit::USAGE
}

fn fill(a: FillArgs) -> u8 {
    let form = match forms::find(&a.form) {
        Ok(f) => f,
        Err(e) => return usage(e),
    };
    let consented = match form.consent_from(&a.consent, &a.refuse) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let mut typed = BTreeMap::new();
    for s in &a.set {
        let Some((k, v)) = s.split_once('=') else { return usage(format!("--set {s:?}: expected ID=VALUE")) };
        typed.insert(k.trim().to_string(), v.to_string());
    }
    if let Some(text) = &a.site_commune {
        let Some(c) = cancuoc_bridge::address::site_commune(text) else {
            return usage(format!(
                "--site-commune {text:?}: not one commune of today (try `cancuoc address \"{text}\"`)"
            ));
        };
        for f in &form.fields {
            let default = match f.id.as_str() {
                "kinh_gui" => form.counter.addressee(&c.name),
                "lam_tai" => cancuoc_bridge::address::in_sentence(&c.name),
                _ => continue,
            };
            typed.entry(f.id.clone()).or_insert(default);
        }
    }
    let date = match forms::parse_date(&a.date) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    let n = a.cards.unwrap_or(a.variant.len().max(a.id_number.len()).max(1));
    if n > form.people.len() {
        return usage(format!("{} takes {} card(s): {}", form.code, form.people.len(), form.people.join(", ")));
    }
    let trust = a.trust_dir.clone().map_or(Trust::Default, Trust::Dir);
    // Read each person's card, in the form's order.
    let mut reads = Vec::new();
    for i in 0..n {
        let source = if a.simulated {
            Source::simulated(a.variant.get(i).map_or("rsa", String::as_str))
        } else if let Some(port) = &a.usb {
            Source::Usb(port.clone())
        } else {
            Source::Pcsc(a.reader.clone())
        };
        if i > 0 && !a.simulated {
            eprintln!(
                "Đặt thẻ của {} lên đầu đọc — place {}'s card on the reader, then press Enter.",
                form.people[i], form.people[i]
            );
            let mut s = String::new();
            let _ = std::io::stdin().read_line(&mut s);
        }
        let id = a.id_number.get(i).map(String::as_str);
        let key = match read::credentials(&source, &TypedKey { id_number: id, ..TypedKey::default() }) {
            Ok(k) => k,
            Err(e) => return usage(format!("{}'s card: {e} (give --id-number)", form.people[i])),
        };
        let cancel = AtomicBool::new(false);
        let hooks = Hooks { progress: &mut |_| {}, unplugged: &mut || {}, cancel: &cancel, trace: None };
        match read::read(&source, &key, &trust, None, None, hooks) {
            Ok(o) => reads.push(o),
            Err(e) => {
                let r = e.report();
                eprintln!("✘ {}: {}", form.people[i], r.message);
                return r.exit_code();
            }
        }
    }
    let statuses: Vec<Status> = reads.iter().map(|o| Report::from_read(&o.card).status).collect();
    let empty = cancuoc_core::lds::dg13::Dg13::default();
    let cards: Vec<Option<Card>> = reads
        .iter()
        .zip(&statuses)
        .map(|(o, s)| {
            Some(Card {
                dg13: o.card.dg13.as_ref().unwrap_or(&empty),
                verified: *s == Status::Verified,
                address_choice: None,
            })
        })
        .collect();
    for (i, s) in statuses.iter().enumerate() {
        eprintln!("{} {}: {}", s.symbol(), form.people[i], s.headline(words::Lang::Vi));
    }
    let consent_refs: Vec<&str> = consented.iter().map(String::as_str).collect();
    let values = match form.values(&cards, &consent_refs, &typed, a.override_unverified) {
        Ok(v) => v,
        Err(e @ FillError::NotVerified(_)) => {
            eprintln!("✘ {e}\n  Không điền biểu mẫu từ thẻ chưa xác thực — nothing was filled or written.");
            return exit::NOT_VERIFIED;
        }
        Err(e) => return usage(e),
    };
    if a.override_unverified && statuses.iter().any(|s| *s != Status::Verified) {
        eprintln!("⚠ filled from a card that is not verified, on the clerk's override");
    }
    let pdf = match form.pdf(&values, date) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cancuoc form: {e}");
            return exit::READER_ERROR;
        }
    };
    if let Err(e) = cancuoc_bridge::write_private(&a.out, &pdf) {
        eprintln!("cancuoc form: cannot write {}: {e}", a.out.display());
        return exit::READER_ERROR;
    }
    let filled: Vec<&str> = form.chip_fields().filter(|f| values.contains_key(&f.id)).map(|f| f.id.as_str()).collect();
    let refused: Vec<&str> = form.chip_fields().filter(|f| !consented.contains(&f.id)).map(|f| f.id.as_str()).collect();
    if a.json {
        let out = serde_json::json!({
            "form": form.code, "file": a.out, "bytes": pdf.len(),
            "cards": statuses, "consented": consented, "filled_from_chip": filled, "not_consented": refused,
            "override_unverified": a.override_unverified && statuses.iter().any(|s| *s != Status::Verified),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!("✔ {} — {} → {} ({} bytes, A4)", form.code, form.name_vi, a.out.display(), pdf.len());
        println!("  từ chip / from the chip: {}", filled.join(", "));
        if !refused.is_empty() {
            println!("  không đồng ý / not consented (blank, to write by hand): {}", refused.join(", "));
        }
        println!("  ⚠ the PDF is personal data: print it, then delete it.");
    }
    exit::VERIFIED
}
