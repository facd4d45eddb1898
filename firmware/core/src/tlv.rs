//! BER-TLV as used by the LDS and secure messaging (ISO 7816-4 §5.2, ICAO 9303-10 §4.5).
//!
//! A flat, iterative reader over borrowed bytes: no recursion, so no input can exhaust the stack.
//! Callers descend one level at a time by iterating over a constructed value. `iso7816-tlv`
//! parses constructed values recursively, and `der` rejects BER that real chips produce, hence
//! this small reader (tags up to 3 bytes, lengths up to 3 bytes after the `8x` byte).

use alloc::vec::Vec;
use core::fmt;

/// What was wrong with TLV bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlvError {
    /// Input ended inside the tag, the length or the value.
    Truncated,
    /// Tag longer than 3 bytes.
    TagTooLong,
    /// Indefinite length (`80`) or a length field longer than 3 bytes.
    UnsupportedLength,
    /// A different tag was expected here.
    UnexpectedTag { expected: u32, found: u32 },
    /// A required element is absent.
    Missing(u32),
}

impl fmt::Display for TlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("data ends inside a TLV element (truncated)"),
            Self::TagTooLong => f.write_str("TLV tag longer than 3 bytes"),
            Self::UnsupportedLength => f.write_str("TLV length is indefinite or longer than 3 bytes"),
            Self::UnexpectedTag { expected, found } => {
                write!(f, "expected TLV tag {expected:02X}, found {found:02X}")
            }
            Self::Missing(t) => write!(f, "required TLV element {t:02X} is missing"),
        }
    }
}

/// One element: tag, value, and the raw bytes it occupied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
    /// Tag, length and value exactly as they appeared in the input.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Whether the tag's constructed bit (b6 of the first byte) is set.
    pub fn is_constructed(&self) -> bool {
        let first = if self.tag > 0xFFFF {
            self.tag >> 16
        } else if self.tag > 0xFF {
            self.tag >> 8
        } else {
            self.tag
        };
        first & 0x20 != 0
    }
    /// Iterates over the elements inside this element's value.
    pub fn children(&self) -> TlvIter<'a> {
        TlvIter::new(self.value)
    }
}

/// A parsed header: tag, header length, value length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub tag: u32,
    pub header_len: usize,
    pub value_len: usize,
}

impl Header {
    /// Total encoded size of the element.
    pub fn total_len(&self) -> Option<usize> {
        self.header_len.checked_add(self.value_len)
    }
}

/// Reads a tag and length from the start of `input` (the value need not be present).
pub fn parse_header(input: &[u8]) -> Result<Header, TlvError> {
    let (&first, mut rest) = input.split_first().ok_or(TlvError::Truncated)?;
    let mut tag = u32::from(first);
    let mut pos = 1usize;
    if first & 0x1F == 0x1F {
        loop {
            let (&b, r) = rest.split_first().ok_or(TlvError::Truncated)?;
            rest = r;
            pos += 1;
            if pos > 3 {
                return Err(TlvError::TagTooLong);
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&l0, mut rest) = rest.split_first().ok_or(TlvError::Truncated)?;
    pos += 1;
    let value_len = match l0 {
        0x00..=0x7F => usize::from(l0),
        0x81..=0x83 => {
            let n = usize::from(l0 & 0x7F);
            let mut v = 0usize;
            for _ in 0..n {
                let (&b, r) = rest.split_first().ok_or(TlvError::Truncated)?;
                rest = r;
                v = (v << 8) | usize::from(b);
            }
            pos += n;
            v
        }
        _ => return Err(TlvError::UnsupportedLength),
    };
    Ok(Header { tag, header_len: pos, value_len })
}

/// Parses one element from the start of `input`, returning it and the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let h = parse_header(input)?;
    let total = h.total_len().ok_or(TlvError::Truncated)?;
    if input.len() < total {
        return Err(TlvError::Truncated);
    }
    let (raw, rest) = input.split_at(total);
    let value = raw.get(h.header_len..).ok_or(TlvError::Truncated)?;
    Ok((Tlv { tag: h.tag, value, raw }, rest))
}

/// Parses exactly one element with the given tag that fills `input` (trailing bytes are ignored,
/// as chips pad files).
pub fn expect(input: &[u8], tag: u32) -> Result<Tlv<'_>, TlvError> {
    let (t, _) = parse_one(input)?;
    if t.tag != tag {
        return Err(TlvError::UnexpectedTag { expected: tag, found: t.tag });
    }
    Ok(t)
}

