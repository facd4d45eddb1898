//! `cancuoc privacy`: a data subject's rights at this site (Law 91/2025/QH15 art. 4, Decree
//! 356/2025/NĐ-CP art. 5; docs/privacy.md) — what is held about a person, withdrawal, erasure,
//! the register of requests with their deadlines, and the facts for a breach notification.

use clap::Subcommand;

use cancuoc_bridge::privacy;
use cancuoc_bridge::store::Store;

#[derive(Subcommand)]
pub enum PrivacyCmd {
    /// Everything this site holds about a person: check-ins, consent records, audit entries (by
    /// field name), visit evidence (by hash), requests. Registers the request.
    Report {
        #[command(flatten)]
        who: Who,
        #[arg(long, conflicts_with = "pdf")]
        json: bool,
        /// Write the answer as an A4 PDF for the citizen (owner-only: it is personal data).
        #[arg(long, value_name = "FILE")]
        pdf: Option<std::path::PathBuf>,
    },
    /// The person withdraws their consent to a purpose: nothing more is sent for it, and what
    /// was kept only on that consent is deleted. Registers the request.
    Withdraw {
        #[command(flatten)]
        who: Who,
        /// The purpose, as the consent records name it (e.g. checkin, bhyt, his, export).
        #[arg(long)]
        purpose: String,
    },
    /// Erases what this site holds about a person; only the request record (a keyed hash,
    /// dates, the result) is kept. SQLite: the bytes are overwritten and the file compacted.
    Erase {
        #[command(flatten)]
        who: Who,
    },
    /// The register of requests: received, acknowledge-by and due dates (Decree 356 art. 5),
    /// done; overdue ones marked. `--add KIND --id-number N` registers one received now.
    Requests {
        #[arg(long, value_name = "FILE|URL")]
        site_db: String,
        #[arg(long, value_name = "KIND", requires = "id_number")]
        add: Option<String>,
        #[arg(long)]
        id_number: Option<String>,
        #[arg(long)]
        purpose: Option<String>,
        /// A processor or third party must also act (the longer deadline).
        #[arg(long)]
        processor: bool,
        #[arg(long)]
        json: bool,
    },
    /// The facts of a possible breach between two dates for the 72-hour notification (Law
    /// 91/2025/QH15 art. 23): which data, how many records, when — counts from the audit log.
    BreachReport {
        #[arg(long, value_name = "FILE|URL")]
        site_db: String,
        /// First day (dd/mm/yyyy or yyyy-mm-dd), from 00:00 local time.
        #[arg(long)]
        from: String,
        /// Last day, to 24:00 local time.
        #[arg(long)]
        to: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct Who {
    /// The site store: a SQLite file (the desk app's desk.sqlite) or a postgres:// URL.
    #[arg(long, value_name = "FILE|URL")]
    site_db: String,
    /// The person's 12-digit ID number, read from their verified card at the counter.
    #[arg(long)]
    id_number: String,
}

fn check_id(n: &str) -> Result<(), String> {
    let ok = (n.len() == 12 || n.len() == 9) && n.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(()) } else { Err(format!("--id-number {n:?}: 12 digits (or 9 for an old CMND)")) }
}

fn open(db: &str) -> Result<Store, String> {
    Store::open_named(db, "privacy").map_err(|e| format!("--site-db {db}: {e}"))
}

fn day(s: &str) -> Result<chrono::NaiveDate, String> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| format!("{s:?} is not a date (dd/mm/yyyy)"))
}

fn local_ts(d: chrono::NaiveDate) -> i64 {
    use chrono::TimeZone;
    let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono::Local.from_local_datetime(&t).earliest().map(|t| t.timestamp()).unwrap_or(0)
}

fn when(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

pub fn run(cmd: PrivacyCmd) -> u8 {
    match go(cmd) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cancuoc privacy: {e}");
            2
        }
    }
}

