//! The gateway's result codes: each named in both languages with what the clerk should do,
//! and the messages for a check that could not be made.

use serde::Serialize;

use super::NotChecked;
use crate::words::Lang;

/// What a result code means for the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The card can be used (000; 004 with its new card).
    Accept,
    /// Managed by the Defence or Public Security funds: accept after checking the papers.
    AcceptAfterPapers,
    /// A new card was issued (003/004): use it when it covers today.
    NewCard,
    /// The card has run out (010).
    Expired,
    /// The number, name or date of birth was wrong: check and ask again (050–053, 060, 061, 070).
    Reenter,
    /// The card cannot be used (110, 120–124, 130).
    Reject,
    /// Nothing is known about the card: the gateway's or the site account's problem.
    NotChecked,
}

/// A result code in both languages, with what the clerk should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Code {
    pub code: &'static str,
    pub kind: Kind,
    pub vi: &'static str,
    pub en: &'static str,
    pub todo_vi: &'static str,
    pub todo_en: &'static str,
}

impl Code {
    pub fn meaning(&self, lang: Lang) -> &'static str {
        if lang == Lang::Vi { self.vi } else { self.en }
    }
    pub fn todo(&self, lang: Lang) -> &'static str {
        if lang == Lang::Vi { self.todo_vi } else { self.todo_en }
    }
}

pub(super) const fn c(
    code: &'static str,
    kind: Kind,
    vi: &'static str,
    en: &'static str,
    todo_vi: &'static str,
    todo_en: &'static str,
) -> Code {
    Code { code, kind, vi, en, todo_vi, todo_en }
}

pub(super) const ACCEPT_VI: &str = "Tiếp nhận theo thẻ BHYT.";
pub(super) const ACCEPT_EN: &str = "Admit on the insurance card.";
pub(super) const REENTER_VI: &str =
    "Kiểm tra lại thông tin trên chip và hỏi lại; nếu vẫn sai, hướng dẫn người bệnh liên hệ BHXH.";
pub(super) const REENTER_EN: &str =
    "Check the chip's details and ask again; if it is still wrong, refer the patient to the insurer (BHXH).";
pub(super) const REJECT_VI: &str = "Không tiếp nhận theo BHYT (tiếp nhận dịch vụ); hướng dẫn người bệnh liên hệ BHXH.";
pub(super) const REJECT_EN: &str =
    "Do not admit on insurance (admit as self-paying); refer the patient to the insurer (BHXH).";
pub(super) const RETRY_VI: &str = "Cổng BHXH đang lỗi: thử lại sau ít phút.";
pub(super) const RETRY_EN: &str = "The insurer's gateway has a problem: try again in a few minutes.";
pub(super) const SITE_VI: &str = "Tài khoản cán bộ của cơ sở chưa đúng: báo kỹ thuật viên sửa trong Cài đặt.";
pub(super) const SITE_EN: &str = "The site's clerk account is not right: ask the technician to fix it in Settings.";

