//! What a form is, as its TOML file in `bridge/forms/` says: the counter that takes it, its
//! fields and where each comes from, its layout and signatures, and the rules on the people in it.

use serde::{Deserialize, Serialize};

/// Which counter takes the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    /// The commune/ward People's Committee one-stop counter (civil status, certification).
    WardCommittee,
    /// The commune police (residence, identity card).
    CommunePolice,
}

impl Counter {
    /// The default "Kính gửi" of this counter at a site in `commune` (today's, e.g. "Phường Hoàn
    /// Kiếm"): the commune's People's Committee, or its police.
    pub fn addressee(self, commune: &str) -> String {
        let c = crate::address::in_sentence(commune);
        match self {
            Counter::WardCommittee => format!("Ủy ban nhân dân {c}"),
            Counter::CommunePolice => format!("Công an {c}"),
        }
    }
}

/// Where a field's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum From {
    /// A DG13 field of one of the form's people (their verified card).
    Chip,
    /// The clerk types it (addressee, place).
    Clerk,
    /// The citizen answers it.
    Citizen,
}

/// One field of a form, in the official order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub id: String,
    /// The label as printed on the form.
    pub label: String,
    pub from: From,
    /// For `chip`: the DG13 field (its JSON name, e.g. `full_name`).
    #[serde(default)]
    pub chip: Option<String>,
    /// Whose card: the index into [`Form::people`].
    #[serde(default)]
    pub person: usize,
    #[serde(default)]
    pub required: bool,
    /// A heading the field stands under (e.g. "Người mẹ").
    #[serde(default)]
    pub section: Option<String>,
    /// Printed as this many separate boxes (the 12-digit ID number).
    #[serde(default)]
    pub boxes: Option<usize>,
    /// Dotted lines to leave for a longer answer.
    #[serde(default)]
    pub lines: Option<usize>,
    /// A chip field shown to the clerk as a hint only, never filled in (e.g. the spouse's name
    /// for a marital status the citizen declares).
    #[serde(default)]
    pub hint_chip: Option<String>,
    /// How a chip value is written on this form (default: as on the chip).
    #[serde(default)]
    pub shape: Shape,
}

/// How a chip value is written on a form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    #[default]
    AsIs,
    /// "Năm sinh": the year of a dd/mm/yyyy date.
    Year,
    /// "Giấy tờ tùy thân": the document's name and number, and its date of issue when the chip
    /// has it ("Căn cước số …, cấp ngày …" — the 2023 Law on Identification's card from
    /// 01/7/2024, "Căn cước công dân" before).
    IdDocument,
    /// An address the form asks as it is now ("Nơi cư trú"): the card's address in today's
    /// administrative units (docs/address.md) — the one commune of today, or the one the citizen
    /// chose (marked "người dân xác nhận"); the card's text when none was found or a split
    /// commune was not chosen (never a guess).
    TodayAddress,
}

/// A signature block at the end of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub caption: String,
    /// Whose name is printed under it (index into [`Form::people`]), when their card was read.
    #[serde(default)]
    pub person: Option<usize>,
}

/// The page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub paper: String,
    pub font_pt: f32,
    pub title_pt: f32,
    /// Top, right, bottom, left.
    pub margins_mm: [f32; 4],
    /// Fields numbered 1, 2, … (CT01, DC02) or plain labels (civil-status forms).
    pub numbered: bool,
    /// Two people side by side (the marriage form's Bên nữ / Bên nam columns).
    #[serde(default)]
    pub columns: bool,
    /// The line above the motto: "Mẫu … ban hành kèm theo Thông tư số …".
    pub top_line: String,
    /// The printed title (default: the Vietnamese name in capitals).
    #[serde(default)]
    pub title: Option<String>,
    /// The commitment sentence before the signatures.
    #[serde(default)]
    pub commitment: Option<String>,
    /// The clerk's field printed as the place in "…, ngày … tháng … năm …" (not in the body).
    #[serde(default)]
    pub place_field: Option<String>,
    pub signatures: Vec<Signature>,
}

/// A catalogued form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// The data file's name without `.toml` (`ct01`, `ket-hon`): what the CLI and the API take.
    #[serde(skip)]
    pub slug: String,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// The circular and article, in Vietnamese (what the clerk reads).
    pub legal_basis: String,
    /// The same in English (the English screen).
    #[serde(default)]
    pub legal_basis_en: String,
    pub version: String,
    pub counter: Counter,
    /// The national public-service procedure code, where known.
    pub procedure: String,
    pub sources: Vec<String>,
    /// What is not confirmed against the official text yet.
    pub unconfirmed: Vec<String>,
    /// Whose cards the form takes, e.g. ["Bên nữ", "Bên nam"].
    pub people: Vec<String>,
    pub layout: Layout,
    /// What the clerk is told about a person's card (age, sex, a spouse on the chip): warnings,
    /// never blocks.
    #[serde(default)]
    pub rules: Vec<PersonRule>,
    pub fields: Vec<FormField>,
}

/// A check on one person's card that the clerk is told about (e.g. the legal minimum age to
/// marry); the form is still filled — the officer decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRule {
    /// Index into [`Form::people`].
    pub person: usize,
    /// Full years of age the person must have reached on the day.
    #[serde(default)]
    pub min_age: Option<u32>,
    /// The sex the role implies ("Nam", "Nữ"), as the chip writes it.
    #[serde(default)]
    pub sex: Option<String>,
    /// Tell the clerk when the chip names a spouse.
    #[serde(default)]
    pub spouse_on_chip: bool,
    /// The law the rule comes from (shown with the warning).
    pub basis: String,
}

/// What a [`PersonRule`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Younger than the rule's minimum age on the day.
    Age { person: usize, age: u32, min: u32, basis: String },
    /// The chip gives another sex than the role implies.
    Sex { person: usize, chip: String, expected: String },
    /// The chip names a spouse (it may be out of date).
    Spouse { person: usize, name: String },
}
