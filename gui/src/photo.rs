//! The face image from DG2, decoded for display: JPEG (`image`, with zune-jpeg) or JPEG 2000
//! (`hayro-jpeg2000`, pure Rust). The bytes come from the card, so a decoder failure — even a
//! panic inside a decoder — becomes an error message, never a crash.

use eframe::egui::ColorImage;

/// Largest image accepted, in pixels per side (ICAO faces are a few hundred pixels).
const MAX_SIDE: u32 = 4000;

/// Decodes a face image. `mime` is "image/jpeg" or "image/jp2".
pub fn decode(bytes: &[u8], mime: &str) -> Result<ColorImage, String> {
    let bytes = bytes.to_vec();
    let mime = mime.to_string();
    std::panic::catch_unwind(move || if mime == "image/jp2" { decode_jp2(&bytes) } else { decode_jpeg(&bytes) })
        .unwrap_or_else(|_| Err("the image decoder failed on this image".into()))
}

fn decode_jpeg(bytes: &[u8]) -> Result<ColorImage, String> {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).map_err(|e| e.to_string())?;
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        return Err(format!("image too large ({}×{})", img.width(), img.height()));
    }
    let rgba = img.to_rgba8();
    Ok(ColorImage::from_rgba_unmultiplied([rgba.width() as usize, rgba.height() as usize], rgba.as_raw()))
}

fn decode_jp2(bytes: &[u8]) -> Result<ColorImage, String> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
    let image = Image::new(bytes, &DecodeSettings::default()).map_err(|e| format!("JPEG 2000: {e:?}"))?;
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("JPEG 2000 image of unusable size ({w}×{h})"));
    }
    let channels = image.color_space().num_channels() as usize + usize::from(image.has_alpha());
    let gray = matches!(image.color_space(), ColorSpace::Gray);
    let mut ctx = DecoderContext::default();
    let decoded = image.decode(&mut ctx).map_err(|e| format!("JPEG 2000: {e:?}"))?;
    if decoded.components().is_empty() {
        return Err("JPEG 2000 image without components".into());
    }
    let data = decoded.data_u8();
    let pixels = (w as usize) * (h as usize);
    if data.len() < pixels * channels {
        return Err("JPEG 2000 image shorter than its header says".into());
    }
    let mut rgba = Vec::with_capacity(pixels * 4);
    for px in data.chunks_exact(channels).take(pixels) {
        let (r, g, b) = match (gray, px) {
            (true, [v, ..]) => (*v, *v, *v),
            (false, [r, g, b, ..]) => (*r, *g, *b),
            _ => return Err("JPEG 2000 colour space not shown".into()),
        };
        rgba.extend_from_slice(&[r, g, b, 255]);
    }
    Ok(ColorImage::from_rgba_unmultiplied([w as usize, h as usize], &rgba))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_brightness(img: &ColorImage) -> f64 {
        let sum: u64 = img.pixels.iter().map(|p| u64::from(p.r()) + u64::from(p.g()) + u64::from(p.b())).sum();
        sum as f64 / (img.pixels.len() as f64 * 3.0)
    }

    #[test]
    fn decodes_the_simulated_faces_in_both_formats() {
        let jpeg = decode(cancuoc_sim::image::FACE_JPEG, "image/jpeg").expect("jpeg");
        let jp2 = decode(cancuoc_sim::image::FACE_JP2, "image/jp2").expect("jp2");
        assert_eq!(jpeg.size, [360, 480]);
        assert_eq!(jp2.size, [360, 480]);
        // The same face in both: similar overall brightness, and not a blank image.
        let (a, b) = (mean_brightness(&jpeg), mean_brightness(&jp2));
        assert!((a - b).abs() < 12.0, "jpeg {a:.1} vs jp2 {b:.1}");
        assert!(a > 20.0 && a < 235.0);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"\xFF\xD8\xFF\xE0 not really", "image/jpeg").is_err());
        assert!(decode(&[0u8; 64], "image/jp2").is_err());
        let mut cut = cancuoc_sim::image::FACE_JP2.to_vec();
        cut.truncate(200);
        assert!(decode(&cut, "image/jp2").is_err());
    }
}
