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
pub enum TlvErrorKind {
    /// Input ended inside the tag, the length or the value.
    Truncated,
    /// Tag longer than 3 bytes.
    TagTooLong,
    /// Indefinite length (`80`) or a length field longer than 3 bytes.
    UnsupportedLength,
    /// A different tag was expected here.
    UnexpectedTag {
        /// The tag the structure prescribes.
        expected: u32,
        /// The tag in the bytes.
        found: u32,
    },
    /// A required element (this tag) is absent.
    Missing(u32),
}

/// What was wrong with TLV bytes, and where — as RustCrypto der's `Error { kind, position }`,
/// so that field diagnostics of an unknown card can point at the byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlvError {
    /// What was wrong.
    pub kind: TlvErrorKind,
    /// Where, in bytes from the start of what the reader was given (the whole file, for the LDS
    /// parsers, also inside nested elements reached through [`Tlv::children`]): the first byte of
    /// the element at fault, or for [`TlvErrorKind::Missing`] the first byte of the value that
    /// lacks it.
    pub offset: usize,
}

impl TlvError {
    /// An error of `kind` at `offset`.
    pub const fn at(kind: TlvErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl fmt::Display for TlvErrorKind {
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

impl fmt::Display for TlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

/// One element: tag, value, and the raw bytes it occupied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, its 1–3 bytes as one number (`5F1F`, `7F61`).
    pub tag: u32,
    /// The value bytes.
    pub value: &'a [u8],
    /// Tag, length and value exactly as they appeared in the input.
    pub raw: &'a [u8],
    /// Where `raw` begins, in bytes from the start of what the reader was given.
    pub offset: usize,
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
        let at = self.value_offset();
        TlvIter { rest: self.value, pos: at, start: at, failed: false }
    }
    /// Where the value begins, in bytes from the start of what the reader was given.
    pub fn value_offset(&self) -> usize {
        self.offset + (self.raw.len() - self.value.len())
    }
}

/// A parsed header: tag, header length, value length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The tag, as [`Tlv::tag`].
    pub tag: u32,
    /// Bytes of tag and length.
    pub header_len: usize,
    /// Bytes of value the length announces.
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
    header(input).map_err(|kind| TlvError::at(kind, 0))
}

fn header(input: &[u8]) -> Result<Header, TlvErrorKind> {
    let (&first, mut rest) = input.split_first().ok_or(TlvErrorKind::Truncated)?;
    let mut tag = u32::from(first);
    let mut pos = 1usize;
    if first & 0x1F == 0x1F {
        loop {
            let (&b, r) = rest.split_first().ok_or(TlvErrorKind::Truncated)?;
            rest = r;
            pos += 1;
            if pos > 3 {
                return Err(TlvErrorKind::TagTooLong);
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&l0, mut rest) = rest.split_first().ok_or(TlvErrorKind::Truncated)?;
    pos += 1;
    let value_len = match l0 {
        0x00..=0x7F => usize::from(l0),
        0x81..=0x83 => {
            let n = usize::from(l0 & 0x7F);
            let mut v = 0usize;
            for _ in 0..n {
                let (&b, r) = rest.split_first().ok_or(TlvErrorKind::Truncated)?;
                rest = r;
                v = (v << 8) | usize::from(b);
            }
            pos += n;
            v
        }
        _ => return Err(TlvErrorKind::UnsupportedLength),
    };
    Ok(Header { tag, header_len: pos, value_len })
}

/// Parses one element from the start of `input`, returning it and the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    parse_at(input, 0)
}

/// [`parse_one`] for bytes that begin `offset` bytes into what the reader was given.
pub fn parse_at(input: &[u8], offset: usize) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let truncated = TlvError::at(TlvErrorKind::Truncated, offset);
    let h = header(input).map_err(|kind| TlvError::at(kind, offset))?;
    let total = h.total_len().ok_or(truncated)?;
    if input.len() < total {
        return Err(truncated);
    }
    let (raw, rest) = input.split_at(total);
    let value = raw.get(h.header_len..).ok_or(truncated)?;
    Ok((Tlv { tag: h.tag, value, raw, offset }, rest))
}

