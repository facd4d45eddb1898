//! Every string the desk app shows, in one place: Vietnamese first, English second. A field in
//! [`Tr`] exists in both tables or the build fails, so no screen can miss a translation.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl From<Lang> for cancuoc_bridge::words::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Vi => Self::Vi,
            Lang::En => Self::En,
        }
    }
}

impl Lang {
    /// The verdict's wording (shared with the CLI) in this language.
    pub fn words(self) -> cancuoc_bridge::words::Lang {
        self.into()
    }
    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    pub fn from_code(s: &str) -> Self {
        if s.eq_ignore_ascii_case("en") { Lang::En } else { Lang::Vi }
    }
}

/// The app's strings. Names say where a string is used.
pub struct Tr {
    pub app_title: &'static str,
    pub demo_badge: &'static str,
    pub tab_checkin: &'static str,
    pub tab_history: &'static str,
    pub tab_settings: &'static str,
    pub other_language: &'static str,
    pub large_text: &'static str,

    // Reader status bar
    pub reader: &'static str,
    pub reader_simulated: &'static str,
    pub reader_usb: &'static str,
    pub reader_pcsc: &'static str,
    pub reader_pcsc_no_card: &'static str,
    pub reader_none: &'static str,
    pub reader_none_fix: &'static str,
    pub reader_update: &'static str,
    pub reader_update_fix: &'static str,
    pub reader_no_service: &'static str,
    pub reader_no_service_fix: &'static str,
    pub reader_not_ours_fix: &'static str,

    // Access key entry
    pub step_key: &'static str,
    pub key_can: &'static str,
    pub key_mrz: &'static str,
    pub can_label: &'static str,
    pub can_hint: &'static str,
    pub id_label: &'static str,
    pub doc_label: &'static str,
    pub doc_hint: &'static str,
    pub dob_label: &'static str,
    pub expiry_label: &'static str,
    pub date_hint: &'static str,
    pub qr_hint: &'static str,
    pub qr_scanned: &'static str,
    pub qr_scanned_2024: &'static str,
    pub qr_expiry_derived: &'static str,
    pub qr_no_expiry: &'static str,
    pub qr_unreadable: &'static str,
    pub read_button: &'static str,
    pub scenario: &'static str,
    pub scenario_remove: &'static str,
    pub demo_can: &'static str,

    // Reading
    pub place_card: &'static str,
    pub reading: &'static str,
    pub hold_still: &'static str,
    pub cancel_button: &'static str,
    pub cancelled: &'static str,
    pub removed_title: &'static str,
    pub removed_body: &'static str,
    pub already_read: &'static str,
    pub continue_button: &'static str,
    pub restart_button: &'static str,
    pub access_denied: &'static str,
    pub no_card: &'static str,
    pub reader_error: &'static str,
    pub unplugged: &'static str,
    pub back_button: &'static str,
    pub can_invalid: &'static str,
    pub dates_needed: &'static str,
    pub days: &'static str,
    pub no_print_command: &'static str,
    pub reader_agrees: &'static str,

    // Verdict
    pub technical_details: &'static str,
    pub secured_by: &'static str,
    pub no_photo: &'static str,
    pub photo_undecodable: &'static str,
    pub from_chip: &'static str,

    // Personal data labels (DG13)
    pub f_id_number: &'static str,
    pub f_full_name: &'static str,
    pub f_date_of_birth: &'static str,
    pub f_sex: &'static str,
    pub f_nationality: &'static str,
    pub f_ethnicity: &'static str,
    pub f_religion: &'static str,
    pub f_place_of_origin: &'static str,
    pub f_place_of_residence: &'static str,
    pub f_identifying_marks: &'static str,
    pub f_date_of_issue: &'static str,
    pub f_date_of_expiry: &'static str,
    pub f_father: &'static str,
    pub f_mother: &'static str,
    pub f_spouse: &'static str,
    pub f_old_id_number: &'static str,
    pub f_photo: &'static str,
    pub f_bhyt: &'static str,
    pub f_reason: &'static str,
    pub f_service: &'static str,
    pub f_verdict: &'static str,

