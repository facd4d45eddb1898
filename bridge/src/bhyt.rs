//! Health-insurance (BHYT) eligibility by the CCCD number, against the insurer's gateway — the
//! one client of the desk app, the CLI (`cancuoc bhyt`) and the local API (`POST /v1/bhyt`).
//!
//! What the gateway takes and answers is in shared/cccd.md (from the insurer's published function
//! description, CV 1923/BHXH-CNTT Phụ lục 03, and public hospital-system code): log in
//! (`/api/token/take`, form-encoded, the password as MD5), check (`/api/egw/KQNhanLichSuKCB2024`,
//! JSON body, the token in the query), visit history (`/api/egw/Lskcb2025`, form-encoded). The
//! answer is read the way reception needs it:
//!
//! - every documented result code named in both languages with what the clerk should do
//!   ([`code`]);
//! - a renewed card (003/004) resolved to the card that is valid today — the new one — with the
//!   old one shown beside it;
//! - the gateway's note (`ghiChu`) always carried;
//! - the insurer's own record (name, date of birth, sex, address) compared with the verified
//!   chip's, every difference flagged; where the insurer holds only the birth year and it is the
//!   chip's, the check is asked once more with the year, and the answer says so;
//! - the login token kept per site account until its `expires_in` (in memory, and for other
//!   programs on this PC encrypted in the cache folder — never in clear), a 401 answered with one
//!   new login and one retry.
//!
//! Every way this can fail — no gateway set, timeout, unreachable, wrong account, a gateway error
//! code — is [`NotChecked`] with the reason: the client never guesses a result.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use cancuoc_core::lds::dg13::{Date, Sex};

use crate::words::Lang;

/// Where and as whom to ask (the site's account; never built in).
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// e.g. `https://egw.baohiemxahoi.gov.vn`.
    pub base_url: String,
    pub username: String,
    /// MD5 of the password, hex (the gateway takes the hash; nothing keeps the password).
    pub password_md5: String,
    /// The clerk asking (`hoTenCb`, `cccdCb`: the gateway checks they are a registered user).
    pub clerk_name: String,
    pub clerk_id: String,
    pub timeout: Duration,
    /// Where the login token is kept encrypted for other programs on this PC (`None`: in memory
    /// only). [`default_cache_dir`] is the one the desk app and the CLI share.
    pub cache_dir: Option<PathBuf>,
}

impl Account {
    /// The site's account as scripts and the API server take it: the user from
    /// `CANCUOC_BHYT_USER`, the password from the file `CANCUOC_BHYT_PASSWORD_FILE` (never on a
    /// command line), the token shared (sealed) with the desk app's in [`default_cache_dir`].
    pub fn from_env(gateway: &str, clerk_name: &str, clerk_id: &str, timeout: Duration) -> Result<Account, String> {
        let username = std::env::var("CANCUOC_BHYT_USER")
            .map_err(|_| "set CANCUOC_BHYT_USER to the site's gateway account".to_string())?;
        let file = std::env::var_os("CANCUOC_BHYT_PASSWORD_FILE")
            .map(PathBuf::from)
            .ok_or_else(|| "set CANCUOC_BHYT_PASSWORD_FILE to a file holding the account's password".to_string())?;
        let password = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        Ok(Account {
            base_url: gateway.trim().to_string(),
            username,
            password_md5: md5_hex(password.trim_end_matches(['\r', '\n'])),
            clerk_name: clerk_name.to_string(),
            clerk_id: clerk_id.to_string(),
            timeout,
            cache_dir: default_cache_dir(),
        })
    }
}

/// The person asked about: the verified chip's fields (the ones the "BHYT" purpose allows).
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The 12-digit CCCD number (the gateway takes it as `maThe`).
    pub id_number: String,
    pub full_name: String,
    /// dd/mm/yyyy
    pub date_of_birth: String,
    /// "Nam" / "Nữ" as on the chip, when known (compared with the insurer's record).
    pub sex: Option<String>,
}

/// Whether the card can be used today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Valid,
    Expired,
    Invalid,
}

/// One insurance card as the gateway describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Card {
    pub number: Option<String>,
    /// dd/mm/yyyy
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// The registered primary-care facility (`maDKBD`) and, for a new card, its name.
    pub facility: Option<String>,
    pub facility_name: Option<String>,
    pub area: Option<String>,
    /// The date of five years' continuous participation.
    pub five_years: Option<String>,
}

/// The insurer's own record of the person (in 060/061/070 answers, and often in the others).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InsurerRecord {
    pub full_name: Option<String>,
    /// dd/mm/yyyy, or yyyy where the insurer knows only the year.
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
}