fn go(cmd: PrivacyCmd) -> Result<u8, String> {
    let now = cancuoc_bridge::now_unix() as i64;
    match cmd {
        PrivacyCmd::Report { who, json, pdf } => {
            check_id(&who.id_number)?;
            let st = open(&who.site_db)?;
            let req = privacy::register(&st, &who.id_number, "report", None, now, false).map_err(|e| e.to_string())?;
            let r = privacy::report(&st, &who.id_number).map_err(|e| e.to_string())?;
            st.finish_request(
                req.id,
                now,
                &format!("report: {} check-in(s), {} consent record(s)", r.checkins.len(), r.consents.len()),
            )
            .map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                return Ok(0);
            }
            if let Some(file) = pdf {
                let bytes = privacy::document_pdf("bao-cao", &privacy::report_values(&r)).map_err(|e| e.to_string())?;
                cancuoc_bridge::write_private(&file, &bytes).map_err(|e| format!("{}: {e}", file.display()))?;
                println!(
                    "Đã ghi / written: {} ({} bytes, A4) — personal data: give it to the citizen, then delete it",
                    file.display(),
                    bytes.len()
                );
                return Ok(0);
            }
            println!("Dữ liệu cơ sở đang giữ về {} (what this site holds)", r.id_number);
            println!("\nLượt tiếp đón (check-ins): {}", r.checkins.len());
            for c in &r.checkins {
                println!(
                    "  {} · {} · {} · kết quả chip {} · BHYT {}{}{}",
                    when(c.at),
                    c.full_name.as_deref().unwrap_or("?"),
                    c.service,
                    c.verdict,
                    c.bhyt,
                    if c.photo_kept { " · có ảnh (photo kept)" } else { "" },
                    c.evidence_sha256
                        .as_deref()
                        .map(|h| format!(" · bằng chứng {}", &h[..16.min(h.len())]))
                        .unwrap_or_default()
                );
            }
            println!("\nĐồng ý (consent records): {}", r.consents.len());
            for c in &r.consents {
                println!(
                    "  {} · mục đích {} → {} · trường {} · cách {} · {}{}",
                    when(c.at),
                    c.purpose,
                    c.recipient,
                    c.fields,
                    c.method,
                    c.answer,
                    c.withdrawn_at.map(|w| format!(" · đã rút {}", when(w))).unwrap_or_default()
                );
            }
            println!("\nNhật ký (audit, field names only): {}", r.audit.len());
            for a in &r.audit {
                println!("  {} · {} · {} · {}", when(a.at), a.action, a.purpose.as_deref().unwrap_or("-"), a.fields);
            }
            println!("\nYêu cầu (requests): {}", r.requests.len());
            for q in &r.requests {
                let result = if q.result.is_empty() { "(yêu cầu này / this request)" } else { q.result.as_str() };
                println!("  {} · {} · hạn {} · {result}", when(q.received_at), q.kind, q.due);
            }
            Ok(0)
        }
        PrivacyCmd::Withdraw { who, purpose } => {
            check_id(&who.id_number)?;
            let st = open(&who.site_db)?;
            let req = privacy::register(&st, &who.id_number, "withdraw", Some(&purpose), now, false)
                .map_err(|e| e.to_string())?;
            let (consents, checkins) = st.withdraw(&req.subject, &purpose, now).map_err(|e| e.to_string())?;
            let result = format!(
                "withdrawn: {consents} consent record(s) for {purpose}; {checkins} check-in(s) kept only on them deleted"
            );
            st.finish_request(req.id, now, &result).map_err(|e| e.to_string())?;
            println!("Đã rút đồng ý / {result}");
            Ok(0)
        }
        PrivacyCmd::Erase { who } => {
            check_id(&who.id_number)?;
            let st = open(&who.site_db)?;
            let e = privacy::erase(&st, &who.id_number, now).map_err(|e| e.to_string())?;
            println!(
                "Đã xóa / erased: {} check-in(s), {} consent record(s); {} audit entr(ies) unlinked (they hold field names only)",
                e.checkins, e.consents, e.audit_unlinked
            );
            if matches!(st.location(), cancuoc_bridge::store::Location::Site { .. }) {
                println!("The site server's backups keep the rows until their own retention ends (docs/privacy.md).");
            }
            Ok(0)
        }
        PrivacyCmd::Requests { site_db, add, id_number, purpose, processor, json } => {
            let st = open(&site_db)?;
            if let (Some(kind), Some(n)) = (&add, &id_number) {
                check_id(n)?;
                let r =
                    privacy::register(&st, n, kind, purpose.as_deref(), now, processor).map_err(|e| e.to_string())?;
                println!(
                    "Đã ghi nhận yêu cầu {} / request {} registered: acknowledge by {}, due {}",
                    r.id, r.id, r.acknowledge_by, r.due
                );
            }
            let list = st.requests().map_err(|e| e.to_string())?;
            let today = chrono::Local::now().date_naive().to_string();
            let overdue = |r: &cancuoc_bridge::store::PrivacyRequest| {
                r.done_at.is_none() && r.extended_to.as_deref().unwrap_or(&r.due) < today.as_str()
            };
            if json {
                let v: Vec<serde_json::Value> = list
                    .iter()
                    .map(|r| {
                        let mut v = serde_json::to_value(r).unwrap_or_default();
                        v["overdue"] = serde_json::json!(overdue(r));
                        v
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                println!("Sổ yêu cầu (requests): {}", list.len());
                for r in &list {
                    println!(
                        "  #{} {} · nhận {} · trả lời trước {} · hạn {} · {}{}",
                        r.id,
                        r.kind,
                        when(r.received_at),
                        r.acknowledge_by,
                        r.extended_to.as_deref().unwrap_or(&r.due),
                        r.done_at.map(|d| format!("xong {}", when(d))).unwrap_or_else(|| "đang xử lý".into()),
                        if overdue(r) { " · QUÁ HẠN (overdue)" } else { "" }
                    );
                }
            }
            Ok(0)
        }
        PrivacyCmd::BreachReport { site_db, from, to, json } => {
            let (f, t) = (day(&from)?, day(&to)?);
            if t < f {
                return Err("--to is before --from".into());
            }
            let st = open(&site_db)?;
            let facts = privacy::breach_facts(&st, local_ts(f), local_ts(t + chrono::Days::new(1)))
                .map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&facts).unwrap_or_default());
            } else {
                println!("Dữ kiện cho thông báo vi phạm (72 giờ, Luật 91/2025/QH15 điều 23) — counts, not advice");
                println!("Khoảng thời gian (window): {} – {}", from, to);
                println!("Lượt tiếp đón liên quan (check-ins concerned): {}", facts.checkins);
                println!("Hoạt động (actions): {:?}", facts.actions);
                println!("Trường dữ liệu (fields, by name): {:?}", facts.fields);
                if let (Some(a), Some(b)) = (facts.first, facts.last) {
                    println!("Đầu tiên / cuối cùng (first / last): {} / {}", when(a), when(b));
                }
            }
            Ok(0)
        }
    }
}
