//! What went wrong, said to a clerk: one sentence per kind of failure, what happened and what to
//! do, in Vietnamese and English — no status words, protocol names or OS errors. The errors'
//! `Display` stays the technical English that goes into logs, the JSON `message` and the
//! technician's tools; the desk app shows these instead. The verdict's wording is in
//! [`crate::words`]; this module is apart because it names the errors of every other room (the
//! read, the store, privacy, the forms), which themselves use `words` — one module would go round.

use cancuoc_core::TransportError;
use cancuoc_core::error::{Error as CardError, PaceError};
use cancuoc_link::ErrorCode;

use crate::his::evidence::EncodeError;
use crate::his::forms::{FillError, RenderError};
use crate::privacy::PrivacyError;
use crate::read::Error as ReadError;
use crate::store::StoreError;
use crate::transport::pcsc::PcscError;
use crate::transport::usb::UsbError;
use crate::words::Lang;

/// The two languages of one sentence.
fn say(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The chip refused the number typed (also said by the desk app's entry screen).
pub fn access_refused(lang: Lang) -> String {
    say(
        lang,
        "Chip không mở được với số này: kiểm tra lại số định danh 12 số in trên thẻ (chip mở bằng 6 số cuối), hoặc số CCCD, ngày sinh và ngày hết hạn.",
        "The chip does not open with this number: check the 12-digit ID number printed on the card (the chip opens with its last 6 digits), or the document number, date of birth and expiry.",
    )
}

fn no_card(lang: Lang) -> String {
    say(
        lang,
        "Không thấy thẻ: đặt thẻ lên đầu đọc rồi đọc lại.",
        "No card found: put the card on the reader and read again.",
    )
}

fn card_left(lang: Lang) -> String {
    say(
        lang,
        "Thẻ đã rời đầu đọc hoặc không trả lời kịp: đặt lại thẻ, giữ yên rồi đọc lại.",
        "The card left the reader or did not answer in time: put it back, hold it still and read again.",
    )
}

fn reader_failed(lang: Lang) -> String {
    say(
        lang,
        "Đầu đọc báo lỗi khi đọc thẻ: đọc lại; nếu vẫn lỗi, rút đầu đọc ra rồi cắm lại.",
        "The reader failed while reading the card: read again; if it fails again, unplug the reader and plug it back in.",
    )
}

fn cancelled(lang: Lang) -> String {
    say(lang, "Đã hủy lượt đọc.", "The read was cancelled.")
}

fn firmware_mismatch(lang: Lang) -> String {
    call_technician(
        lang,
        "Phần mềm trong đầu đọc không khớp với chương trình này: cần nạp lại phần mềm đầu đọc.",
        "The reader's firmware does not match this program: the reader needs its firmware updated.",
    )
}

fn call_technician(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => format!("{vi} Báo kỹ thuật viên."),
        Lang::En => format!("{en} Tell the technician."),
    }
}

/// A read that failed, in the clerk's words.
pub fn read_problem(e: &ReadError, lang: Lang) -> String {
    match e {
        ReadError::Card(f) => card_problem(&f.error, lang),
        ReadError::Pcsc(p) => match p {
            PcscError::NoCard(_) => no_card(lang),
            PcscError::NoReaders => say(
                lang,
                "Không thấy đầu đọc thẻ nào: cắm đầu đọc vào máy tính rồi đọc lại.",
                "No card reader found: plug the reader into this computer and read again.",
            ),
            PcscError::NoService => call_technician(
                lang,
                "Dịch vụ thẻ thông minh của máy tính chưa chạy (Windows: dịch vụ “Smart Card”).",
                "This computer's smart-card service is not running (Windows: the “Smart Card” service).",
            ),
            PcscError::UnknownReader(_) => say(
                lang,
                "Không thấy đầu đọc đã chọn: cắm lại đầu đọc hoặc chọn đầu đọc khác.",
                "The chosen reader is not there: plug it back in or choose another reader.",
            ),
            PcscError::Other(_) => reader_failed(lang),
        },
        ReadError::Usb(u) => usb_problem(u, lang),
        ReadError::NoUsbReader => say(
            lang,
            "Không thấy đầu đọc USB cancuoc: cắm đầu đọc bằng cáp dữ liệu (đèn nháy mỗi 2 giây khi sẵn sàng).",
            "No cancuoc USB reader found: plug it in with a data cable (its light blinks every 2 s when ready).",
        ),
        ReadError::TrustStore(_) => call_technician(
            lang,
            "Không mở được danh sách cơ quan cấp thẻ tin cậy của máy này, nên không xác thực được thẻ.",
            "This computer's list of trusted card issuers cannot be opened, so no card can be verified.",
        ),
        ReadError::UnknownVariant(_) | ReadError::NoDemo => {
            say(lang, "Không có thẻ mẫu này trong chương trình.", "This program has no such practice card.")
        }
        ReadError::Cancelled => cancelled(lang),
    }
}

/// A failure of the chip's protocol, in the clerk's words.
pub fn card_problem(e: &CardError, lang: Lang) -> String {
    match e {
        CardError::AccessDenied { .. } | CardError::Key(_) | CardError::NeedCredential(_) => access_refused(lang),
        CardError::Transport { error: TransportError::CardRemoved | TransportError::Timeout, .. } => card_left(lang),
        CardError::Transport { .. } => reader_failed(lang),
        CardError::SecureMessaging { .. } | CardError::Pace(PaceError::Malformed | PaceError::Curve(_)) => say(
            lang,
            "Thẻ trả lời bị sai hoặc bị nhiễu: giữ yên thẻ giữa đầu đọc rồi đọc lại.",
            "The card's answer was garbled: hold the card still in the middle of the reader and read again.",
        ),
        CardError::Pace(PaceError::TokenMismatch) => access_refused(lang),
        CardError::Pace(PaceError::Unsupported(_)) => say(
            lang,
            "Chip này không mở được bằng 6 số: nhập số CCCD, ngày sinh và ngày hết hạn.",
            "This chip does not open with the 6 digits: type the document number, date of birth and expiry.",
        ),
        // A reflected key, an error status, an answer or a file of the wrong shape (and any kind
        // added later).
        _ => call_technician(
            lang,
            "Chip trả lời khác với một thẻ căn cước: đọc lại một lần; nếu vẫn lỗi, không dùng thẻ này.",
            "The chip answers unlike an identity card: read once more; if it fails again, do not accept this card.",
        ),
    }
}

/// The USB reader's failures, in the clerk's words.
pub fn usb_problem(e: &UsbError, lang: Lang) -> String {
    match e {
        UsbError::Open { .. } => say(
            lang,
            "Không mở được đầu đọc USB (có thể chương trình khác đang dùng): đóng chương trình đó hoặc rút đầu đọc ra cắm lại.",
            "The USB reader cannot be opened (another program may be using it): close that program or unplug the reader and plug it back in.",
        ),
        UsbError::NotAReader(_) => say(
            lang,
            "Thiết bị ở cổng này không phải đầu đọc cancuoc: chọn cổng khác.",
            "The device on this port is not a cancuoc reader: choose another port.",
        ),
        UsbError::Protocol { .. } => firmware_mismatch(lang),
        UsbError::Disconnected => say(
            lang,
            "Đầu đọc bị rút ra hoặc ngừng trả lời: cắm lại rồi đọc lại.",
            "The reader was unplugged or stopped answering: plug it back in and read again.",
        ),
        UsbError::Timeout(_) => reader_failed(lang),
        UsbError::Reader { code, .. } => match code {
            ErrorCode::NoCard => no_card(lang),
            ErrorCode::CardRemoved => card_left(lang),
            ErrorCode::AccessDenied | ErrorCode::NoAccessKey => access_refused(lang),
            ErrorCode::Cancelled => cancelled(lang),
            ErrorCode::Busy => say(
                lang,
                "Đầu đọc đang đọc một thẻ khác: chờ xong rồi đọc lại.",
                "The reader is busy with another read: wait for it to finish and read again.",
            ),
            ErrorCode::TrustStore => call_technician(
                lang,
                "Đầu đọc không nhận danh sách cơ quan cấp thẻ tin cậy.",
                "The reader refused the list of trusted card issuers.",
            ),
            ErrorCode::UnsupportedVersion => firmware_mismatch(lang),
            ErrorCode::BadFrame | ErrorCode::FrameTooLong | ErrorCode::ReadFailed | ErrorCode::Unexpected => {
                reader_failed(lang)
            }
        },
    }
}

/// The database's failures: nothing was saved, and what to do.
pub fn store_problem(e: &StoreError, lang: Lang) -> String {
    match e {
        StoreError::Unreachable(_) => say(
            lang,
            "Không kết nối được máy chủ dữ liệu của cơ sở; chưa lưu gì — thử lại.",
            "The site's database server cannot be reached; nothing was saved — try again.",
        ),
        StoreError::PurgeBusy => say(
            lang,
            "Một quầy khác đang xóa dữ liệu hết hạn lưu; ở đây chưa xóa gì — thử lại sau.",
            "Another counter is deleting expired data right now; nothing was deleted here — try again later.",
        ),
        StoreError::Dir(..) => call_technician(
            lang,
            "Không tạo được thư mục dữ liệu của chương trình; chưa lưu gì.",
            "The program's data folder cannot be created; nothing was saved.",
        ),
        StoreError::Sql(_) | StoreError::Pg(_) | StoreError::Url(_) | StoreError::Migrate(_) => call_technician(
            lang,
            "Cơ sở dữ liệu báo lỗi; chưa lưu gì.",
            "The database reported an error; nothing was saved.",
        ),
    }
}

/// A privacy request that could not be carried out.
pub fn privacy_problem(e: &PrivacyError, lang: Lang) -> String {
    match e {
        PrivacyError::NoClock => say(
            lang,
            "Đồng hồ của máy tính chưa đặt đúng ngày giờ: đặt lại rồi thử lại.",
            "This computer's clock is not set: set the date and time and try again.",
        ),
        PrivacyError::NoDeadline(_) => call_technician(
            lang,
            "Chưa có thời hạn trả lời cho loại yêu cầu này trong cài đặt.",
            "The settings give no answer deadline for this kind of request.",
        ),
        PrivacyError::Store(s) => store_problem(s, lang),
        PrivacyError::Pdf(f) => form_problem(f, lang),
        PrivacyError::NoDocument(_) | PrivacyError::Document { .. } => {
            call_technician(lang, "Không tạo được văn bản này.", "This document cannot be made.")
        }
    }
}

/// A form (or a privacy document) that could not be filled or laid out.
pub fn form_problem(e: &FillError, lang: Lang) -> String {
    match e {
        FillError::Render(RenderError::MissingGlyphs(chars)) => {
            let list: String = chars.iter().map(|c| format!(" “{c}”")).collect();
            match lang {
                Lang::Vi => format!("Biểu mẫu không in được các ký tự:{list} — sửa lại chữ đã nhập."),
                Lang::En => format!("The form cannot print the characters{list} — correct what was typed."),
            }
        }
        FillError::NotVerified(_) => say(
            lang,
            "Thẻ chưa xác thực: biểu mẫu không điền từ thẻ này nếu không ghi lý do.",
            "The card is not verified: the form is not filled from it without a reason given.",
        ),
        // The program's own form files, fonts or catalogue: an installation fault.
        _ => call_technician(
            lang,
            "Không tạo được biểu mẫu (lỗi cài đặt).",
            "The form cannot be made (an installation fault).",
        ),
    }
}

/// The visit's evidence that could not be written.
pub fn evidence_problem(_: &EncodeError, lang: Lang) -> String {
    call_technician(lang, "Không tạo được tệp bằng chứng lượt khám.", "The visit's evidence file cannot be made.")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No sentence a clerk reads carries the technical words of the error it stands for.
    #[test]
    fn problems_are_plain_words_in_both_languages() {
        let errors = [
            ReadError::NoUsbReader,
            ReadError::Usb(UsbError::Protocol { reader: 9, bridge: 3 }),
            ReadError::Usb(UsbError::Timeout("hello")),
            ReadError::Pcsc(PcscError::NoService),
            ReadError::Pcsc(PcscError::NoCard("Virtual PCD 00 00".into())),
            ReadError::Cancelled,
        ];
        for e in &errors {
            let (vi, en) = (read_problem(e, Lang::Vi), read_problem(e, Lang::En));
            assert_ne!(vi, en, "{e}");
            for text in [&vi, &en] {
                for jargon in
                    ["PC/SC", "pcscd", "protocol", "hello", "Virtual PCD", "`", "cancuoc doctor", "firmware speaks"]
                {
                    assert!(!text.contains(jargon), "{e}: {text}");
                }
            }
        }
        let e = StoreError::Unreachable("connection refused (os error 111)".into());
        assert!(!store_problem(&e, Lang::Vi).contains("os error"));
        assert!(store_problem(&e, Lang::Vi).contains("chưa lưu gì"));
        assert_eq!(
            privacy_problem(&PrivacyError::NoClock, Lang::En),
            "This computer's clock is not set: set the date and time and try again."
        );
        assert!(form_problem(&FillError::Render(RenderError::MissingGlyphs(vec!['ꙮ'])), Lang::Vi).contains("“ꙮ”"));
    }
}