/// A field where the insurer's record and the verified chip disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `full_name`, `date_of_birth` or `sex`.
    pub field: &'static str,
    pub chip: String,
    pub insurer: String,
}

/// The gateway's answer, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// `maKetQua` of the answer the result rests on.
    pub code: String,
    pub eligibility: Eligibility,
    /// The card to use today: for a renewed card (003/004) the new one when its validity covers
    /// today.
    pub card: Card,
    /// The card the new one replaced, shown beside it (003/004).
    pub previous_card: Option<Card>,
    /// `ghiChu`, always shown.
    pub note: Option<String>,
    pub insurer: InsurerRecord,
    /// Where the insurer's record differs from the chip: reception must see it.
    pub differences: Vec<Difference>,
    /// The insurer holds the birth year only: the check was asked again with the year (the first
    /// answer was 070) and this is that second answer.
    pub birth_year_only: bool,
}

/// One visit in the insurer's history (`Lskcb2025`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub record_id: Option<String>,
    pub facility: Option<String>,
    /// yyyyMMddHHmm, as the gateway gives it.
    pub admitted: Option<String>,
    pub discharged: Option<String>,
    pub diagnosis: Option<String>,
    pub outcome: Option<String>,
}

/// The visit history's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct History {
    pub code: String,
    pub note: Option<String>,
    pub visits: Vec<Visit>,
}

/// Why there is no answer to rely on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotChecked {
    /// Offline mode, or no gateway configured.
    Offline,
    Timeout,
    Unreachable {
        detail: String,
    },
    /// The gateway refused the site's account (after one new login).
    Auth,
    /// The gateway answered with an HTTP error.
    Server {
        status: u16,
    },
    /// The answer could not be read.
    BadAnswer {
        detail: String,
    },
    /// The gateway answered a code that says nothing about the card: its own error (100, 101,
    /// 500), a malformed request (205), or the clerk's account (054, 055).
    Gateway {
        code: String,
    },
}

impl NotChecked {
    /// Whether asking again can help (the gateway or the network, not the account).
    pub fn retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Unreachable { .. } | Self::Server { .. } | Self::BadAnswer { .. } => true,
            Self::Gateway { code } => matches!(code.as_str(), "100" | "101" | "500"),
            Self::Offline | Self::Auth => false,
        }
    }
}

// ---- result codes ----------------------------------------------------------------------------

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

const fn c(
    code: &'static str,
    kind: Kind,
    vi: &'static str,
    en: &'static str,
    todo_vi: &'static str,
    todo_en: &'static str,
) -> Code {
    Code { code, kind, vi, en, todo_vi, todo_en }
}

const ACCEPT_VI: &str = "Tiếp nhận theo thẻ BHYT.";
const ACCEPT_EN: &str = "Admit on the insurance card.";
const REENTER_VI: &str = "Kiểm tra lại thông tin trên chip và hỏi lại; nếu vẫn sai, hướng dẫn người bệnh liên hệ BHXH.";
const REENTER_EN: &str =
    "Check the chip's details and ask again; if it is still wrong, refer the patient to the insurer (BHXH).";
const REJECT_VI: &str = "Không tiếp nhận theo BHYT (tiếp nhận dịch vụ); hướng dẫn người bệnh liên hệ BHXH.";
const REJECT_EN: &str = "Do not admit on insurance (admit as self-paying); refer the patient to the insurer (BHXH).";
const RETRY_VI: &str = "Cổng BHXH đang lỗi: thử lại sau ít phút.";
const RETRY_EN: &str = "The insurer's gateway has a problem: try again in a few minutes.";
const SITE_VI: &str = "Tài khoản cán bộ của cơ sở chưa đúng: báo kỹ thuật viên sửa trong Cài đặt.";
const SITE_EN: &str = "The site's clerk account is not right: ask the technician to fix it in Settings.";

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

// ---- the login token -------------------------------------------------------------------------

/// A login's token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Token {
    access_token: String,
    id_token: String,
    /// Unix seconds after which it is not used (60 s before the gateway's `expires_in`).
    use_until: i64,
}

/// Tokens of this process, per site account.
static TOKENS: Mutex<BTreeMap<String, Token>> = Mutex::new(BTreeMap::new());

/// A token is not used in its last minute (as hospital systems do).
const TOKEN_MARGIN_S: i64 = 60;
/// How long a token whose `expires_in` cannot be read is used (a 401 renews it earlier).
const TOKEN_UNKNOWN_LIFE_S: i64 = 600;

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The account's cache key: the gateway and the user (the password changes the encryption key).
fn account_key(a: &Account) -> String {
    format!("{}|{}", a.base_url.trim().trim_end_matches('/'), a.username)
}

