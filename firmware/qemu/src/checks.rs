//! The on-target cases beside the card reads: real documents' signatures, the USB link's frames
//! (round trip and noise), and the M0+ multiply against its reference.

use super::*;

/// Public real-world signatures (tests/fixtures/real-world, PROVENANCE.md there): each country's
/// EF.SOD with the CSCA of its document signer, and Vietnam's CSCA (its self-signature).
/// With what the reader must answer for the SOD signature and the DS link: `valid` where the
/// algorithm is in the reader's set (RSA, P-256, brainpoolP256r1, named or explicit), `pc` where
/// it is not (brainpoolP384r1/512r1, P-384).
macro_rules! rw {
    ($cc:literal, $f:literal, $sod:literal, $ds:literal) => {
        (
            $cc,
            include_bytes!(concat!("../../../tests/fixtures/real-world/sod/", $f, ".sod")).as_slice(),
            include_bytes!(concat!("../../../tests/fixtures/real-world/sod/", $f, ".csca.der")).as_slice(),
            $sod,
            $ds,
        )
    };
}

pub(crate) type RealWorld = (&'static str, &'static [u8], &'static [u8], &'static str, &'static str);

pub(crate) const REAL_WORLD: &[RealWorld] = &[
    rw!("AT", "at", "valid", "pc"),
    rw!("AU", "au", "valid", "valid"),
    rw!("CN", "cn", "valid", "valid"),
    rw!("DE", "de", "pc", "pc"),
    rw!("FI", "fi", "pc", "pc"),
    rw!("FR", "fr", "valid", "valid"),
    rw!("MY", "my", "valid", "valid"),
    rw!("NZ", "nz", "valid", "valid"),
    rw!("PH", "ph", "valid", "valid"),
    rw!("RU", "ru", "valid", "valid"),
    rw!("SG", "sg", "valid", "valid"),
    rw!("UK", "uk", "valid", "pc"),
    rw!("US", "us", "valid", "valid"),
];
pub(crate) const VN_CSCA: &[u8] = include_bytes!("../../../tests/fixtures/real-world/vn-csca.der");

/// What the reader says about one real-world signature: `valid`, or `pc` when the algorithm or
/// curve is not in the reader's set (the PC checks it) — anything else fails the run, since
/// openssl accepts every one of them.
pub(crate) fn rw_word(r: &Result<(), cancuoc_core::auth::sig::SigError>) -> Result<&'static str, String> {
    use cancuoc_core::auth::sig::SigError;
    match r {
        Ok(()) => Ok("valid"),
        Err(SigError::UnsupportedCurve(_) | SigError::UnsupportedAlgorithm(_)) => Ok("pc"),
        Err(e) => Err(alloc::format!("{e}")),
    }
}

/// The reader's verification on real documents' signatures: each SOD signature (DS key) and
/// each DS certificate (CSCA key) timed, or named as left to the PC.
pub(crate) fn real_world() -> Result<(), String> {
    use cancuoc_core::auth::sig;
    use cancuoc_core::cert::Cert;
    use cancuoc_core::verdict::SignatureStatus;
    for (cc, sod_bytes, csca_der, want_sod, want_ds) in REAL_WORLD {
        let sod = cancuoc_core::lds::sod::parse(sod_bytes).map_err(|e| alloc::format!("{cc} SOD: {e}"))?;
        let ds = passive::signer_certificate_of(&sod.certificates, &sod.signer.id).ok_or("no DS certificate")?;
        let csca = Cert::from_der(csca_der).map_err(|e| alloc::format!("{cc} CSCA: {e}"))?;
        let (status, _) = measure(cc, "rw_sod", || passive::check_signature(&sod, &ds));
        let sod_word = match status {
            SignatureStatus::Valid => "valid",
            SignatureStatus::UnsupportedAlgorithm(_) => "pc",
            other => return Err(alloc::format!("{cc} SOD signature on the reader: {other:?}")),
        };
        let link = measure(cc, "rw_ds", || {
            sig::verify(&csca.public_key, &ds.signature_algorithm, None, &ds.tbs, &ds.signature).map(|_| ())
        });
        let ds_word = rw_word(&link).map_err(|e| alloc::format!("{cc} DS by CSCA on the reader: {e}"))?;
        hprintln!("RW {} sod={} ds={}", cc, sod_word, ds_word);
        if (sod_word, ds_word) != (*want_sod, *want_ds) {
            return Err(alloc::format!("{cc}: sod={sod_word} ds={ds_word}, expected sod={want_sod} ds={want_ds}"));
        }
    }
    let vn = Cert::from_der(VN_CSCA).map_err(|e| alloc::format!("VN CSCA: {e}"))?;
    let own = measure("VN", "rw_ds", || {
        sig::verify(&vn.public_key, &vn.signature_algorithm, None, &vn.tbs, &vn.signature).map(|_| ())
    });
    let word = rw_word(&own).map_err(|e| alloc::format!("VN CSCA on the reader: {e}"))?;
    hprintln!("RW VN sod=- ds={}", word);
    if word != "pc" {
        return Err(alloc::format!("VN CSCA (explicit brainpoolP512r1) on the reader: {word}, expected pc"));
    }
    Ok(())
}