/// Parses exactly one element with the given tag that fills `input` (trailing bytes are ignored,
/// as chips pad files).
pub fn expect(input: &[u8], tag: u32) -> Result<Tlv<'_>, TlvError> {
    let (t, _) = parse_one(input)?;
    if t.tag != tag {
        return Err(TlvError::at(TlvErrorKind::UnexpectedTag { expected: tag, found: t.tag }, 0));
    }
    Ok(t)
}

/// Iterator over consecutive elements; stops after the first error.
#[derive(Clone, Debug)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
    /// Where `rest` begins, in bytes from the start of what the reader was given.
    pos: usize,
    start: usize,
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// The elements of `input`, offsets counted from its start.
    pub fn new(input: &'a [u8]) -> Self {
        Self { rest: input, pos: 0, start: 0, failed: false }
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
        let start = self.start;
        self.find(tag)?.ok_or(TlvError::at(TlvErrorKind::Missing(tag), start))
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;
    fn next(&mut self) -> Option<Self::Item> {
        // Skip padding bytes 00 / FF between elements (ISO 7816-4 §5.2).
        while let Some((&b, r)) = self.rest.split_first() {
            if b == 0x00 || b == 0xFF {
                self.rest = r;
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match parse_at(self.rest, self.pos) {
            Ok((t, rest)) => {
                self.rest = rest;
                self.pos += t.raw.len();
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
    use alloc::string::ToString;
    use proptest::prelude::*;

    #[test]
    fn parses_lengths_and_tags() {
        let h = parse_header(&[0x5F, 0x1F, 0x81, 0x80]).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0x5F1F, 4, 0x80));
        let h = parse_header(&[0x7F, 0x61, 0x82, 0x12, 0x34]).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0x7F61, 5, 0x1234));
        let h = parse_header(&[0x77, 0x83, 0x01, 0x00, 0x00]).unwrap();
        assert_eq!(h.value_len, 0x10000);
        let kind = |r: Result<Header, TlvError>| r.map_err(|e| e.kind);
        assert_eq!(kind(parse_header(&[0x77, 0x80])), Err(TlvErrorKind::UnsupportedLength));
        assert_eq!(kind(parse_header(&[0x77, 0x84, 1, 1, 1, 1])), Err(TlvErrorKind::UnsupportedLength));
        assert_eq!(kind(parse_header(&[0x5F, 0xFF, 0xFF, 0x01, 0])), Err(TlvErrorKind::TagTooLong));
        assert_eq!(parse_one(&[0x61, 0x05, 1, 2]).map_err(|e| e.kind), Err(TlvErrorKind::Truncated));
    }

    /// The offset points into the whole input, also two levels down: bytes written by hand.
    #[test]
    fn errors_say_where_in_the_whole_input() {
        // 6D 0C { 5F 1F 02 'A' 'B', 00 (padding), 7F 61 03 { 02 05 01 } }: the inner 02 05
        // announces five bytes where one is left; it begins at byte 11.
        let file = [0x6D, 0x0C, 0x5F, 0x1F, 0x02, b'A', b'B', 0x00, 0x7F, 0x61, 0x03, 0x02, 0x05, 0x01];
        let outer = expect(&file, 0x6D).unwrap();
        let kids: Vec<Tlv> = outer.children().map(Result::unwrap).collect();
        assert_eq!((kids[0].offset, kids[1].offset, kids[1].value_offset()), (2, 8, 11));
        let e = kids[1].children().next().unwrap().unwrap_err();
        assert_eq!(e, TlvError::at(TlvErrorKind::Truncated, 11));
        assert_eq!(e.to_string(), "data ends inside a TLV element (truncated) at byte 11");
        // A missing element: where the value that lacks it begins.
        let e = outer.children().require(0x5F20).unwrap_err();
        assert_eq!(e, TlvError::at(TlvErrorKind::Missing(0x5F20), 2));
        // The wrong outer tag: at the start.
        assert_eq!(
            expect(&file, 0x61).unwrap_err(),
            TlvError::at(TlvErrorKind::UnexpectedTag { expected: 0x61, found: 0x6D }, 0)
        );
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