/// The folder the desk app and the CLI share for the encrypted login token.
pub fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("CANCUOC_CACHE_DIR").map(PathBuf::from).or_else(|| dirs::cache_dir().map(|d| d.join("cancuoc")))
}

/// `expires_in` as gateways give it: a UTC date-time (the insurer's documents), or seconds.
fn expiry(v: Option<&Value>, now: i64) -> i64 {
    let at = match v {
        Some(Value::Number(n)) => n.as_i64().map(|s| now + s),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<i64>().ok().map(|x| now + x)
        }
        Some(Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s).map(|d| d.timestamp()).ok().or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
                .map(|d| d.and_utc().timestamp())
        }),
        _ => None,
    };
    match at {
        Some(t) => t - TOKEN_MARGIN_S,
        None => now + TOKEN_UNKNOWN_LIFE_S,
    }
}

mod seal {
    //! The token on disk: AES-256-CBC then HMAC-SHA-256 over IV and ciphertext, both keys derived
    //! (HKDF-SHA-256) from the account's password hash — which any program that can use the token
    //! already holds, so the file tells a reader without it nothing.

    use aes::Aes256;
    use cipher::block_padding::Pkcs7;
    use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
    use hmac::{KeyInit, Mac};

    type Hmac = hmac::Hmac<sha2::Sha256>;

    fn keys(secret: &str, account: &str) -> [u8; 64] {
        let mut okm = [0u8; 64];
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"cancuoc bhyt token cache v1"), secret.as_bytes());
        // 64 bytes is far below HKDF-SHA-256's limit; expand fails only above it.
        let _ = hk.expand(account.as_bytes(), &mut okm);
        okm
    }

    pub(super) fn seal(secret: &str, account: &str, plain: &[u8], iv: [u8; 16]) -> Vec<u8> {
        let k = keys(secret, account);
        let (ek, mk) = k.split_at(32);
        let Ok(enc) = cbc::Encryptor::<Aes256>::new_from_slices(ek, &iv) else { return Vec::new() };
        let ct = enc.encrypt_padded_vec::<Pkcs7>(plain);
        let mut out = iv.to_vec();
        out.extend_from_slice(&ct);
        let Ok(mut mac) = <Hmac as KeyInit>::new_from_slice(mk) else { return Vec::new() };
        mac.update(&out);
        out.extend_from_slice(&mac.finalize().into_bytes());
        out
    }

    pub(super) fn open(secret: &str, account: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let k = keys(secret, account);
        let (ek, mk) = k.split_at(32);
        let (body, tag) = sealed.split_at_checked(sealed.len().checked_sub(32)?)?;
        let mut mac = <Hmac as KeyInit>::new_from_slice(mk).ok()?;
        mac.update(body);
        mac.verify_slice(tag).ok()?;
        let (iv, ct) = body.split_at_checked(16)?;
        let dec = cbc::Decryptor::<Aes256>::new_from_slices(ek, iv).ok()?;
        dec.decrypt_padded_vec::<Pkcs7>(ct).ok()
    }
}

fn cache_file(a: &Account) -> Option<PathBuf> {
    use sha2::Digest;
    let dir = a.cache_dir.as_ref()?;
    let h = sha2::Sha256::digest(account_key(a).as_bytes());
    Some(dir.join(format!("bhyt-token-{}.bin", hex::encode(h.get(..8)?))))
}

/// The account's token still in use: this process's, else the one another program on this PC
/// saved.
fn cached_token(a: &Account) -> Option<Token> {
    let key = account_key(a);
    let now = now_s();
    if let Some(t) = TOKENS.lock().ok()?.get(&key).filter(|t| t.use_until > now) {
        return Some(t.clone());
    }
    let sealed = std::fs::read(cache_file(a)?).ok()?;
    let plain = seal::open(&a.password_md5.to_ascii_uppercase(), &key, &sealed)?;
    let t: Token = serde_json::from_slice(&plain).ok()?;
    if t.use_until <= now {
        return None;
    }
    if let Ok(mut m) = TOKENS.lock() {
        m.insert(key, t.clone());
    }
    Some(t)
}

fn keep_token(a: &Account, t: &Token) {
    let key = account_key(a);
    if let Ok(mut m) = TOKENS.lock() {
        m.insert(key.clone(), t.clone());
    }
    if let (Some(path), Ok(plain)) = (cache_file(a), serde_json::to_vec(t)) {
        let mut iv = [0u8; 16];
        if getrandom::fill(&mut iv).is_ok() {
            let sealed = seal::seal(&a.password_md5.to_ascii_uppercase(), &key, &plain, iv);
            if !sealed.is_empty() {
                let _ = crate::write_private(&path, &sealed);
            }
        }
    }
}