    // Check-in form
    pub form_title: &'static str,
    pub services: [&'static str; 6],
    pub save_checkin: &'static str,
    pub saved: &'static str,
    pub not_stored: &'static str,
    pub queue_no: &'static str,
    pub site_db_note: &'static str,
    pub col_counter: &'static str,
    pub audit_pending: &'static str,
    pub db_unreachable: &'static str,
    pub startup_failed: &'static str,
    pub startup_hint: &'static str,
    pub startup_detail: &'static str,
    pub retry: &'static str,
    pub quit: &'static str,
    pub send_his: &'static str,
    pub his_sent: &'static str,
    pub his_not_configured: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub print: &'static str,
    pub printed: &'static str,
    pub export_csv: &'static str,
    pub export_fhir: &'static str,
    pub exported: &'static str,
    pub next_person: &'static str,
    pub not_verified_warning: &'static str,

    // BHYT
    pub bhyt_title: &'static str,
    pub bhyt_check: &'static str,
    pub bhyt_checking: &'static str,
    pub bhyt_not_checked: &'static str,
    pub bhyt_valid: &'static str,
    pub bhyt_invalid: &'static str,
    pub bhyt_expired: &'static str,
    pub bhyt_period: &'static str,
    pub bhyt_facility: &'static str,
    pub bhyt_area: &'static str,
    pub bhyt_five_years: &'static str,
    pub bhyt_code: &'static str,
    pub bhyt_note: &'static str,
    pub bhyt_new_card: &'static str,
    pub bhyt_old_card: &'static str,
    pub bhyt_card_number: &'static str,
    pub bhyt_year_only: &'static str,
    pub bhyt_differs: &'static str,
    pub bhyt_differs_short: &'static str,
    pub bhyt_chip: &'static str,
    pub bhyt_insurer: &'static str,

    // Consent
    pub consent_title: &'static str,
    pub consent_purpose: &'static str,
    pub consent_recipient: &'static str,
    pub consent_fields: &'static str,
    pub consent_required: &'static str,
    pub consent_never_default: &'static str,
    pub consent_agree: &'static str,
    pub consent_refuse: &'static str,
    pub consent_refused: &'static str,
    pub purpose_bhyt: &'static str,
    pub purpose_history: &'static str,
    pub bhyt_history_button: &'static str,
    pub bhyt_history_title: &'static str,
    pub bhyt_history_none: &'static str,
    pub purpose_his: &'static str,
    pub purpose_export: &'static str,
    pub recipient_bhyt: &'static str,
    pub recipient_his: &'static str,
    pub recipient_export: &'static str,

    // History
    pub history_title: &'static str,
    pub history_empty: &'static str,
    pub audit_title: &'static str,
    pub col_time: &'static str,
    pub col_clerk: &'static str,
    pub col_action: &'static str,
    pub col_purpose: &'static str,
    pub col_fields: &'static str,
    pub purge_now: &'static str,
    pub purged: &'static str,
    pub retention_note: &'static str,
    pub demo_memory_note: &'static str,

    // Settings
    pub settings_title: &'static str,
    pub s_clerk_name: &'static str,
    pub s_clerk_id: &'static str,
    pub s_bhyt_url: &'static str,
    pub s_bhyt_user: &'static str,
    pub s_bhyt_password: &'static str,
    pub s_bhyt_password_set: &'static str,
    pub s_offline: &'static str,
    pub s_timeout: &'static str,
    pub s_his_url: &'static str,
    pub s_his_token: &'static str,
    pub s_retention: &'static str,
    pub s_retention_hint: &'static str,
    pub s_store_photos: &'static str,
    pub s_print_command: &'static str,
    pub s_export_dir: &'static str,
    pub s_data_file: &'static str,
    pub s_save: &'static str,
    pub s_saved: &'static str,
    pub s_invalid_url: &'static str,
    pub s_counter_mode: &'static str,
    pub mode_hospital: &'static str,
    pub mode_ward: &'static str,
    pub mode_police: &'static str,
    pub s_printer: &'static str,
    pub s_office_name: &'static str,
    pub s_office_place: &'static str,
    pub forms_title: &'static str,
    pub forms_pick: &'static str,
    pub form_consent_title: &'static str,
    pub form_consent_intro: &'static str,
    pub form_consent_agree: &'static str,
    pub form_consent_refuse: &'static str,
    pub form_not_verified: &'static str,
    pub form_override: &'static str,
    pub form_overridden: &'static str,
    pub form_read_next: &'static str,
    pub form_waiting: &'static str,
    pub form_typed: &'static str,
    pub form_preview: &'static str,
    pub form_print: &'static str,
    pub form_save_pdf: &'static str,
    pub form_done: &'static str,
    pub form_printed: &'static str,
    pub form_saved: &'static str,
    pub form_refused_note: &'static str,
    pub form_page: &'static str,
}

pub const VI: Tr = Tr {
    app_title: "cancuoc — Tiếp đón bằng thẻ căn cước",
    demo_badge: "CHẾ ĐỘ THỬ — thẻ mô phỏng",
    tab_checkin: "Tiếp đón",
    tab_history: "Lịch sử",
    tab_settings: "Cài đặt",
    other_language: "English",
    large_text: "Chữ lớn",

    reader: "Đầu đọc",
    reader_simulated: "Đầu đọc mô phỏng (thẻ thử)",
    reader_usb: "Đầu đọc USB cancuoc",
    reader_pcsc: "Đầu đọc PC/SC",
    reader_pcsc_no_card: "chưa có thẻ",
    reader_none: "Chưa có đầu đọc",
    reader_none_fix: "Cắm đầu đọc thẻ vào cổng USB của máy tính.",
    reader_update: "Đầu đọc cần cập nhật phần mềm",
    reader_update_fix: "Gọi kỹ thuật viên: nạp lại phần mềm đầu đọc (cancuoc flash).",
    reader_no_service: "Dịch vụ thẻ thông minh chưa chạy",
    reader_no_service_fix: "Gọi kỹ thuật viên: bật dịch vụ pcscd.",
    reader_not_ours_fix: "Thiết bị này không trả lời như đầu đọc cancuoc — rút ra và cắm lại.",

    step_key: "Nhập khóa truy cập thẻ",
    key_can: "Số định danh (12 chữ số)",
    key_mrz: "Số CCCD + ngày sinh + ngày hết hạn",
    can_label: "Số định danh",
    can_hint: "12 chữ số in trên thẻ (số CCCD). Chip mở bằng 6 số cuối (mã CAN); thẻ từ chối thì chuyển sang số + ngày sinh + ngày hết hạn.",
    id_label: "Số CCCD (12 chữ số)",
    doc_label: "Số giấy tờ trên MRZ (9 ký tự)",
    doc_hint: "Chỉ cần khi đọc bằng số CCCD bị từ chối: gõ 9 ký tự đầu dòng MRZ thứ nhất sau \"IDVNM\".",
    dob_label: "Ngày sinh",
    expiry_label: "Có giá trị đến",
    date_hint: "NN/TT/NNNN",
    qr_hint: "Hoặc quét mã QR trên thẻ bằng máy quét (thẻ CCCD: mặt trước; thẻ căn cước 2024: mặt sau).",
    qr_scanned: "Đã quét mã QR.",
    qr_scanned_2024: "Đã quét mã QR của thẻ căn cước mẫu 2024.",
    qr_expiry_derived: "Ngày hết hạn được suy ra từ ngày sinh và ngày cấp — nếu thẻ từ chối, hãy gõ ngày in trên thẻ.",
    qr_no_expiry: "Mã QR không cho biết ngày hết hạn của thẻ này: thẻ vẫn đọc được bằng số định danh; nếu thẻ từ chối, hãy gõ ngày in trên thẻ.",
    qr_unreadable: "Không đọc được mã QR — hãy quét lại hoặc gõ tay.",
    read_button: "Đọc thẻ (Enter)",
    scenario: "Kịch bản luyện tập",
    scenario_remove: "Nhấc thẻ ra giữa chừng",
    demo_can: "Thẻ mô phỏng: số định danh là 079195012345.",

    place_card: "Đặt thẻ lên đầu đọc",
    reading: "Đang đọc thẻ…",
    hold_still: "Giữ yên thẻ trên đầu đọc cho đến khi xong.",
    cancel_button: "Hủy (Esc)",
    cancelled: "Đã hủy đọc thẻ.",
    removed_title: "Thẻ đã bị nhấc ra khỏi đầu đọc",
    removed_body: "Phần đã đọc được giữ lại. Đặt lại thẻ rồi nhấn Tiếp tục.",
    already_read: "Đã đọc xong",
    continue_button: "Tiếp tục (Enter)",
    restart_button: "Đọc lại từ đầu",
    access_denied: "Chip từ chối khóa truy cập: kiểm tra lại số CAN, hoặc số CCCD, ngày sinh và ngày hết hạn.",
    no_card: "Không thấy thẻ: đặt thẻ lên đầu đọc rồi nhấn Enter.",
    reader_error: "Lỗi đầu đọc hoặc thẻ",
    unplugged: "Đầu đọc bị rút ra — đang chờ cắm lại…",
    back_button: "Quay lại",
    can_invalid: "Gõ đủ 12 chữ số của số định danh (hoặc 6 chữ số mã CAN).",
    dates_needed: "Cần cả ngày sinh và ngày hết hạn.",
    days: "ngày",
    no_print_command: "Chưa đặt lệnh in (Cài đặt).",
    reader_agrees: "kết luận của đầu đọc trùng với máy tính",

    technical_details: "Chi tiết kỹ thuật",
    secured_by: "Kết nối bảo mật",
    no_photo: "Không có ảnh",
    photo_undecodable: "Không hiển thị được ảnh",
    from_chip: "Thông tin trên chip",

    f_id_number: "Số CCCD",
    f_full_name: "Họ và tên",
    f_date_of_birth: "Ngày sinh",
    f_sex: "Giới tính",
    f_nationality: "Quốc tịch",
    f_ethnicity: "Dân tộc",
    f_religion: "Tôn giáo",
    f_place_of_origin: "Quê quán",
    f_place_of_residence: "Nơi thường trú",
    f_identifying_marks: "Đặc điểm nhận dạng",
    f_date_of_issue: "Ngày cấp",
    f_date_of_expiry: "Có giá trị đến",
    f_father: "Họ tên cha",
    f_mother: "Họ tên mẹ",
    f_spouse: "Vợ/chồng",
    f_old_id_number: "Số CMND cũ",
    f_photo: "Ảnh chân dung",
    f_bhyt: "Kết quả BHYT",
    f_reason: "Lý do đến khám / yêu cầu",
    f_service: "Dịch vụ",
    f_verdict: "Kết quả xác thực chip",

    form_title: "Phiếu tiếp đón",
    services: ["Khám bệnh", "Cấp cứu", "Xét nghiệm", "Tiêm chủng", "Tái khám", "Thủ tục hành chính (một cửa)"],
    save_checkin: "Lưu lượt tiếp đón",
    saved: "Đã lưu lượt tiếp đón.",
    not_stored: "Đã ghi nhận (không lưu dữ liệu cá nhân: thời gian lưu giữ đặt là 0 ngày).",
    queue_no: "Số thứ tự",
    site_db_note: "Dữ liệu lưu trên máy chủ chung của cơ sở:",
    col_counter: "quầy",
    audit_pending: "Nhật ký chờ gửi lên máy chủ (mất kết nối)",
    db_unreachable: "Không kết nối được cơ sở dữ liệu chung của cơ sở: lượt tiếp đón CHƯA được lưu. Phiếu vẫn còn — đợi vài giây rồi nhấn lưu lại.",
    startup_failed: "Chưa mở được chương trình: không mở được nơi lưu dữ liệu",
    startup_hint: "Thường là do máy chủ chung của cơ sở hoặc mạng đang gián đoạn. Kiểm tra dây mạng, đợi một lát rồi nhấn «Thử lại». Nếu vẫn lỗi, báo kỹ thuật viên và đọc cho họ dòng chi tiết bên dưới.",
    startup_detail: "Chi tiết cho kỹ thuật viên:",
    retry: "Thử lại",
    quit: "Thoát",
    send_his: "Gửi sang HIS",
    his_sent: "Đã gửi sang HIS.",
    his_not_configured: "Chưa cấu hình địa chỉ HIS (Cài đặt).",
    copy: "Sao chép",
    copied: "Đã sao chép phiếu.",
    print: "In phiếu",
    printed: "Đã gửi phiếu đến máy in.",
    export_csv: "Xuất CSV",
    export_fhir: "Xuất FHIR",
    exported: "Đã xuất tệp",
    next_person: "Người tiếp theo (Esc)",
    not_verified_warning: "Thẻ không xác thực: chỉ dùng thông tin này sau khi đã đối chiếu giấy tờ khác.",

    bhyt_title: "Bảo hiểm y tế (BHYT)",
    bhyt_check: "Kiểm tra thẻ BHYT",
    bhyt_checking: "Đang hỏi cổng BHXH…",
    bhyt_not_checked: "Chưa kiểm tra",
    bhyt_valid: "Thẻ BHYT còn giá trị",
    bhyt_invalid: "Thẻ BHYT không hợp lệ",
    bhyt_expired: "Thẻ BHYT đã hết hạn",
    bhyt_period: "Giá trị sử dụng",
    bhyt_facility: "Nơi đăng ký KCB ban đầu",
    bhyt_area: "Mã khu vực",
    bhyt_five_years: "Đủ 5 năm liên tục từ",
    bhyt_code: "Mã kết quả",
    bhyt_note: "Ghi chú của BHXH",
    bhyt_new_card: "Thẻ mới (dùng hôm nay)",
    bhyt_old_card: "Thẻ cũ",
    bhyt_card_number: "Mã thẻ",
    bhyt_year_only: "BHXH chỉ có năm sinh: đã kiểm tra lại bằng năm sinh.",
    bhyt_differs: "Hồ sơ BHXH khác với chip — kiểm tra với người bệnh:",
    bhyt_differs_short: " — hồ sơ BHXH khác chip",
    bhyt_chip: "Trên chip",
    bhyt_insurer: "Hồ sơ BHXH",

    consent_title: "Đồng ý cung cấp thông tin",
    consent_purpose: "Mục đích",
    consent_recipient: "Gửi đến",
    consent_fields: "Thông tin sẽ gửi (bỏ chọn những gì không cần):",
    consent_required: "bắt buộc",
    consent_never_default: "Ảnh chân dung và họ tên cha mẹ không bao giờ được gửi nếu không được chọn.",
    consent_agree: "Công dân đồng ý — gửi",
    consent_refuse: "Không đồng ý",
    consent_refused: "Công dân không đồng ý — không gửi gì.",
    purpose_bhyt: "Kiểm tra thẻ bảo hiểm y tế",
    purpose_history: "Xem lịch sử khám chữa bệnh BHYT",
    bhyt_history_button: "Lịch sử khám chữa bệnh",
    bhyt_history_title: "Lịch sử khám chữa bệnh (BHXH)",
    bhyt_history_none: "Không có lượt khám chữa bệnh nào.",
    purpose_his: "Tạo hồ sơ trong hệ thống bệnh viện (HIS)",
    purpose_export: "Xuất / in / sao chép phiếu tiếp đón",
    recipient_bhyt: "Cổng giám định BHYT",
    recipient_his: "Hệ thống thông tin bệnh viện",
    recipient_export: "Tệp, máy in hoặc bộ nhớ tạm trên máy này",

    history_title: "Các lượt tiếp đón",
    history_empty: "Chưa có lượt tiếp đón nào được lưu.",
    audit_title: "Nhật ký truy cập",
    col_time: "Thời gian",
    col_clerk: "Người thực hiện",
    col_action: "Việc",
    col_purpose: "Mục đích",
    col_fields: "Thông tin",
    purge_now: "Xóa dữ liệu quá hạn ngay",
    purged: "Đã xóa dữ liệu quá hạn",
    retention_note: "Dữ liệu cá nhân được tự động xóa sau",
    demo_memory_note: "Chế độ thử: dữ liệu chỉ giữ trong bộ nhớ, mất khi đóng ứng dụng.",

    settings_title: "Cài đặt",
    s_clerk_name: "Tên người tiếp đón",
    s_clerk_id: "Số CCCD người tiếp đón",
    s_bhyt_url: "Địa chỉ cổng BHYT",
    s_bhyt_user: "Tên đăng nhập cổng BHYT",
    s_bhyt_password: "Mật khẩu cổng BHYT",
    s_bhyt_password_set: "(đã lưu — gõ để đổi)",
    s_offline: "Làm việc ngoại tuyến (không hỏi cổng BHYT)",
    s_timeout: "Thời gian chờ (giây)",
    s_his_url: "Địa chỉ HIS (FHIR Patient)",
    s_his_token: "Mã truy cập HIS",
    s_retention: "Giữ dữ liệu cá nhân (ngày)",
    s_retention_hint: "0 = không lưu gì trên máy",
    s_store_photos: "Lưu cả ảnh chân dung",
    s_print_command: "Lệnh in",
    s_export_dir: "Thư mục xuất tệp",
    s_data_file: "Tệp dữ liệu",
    s_save: "Lưu cài đặt",
    s_saved: "Đã lưu cài đặt.",
    s_invalid_url: "Địa chỉ phải bắt đầu bằng http:// hoặc https://",
    s_counter_mode: "Quầy",
    mode_hospital: "Tiếp đón bệnh viện",
    mode_ward: "Một cửa UBND xã/phường",
    mode_police: "Công an xã/phường",
    s_printer: "Máy in (để trống: máy in mặc định)",
    s_office_name: "Cơ quan (dòng «Kính gửi»)",
    s_office_place: "Nơi làm (dòng «Làm tại»)",
    forms_title: "Biểu mẫu",
    forms_pick: "Chọn biểu mẫu công dân cần khai:",
    form_consent_title: "Đồng ý điền biểu mẫu từ chip",
    form_consent_intro: "Thông tin trên chip sẽ được điền vào biểu mẫu. Chỉ điền những ô công dân đồng ý; ô không đồng ý để trống, công dân tự viết tay.",
    form_consent_agree: "Công dân đồng ý — điền",
    form_consent_refuse: "Không đồng ý — không điền gì",
    form_not_verified: "Thẻ chưa xác thực: biểu mẫu không được điền từ thẻ này.",
    form_override: "Vẫn điền (ghi vào nhật ký)",
    form_overridden: "Điền từ thẻ chưa xác thực theo quyết định của cán bộ (đã ghi nhật ký).",
    form_read_next: "Đọc thẻ của",
    form_waiting: "Đặt thẻ của người tiếp theo lên đầu đọc cho biểu mẫu",
    form_typed: "Cán bộ và công dân điền",
    form_preview: "Xem trước bản in (A4)",
    form_print: "In biểu mẫu",
    form_save_pdf: "Lưu PDF",
    form_done: "Xong biểu mẫu",
    form_printed: "Đã gửi biểu mẫu tới máy in.",
    form_saved: "Đã lưu biểu mẫu PDF",
    form_refused_note: "Công dân không đồng ý: biểu mẫu để trống phần thông tin chip.",
    form_page: "Trang",
};

pub const EN: Tr = Tr {
    app_title: "cancuoc — check-in from the citizen ID card",
    demo_badge: "DEMO MODE — simulated card",
    tab_checkin: "Check-in",
    tab_history: "History",
    tab_settings: "Settings",
    other_language: "Tiếng Việt",
    large_text: "Large text",

    reader: "Reader",
    reader_simulated: "Simulated reader (demo card)",
    reader_usb: "cancuoc USB reader",
    reader_pcsc: "PC/SC reader",
    reader_pcsc_no_card: "no card",
    reader_none: "No reader",
    reader_none_fix: "Plug the card reader into a USB port of this computer.",
    reader_update: "Reader needs a firmware update",
    reader_update_fix: "Call a technician: reflash the reader (cancuoc flash).",
    reader_no_service: "Smart-card service not running",
    reader_no_service_fix: "Call a technician: start the pcscd service.",
    reader_not_ours_fix: "This device does not answer as a cancuoc reader — unplug it and plug it in again.",

    step_key: "Enter the card's access key",
    key_can: "ID number (12 digits)",
    key_mrz: "ID number + date of birth + expiry",
    can_label: "ID number",
    can_hint: "The 12 digits printed on the card. The chip opens with the last 6 (its CAN); if the card refuses, use ID number + date of birth + expiry.",
    id_label: "ID number (12 digits)",
    doc_label: "MRZ document number (9 characters)",
    doc_hint: "Only when a read by ID number is refused: type the 9 characters after \"IDVNM\" on the first MRZ line.",
    dob_label: "Date of birth",
    expiry_label: "Date of expiry",
    date_hint: "DD/MM/YYYY",
    qr_hint: "Or scan the card's QR code with the scanner (CCCD: on the front; 2024 căn cước card: on the back).",
    qr_scanned: "QR code scanned.",
    qr_scanned_2024: "QR code of a 2024 căn cước card scanned.",
    qr_expiry_derived: "The expiry date was derived from the birth and issue dates — if the card refuses, type the date printed on it.",
    qr_no_expiry: "The QR code does not tell this card's expiry: the ID number still opens the chip; if the card refuses, type the date printed on it.",
    qr_unreadable: "Could not read the QR code — scan again or type the fields.",
    read_button: "Read card (Enter)",
    scenario: "Training scenario",
    scenario_remove: "Pull the card away mid-read",
    demo_can: "Simulated card: its ID number is 079195012345.",

    place_card: "Place the card on the reader",
    reading: "Reading the card…",
    hold_still: "Keep the card still on the reader until it is done.",
    cancel_button: "Cancel (Esc)",
    cancelled: "Read cancelled.",
    removed_title: "The card was taken off the reader",
    removed_body: "What was read is kept. Put the card back and press Continue.",
    already_read: "Already read",
    continue_button: "Continue (Enter)",
    restart_button: "Start again",
    access_denied: "The chip refused the access key: check the CAN, or the ID number, date of birth and expiry.",
    no_card: "No card found: place the card on the reader and press Enter.",
    reader_error: "Reader or card error",
    unplugged: "The reader was unplugged — waiting for it to come back…",
    back_button: "Back",
    can_invalid: "Type all 12 digits of the ID number (or a 6-digit CAN).",
    dates_needed: "Both the date of birth and the expiry date are needed.",
    days: "days",
    no_print_command: "No print command set (Settings).",
    reader_agrees: "the reader's verdict agrees with this computer's",

    technical_details: "Technical details",
    secured_by: "Secure channel",
    no_photo: "No photo",
    photo_undecodable: "The photo cannot be shown",
    from_chip: "Data on the chip",

    f_id_number: "ID number",
    f_full_name: "Full name",
    f_date_of_birth: "Date of birth",
    f_sex: "Sex",
    f_nationality: "Nationality",
    f_ethnicity: "Ethnicity",
    f_religion: "Religion",
    f_place_of_origin: "Place of origin",
    f_place_of_residence: "Place of residence",
    f_identifying_marks: "Identifying marks",
    f_date_of_issue: "Date of issue",
    f_date_of_expiry: "Date of expiry",
    f_father: "Father's name",
    f_mother: "Mother's name",
    f_spouse: "Spouse",
    f_old_id_number: "Old ID (CMND) number",
    f_photo: "Face photo",
    f_bhyt: "Health insurance result",
    f_reason: "Reason for visit / request",
    f_service: "Service",
    f_verdict: "Chip verification result",

    form_title: "Check-in form",
    services: ["Consultation", "Emergency", "Laboratory", "Vaccination", "Follow-up", "Administrative (one-stop)"],
    save_checkin: "Save check-in",
    saved: "Check-in saved.",
    not_stored: "Recorded (no personal data kept: retention is set to 0 days).",
    queue_no: "Queue number",
    site_db_note: "Data is kept on the site's shared server:",
    col_counter: "counter",
    audit_pending: "Audit entries waiting for the server (connection lost)",
    db_unreachable: "The site database cannot be reached: the check-in was NOT saved. The form is still here — wait a few seconds and save again.",
    startup_failed: "The app could not start: its data store cannot be opened",
    startup_hint: "Usually the site's shared server or the network is down. Check the network cable, wait a moment and press «Try again». If it persists, call the technician and read them the detail below.",
    startup_detail: "Detail for the technician:",
    retry: "Try again",
    quit: "Quit",
    send_his: "Send to HIS",
    his_sent: "Sent to the HIS.",
    his_not_configured: "No HIS address configured (Settings).",
    copy: "Copy",
    copied: "Form copied.",
    print: "Print",
    printed: "Form sent to the printer.",
    export_csv: "Export CSV",
    export_fhir: "Export FHIR",
    exported: "Exported",
    next_person: "Next person (Esc)",
    not_verified_warning: "Card not verified: use this data only after checking another document.",

    bhyt_title: "Health insurance (BHYT)",
    bhyt_check: "Check health insurance",
    bhyt_checking: "Asking the insurer…",
    bhyt_not_checked: "Not checked",
    bhyt_valid: "Health insurance card valid",
    bhyt_invalid: "Health insurance card not valid",
    bhyt_expired: "Health insurance card expired",
    bhyt_period: "Valid",
    bhyt_facility: "Registered primary-care facility",
    bhyt_area: "Area code",
    bhyt_five_years: "5 consecutive years since",
    bhyt_code: "Result code",
    bhyt_note: "Insurer's note",
    bhyt_new_card: "New card (use today)",
    bhyt_old_card: "Previous card",
    bhyt_card_number: "Card number",
    bhyt_year_only: "The insurer holds the birth year only: checked again with the year.",
    bhyt_differs: "The insurer's record differs from the chip — check with the patient:",
    bhyt_differs_short: " — insurer's record differs from the chip",
    bhyt_chip: "On the chip",
    bhyt_insurer: "Insurer's record",

    consent_title: "Consent to share information",
    consent_purpose: "Purpose",
    consent_recipient: "Sent to",
    consent_fields: "Information to send (untick what is not needed):",
    consent_required: "required",
    consent_never_default: "The face photo and parents' names are never sent unless ticked.",
    consent_agree: "Citizen agrees — send",
    consent_refuse: "Does not agree",
    consent_refused: "The citizen did not agree — nothing was sent.",
    purpose_bhyt: "Health insurance eligibility check",
    purpose_history: "Health insurance visit history",
    bhyt_history_button: "Visit history",
    bhyt_history_title: "Visit history (insurer)",
    bhyt_history_none: "No visits on record.",
    purpose_his: "Create the record in the hospital system (HIS)",
    purpose_export: "Export / print / copy the check-in form",
    recipient_bhyt: "Health insurance gateway",
    recipient_his: "Hospital information system",
    recipient_export: "A file, the printer or the clipboard on this computer",

    history_title: "Check-ins",
    history_empty: "No check-ins saved yet.",
    audit_title: "Access log",
    col_time: "Time",
    col_clerk: "Clerk",
    col_action: "Action",
    col_purpose: "Purpose",
    col_fields: "Fields",
    purge_now: "Delete expired data now",
    purged: "Expired data deleted",
    retention_note: "Personal data is deleted automatically after",
    demo_memory_note: "Demo mode: data is kept in memory only and is gone when the app closes.",

    settings_title: "Settings",
    s_clerk_name: "Clerk's name",
    s_clerk_id: "Clerk's ID number",
    s_bhyt_url: "Insurance gateway address",
    s_bhyt_user: "Insurance gateway user name",
    s_bhyt_password: "Insurance gateway password",
    s_bhyt_password_set: "(saved — type to change)",
    s_offline: "Work offline (do not ask the insurer)",
    s_timeout: "Timeout (seconds)",
    s_his_url: "HIS address (FHIR Patient)",
    s_his_token: "HIS access token",
    s_retention: "Keep personal data (days)",
    s_retention_hint: "0 = keep nothing on this computer",
    s_store_photos: "Also keep the face photo",
    s_print_command: "Print command",
    s_export_dir: "Export folder",
    s_data_file: "Data file",
    s_save: "Save settings",
    s_saved: "Settings saved.",
    s_invalid_url: "The address must start with http:// or https://",
    s_counter_mode: "Counter",
    mode_hospital: "Hospital reception",
    mode_ward: "Ward People's Committee (one-stop)",
    mode_police: "Commune police",
    s_printer: "Printer (empty: the default printer)",
    s_office_name: "Office (the «Kính gửi» line)",
    s_office_place: "Place (the «Làm tại» line)",
    forms_title: "Forms",
    forms_pick: "Pick the form the citizen needs:",
    form_consent_title: "Consent to fill the form from the chip",
    form_consent_intro: "The chip's data will be written into the form. Only the fields the citizen agrees to are filled; the others stay blank, to write by hand.",
    form_consent_agree: "The citizen agrees — fill",
    form_consent_refuse: "Refuses — fill nothing",
    form_not_verified: "The card is not verified: the form is not filled from it.",
    form_override: "Fill anyway (recorded in the audit log)",
    form_overridden: "Filled from an unverified card on the clerk's decision (recorded).",
    form_read_next: "Read the card of",
    form_waiting: "Place the next person's card on the reader for the form",
    form_typed: "Filled by the clerk and the citizen",
    form_preview: "Print preview (A4)",
    form_print: "Print the form",
    form_save_pdf: "Save as PDF",
    form_done: "Form done",
    form_printed: "The form was sent to the printer.",
    form_saved: "The form was saved as PDF",
    form_refused_note: "The citizen refused: the chip's part of the form stays blank.",
    form_page: "Page",
};

/// A file's name for the progress list.
pub fn file_label(file: &str, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let what = match file {
        "EF.COM" | "COM" => {
            if vi {
                "Danh mục tệp"
            } else {
                "File index"
            }
        }
        "EF.SOD" | "SOD" => {
            if vi {
                "Chữ ký cơ quan cấp"
            } else {
                "Issuer's signature"
            }
        }
        "DG1" => {
            if vi {
                "Dòng MRZ"
            } else {
                "MRZ"
            }
        }
        "DG2" => {
            if vi {
                "Ảnh chân dung"
            } else {
                "Face photo"
            }
        }
        "DG13" => {
            if vi {
                "Thông tin cá nhân"
            } else {
                "Personal data"
            }
        }
        "DG14" => {
            if vi {
                "Khóa bảo mật chip"
            } else {
                "Chip security keys"
            }
        }
        "DG15" => {
            if vi {
                "Khóa chống nhân bản"
            } else {
                "Anti-cloning key"
            }
        }
        "EF.CardAccess" | "CardAccess" => {
            if vi {
                "Thông số truy cập"
            } else {
                "Access parameters"
            }
        }
        _ => return file.to_string(),
    };
    format!("{what} ({file})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tables_have_text_everywhere() {
        // Every string non-empty in both languages (a blank label would be a silent gap).
        for t in [&VI, &EN] {
            for s in [t.read_button, t.consent_agree, t.consent_refuse] {
                assert!(!s.trim().is_empty());
            }
            assert!(t.services.iter().all(|s| !s.is_empty()));
        }
        assert_ne!(VI.read_button, EN.read_button);
    }
}
