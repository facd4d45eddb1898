//! Records the card sessions the on-target (QEMU) run replays: a full read of simulated cards
//! through the PN532's transport limits, with the terminal's randomness from a fixed seed.
//!
//!     cargo run -p cancuoc-reader --example record_transcripts
//!
//! writes firmware/qemu/transcripts/<variant>.cctr. The chip's own randomness is fresh on every
//! run, so the files change when re-recorded; the host test `committed_transcripts_replay`
//! checks the committed ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cancuoc_core::read::{Credentials, ReadOptions, read_card};
use cancuoc_link::pack_trust_store;
use cancuoc_reader::pn532::LIMITS;
use cancuoc_reader::replay::{RecordedKey, Recorder, SeededRng, Transcript};
use cancuoc_sim::image::CAN as CAN_NUMBER;
use cancuoc_sim::{PERSONA, Pki, simulated_card};

/// 2026-11-23T00:00:00Z.
const NOW: u64 = 1_795_392_000;

fn main() {
    let pki = Pki::load();
    let certs: Vec<Vec<u8>> = ["csca-rsa", "csca-p256", "csca-bp256"].iter().map(|n| pki.cert(n)).collect();
    let packed = pack_trust_store(certs.iter().map(|c| c.as_slice())).unwrap();
    let store = pki.trust_store();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../qemu/transcripts");
    std::fs::create_dir_all(&out).unwrap();
    let mrz = RecordedKey::Mrz {
        document_number: PERSONA.document_number().into(),
        date_of_birth: PERSONA.dob_yymmdd(),
        date_of_expiry: PERSONA.expiry_yymmdd(),
    };
    let can = RecordedKey::Can(CAN_NUMBER.into());
    for (variant, key) in
        [("rsa", &mrz), ("ecdsa-p256", &can), ("ecdsa-bp256", &mrz), ("bac-only", &mrz), ("tampered-dg13", &mrz)]
    {
        let seed: [u8; 32] = core::array::from_fn(|i| i as u8 ^ variant.len() as u8);
        let chip = simulated_card(variant).unwrap().with_limits(LIMITS);
        let mut rec = Recorder { inner: chip, exchanges: Vec::new() };
        let credentials = match key {
            RecordedKey::Can(c) => Credentials::can(cancuoc_core::pace::Can::new(c).unwrap()),
            RecordedKey::Mrz { .. } => Credentials::mrz(PERSONA.access_key()),
        };
        let read = read_card(
            &mut rec,
            &credentials,
            &ReadOptions::cccd(&store, NOW),
            &mut SeededRng::new(seed),
            None,
            &mut |_| {},
        )
        .unwrap_or_else(|f| panic!("{variant}: {}", f.error));
        let t = Transcript {
            seed,
            now_unix: NOW,
            limits: LIMITS,
            key: key.clone(),
            trust: packed.clone(),
            expect_verified: read.verdict.is_verified(),
            exchanges: rec.exchanges,
        };
        let bytes = t.encode();
        std::fs::write(out.join(format!("{variant}.cctr")), &bytes).unwrap();
        println!("{variant}: {} exchanges, {} bytes, verified: {}", t.exchanges.len(), bytes.len(), t.expect_verified);
    }
}