/// Iterator over consecutive elements; stops after the first error.
#[derive(Clone, Debug)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> TlvIter<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Self { rest: input, failed: false }
    }
    /// The first element with `tag` at this level.
    pub fn find(self, tag: u32) -> Result<Option<Tlv<'a>>, TlvError> {
        for t in self {
            let t = t?;
            if t.tag == tag {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }
    /// Like [`find`](Self::find) but a missing element is an error.
    pub fn require(self, tag: u32) -> Result<Tlv<'a>, TlvError> {
        self.find(tag)?.ok_or(TlvError::Missing(tag))
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;
    fn next(&mut self) -> Option<Self::Item> {
        // Skip padding bytes 00 / FF between elements (ISO 7816-4 §5.2).
        while let Some((&b, r)) = self.rest.split_first() {
            if b == 0x00 || b == 0xFF {
                self.rest = r;
            } else {
                break;
            }
        }
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match parse_one(self.rest) {
            Ok((t, rest)) => {
                self.rest = rest;
                Some(Ok(t))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Appends a BER length (definite, minimal).
pub fn push_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n <= 0xFF {
        out.extend_from_slice(&[0x81, n as u8]);
    } else if n <= 0xFFFF {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    } else {
        out.extend_from_slice(&[0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
}

/// Appends a tag (1–3 bytes as given by its numeric value).
pub fn push_tag(out: &mut Vec<u8>, tag: u32) {
    if tag > 0xFFFF {
        out.push((tag >> 16) as u8);
    }
    if tag > 0xFF {
        out.push((tag >> 8) as u8);
    }
    out.push(tag as u8);
}

/// Encodes one element.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    push_tag(&mut out, tag);
    push_len(&mut out, value.len());
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_lengths_and_tags() {
        let h = parse_header(&[0x5F, 0x1F, 0x81, 0x80]).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0x5F1F, 4, 0x80));
        let h = parse_header(&[0x7F, 0x61, 0x82, 0x12, 0x34]).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0x7F61, 5, 0x1234));
        let h = parse_header(&[0x77, 0x83, 0x01, 0x00, 0x00]).unwrap();
        assert_eq!(h.value_len, 0x10000);
        assert_eq!(parse_header(&[0x77, 0x80]), Err(TlvError::UnsupportedLength));
        assert_eq!(parse_header(&[0x77, 0x84, 1, 1, 1, 1]), Err(TlvError::UnsupportedLength));
        assert_eq!(parse_header(&[0x5F, 0xFF, 0xFF, 0x01, 0]), Err(TlvError::TagTooLong));
        assert_eq!(parse_one(&[0x61, 0x05, 1, 2]), Err(TlvError::Truncated));
    }

    #[test]
    fn round_trips_and_iterates() {
        let mut v = encode(0x5F01, b"0107");
        v.extend(encode(0x5C, &[0x61, 0x75]));
        let outer = encode(0x60, &v);
        let t = expect(&outer, 0x60).unwrap();
        assert!(t.is_constructed());
        assert_eq!(t.children().require(0x5C).unwrap().value, [0x61, 0x75]);
        assert_eq!(t.children().find(0x99).unwrap(), None);
        let long = encode(0x75, &[0u8; 300]);
        assert_eq!(&long[..4], &[0x75, 0x82, 0x01, 0x2C]);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_header(&bytes);
            for t in TlvIter::new(&bytes).flatten() {
                for c in t.children() { let _ = c; }
            }
        }
    }
}
