//! BER indefinite lengths turned into definite ones, for the CMS structures real issuers write
//! that way (New Zealand's SODs: `30 80 … 00 00` for the ContentInfo, the SignedData, the
//! encapsulated content and its eContent, a constructed OCTET STRING of chunks). ICAO 9303-10
//! asks for DER, but a verifier that refuses these refuses genuine documents.
//!
//! Only what needs changing changes: an element with a definite length and no indefinite length
//! inside it is copied byte for byte (certificates and signed attributes keep the exact bytes
//! their signatures cover); an indefinite-length element gets its length; a constructed OCTET
//! STRING (BER chunks) becomes one primitive OCTET STRING of their concatenated content, which is
//! what the CMS message digest covers (RFC 5652 §5.4). Nesting is bounded ([`MAX_DEPTH`]) and the
//! output is built on the heap.

use alloc::vec::Vec;

use crate::tlv::{self, TlvError, TlvErrorKind};

/// The deepest nesting followed; real SODs need about 8.
pub const MAX_DEPTH: usize = 24;

/// Whether `input` uses an indefinite length anywhere a DER reader would trip over it: cheaper
/// than converting, and the conversion is only done when needed.
pub fn has_indefinite(input: &[u8]) -> bool {
    input.windows(2).any(|w| w.get(1) == Some(&0x80) && w.first().is_some_and(|t| t & 0x20 != 0))
}

/// Tag bytes at the start of `input` (1–3 bytes), as tlv reads them.
fn tag_len(input: &[u8]) -> Result<usize, TlvErrorKind> {
    let first = *input.first().ok_or(TlvErrorKind::Truncated)?;
    if first & 0x1F != 0x1F {
        return Ok(1);
    }
    for (i, b) in input.iter().enumerate().skip(1) {
        if i >= 3 {
            return Err(TlvErrorKind::TagTooLong);
        }
        if b & 0x80 == 0 {
            return Ok(i + 1);
        }
    }
    Err(TlvErrorKind::Truncated)
}

/// Rewrites one element at the start of `input`, which begins `at` bytes into the whole input;
/// returns the bytes used.
fn element(input: &[u8], at: usize, depth: usize, out: &mut Vec<u8>) -> Result<usize, TlvError> {
    let here = |kind| TlvError::at(kind, at);
    if depth > MAX_DEPTH {
        return Err(here(TlvErrorKind::UnsupportedLength));
    }
    let tl = tag_len(input).map_err(here)?;
    let tag_bytes = input.get(..tl).ok_or(here(TlvErrorKind::Truncated))?;
    let constructed = tag_bytes.first().is_some_and(|t| t & 0x20 != 0);
    let mut body = Vec::new();
    let used;
    if input.get(tl) == Some(&0x80) {
        if !constructed {
            return Err(here(TlvErrorKind::UnsupportedLength));
        }
        let mut pos = tl + 1;
        loop {
            let rest = input.get(pos..).ok_or(here(TlvErrorKind::Truncated))?;
            if rest.starts_with(&[0, 0]) {
                pos += 2;
                break;
            }
            if rest.is_empty() {
                return Err(here(TlvErrorKind::Truncated));
            }
            pos += element(rest, at + pos, depth + 1, &mut body)?;
        }
        used = pos;
    } else {
        let (t, _) = tlv::parse_at(input, at)?;
        used = t.raw.len();
        if !constructed || !has_indefinite(t.value) {
            out.extend_from_slice(t.raw);
            return Ok(used);
        }
        let mut rest = t.value;
        let mut inner = t.value_offset();
        while !rest.is_empty() {
            let n = element(rest, inner, depth + 1, &mut body)?;
            rest = rest.get(n..).ok_or(TlvError::at(TlvErrorKind::Truncated, inner))?;
            inner += n;
        }
    }
    if tag_bytes == [0x24] {
        // Constructed OCTET STRING: its (already rewritten) primitive chunks, joined. They were
        // read from the input above; an error here is the OCTET STRING's (at its start).
        let mut joined = Vec::with_capacity(body.len());
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            let (chunk, r) = tlv::parse_one(rest).map_err(|e| here(e.kind))?;
            if chunk.tag != 0x04 {
                return Err(here(TlvErrorKind::UnexpectedTag { expected: 0x04, found: chunk.tag }));
            }
            joined.extend_from_slice(chunk.value);
            rest = r;
        }
        out.push(0x04);
        tlv::push_len(out, joined.len());
        out.extend_from_slice(&joined);
    } else {
        out.extend_from_slice(tag_bytes);
        tlv::push_len(out, body.len());
        out.extend_from_slice(&body);
    }
    Ok(used)
}

/// The first element of `input` with every indefinite length made definite (trailing bytes after
/// it are dropped, as chips pad files).
pub fn definite(input: &[u8]) -> Result<Vec<u8>, TlvError> {
    let mut out = Vec::with_capacity(input.len());
    element(input, 0, 0, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_lengths_become_definite_and_chunks_join() {
        // 30 80 { 02 01 05, 24 80 { 04 02 AA BB, 04 01 CC } 00 00 } 00 00 — written by hand.
        let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, 0xAA, 0xBB, 0x04, 0x01, 0xCC, 0, 0, 0, 0];
        let der = definite(&ber).unwrap();
        assert_eq!(der, [0x30, 0x08, 0x02, 0x01, 0x05, 0x04, 0x03, 0xAA, 0xBB, 0xCC]);
    }

    #[test]
    fn definite_elements_stay_byte_for_byte() {
        // A non-minimal length (81 03) inside is kept: those are the bytes a signature covers.
        let ber = [0x30, 0x80, 0x30, 0x81, 0x03, 0x02, 0x01, 0x07, 0, 0];
        assert_eq!(definite(&ber).unwrap(), [0x30, 0x06, 0x30, 0x81, 0x03, 0x02, 0x01, 0x07]);
        let plain = [0x30, 0x03, 0x02, 0x01, 0x07];
        assert_eq!(definite(&plain).unwrap(), plain);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        // Missing end-of-contents, primitive with indefinite length, nesting past the bound.
        assert!(definite(&[0x30, 0x80, 0x02, 0x01, 0x05]).is_err());
        assert!(definite(&[0x04, 0x80, 0x00, 0x00]).is_err());
        let mut deep = Vec::new();
        for _ in 0..(MAX_DEPTH + 2) {
            deep.extend([0x30, 0x80]);
        }
        deep.extend(core::iter::repeat_n(0u8, 2 * (MAX_DEPTH + 2)));
        assert!(definite(&deep).is_err());
        for n in 0..18 {
            let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, 0xAA, 0xBB, 0x04, 0x01, 0xCC, 0, 0, 0, 0];
            let _ = definite(ber.get(..n).unwrap());
        }
    }
}
