//! `cancuoc bhyt`: the health-insurance check by CCCD number, for scripts and integrators — the
//! same client as the desk app and the API (`cancuoc_bridge::his::bhyt`), sharing its login token.

use std::time::Duration;

use cancuoc_bridge::exit;
use cancuoc_bridge::his::bhyt::{self, Account, Answer, Eligibility, NotChecked, Query};
use cancuoc_bridge::words::Lang;

use crate::print::line;

/// Exit code when the gateway could not answer (the card is neither usable nor refused).
pub const NOT_CHECKED: u8 = 6;

#[derive(clap::Args)]
#[command(after_help = "The site's account: CANCUOC_BHYT_USER, and the password in the file \
CANCUOC_BHYT_PASSWORD_FILE (never on the command line). The clerk asking: --clerk-name/--clerk-id or \
CANCUOC_BHYT_CLERK_NAME/CANCUOC_BHYT_CLERK_ID.\n\nExit codes: 0 card usable today, 1 not usable, \
2 usage error, 6 not checked (gateway, network or account).")]
pub struct BhytArgs {
    /// The insurer's gateway (e.g. https://egw.baohiemxahoi.gov.vn); or CANCUOC_BHYT_GATEWAY.
    #[arg(long, env = "CANCUOC_BHYT_GATEWAY")]
    gateway: String,
    /// The 12-digit CCCD number.
    #[arg(long)]
    id_number: String,
    /// Full name as on the chip (with diacritics).
    #[arg(long)]
    name: String,
    /// Date of birth, DD/MM/YYYY.
    #[arg(long)]
    dob: String,
    /// Sex as on the chip (Nam / Nữ): compared with the insurer's record.
    #[arg(long)]
    sex: Option<String>,
    #[arg(long, env = "CANCUOC_BHYT_CLERK_NAME", default_value = "")]
    clerk_name: String,
    #[arg(long, env = "CANCUOC_BHYT_CLERK_ID", default_value = "")]
    clerk_id: String,
    /// Also fetch the visit history (Lskcb2025).
    #[arg(long)]
    history: bool,
    /// Seconds to wait for the gateway.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Print JSON (for scripts).
    #[arg(long)]
    json: bool,
}

fn usage(msg: &str) -> u8 {
    eprintln!("✘ {msg}");
    exit::USAGE
}

pub fn run(a: BhytArgs) -> u8 {
    let timeout = Duration::from_secs(a.timeout.max(1));
    let account = match Account::from_env(&a.gateway, &a.clerk_name, &a.clerk_id, timeout) {
        Ok(acc) => acc,
        Err(e) => return usage(&e.to_string()),
    };
    let digits: String = a.id_number.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return usage("--id-number takes the 12 digits of the CCCD number");
    }
    if cancuoc_core::lds::dg13::parse_date(&a.dob).is_none() {
        return usage("--dob takes a date as DD/MM/YYYY");
    }
    let q = Query { id_number: digits, full_name: a.name.trim().to_string(), date_of_birth: a.dob.clone(), sex: a.sex };
    let today = chrono::Local::now().format("%d/%m/%Y").to_string();
    let answer = bhyt::lookup(&account, &q, &today);
    let history = (a.history && answer.is_ok()).then(|| bhyt::history(&account, &q));
    let code = match &answer {
        Ok(r) if r.eligibility == Eligibility::Valid => exit::VERIFIED,
        Ok(_) => exit::NOT_VERIFIED,
        Err(_) => NOT_CHECKED,
    };
    if a.json {
        let mut v = match &answer {
            Ok(r) => serde_json::json!({ "checked": true, "answer": r, "meaning": bhyt::code(&r.code) }),
            Err(n) => serde_json::json!({
                "checked": false, "not_checked": n, "retryable": n.retryable(),
                "message": bhyt::not_checked_message(n, Lang::En),
            }),
        };
        if let Some(h) = &history {
            v["history"] = match h {
                Ok(h) => serde_json::json!(h),
                Err(n) => serde_json::json!({ "not_checked": n }),
            };
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return code;
    }
    match &answer {
        Ok(r) => print_answer(r),
        Err(n) => print_not_checked(n),
    }
    match &history {
        Some(Ok(h)) => {
            println!("\nLịch sử khám chữa bệnh (visit history): {} lượt (visits)", h.visits.len());
            for v in &h.visits {
                println!(
                    "  {} {} {} — {}",
                    v.admitted.as_deref().unwrap_or("?"),
                    v.facility.as_deref().unwrap_or("?"),
                    v.diagnosis.as_deref().unwrap_or(""),
                    v.outcome.as_deref().unwrap_or("")
                );
            }
        }
        Some(Err(n)) => {
            println!("\nLịch sử khám chữa bệnh (visit history): {}", bhyt::not_checked_message(n, Lang::Vi))
        }
        None => {}
    }
    code
}

fn print_not_checked(n: &NotChecked) {
    println!("⚠ {}", bhyt::not_checked_message(n, Lang::Vi));
    println!("  {}", bhyt::not_checked_message(n, Lang::En));
}

fn card_line(label: &str, c: &bhyt::Card) {
    let facility = match (&c.facility, &c.facility_name) {
        (Some(f), Some(n)) => format!(", KCB ban đầu {f} {n}"),
        (Some(f), None) => format!(", KCB ban đầu {f}"),
        _ => String::new(),
    };
    line(
        label,
        Some(&format!(
            "{} ({} → {}){facility}",
            c.number.as_deref().unwrap_or("?"),
            c.valid_from.as_deref().unwrap_or("?"),
            c.valid_to.as_deref().unwrap_or("?")
        )),
    );
}

fn print_answer(r: &Answer) {
    let (sign, vi, en) = match r.eligibility {
        Eligibility::Valid => ("✔", "THẺ BHYT DÙNG ĐƯỢC HÔM NAY", "insurance card usable today"),
        Eligibility::Expired => ("✘", "THẺ BHYT HẾT HẠN", "insurance card expired"),
        Eligibility::Invalid => ("✘", "KHÔNG DÙNG ĐƯỢC THẺ BHYT", "insurance card not usable"),
    };
    let info = bhyt::code(&r.code);
    println!("{sign} {vi}\n  {en}");
    line("Mã kết quả (result code)", Some(&format!("{} — {} ({})", r.code, info.vi, info.en)));
    line("Việc cần làm (what to do)", Some(info.todo_vi));
    if let Some(n) = &r.note {
        line("Ghi chú của BHXH (insurer's note)", Some(n));
    }
    card_line("Thẻ dùng hôm nay (card for today)", &r.card);
    if let Some(p) = &r.previous_card {
        card_line("Thẻ cũ (previous card)", p);
    }
    if r.birth_year_only {
        println!(
            "  ⚠ BHXH chỉ có năm sinh; đã kiểm tra lại bằng năm sinh (the insurer holds the birth year only; checked again with the year)"
        );
    }
    if !r.differences.is_empty() {
        println!("  ⚠ Hồ sơ BHXH khác với chip (the insurer's record differs from the chip):");
        for d in &r.differences {
            let what = match d.field {
                "full_name" => "Họ tên (name)",
                "date_of_birth" => "Ngày sinh (date of birth)",
                _ => "Giới tính (sex)",
            };
            println!("    {what}: chip «{}» — BHXH «{}»", d.chip, d.insurer);
        }
    }
}
