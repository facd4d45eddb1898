//! The human-readable report of a read (Vietnamese first, English after), shared by `read` and
//! `verify`.

use cancuoc_bridge::words::{self, Lang};
use cancuoc_bridge::{Report, Status};
use cancuoc_core::verdict::HashStatus;

pub fn line(label: &str, value: Option<&str>) {
    if let Some(v) = value {
        let pad = 36usize.saturating_sub(label.chars().count());
        println!("  {label}{} {v}", " ".repeat(pad));
    }
}

pub fn print_human(r: &Report, source: &str) {
    println!("{source}");
    // The banner and each failure in the words the desk app shows (cancuoc_bridge::words),
    // Vietnamese; under each failure the core's technical English, as in the JSON `message`.
    let s = r.status;
    println!("\n{} {}\n  {}", s.symbol(), s.headline(Lang::Vi), s.headline(Lang::En).to_lowercase());
    if s != Status::Verified {
        println!("  {}", s.detail(Lang::Vi));
    }
    for f in &r.failures {
        // A check that could not be made here stays amber even beside a failed one.
        let sign = if s == Status::NotVerified && !f.failure.is_unchecked() { '✘' } else { '⚠' };
        println!("  {sign} {}\n    {}", words::failure(&f.failure, Lang::Vi), f.message);
    }
    println!();
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
        // Beside the chip's address (as the issuer signed it): the same in today's units.
        let today = match f.key {
            "place_of_residence" => r.addresses.place_of_residence.as_ref(),
            "place_of_origin" => r.addresses.place_of_origin.as_ref(),
            _ => None,
        };
        if let Some(l) = today {
            let text = match (l.today(None), l.chosen(None)) {
                (Some(t), Some(c)) => format!("{t} ({}, {})", c.code, c.province_code),
                _ => cancuoc_bridge::address::describe(l, cancuoc_bridge::words::Lang::Vi),
            };
            line("  → theo đơn vị hành chính mới (in today's units)", Some(&text));
        }
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
    if r.link.sfi_refused || r.link.whole_block_refused {
        println!(
            "ℹ Chip không nhận cách đọc nhanh: đã đọc theo cách thường (chậm hơn một chút, dữ liệu như nhau) — the chip \
             refused {}: read the usual way (a little slower, same data)",
            match (r.link.sfi_refused, r.link.whole_block_refused) {
                (true, true) => "reads by short file identifier and whole-file reads",
                (true, false) => "reads by short file identifier",
                _ => "whole-file reads",
            }
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
pub fn date(secs: u64) -> String {
    match der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs)) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Err(_) => format!("{secs} s after 1970"),
    }
}
