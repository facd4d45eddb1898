//! DG13's field numbers: where each value sits on the card (shared/cccd.md has the public
//! profiles they come from).

/// The 12-digit personal identification number (số định danh cá nhân).
pub const ID_NUMBER: u32 = 1;
/// Full name (họ, chữ đệm và tên), family name first.
pub const FULL_NAME: u32 = 2;
/// Date of birth, `dd/mm/yyyy` (`00` for an unknown day or month).
pub const DATE_OF_BIRTH: u32 = 3;
/// Sex: "Nam" or "Nữ".
pub const SEX: u32 = 4;
/// Nationality ("Việt Nam").
pub const NATIONALITY: u32 = 5;
/// Ethnicity (dân tộc): sensitive personal data.
pub const ETHNICITY: u32 = 6;
/// Religion (tôn giáo): sensitive personal data.
pub const RELIGION: u32 = 7;
/// Place of origin (quê quán), an address before the 2025 reform on older cards.
pub const PLACE_OF_ORIGIN: u32 = 8;
/// Place of residence (nơi thường trú), an address before the 2025 reform on older cards.
pub const PLACE_OF_RESIDENCE: u32 = 9;
/// Identifying marks (đặc điểm nhận dạng).
pub const IDENTIFYING_MARKS: u32 = 10;
/// Date of issue, `dd/mm/yyyy`.
pub const DATE_OF_ISSUE: u32 = 11;
/// Date of expiry, `dd/mm/yyyy`, or "Không thời hạn" (no expiry).
pub const DATE_OF_EXPIRY: u32 = 12;
/// Parents: the father's name, then the mother's.
pub const PARENTS: u32 = 13;
/// Spouse's name (may be stale: updated only when the card is reissued).
pub const SPOUSE: u32 = 14;
/// The old 9-digit ID number (CMND), when the holder had one.
pub const OLD_ID_NUMBER: u32 = 15;
/// A 16-character value whose meaning is not confirmed (one public profile puts the old ID
/// number here).
pub const UNCONFIRMED_16: u32 = 16;
