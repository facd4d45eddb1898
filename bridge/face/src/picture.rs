//! Pictures in: the chip's photo (JPEG or JPEG 2000, from DG2) and the camera's still (JPEG or
//! PNG from a file in the demo and the tests). The bytes can come from a card or a file, so a
//! decoder failure — even a panic inside a decoder — is an error, never a crash.

use crate::ops::Map;

/// Largest picture accepted, in pixels per side.
pub const MAX_SIDE: u32 = 4096;

/// A decoded picture, 8-bit RGB.
#[derive(Clone)]
pub struct Picture {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width × height × 3` bytes, row by row.
    pub rgb: Vec<u8>,
}

/// Why a picture could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PictureError {
    /// Not a JPEG, JPEG 2000 or PNG file.
    #[error("not a JPEG, JPEG 2000 or PNG picture")]
    Format,
    /// The decoder refused the bytes.
    #[error("the picture could not be decoded: {0}")]
    Decode(String),
    /// Zero or more than [`MAX_SIDE`] pixels on a side.
    #[error("a picture of unusable size ({0}×{1})")]
    Size(u32, u32),
}

impl Picture {
    /// Decodes JPEG, JPEG 2000 (file format or bare codestream) or PNG, told apart by their
    /// first bytes.
    pub fn decode(bytes: &[u8]) -> Result<Picture, PictureError> {
        let jp2 =
            bytes.starts_with(&[0, 0, 0, 0x0C, b'j', b'P', b' ', b' ']) || bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]);
        let known = jp2 || bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(b"\x89PNG");
        if !known {
            return Err(PictureError::Format);
        }
        let picture = std::panic::catch_unwind(|| if jp2 { decode_jp2(bytes) } else { decode_other(bytes) })
            .unwrap_or_else(|_| Err(PictureError::Decode("the decoder stopped on this picture".into())))?;
        if picture.width == 0 || picture.height == 0 || picture.width > MAX_SIDE || picture.height > MAX_SIDE {
            return Err(PictureError::Size(picture.width, picture.height));
        }
        Ok(picture)
    }

    /// Mean brightness (Rec. 601 luma), 0–255.
    pub fn brightness(&self) -> f32 {
        let sum: f64 = self
            .rgb
            .chunks_exact(3)
            .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
            .sum();
        (sum / (self.width as f64 * self.height as f64)) as f32
    }

    /// The whole picture as a map of values 0–255.
    pub(crate) fn to_map(&self) -> Map {
        Map {
            h: self.height as usize,
            w: self.width as usize,
            c: 3,
            data: self.rgb.iter().map(|&v| f32::from(v)).collect(),
        }
    }

    /// A rectangle of it as a map of values 0–255, black (0) where it lies outside.
    pub(crate) fn region(&self, x: i64, y: i64, w: usize, h: usize) -> Map {
        let (pw, ph) = (i64::from(self.width), i64::from(self.height));
        let mut data = vec![0f32; w * h * 3];
        for row in 0..h {
            let sy = y + row as i64;
            if !(0..ph).contains(&sy) {
                continue;
            }
            // The columns of this row that fall inside the picture.
            let (from, to) = (x.max(0), (x + w as i64).min(pw));
            if from >= to {
                continue;
            }
            let src = ((sy * pw + from) * 3) as usize;
            let dst = (row * w + (from - x) as usize) * 3;
            let n = ((to - from) * 3) as usize;
            for (d, s) in data[dst..dst + n].iter_mut().zip(&self.rgb[src..src + n]) {
                *d = f32::from(*s);
            }
        }
        Map { h, w, c: 3, data }
    }
}

fn decode_other(bytes: &[u8]) -> Result<Picture, PictureError> {
    let img = image::load_from_memory(bytes).map_err(|e| PictureError::Decode(e.to_string()))?;
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        return Err(PictureError::Size(img.width(), img.height()));
    }
    let rgb = img.to_rgb8();
    Ok(Picture { width: rgb.width(), height: rgb.height(), rgb: rgb.into_raw() })
}

fn decode_jp2(bytes: &[u8]) -> Result<Picture, PictureError> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
    let image =
        Image::new(bytes, &DecodeSettings::default()).map_err(|e| PictureError::Decode(format!("JPEG 2000: {e:?}")))?;
    let (width, height) = (image.width(), image.height());
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PictureError::Size(width, height));
    }
    let channels = image.color_space().num_channels() as usize + usize::from(image.has_alpha());
    let gray = matches!(image.color_space(), ColorSpace::Gray);
    let mut ctx = DecoderContext::default();
    let decoded = image.decode(&mut ctx).map_err(|e| PictureError::Decode(format!("JPEG 2000: {e:?}")))?;
    let data = decoded.data_u8();
    let pixels = width as usize * height as usize;
    if channels == 0 || data.len() < pixels * channels {
        return Err(PictureError::Decode("JPEG 2000 picture shorter than its header says".into()));
    }
    let mut rgb = Vec::with_capacity(pixels * 3);
    for px in data.chunks_exact(channels).take(pixels) {
        match (gray, px) {
            (true, [v, ..]) => rgb.extend_from_slice(&[*v, *v, *v]),
            (false, [r, g, b, ..]) => rgb.extend_from_slice(&[*r, *g, *b]),
            _ => return Err(PictureError::Decode("JPEG 2000 colour space not supported".into())),
        }
    }
    Ok(Picture { width, height, rgb })
}
