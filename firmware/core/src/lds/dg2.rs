//! DG2 (9303-10 §4.7.2): the encoded face. Biometric information templates (CBEFF, ISO 7816-11)
//! holding ISO/IEC 19794-5:2005 facial records. The image bytes are returned undecoded.

use alloc::vec::Vec;

use super::ParseError;
use crate::tlv::{self, Tlv};

/// How the face image is encoded (19794-5 §5.7.2, image data type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ImageFormat {
    /// JPEG (ISO/IEC 10918), type 0.
    Jpeg,
    /// JPEG 2000 (ISO/IEC 15444), type 1: what most CCCD chips hold.
    Jpeg2000,
    /// Any other type byte.
    Unknown(u8),
}

impl ImageFormat {
    /// The media type to save or show the image as.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Jpeg2000 => "image/jp2",
            Self::Unknown(_) => "application/octet-stream",
        }
    }
}

/// One facial record: the header fields and the image.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FaceImage {
    /// How the image is encoded.
    pub format: ImageFormat,
    /// Width in pixels, from the image information block.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// 0 unspecified, 1 male, 2 female, 3 unknown.
    pub gender: u8,
    /// Eye colour code (an ISO/IEC 19794-5 code; 0 unspecified).
    pub eye_colour: u8,
    /// Hair colour code (an ISO/IEC 19794-5 code; 0 unspecified).
    pub hair_colour: u8,
    /// Expression code (an ISO/IEC 19794-5 code; 1 neutral).
    pub expression: u16,
    /// 0 basic, 1 full frontal, 2 token frontal.
    pub face_image_type: u8,
    /// Colour space code (an ISO/IEC 19794-5 code).
    pub colour_space: u8,
    /// Source type code (an ISO/IEC 19794-5 code: camera, scanner…).
    pub source_type: u8,
    /// Image quality (an ISO/IEC 19794-5 code; 0 unspecified).
    pub quality: u16,
    /// How many feature points the record lists (their positions are skipped).
    pub feature_points: u16,
    /// The encoded image, as stored.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub image: Vec<u8>,
}

/// DG2, the encoded face (9303-10 §4.7.2): its facial records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dg2 {
    /// Every face image, in order (a CCCD holds one).
    pub faces: Vec<FaceImage>,
}

struct Cursor<'a>(&'a [u8]);
impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        if self.0.len() < n {
            return Err(ParseError::Invalid("ISO 19794-5 facial record is truncated"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<u16, ParseError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b.first().copied().unwrap_or(0), b.get(1).copied().unwrap_or(0)]))
    }
    fn u32(&mut self) -> Result<u32, ParseError> {
        let b = self.take(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_be_bytes(a))
    }
}

/// Parses an ISO/IEC 19794-5:2005 facial record block ("FAC\0").
pub fn parse_facial_records(block: &[u8]) -> Result<Vec<FaceImage>, ParseError> {
    let mut c = Cursor(block);
    if c.take(4)? != b"FAC\0" {
        return Err(ParseError::Invalid("biometric data block is not an ISO 19794-5 facial record"));
    }
    let _version = c.take(4)?;
    let _record_len = c.u32()?;
    let count = c.u16()?;
    let mut faces = Vec::new();
    for _ in 0..count {
        let len = c.u32()? as usize;
        let feature_points = c.u16()?;
        let gender = c.u8()?;
        let eye_colour = c.u8()?;
        let hair_colour = c.u8()?;
        let _mask = c.take(3)?;
        let expression = c.u16()?;
        let _pose = c.take(6)?;
        c.take(usize::from(feature_points) * 8)?;
        let face_image_type = c.u8()?;
        let data_type = c.u8()?;
        let width = c.u16()?;
        let height = c.u16()?;
        let colour_space = c.u8()?;
        let source_type = c.u8()?;
        let _device = c.u16()?;
        let quality = c.u16()?;
        let header = 20 + usize::from(feature_points) * 8 + 12;
        let image_len =
            len.checked_sub(header).ok_or(ParseError::Invalid("facial record length is shorter than its header"))?;
        let image = c.take(image_len)?.to_vec();
        let format = match data_type {
            0 => ImageFormat::Jpeg,
            1 => ImageFormat::Jpeg2000,
            n => ImageFormat::Unknown(n),
        };
        faces.push(FaceImage {
            format,
            width,
            height,
            gender,
            eye_colour,
            hair_colour,
            expression,
            face_image_type,
            colour_space,
            source_type,
            quality,
            feature_points,
            image,
        });
    }
    Ok(faces)
}