/// Every code the gateway documents (CV 1923 §4 and the ones hospital systems still handle).
pub const CODES: &[Code] = &[
    c("000", Kind::Accept, "Thông tin thẻ chính xác", "Card details correct", ACCEPT_VI, ACCEPT_EN),
    c(
        "001",
        Kind::AcceptAfterPapers,
        "Thẻ do BHXH Bộ Quốc phòng quản lý",
        "Card managed by the Ministry of Defence's fund",
        "Kiểm tra giấy tờ tùy thân rồi tiếp nhận theo thẻ BHYT.",
        "Check the identity papers, then admit on the insurance card.",
    ),
    c(
        "002",
        Kind::AcceptAfterPapers,
        "Thẻ do BHXH Bộ Công an quản lý",
        "Card managed by the Ministry of Public Security's fund",
        "Kiểm tra giấy tờ tùy thân rồi tiếp nhận theo thẻ BHYT.",
        "Check the identity papers, then admit on the insurance card.",
    ),
    c(
        "003",
        Kind::NewCard,
        "Thẻ cũ hết giá trị sử dụng, đã được cấp thẻ mới",
        "Old card expired; a new card was issued",
        "Dùng thẻ mới (mã và hạn thẻ mới hiện bên dưới).",
        "Use the new card (its number and validity are shown below).",
    ),
    c(
        "004",
        Kind::NewCard,
        "Thẻ cũ còn giá trị sử dụng, đã được cấp thẻ mới",
        "Old card still valid; a new card was issued",
        "Dùng thẻ mới khi đã đến hạn; nếu chưa, dùng thẻ cũ.",
        "Use the new card once it is valid; until then the old one.",
    ),
    c(
        "010",
        Kind::Expired,
        "Thẻ hết giá trị sử dụng",
        "Card no longer valid",
        "Không tiếp nhận theo BHYT; hướng dẫn người bệnh gia hạn thẻ.",
        "Do not admit on insurance; the patient needs to renew the card.",
    ),
    c("050", Kind::Reenter, "Không thấy thông tin thẻ", "No card information found", REENTER_VI, REENTER_EN),
    c("051", Kind::Reenter, "Mã thẻ không đúng", "Wrong card number", REENTER_VI, REENTER_EN),
    c(
        "052",
        Kind::Reenter,
        "Mã tỉnh cấp thẻ không đúng",
        "Wrong province code (characters 4–5)",
        REENTER_VI,
        REENTER_EN,
    ),
    c("053", Kind::Reenter, "Mã quyền lợi thẻ không đúng", "Wrong benefit code (character 3)", REENTER_VI, REENTER_EN),
    c(
        "054",
        Kind::NotChecked,
        "Số CCCD của cán bộ chưa đăng ký người dùng",
        "The clerk's CCCD number is not a registered user",
        SITE_VI,
        SITE_EN,
    ),
    c(
        "055",
        Kind::NotChecked,
        "Họ tên cán bộ không khớp số CCCD",
        "The clerk's name does not match their CCCD number",
        SITE_VI,
        SITE_EN,
    ),
    c(
        "060",
        Kind::Reenter,
        "Sai họ tên",
        "Name does not match",
        "So hồ sơ của BHXH với chip (bên dưới); nếu chip đúng, hướng dẫn người bệnh sửa thông tin tại BHXH.",
        "Compare the insurer's record with the chip (below); if the chip is right, the patient must have the insurer correct it.",
    ),
    c(
        "061",
        Kind::Reenter,
        "Sai họ tên (đúng ký tự đầu)",
        "Name does not match (first letters right)",
        "So hồ sơ của BHXH với chip (bên dưới); nếu chip đúng, hướng dẫn người bệnh sửa thông tin tại BHXH.",
        "Compare the insurer's record with the chip (below); if the chip is right, the patient must have the insurer correct it.",
    ),
    c(
        "070",
        Kind::Reenter,
        "Sai ngày sinh",
        "Date of birth does not match",
        "So hồ sơ của BHXH với chip (bên dưới); nếu chip đúng, hướng dẫn người bệnh sửa thông tin tại BHXH.",
        "Compare the insurer's record with the chip (below); if the chip is right, the patient must have the insurer correct it.",
    ),
    c("080", Kind::Reenter, "Sai giới tính", "Sex does not match", REENTER_VI, REENTER_EN),
    c(
        "090",
        Kind::Reenter,
        "Sai nơi đăng ký khám chữa bệnh ban đầu",
        "Wrong registered primary-care facility",
        REENTER_VI,
        REENTER_EN,
    ),
    c("100", Kind::NotChecked, "Lỗi khi lấy dữ liệu sổ thẻ", "Error reading the card register", RETRY_VI, RETRY_EN),
    c("101", Kind::NotChecked, "Lỗi máy chủ BHXH", "Insurer's server error", RETRY_VI, RETRY_EN),
    c("110", Kind::Reject, "Thẻ đã thu hồi", "Card withdrawn", REJECT_VI, REJECT_EN),
    c("120", Kind::Reject, "Thẻ đã báo giảm", "Card reported reduced", REJECT_VI, REJECT_EN),
    c(
        "121",
        Kind::Reject,
        "Thẻ đã báo giảm: chuyển ngoại tỉnh",
        "Card reduced: moved out of the province",
        REJECT_VI,
        REJECT_EN,
    ),
    c(
        "122",
        Kind::Reject,
        "Thẻ đã báo giảm: chuyển nội tỉnh",
        "Card reduced: moved within the province",
        REJECT_VI,
        REJECT_EN,
    ),
    c(
        "123",
        Kind::Reject,
        "Thẻ đã báo giảm: tăng lại cùng đơn vị",
        "Card reduced: re-increased at the same unit",
        REJECT_VI,
        REJECT_EN,
    ),
    c(
        "124",
        Kind::Reject,
        "Thẻ đã báo giảm: ngừng tham gia",
        "Card reduced: stopped participating",
        REJECT_VI,
        REJECT_EN,
    ),
    c(
        "130",
        Kind::Reject,
        "Trẻ em không xuất trình thẻ",
        "Child without a card shown",
        "Yêu cầu xuất trình thẻ BHYT hoặc giấy khai sinh của trẻ.",
        "Ask for the child's insurance card or birth certificate.",
    ),
    c(
        "205",
        Kind::NotChecked,
        "Sai định dạng tham số",
        "Malformed request",
        "Báo kỹ thuật viên (thông tin gửi đi không đúng định dạng).",
        "Tell the technician (the request was not in the expected format).",
    ),
    c("401", Kind::NotChecked, "Lỗi xác thực tài khoản", "Account authentication failed", SITE_VI, SITE_EN),
    c("500", Kind::NotChecked, "Lỗi máy chủ BHXH", "Insurer's server error", RETRY_VI, RETRY_EN),
];