fn forget_token(a: &Account) {
    if let Ok(mut m) = TOKENS.lock() {
        m.remove(&account_key(a));
    }
    if let Some(p) = cache_file(a) {
        let _ = std::fs::remove_file(p);
    }
}

// ---- HTTP ------------------------------------------------------------------------------------

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout.max(Duration::from_millis(100))))
        .http_status_as_error(false)
        .build()
        .into()
}

fn transport_error(e: ureq::Error) -> NotChecked {
    match e {
        ureq::Error::Timeout(_) => NotChecked::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => NotChecked::Timeout,
        other => NotChecked::Unreachable { detail: other.to_string() },
    }
}

/// An answer, or why not; `Unauthorized` is the one a new login can cure.
enum Call {
    Unauthorized,
    Failed(NotChecked),
}

/// Percent-encodes a query or form value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// Sends a request body (JSON, or form-encoded) and reads a JSON answer.
fn post(agent: &ureq::Agent, url: &str, body: Result<&Value, &str>) -> Result<Value, Call> {
    let req = agent.post(url);
    let sent = match body {
        Ok(json) => req.send_json(json),
        Err(form) => req.header("Content-Type", "application/x-www-form-urlencoded").send(form),
    };
    let mut resp = sent.map_err(|e| Call::Failed(transport_error(e)))?;
    let status = resp.status().as_u16();
    if status == 401 || status == 403 {
        return Err(Call::Unauthorized);
    }
    if !(200..300).contains(&status) {
        return Err(Call::Failed(NotChecked::Server { status }));
    }
    let v: Value = resp.body_mut().read_json().map_err(|e| {
        Call::Failed(match e {
            ureq::Error::Timeout(_) => NotChecked::Timeout,
            e => NotChecked::BadAnswer { detail: e.to_string() },
        })
    })?;
    if text(&v, "maKetQua").as_deref() == Some("401") {
        return Err(Call::Unauthorized);
    }
    Ok(v)
}

fn base(a: &Account) -> Result<String, NotChecked> {
    let b = a.base_url.trim().trim_end_matches('/');
    if b.is_empty() { Err(NotChecked::Offline) } else { Ok(b.to_string()) }
}

fn login(agent: &ureq::Agent, a: &Account) -> Result<Token, NotChecked> {
    let url = format!("{}/api/token/take", base(a)?);
    // The documents: form-encoded, the MD5 in upper-case hex.
    let pw = a.password_md5.to_ascii_uppercase();
    let v = match post(agent, &url, Err(&form(&[("username", &a.username), ("password", &pw)]))) {
        Ok(v) => v,
        Err(Call::Unauthorized) => return Err(NotChecked::Auth),
        Err(Call::Failed(n)) => return Err(n),
    };
    // The token may come at the top level or under "APIKey", as gateways differ.
    let key = v.get("APIKey").filter(|k| k.is_object()).unwrap_or(&v);
    let (Some(access_token), Some(id_token)) = (text(key, "access_token"), text(key, "id_token")) else {
        return Err(NotChecked::Auth);
    };
    let t = Token { access_token, id_token, use_until: expiry(key.get("expires_in"), now_s()) };
    keep_token(a, &t);
    Ok(t)
}

/// Calls `path` with the account's token: a cached one when there is one, one new login and
/// one retry when the gateway says the token is no good.
fn with_token(agent: &ureq::Agent, a: &Account, path: &str, body: Result<&Value, &str>) -> Result<Value, NotChecked> {
    let base = base(a)?;
    let mut fresh = false;
    let mut token = match cached_token(a) {
        Some(t) => t,
        None => {
            fresh = true;
            login(agent, a)?
        }
    };
    loop {
        let url = format!(
            "{base}{path}?token={}&id_token={}&username={}&password={}",
            enc(&token.access_token),
            enc(&token.id_token),
            enc(&a.username),
            enc(&a.password_md5.to_ascii_uppercase())
        );
        match post(agent, &url, body) {
            Ok(v) => return Ok(v),
            Err(Call::Failed(n)) => return Err(n),
            Err(Call::Unauthorized) if fresh => {
                forget_token(a);
                return Err(NotChecked::Auth);
            }
            Err(Call::Unauthorized) => {
                forget_token(a);
                fresh = true;
                token = login(agent, a)?;
            }
        }
    }
}

// ---- reading the answer ----------------------------------------------------------------------

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The insurer's and the chip's `dd/mm/yyyy` (one-digit days and months too), comparable.
fn ymd(d: &str) -> Option<Date> {
    Date::parse_loose(d)
}