fn biometric_data(bit: &Tlv<'_>) -> Result<Option<Vec<FaceImage>>, ParseError> {
    for c in bit.children() {
        let c = c?;
        if c.tag == 0x5F2E || c.tag == 0x7F2E {
            return parse_facial_records(c.value).map(Some);
        }
    }
    Ok(None)
}

/// Parses DG2 (tag `75`): the biometric information templates and their ISO/IEC 19794-5 facial records.
pub fn parse(bytes: &[u8]) -> Result<Dg2, ParseError> {
    let t = tlv::expect(bytes, 0x75)?;
    let group = t.children().require(0x7F61)?;
    let mut faces = Vec::new();
    for c in group.children() {
        let c = c?;
        if c.tag == 0x7F60
            && let Some(f) = biometric_data(&c)?
        {
            faces.extend(f);
        }
    }
    if faces.is_empty() {
        return Err(ParseError::Invalid("DG2 holds no face image"));
    }
    Ok(Dg2 { faces })
}

/// Encodes one facial record as DG2 (used by the simulator to build card images).
pub fn encode(face: &FaceImage) -> Vec<u8> {
    let mut rec = Vec::new();
    let len = 20 + 12 + face.image.len();
    rec.extend_from_slice(&(len as u32).to_be_bytes());
    rec.extend_from_slice(&0u16.to_be_bytes());
    rec.extend_from_slice(&[face.gender, face.eye_colour, face.hair_colour, 0, 0, 0]);
    rec.extend_from_slice(&face.expression.to_be_bytes());
    rec.extend_from_slice(&[0; 6]);
    let data_type = match face.format {
        ImageFormat::Jpeg => 0,
        ImageFormat::Jpeg2000 => 1,
        ImageFormat::Unknown(n) => n,
    };
    rec.extend_from_slice(&[face.face_image_type, data_type]);
    rec.extend_from_slice(&face.width.to_be_bytes());
    rec.extend_from_slice(&face.height.to_be_bytes());
    rec.extend_from_slice(&[face.colour_space, face.source_type, 0, 0]);
    rec.extend_from_slice(&face.quality.to_be_bytes());
    rec.extend_from_slice(&face.image);
    let mut block = Vec::new();
    block.extend_from_slice(b"FAC\x00010\x00");
    block.extend_from_slice(&((14 + rec.len()) as u32).to_be_bytes());
    block.extend_from_slice(&1u16.to_be_bytes());
    block.extend_from_slice(&rec);
    // Biometric header template: ICAO header version, biometric type "face", format owner/type.
    let mut bht = tlv::encode(0x80, &[0x01, 0x01]);
    bht.extend(tlv::encode(0x81, &[0x02]));
    bht.extend(tlv::encode(0x87, &[0x01, 0x01]));
    bht.extend(tlv::encode(0x88, &[0x00, 0x08]));
    let mut bit = tlv::encode(0xA1, &bht);
    bit.extend(tlv::encode(0x5F2E, &block));
    let mut group = tlv::encode(0x02, &[1]);
    group.extend(tlv::encode(0x7F60, &bit));
    tlv::encode(0x75, &tlv::encode(0x7F61, &group))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips() {
        let face = FaceImage {
            format: ImageFormat::Jpeg2000,
            width: 240,
            height: 320,
            gender: 2,
            eye_colour: 2,
            hair_colour: 2,
            expression: 1,
            face_image_type: 1,
            colour_space: 1,
            source_type: 2,
            quality: 0,
            feature_points: 0,
            image: alloc::vec![0xAB; 1000],
        };
        let d = parse(&encode(&face)).unwrap();
        assert_eq!(d.faces, [face]);
    }

    proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&b);
            let _ = parse_facial_records(&b);
        }
    }
}