/// Every file through the link encoder and back through the decoder, as the board streams it.
pub(crate) fn link_round_trip(read: &CardRead) -> Result<(), String> {
    let mut decoder = Decoder::new();
    for (id, bytes) in &read.files {
        for (i, chunk) in bytes.chunks(cancuoc_link::MAX_CHUNK).enumerate() {
            let m = ReaderMsg::FileData {
                fid: id.fid(),
                offset: (i * cancuoc_link::MAX_CHUNK) as u32,
                total: bytes.len() as u32,
                data: chunk.to_vec(),
            };
            let frame = cancuoc_link::encode(&m).map_err(|e| alloc::format!("encode: {e}"))?;
            let mut got = None;
            decoder.feed::<ReaderMsg>(&frame, |r| got = Some(r));
            if got != Some(Ok(m)) {
                return Err("link frame did not round-trip".into());
            }
        }
    }
    Ok(())
}

/// A stream of random bytes with valid frames among them: the decoder neither panics nor loses
/// the valid frames that follow a delimiter.
pub(crate) fn link_noise() -> Result<(), String> {
    use rand_core::Rng;
    let mut rng = SeededRng::new([0x42; 32]);
    let mut decoder = Decoder::new();
    let good = cancuoc_link::encode(&HostMsg::Cancel).map_err(|e| alloc::format!("{e}"))?;
    let (mut frames, mut errors) = (0u32, 0u32);
    let mut noise = [0u8; 257];
    for round in 0..400 {
        rng.fill_bytes(&mut noise);
        let n = usize::from(noise[0]) + 1;
        decoder.feed::<HostMsg>(noise.get(..n).unwrap_or(&[]), |r| errors += u32::from(r.is_err()));
        if round % 4 == 0 {
            decoder.feed::<HostMsg>(&[0], |r| errors += u32::from(r.is_err()));
            decoder.feed::<HostMsg>(&good, |r| frames += u32::from(r == Ok(HostMsg::Cancel)));
        }
    }
    hprintln!("STAT link_noise.frames_ok={} errors={}", frames, errors);
    if frames != 100 {
        return Err(alloc::format!("{frames} of 100 valid frames decoded amid noise"));
    }
    Ok(())
}

/// 64-bit multiplication as the image does it (on thumbv6m, cancuoc-reader's `__aeabi_lmul`;
/// on thumbv8m, UMULL) against one made of 16-bit pieces, on the edges of the carries and a
/// stream of pseudo-random operands. Every signature and key agreement above depends on it too.
pub(crate) fn multiply() -> Result<(), String> {
    use cancuoc_reader::m0mul::mul_reference;
    use core::hint::black_box;
    let edges = [0u64, 1, 0xFFFF, 0x1_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_0000_FFFF, u64::MAX, 1 << 63];
    let mut pairs: Vec<(u64, u64)> = edges.iter().flat_map(|&a| edges.iter().map(move |&b| (a, b))).collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pairs.push((x, x.rotate_left(29) ^ 0xD1B5_4A32_D192_ED03));
        // The widening limb product crypto-bigint and num-bigint-dig ask for: high words zero.
        pairs.push((x >> 32, x & 0xFFFF_FFFF));
    }
    for (a, b) in pairs {
        let got = black_box(a).wrapping_mul(black_box(b));
        if got != mul_reference(a, b) {
            return Err(alloc::format!("{a:#x} × {b:#x} = {got:#x}, expected {:#x}", mul_reference(a, b)));
        }
    }
    Ok(())
}
