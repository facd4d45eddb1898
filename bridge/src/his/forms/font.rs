//! The forms' typeface: Liberation Serif (metric-compatible with Times New Roman, the face the
//! official forms are set in; covers Vietnamese), embedded in the binary and, subset, in every
//! PDF. Widths come from the font's own metrics (skrifa), so the layout wraps where print does.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, GlyphId, MetadataProvider};
use unicode_normalization::UnicodeNormalization;

use super::RenderError;

/// Regular, bold, italic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

impl Style {
    pub const ALL: [Style; 3] = [Style::Regular, Style::Bold, Style::Italic];

    /// The TrueType file, for the PDF and for the desk app's on-screen preview.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Style::Regular => include_bytes!("../../../forms/fonts/LiberationSerif-Regular.ttf"),
            Style::Bold => include_bytes!("../../../forms/fonts/LiberationSerif-Bold.ttf"),
            Style::Italic => include_bytes!("../../../forms/fonts/LiberationSerif-Italic.ttf"),
        }
    }

    /// The PostScript name, for the PDF's font dictionary.
    pub fn postscript_name(self) -> &'static str {
        match self {
            Style::Regular => "LiberationSerif",
            Style::Bold => "LiberationSerif-Bold",
            Style::Italic => "LiberationSerif-Italic",
        }
    }
}

/// Text in the one form printing uses: Unicode NFC (a chip may carry decomposed diacritics; the
/// font maps the precomposed Vietnamese letters).
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// One face's metrics.
pub struct Face {
    font: FontRef<'static>,
    units_per_em: f32,
}

/// What the PDF's font descriptor needs, in 1/1000 em.
pub struct Descriptor {
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    pub bbox: [f32; 4],
    pub italic_angle: f32,
}

impl Face {
    pub fn new(style: Style) -> Result<Face, RenderError> {
        let font = FontRef::new(style.bytes())
            .map_err(|e| RenderError::Font { face: style.postscript_name(), why: e.to_string() })?;
        let units_per_em = f32::from(font.metrics(Size::unscaled(), LocationRef::default()).units_per_em).max(1.0);
        Ok(Face { font, units_per_em })
    }

    /// The glyph for a character, `None` when the font has none.
    pub fn glyph(&self, c: char) -> Option<GlyphId> {
        self.font.charmap().map(c).filter(|g| g.to_u32() != 0)
    }

    /// Advance of a glyph in 1/1000 em.
    pub fn advance(&self, g: GlyphId) -> f32 {
        let m = self.font.glyph_metrics(Size::unscaled(), LocationRef::default());
        m.advance_width(g).unwrap_or(0.0) * 1000.0 / self.units_per_em
    }

    /// Width of `text` (NFC) at `size_pt`, in millimetres; characters the font lacks count as
    /// a space's width (the PDF writer refuses them with a clear error).
    pub fn width_mm(&self, text: &str, size_pt: f32) -> f32 {
        let space = self.glyph(' ').map_or(250.0, |g| self.advance(g));
        let em: f32 = text.chars().map(|c| self.glyph(c).map_or(space, |g| self.advance(g))).sum();
        em / 1000.0 * size_pt * MM_PER_PT
    }

    pub fn descriptor(&self) -> Descriptor {
        let m = self.font.metrics(Size::unscaled(), LocationRef::default());
        let k = 1000.0 / self.units_per_em;
        let b = m.bounds.map_or([0.0, -250.0, 1000.0, 900.0], |b| [b.x_min * k, b.y_min * k, b.x_max * k, b.y_max * k]);
        Descriptor {
            ascent: m.ascent * k,
            descent: m.descent * k,
            cap_height: m.cap_height.map_or(m.ascent * 0.9, |c| c) * k,
            bbox: b,
            italic_angle: m.italic_angle,
        }
    }
}

/// Millimetres in a typographic point.
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// The three faces.
pub struct Faces {
    pub regular: Face,
    pub bold: Face,
    pub italic: Face,
}

impl Faces {
    pub fn load() -> Result<Faces, RenderError> {
        Ok(Faces {
            regular: Face::new(Style::Regular)?,
            bold: Face::new(Style::Bold)?,
            italic: Face::new(Style::Italic)?,
        })
    }
    pub fn get(&self, s: Style) -> &Face {
        match s {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        }
    }
}