/// Whether a card's validity covers `today` (both ends inclusive; a missing start is no bound).
fn covers(card: &Card, today: &str) -> bool {
    let Some(now) = ymd(today) else { return false };
    let from_ok = card.valid_from.as_deref().and_then(ymd).is_none_or(|f| f <= now);
    let to_ok = card.valid_to.as_deref().and_then(ymd).is_some_and(|t| now <= t);
    from_ok && to_ok
}

fn year_only(dob: &str) -> bool {
    Date::parse(dob).is_some_and(|d| d.is_year_only())
}

/// Names compared as a person would: case, spacing and Unicode composition aside.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
    norm(a) == norm(b)
}

/// The insurer writes sex as a code ("1" male; "2", or "0" in some answers, female) or a word.
fn insurer_sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "1" => Some(Sex::Male),
        "2" | "0" => Some(Sex::Female),
        other => Sex::parse(other),
    }
}

fn same_sex(a: &str, b: &str) -> bool {
    match (insurer_sex(a), insurer_sex(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim().to_lowercase() == b.trim().to_lowercase(),
    }
}

/// The differences between the insurer's record and the chip's fields.
pub fn compare(q: &Query, r: &InsurerRecord) -> Vec<Difference> {
    let mut out = Vec::new();
    if let Some(n) = r.full_name.as_deref().filter(|n| !same_name(n, &q.full_name)) {
        out.push(Difference { field: "full_name", chip: q.full_name.clone(), insurer: n.to_string() });
    }
    if let Some(d) = r.date_of_birth.as_deref() {
        let chip = ymd(&q.date_of_birth);
        let same = if year_only(d) { chip.map(|c| c.year) == ymd(d).map(|i| i.year) } else { ymd(d) == chip };
        if !same {
            out.push(Difference { field: "date_of_birth", chip: q.date_of_birth.clone(), insurer: d.to_string() });
        }
    }
    if let (Some(s), Some(chip)) = (r.sex.as_deref(), q.sex.as_deref())
        && !same_sex(s, chip)
    {
        out.push(Difference { field: "sex", chip: chip.to_string(), insurer: s.to_string() });
    }
    out
}

fn insurer_record(v: &Value) -> InsurerRecord {
    InsurerRecord {
        full_name: text(v, "hoTen"),
        date_of_birth: text(v, "ngaySinh"),
        sex: text(v, "gioiTinh"),
        address: text(v, "diaChi"),
    }
}

fn card_of(v: &Value) -> Card {
    Card {
        number: text(v, "maThe"),
        valid_from: text(v, "gtTheTu"),
        valid_to: text(v, "gtTheDen"),
        facility: text(v, "maDKBD"),
        facility_name: text(v, "tenDKBD"),
        area: text(v, "maKV"),
        five_years: text(v, "ngayDu5Nam"),
    }
}

fn new_card_of(v: &Value, old: &Card) -> Option<Card> {
    let number = text(v, "maTheMoi")?;
    Some(Card {
        number: Some(number),
        valid_from: text(v, "gtTheTuMoi"),
        valid_to: text(v, "gtTheDenMoi"),
        facility: text(v, "maDKBDMoi").or_else(|| old.facility.clone()),
        facility_name: text(v, "tenDKBDMoi"),
        area: old.area.clone(),
        five_years: old.five_years.clone(),
    })
}

/// Reads one check answer (`today` is dd/mm/yyyy).
fn read_answer(v: &Value, q: &Query, today: &str) -> Result<Answer, NotChecked> {
    let code_s = text(v, "maKetQua").ok_or_else(|| NotChecked::BadAnswer { detail: "no maKetQua".into() })?;
    let info = code(&code_s);
    if info.kind == Kind::NotChecked {
        return Err(NotChecked::Gateway { code: code_s });
    }
    let old = card_of(v);
    let insurer = insurer_record(v);
    let differences = compare(q, &insurer);
    // A new card: the documented codes, or (as one HIS reads it) a different new number.
    let renewed = new_card_of(v, &old).filter(|n| info.kind == Kind::NewCard || n.number != old.number);
    let (card, previous_card, eligibility) = match (info.kind, renewed) {
        (Kind::Accept | Kind::AcceptAfterPapers | Kind::NewCard, Some(new)) if covers(&new, today) => {
            (new, Some(old), Eligibility::Valid)
        }
        // The new card does not cover today (yet): the old one decides.
        (kind, Some(new)) => {
            let ok = kind != Kind::Expired && code_s != "003" && covers(&old, today);
            (old, Some(new), if ok { Eligibility::Valid } else { Eligibility::Expired })
        }
        (Kind::Accept | Kind::AcceptAfterPapers, None) => {
            let e = if covers(&old, today) { Eligibility::Valid } else { Eligibility::Expired };
            (old, None, e)
        }
        (Kind::NewCard | Kind::Expired, None) => (old, None, Eligibility::Expired),
        (_, None) => (old, None, Eligibility::Invalid),
    };
    Ok(Answer {
        code: code_s,
        eligibility,
        card,
        previous_card,
        note: text(v, "ghiChu"),
        insurer,
        differences,
        birth_year_only: false,
    })
}

/// Asks the gateway about the chip's holder. `today` is dd/mm/yyyy.
pub fn lookup(a: &Account, q: &Query, today: &str) -> Result<Answer, NotChecked> {
    let agent = agent(a.timeout);
    let ask = |dob: &str| {
        let body = json!({
            "maThe": q.id_number, "hoTen": q.full_name, "ngaySinh": dob,
            "hoTenCb": a.clerk_name, "cccdCb": a.clerk_id,
        });
        with_token(&agent, a, "/api/egw/KQNhanLichSuKCB2024", Ok(&body))
    };
    let first = read_answer(&ask(&q.date_of_birth)?, q, today)?;
    // 070 with the insurer's birth year only, the chip's year: ask once more with the year.
    let year = first.insurer.date_of_birth.as_deref().filter(|d| year_only(d)).map(str::trim);
    if first.code == "070"
        && let Some(y) = year
        && ymd(&q.date_of_birth).map(|c| c.year) == ymd(y).map(|i| i.year)
    {
        let mut second = read_answer(&ask(y)?, q, today)?;
        second.birth_year_only = true;
        if second.insurer == InsurerRecord::default() {
            second.insurer = first.insurer;
        }
        return Ok(second);
    }
    Ok(first)
}

/// The insurer's visit history for the chip's holder (its own consent purpose).
pub fn history(a: &Account, q: &Query) -> Result<History, NotChecked> {
    let agent = agent(a.timeout);
    let body = form(&[
        ("maThe", &q.id_number),
        ("hoTen", &q.full_name),
        ("ngaySinh", &q.date_of_birth),
        ("hoTenCb", &a.clerk_name),
        ("cccdCb", &a.clerk_id),
    ]);
    let v = with_token(&agent, a, "/api/egw/Lskcb2025", Err(&body))?;
    let code_s = text(&v, "maKetQua").ok_or_else(|| NotChecked::BadAnswer { detail: "no maKetQua".into() })?;
    if code(&code_s).kind == Kind::NotChecked {
        return Err(NotChecked::Gateway { code: code_s });
    }
    let visits = v
        .get("dsLichSuKCB2025")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| Visit {
                    record_id: text(e, "maHoSo"),
                    facility: text(e, "maCSKCB"),
                    admitted: text(e, "ngayVao"),
                    discharged: text(e, "ngayRa"),
                    diagnosis: text(e, "tenBenh"),
                    outcome: text(e, "kqDieuTri"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(History { code: code_s, note: text(&v, "ghiChu"), visits })
}

/// MD5 of a password, hex (what settings keep instead of the password).
pub fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

/// The benefit levels of `bhyt/muc-huong.toml` (the card number's third character).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitTable {
    pub source: String,
    pub source_en: String,
    pub unconfirmed: String,
    pub level: Vec<BenefitLevel>,
}

/// One benefit level (mức hưởng).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitLevel {
    pub code: String,
    pub percent: u8,
    pub vi: String,
    pub en: String,
}

impl BenefitLevel {
    pub fn words(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// The table as shipped (bridge/bhyt/muc-huong.toml).
pub fn benefit_table() -> &'static BenefitTable {
    static TABLE: std::sync::OnceLock<BenefitTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../bhyt/muc-huong.toml")).expect("bhyt/muc-huong.toml is checked by its test")
    })
}