/// The documented meaning of a result code; an unknown one says so (and is never taken as valid).
pub fn code(code: &str) -> Code {
    CODES.iter().find(|c| c.code == code).copied().unwrap_or(Code {
        code: "",
        kind: Kind::NotChecked,
        vi: "Mã kết quả chưa biết",
        en: "Unknown result code",
        todo_vi: "Không dựa vào kết quả này; báo kỹ thuật viên.",
        todo_en: "Do not rely on this answer; tell the technician.",
    })
}

/// A result code's meaning in one line (`code — meaning`).
pub fn code_message(c: &str, lang: Lang) -> String {
    format!("{c} — {}", code(c).meaning(lang))
}

/// Why there is no answer, in plain words.
pub fn not_checked_message(n: &NotChecked, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    match n {
        NotChecked::Offline if vi => {
            "Chưa kiểm tra — đang làm việc ngoại tuyến hoặc chưa đặt cổng BHXH (Cài đặt).".into()
        }
        NotChecked::Offline => "Not checked — working offline or no insurer gateway set (Settings).".into(),
        NotChecked::Timeout if vi => "Chưa kiểm tra — cổng BHXH không trả lời kịp. Thử lại.".into(),
        NotChecked::Timeout => "Not checked — the insurer's gateway did not answer in time. Try again.".into(),
        NotChecked::Unreachable { .. } if vi => "Chưa kiểm tra — không kết nối được cổng BHXH. Thử lại.".into(),
        NotChecked::Unreachable { .. } => "Not checked — the insurer's gateway cannot be reached. Try again.".into(),
        NotChecked::Auth if vi => "Chưa kiểm tra — cổng BHXH từ chối tài khoản của cơ sở (Cài đặt).".into(),
        NotChecked::Auth => "Not checked — the insurer's gateway refused the site's account (Settings).".into(),
        NotChecked::Server { status } if vi => format!("Chưa kiểm tra — cổng BHXH báo lỗi (HTTP {status}). Thử lại."),
        NotChecked::Server { status } => {
            format!("Not checked — the insurer's gateway answered with an error (HTTP {status}). Try again.")
        }
        NotChecked::BadAnswer { .. } if vi => "Chưa kiểm tra — không đọc được trả lời của cổng BHXH.".into(),
        NotChecked::BadAnswer { .. } => "Not checked — the insurer's answer could not be read.".into(),
        NotChecked::Gateway { code: c } => {
            let info = code(c);
            if vi {
                format!("Chưa kiểm tra — mã {c}: {}. {}", info.vi, info.todo_vi)
            } else {
                format!("Not checked — code {c}: {}. {}", info.en, info.todo_en)
            }
        }
    }
}
