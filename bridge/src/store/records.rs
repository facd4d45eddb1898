//! What the store holds, as the app and the API see it: the settings, a check-in, the audit row,
//! a consent record, a privacy request, an erasure's counts.

use serde::{Deserialize, Serialize};

use crate::words::Lang;

/// The app's settings (stored as JSON in the `settings` table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub lang: Lang,
    pub large_text: bool,
    pub clerk_name: String,
    pub clerk_id: String,
    pub bhyt_url: String,
    pub bhyt_user: String,
    /// MD5 of the gateway password (what the gateway takes); the password itself is not kept.
    pub bhyt_password_md5: String,
    pub offline: bool,
    pub timeout_s: u32,
    pub his_url: String,
    pub his_token: String,
    pub retention_days: u32,
    pub store_photos: bool,
    pub print_command: String,
    pub export_dir: String,
    /// Which counter this desk is: what the result screen offers after a read.
    pub counter_mode: CounterMode,
    /// The printer the print command sends to (`lp -d …`); empty: the system's default.
    pub printer: String,
    /// The office the forms are addressed to ("Kính gửi": e.g. "UBND phường Hàng Bạc").
    pub office_name: String,
    /// The commune police office CT01 and DC02 are addressed to ("Công an phường Hàng Bạc");
    /// the ward's forms use `office_name`.
    pub police_office_name: String,
    /// The site's name printed at the head of slips ("Bệnh viện Đa khoa …").
    pub site_name: String,
    /// The place printed in "Làm tại …" / "…, ngày … tháng … năm …" (e.g. "Hà Nội").
    pub office_place: String,
    /// The site's code in the visit evidence (e.g. the facility code, mã cơ sở KCB).
    pub site_id: String,
    /// The commune of today the site is in ("Phường Hoàn Kiếm, Hà Nội"): the forms' default
    /// addressee and place when `office_name` / `office_place` are empty (docs/address.md).
    pub site_commune: String,
    /// Where the citizen answers consent questions (docs/privacy.md).
    pub citizen_display: CitizenDisplay,
    /// Seconds the citizen has to answer; then nothing is sent (no answer is recorded).
    pub citizen_timeout_s: u32,
    /// The face comparison's threshold: a distance at or below it is advised "same"
    /// (docs/face.md: 0.6 from dlib; lower is stricter).
    pub face_threshold: f32,
    /// The administrator PIN that locks the settings page, as [`pin::hash`] keeps it; empty:
    /// no lock.
    pub admin_pin: String,
}

/// Where the citizen answers consent questions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitizenDisplay {
    /// No citizen screen: the clerk records the citizen's spoken answer.
    #[default]
    Off,
    /// A second window for a citizen-facing monitor or touch screen.
    SecondWindow,
    /// One monitor: the question fills the screen and the clerk turns it to the citizen.
    TurnScreen,
}

/// The counter a desk serves. Hospital reception sees the check-in, BHYT and the HIS; a ward
/// People's Committee or commune-police counter sees its declaration forms instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterMode {
    #[default]
    Hospital,
    WardCommittee,
    CommunePolice,
}

impl CounterMode {
    pub const ALL: [CounterMode; 3] = [CounterMode::Hospital, CounterMode::WardCommittee, CounterMode::CommunePolice];
    /// The forms this counter takes (`None`: hospital reception, which fills none).
    pub fn forms_counter(self) -> Option<crate::his::forms::Counter> {
        match self {
            CounterMode::Hospital => None,
            CounterMode::WardCommittee => Some(crate::his::forms::Counter::WardCommittee),
            CounterMode::CommunePolice => Some(crate::his::forms::Counter::CommunePolice),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lang: Lang::Vi,
            large_text: false,
            clerk_name: String::new(),
            clerk_id: String::new(),
            bhyt_url: String::new(),
            bhyt_user: String::new(),
            bhyt_password_md5: String::new(),
            offline: false,
            timeout_s: 10,
            his_url: String::new(),
            his_token: String::new(),
            retention_days: 30,
            store_photos: false,
            // CUPS takes text and PDF on its standard input; Windows has no such command, so
            // there printing saves the document and opens it in the default viewer (the desk app).
            print_command: if cfg!(windows) { String::new() } else { "lp".into() },
            export_dir: dirs::document_dir()
                .or_else(dirs::home_dir)
                .unwrap_or_else(std::env::temp_dir)
                .to_string_lossy()
                .into_owned(),
            counter_mode: CounterMode::Hospital,
            printer: String::new(),
            office_name: String::new(),
            police_office_name: String::new(),
            site_name: String::new(),
            office_place: String::new(),
            site_id: String::new(),
            site_commune: String::new(),
            citizen_display: CitizenDisplay::Off,
            citizen_timeout_s: 120,
            face_threshold: cancuoc_face::Settings::default().threshold,
            admin_pin: String::new(),
        }
    }
}

