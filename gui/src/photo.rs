//! The face image from DG2, decoded for display by the face comparison's decoder
//! (`cancuoc_face::Picture`: JPEG through `image`, JPEG 2000 through `hayro-jpeg2000`). The bytes
//! come from the card, so a decoder failure — even a panic inside a decoder — becomes an error
//! message, never a crash.

use eframe::egui::ColorImage;

/// Largest image accepted, in pixels per side (ICAO faces are a few hundred pixels).
const MAX_SIDE: u32 = 4000;

/// Decodes a face image. `mime` is "image/jpeg" or "image/jp2" (the decoder tells them apart by
/// their first bytes; a mismatch is the card's and is decoded all the same).
pub fn decode(bytes: &[u8], _mime: &str) -> Result<ColorImage, String> {
    let p = cancuoc_face::Picture::decode(bytes).map_err(|e| e.to_string())?;
    if p.width > MAX_SIDE || p.height > MAX_SIDE {
        return Err(format!("image too large ({}×{})", p.width, p.height));
    }
    Ok(ColorImage::from_rgb([p.width as usize, p.height as usize], &p.rgb))
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