/// The benefit level a card number carries: its third character, when the number has the
/// 15-character layout (2 capital letters, the level, 2 province digits, 10 digits).
pub fn benefit_level(card_number: &str) -> Option<&'static BenefitLevel> {
    let n = card_number.trim().as_bytes();
    let shaped = n.len() == 15 && n[..2].iter().all(u8::is_ascii_uppercase) && n[2..].iter().all(u8::is_ascii_digit);
    if !shaped {
        return None;
    }
    benefit_table().level.iter().find(|l| l.code.as_bytes() == [n[2]])
}

/// A facility code as the gateway and the settings write it, for comparison ("01-001" and
/// "01001" are one code).
fn facility_key(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase()
}

/// Whether the card's registered primary-care facility (`maDKBD`) is this site (`site_code`,
/// the settings' facility code); `None` when either is not known.
pub fn registered_here(card: &Card, site_code: &str) -> Option<bool> {
    let here = facility_key(site_code);
    let theirs = facility_key(card.facility.as_deref()?);
    if here.is_empty() || theirs.is_empty() {
        return None;
    }
    Some(here == theirs)
}

/// Where a facility's name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// The gateway's answer (`tenDKBD`, `tenDKBDMoi`).
    Gateway,
    /// This site's own code: the site's name from the settings.
    ThisSite,
    /// The site's table of facility names (`co-so-kcb.tsv` in the data folder).
    SiteTable,
}