/// A check-in as saved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckinRow {
    pub id: i64,
    pub at: i64,
    pub clerk: String,
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
    pub reason: String,
    pub service: String,
    /// "verified", "signer_untrusted", "not_verified".
    pub verdict: String,
    /// BHYT result summary (code and validity), or "not checked".
    pub bhyt: String,
    pub photo: Option<Vec<u8>>,
    /// The counter that saved it (filled in by the store).
    pub counter: String,
    /// The queue number it was given (filled in by the store).
    pub queue_no: Option<i64>,
    /// The visit evidence record (DER, docs/evidence.md), when the card gave one.
    pub evidence: Option<Vec<u8>>,
    /// Its SHA-256 (hex): what the row and the FHIR export reference.
    pub evidence_sha256: Option<String>,
}

/// What saving a check-in gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The row's id; `None` when retention keeps nothing.
    pub id: Option<i64>,
    /// The patient's number in today's queue (shared by every counter of the site).
    pub queue_no: i64,
    /// This visit's write id had been saved already (a second press, or a retry whose first
    /// reply was lost): nothing new was stored; `id` and `queue_no` are the first save's.
    pub repeat: bool,
}

/// An audit entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    pub clerk: String,
    /// "consent", "refused", "bhyt", "his", "export_csv", "export_fhir", "print", "copy",
    /// "checkin", "purge".
    pub action: String,
    pub purpose: Option<String>,
    /// Comma-separated field names (never values).
    pub fields: String,
    pub checkin: Option<i64>,
    pub detail: String,
}

/// A consent record: who (a keyed hash of the ID number, [`Store::subject`]), when, to what
/// (purpose, recipient, field names, the notice's hash) and how (docs/privacy.md).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub at: i64,
    pub subject: String,
    pub purpose: String,
    pub recipient: String,
    /// Comma-separated field names (never values).
    pub fields: String,
    /// SHA-256 (hex) of the exact notice text the citizen was shown or read.
    pub notice_sha256: String,
    /// "citizen_screen", "signed_slip:N", "clerk_recorded:REASON" or "stated_by_his".
    pub method: String,
    /// "agreed" or "refused" — only ever an explicit answer.
    pub answer: String,
    pub site: String,
    pub counter: String,
    pub clerk: String,
    pub checkin: Option<i64>,
    pub withdrawn_at: Option<i64>,
}

/// A data subject's request (Decree 356/2025/NĐ-CP art. 5), in the register.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyRequest {
    pub id: i64,
    pub subject: String,
    /// "report", "withdraw", "erase" (and the other rights' names as the site records them).
    pub kind: String,
    pub purpose: Option<String>,
    pub received_at: i64,
    /// yyyy-mm-dd: the acknowledgement's deadline.
    pub acknowledge_by: String,
    /// yyyy-mm-dd: the request's deadline.
    pub due: String,
    /// yyyy-mm-dd: the one extension, when taken.
    pub extended_to: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub done_at: Option<i64>,
    pub result: String,
}

/// What an erasure deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub checkins: usize,
    pub consents: usize,
    /// Audit rows (field names only) no longer linked to a deleted check-in.
    pub audit_unlinked: usize,
}
