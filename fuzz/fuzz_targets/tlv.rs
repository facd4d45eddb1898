#![no_main]
//! BER-TLV: walk a whole buffer of objects, and every constructed one's children.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cancuoc_core::tlv::parse_header(data);
    let mut rest = data;
    while let Ok((t, r)) = cancuoc_core::tlv::parse_one(rest) {
        let mut inner = t.value;
        while let Ok((_, r2)) = cancuoc_core::tlv::parse_one(inner) {
            inner = r2;
        }
        if r.len() >= rest.len() {
            break;
        }
        rest = r;
    }
});