/// The registered facility's name and where it came from: the gateway's answer, else this
/// site's own name when the code is the site's, else the site's table (code → name).
pub fn facility_name(
    card: &Card,
    site_code: &str,
    site_name: &str,
    table: &BTreeMap<String, String>,
) -> Option<(String, NameSource)> {
    if let Some(n) = card.facility_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        return Some((n.to_string(), NameSource::Gateway));
    }
    if registered_here(card, site_code) == Some(true) && !site_name.trim().is_empty() {
        return Some((site_name.trim().to_string(), NameSource::ThisSite));
    }
    let code = facility_key(card.facility.as_deref()?);
    table.iter().find(|(k, _)| facility_key(k) == code).map(|(_, v)| (v.clone(), NameSource::SiteTable))
}

/// The site's table of facility names: one `code<TAB>name` a line (`#` starts a comment), as
/// the province's social-insurance office lists them. A missing file is an empty table.
pub fn read_facility_names(path: &std::path::Path) -> Result<BTreeMap<String, String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.split_once('\t') {
            Some((code, name)) if !facility_key(code).is_empty() && !name.trim().is_empty() => {
                out.insert(code.trim().to_string(), name.trim().to_string());
            }
            _ => return Err(format!("{} line {}: expected «code<TAB>name»", path.display(), i + 1)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_reads_a_date_time_or_seconds_and_keeps_a_minute_in_hand() {
        let now = 1_800_000_000;
        assert_eq!(expiry(Some(&json!("3600")), now), now + 3600 - 60);
        assert_eq!(expiry(Some(&json!(120)), now), now + 60);
        let at = chrono::DateTime::from_timestamp(now + 7200, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        assert_eq!(expiry(at.map(Value::String).as_ref(), now), now + 7200 - 60);
        let local_form = chrono::NaiveDate::from_ymd_opt(2027, 1, 15)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .map(|d| d.and_utc().timestamp());
        assert_eq!(Some(expiry(Some(&json!("2027-01-15 08:00:00")), now) + 60), local_form);
        assert_eq!(expiry(Some(&json!("soon")), now), now + TOKEN_UNKNOWN_LIFE_S);
        assert_eq!(expiry(None, now), now + TOKEN_UNKNOWN_LIFE_S);
    }

    #[test]
    fn a_sealed_token_opens_only_with_the_same_account_and_is_not_in_clear() {
        let plain = br#"{"access_token":"abc123","id_token":"id-abc123","use_until":1}"#;
        let s = seal::seal("PWHASH", "gw|user", plain, [7; 16]);
        assert!(!s.windows(6).any(|w| w == b"abc123"), "the token is not in clear");
        assert_eq!(seal::open("PWHASH", "gw|user", &s).as_deref(), Some(&plain[..]));
        assert_eq!(seal::open("OTHER", "gw|user", &s), None);
        assert_eq!(seal::open("PWHASH", "gw|other", &s), None);
        let mut flipped = s.clone();
        if let Some(b) = flipped.get_mut(20) {
            *b ^= 1;
        }
        assert_eq!(seal::open("PWHASH", "gw|user", &flipped), None);
        assert_eq!(seal::open("PWHASH", "gw|user", &s[..10]), None);
    }

    #[test]
    fn the_insurer_record_is_compared_as_a_person_would() {
        let q = Query {
            id_number: "079195012345".into(),
            full_name: "Nguyễn Thị Thu Hà".into(),
            date_of_birth: "15/03/1995".into(),
            sex: Some("Nữ".into()),
        };
        let same = InsurerRecord {
            full_name: Some("NGUYỄN  THỊ THU HÀ".into()),
            date_of_birth: Some("1995".into()),
            sex: Some("2".into()),
            address: None,
        };
        assert_eq!(compare(&q, &same), []);
        let other = InsurerRecord {
            full_name: Some("Nguyễn Thị Thu Hằng".into()),
            date_of_birth: Some("15/03/1994".into()),
            sex: Some("Nam".into()),
            address: None,
        };
        let d: Vec<&str> = compare(&q, &other).iter().map(|d| d.field).collect();
        assert_eq!(d, ["full_name", "date_of_birth", "sex"]);
        let year = InsurerRecord { date_of_birth: Some("1996".into()), ..Default::default() };
        assert_eq!(compare(&q, &year).len(), 1);
    }

    /// An answer written by hand from the documented field list (CV 1923 Phụ lục 03 as
    /// shared/cccd.md gives it), not by our simulated gateway: a 003 with the new card's fields,
    /// the insurer's record, numbers where strings are documented, and the null history lists.
    #[test]
    fn a_documented_003_answer_written_by_hand_is_read_as_reception_needs_it() {
        let v: Value = serde_json::from_str(
            r#"{"maKetQua":"003","ghiChu":"Thẻ cũ hết giá trị sử dụng. Đã cấp thẻ mới!","maThe":"HC4797938123456",
                "hoTen":"NGUYỄN VĂN AN","ngaySinh":"1960","gioiTinh":"Nam","diaChi":"Xã Tân Hội, Huyện Đức Trọng, Lâm Đồng",
                "maDKBD":"68012","cqBHXH":"BHXH huyện Đức Trọng","gtTheTu":"01/01/2025","gtTheDen":"31/12/2025",
                "maKV":"","ngayDu5Nam":"01/01/2020","maSoBHXH":6812345678,"maTheCu":"",
                "maTheMoi":"HT3797938123456","gtTheTuMoi":"01/01/2026","gtTheDenMoi":"31/12/2026",
                "maDKBDMoi":"68012","tenDKBDMoi":"Trung tâm Y tế huyện Đức Trọng",
                "dsLichSuKCB2018":null,"dsLichSuKT2018":null}"#,
        )
        .expect("json");
        let q = Query {
            id_number: "068060001234".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "02/09/1960".into(),
            sex: Some("Nam".into()),
        };
        let a = read_answer(&v, &q, "15/03/2026").expect("read");
        assert_eq!((a.code.as_str(), a.eligibility), ("003", Eligibility::Valid));
        assert_eq!(a.card.number.as_deref(), Some("HT3797938123456"));
        assert_eq!(a.card.facility_name.as_deref(), Some("Trung tâm Y tế huyện Đức Trọng"));
        assert_eq!(a.previous_card.as_ref().and_then(|c| c.number.as_deref()), Some("HC4797938123456"));
        assert_eq!(a.note.as_deref(), Some("Thẻ cũ hết giá trị sử dụng. Đã cấp thẻ mới!"));
        assert_eq!(a.insurer.date_of_birth.as_deref(), Some("1960"));
        assert!(a.differences.is_empty(), "upper-case name, year-only birth date: the same person");
        // A 000 without any new-card fields and a code-only error answer.
        let v: Value = serde_json::from_str(r#"{"maKetQua":"000","ghiChu":"Thẻ còn giá trị sử dụng!","maThe":"HC4797938123456","gtTheTu":"01/01/2026","gtTheDen":"31/12/2026","maDKBD":"68012"}"#).expect("json");
        let a = read_answer(&v, &q, "15/03/2026").expect("read");
        assert_eq!((a.eligibility, a.previous_card.is_none()), (Eligibility::Valid, true));
        let v: Value = serde_json::from_str(r#"{"maKetQua":"101","ghiChu":"Lỗi máy chủ"}"#).expect("json");
        assert_eq!(read_answer(&v, &q, "15/03/2026"), Err(NotChecked::Gateway { code: "101".into() }));
        let v: Value = serde_json::from_str(r#"{"ghiChu":"?"}"#).expect("json");
        assert!(matches!(read_answer(&v, &q, "15/03/2026"), Err(NotChecked::BadAnswer { .. })));
    }

    #[test]
    fn every_documented_code_is_named_in_both_languages_with_what_to_do() {
        let documented = [
            "000", "001", "002", "003", "004", "010", "050", "051", "052", "053", "054", "055", "060", "061", "070",
            "100", "101", "110", "120", "121", "122", "123", "124", "130", "205", "401",
        ];
        for c in documented {
            let i = code(c);
            assert_eq!(i.code, c);
            for s in [i.vi, i.en, i.todo_vi, i.todo_en] {
                assert!(!s.trim().is_empty(), "{c}");
            }
            assert_ne!(i.vi, i.en, "{c}");
        }
        assert_eq!(code("999").kind, Kind::NotChecked, "an unknown code is never taken as valid");
        assert_eq!(code_message("060", Lang::Vi), "060 — Sai họ tên");
    }
}
