//! Why a form could not be filled, laid out or dated: each error says what to do.

/// Why a form could not be filled. Each says what to do; none is a retry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FillError {
    #[error("no form {0:?} (the catalogue has: {1})")]
    UnknownForm(String, String),
    #[error("the form {form} has no field {field:?}")]
    UnknownField { form: String, field: String },
    #[error("{0} comes from the chip, not typed")]
    TypedChipField(String),
    #[error("the card of {0} is not verified: the form is not filled from it unless the clerk overrides (audited)")]
    NotVerified(String),
    #[error("{0}")]
    Render(RenderError),
}

/// Why a form cannot be laid out or written: the program's own form files or fonts, or a
/// character its fonts cannot print.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A form file (`bridge/forms/NAME.toml`) is not valid TOML for a form (toml's words).
    #[error("{file}: {why}")]
    FormFile { file: &'static str, why: String },
    /// A form file reads but breaks the catalogue's rules (each problem).
    #[error("{file}: {}", .problems.join("; "))]
    FormRules { file: &'static str, problems: Vec<String> },
    /// A built-in font face cannot be read (its PostScript name, skrifa's words).
    #[error("form font {face}: {why}")]
    Font { face: &'static str, why: String },
    /// A face could not be subset for the PDF (its PostScript name, subsetter's words).
    #[error("subsetting {face}: {why}")]
    Subset { face: &'static str, why: String },
    /// Characters the form's font has no glyph for (no PDF with a box where a letter should be).
    #[error("the form's font has no glyph for {}", glyph_list(.0))]
    MissingGlyphs(Vec<char>),
}

fn glyph_list(chars: &[char]) -> String {
    chars.iter().map(|c| format!("'{c}' (U+{:04X})", *c as u32)).collect::<Vec<_>>().join(" ")
}

/// A date the form cannot print: not `DD/MM/YYYY` (a whole day, year 1900 or later), `today` or
/// `blank` (what was given).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("date {0:?}: expected DD/MM/YYYY, today or blank")]
pub struct BadDate(pub String);
