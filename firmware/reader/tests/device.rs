//! The reader's device logic on the host: link messages in, a read of the simulated chip, the
//! stream out; trust-store updates; cancel; card removed and retry; recorded-session replay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::cell::Cell;
use std::collections::BTreeMap;

use cancuoc_core::apdu::TransportLimits;
use cancuoc_core::read::{Credentials, InTurn, ReadOptions, read_card};
use cancuoc_link::{AccessKey, ErrorCode, HostMsg, PROTOCOL_VERSION, ReadRequest, ReaderMsg, crc32, pack_trust_store};
use cancuoc_reader::replay::{RecordedKey, Recorder, Replay, SeededRng, Transcript};
use cancuoc_reader::{Action, Device, TrustImage};
use cancuoc_sim::{Fault, PERSONA, Pki, simulated_card};

const NOW: u64 = 1_795_392_000;

fn packed_trust() -> Vec<u8> {
    let pki = Pki::load();
    let certs: Vec<Vec<u8>> = ["csca-rsa", "csca-p256", "csca-bp256"].iter().map(|n| pki.cert(n)).collect();
    pack_trust_store(certs.iter().map(|c| c.as_slice())).unwrap()
}

fn device() -> Device {
    Device::new("0.1.0", "host", "simulated", TransportLimits::EXTENDED, &TrustImage::encode(&packed_trust()))
}

fn request() -> ReadRequest {
    ReadRequest {
        data_groups: vec![1, 2, 13, 14, 15],
        active_auth: true,
        chip_auth: true,
        now_unix: NOW,
        aa_challenge: None,
    }
}

fn mrz_key() -> AccessKey {
    AccessKey::Mrz {
        document_number: PERSONA.document_number().into(),
        date_of_birth: PERSONA.dob_yymmdd(),
        date_of_expiry: PERSONA.expiry_yymmdd(),
    }
}

fn send(d: &mut Device, m: HostMsg) -> (Vec<ReaderMsg>, Option<Action>) {
    let mut out = Vec::new();
    let a = d.handle(m, &mut |r| out.push(r));
    (out, a)
}

/// Reassembles the files from the stream.
fn files(stream: &[ReaderMsg]) -> BTreeMap<u16, Vec<u8>> {
    let mut f: BTreeMap<u16, Vec<u8>> = BTreeMap::new();
    for m in stream {
        if let ReaderMsg::FileData { fid, offset, total, data } = m {
            let b = f.entry(*fid).or_default();
            assert_eq!(b.len(), *offset as usize);
            b.extend_from_slice(data);
            assert!(b.len() <= *total as usize);
        }
    }
    f
}

#[test]
fn hello_info_and_a_version_mismatch() {
    let mut d = device();
    let (out, _) = send(&mut d, HostMsg::Hello { protocol: PROTOCOL_VERSION });
    let [ReaderMsg::Info(info)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((info.protocol, info.trust_count), (PROTOCOL_VERSION, 3));
    assert_eq!(info.trust_crc32, crc32(&packed_trust()));
    let (out, _) = send(&mut d, HostMsg::Hello { protocol: PROTOCOL_VERSION + 1 });
    assert!(matches!(
        out.as_slice(),
        [ReaderMsg::Info(_), ReaderMsg::Error { code: ErrorCode::UnsupportedVersion, .. }]
    ));
}

#[test]
fn a_read_streams_every_file_byte_for_byte_and_a_verified_verdict() {
    let mut d = device();
    let (out, a) = send(&mut d, HostMsg::StartRead(request()));
    assert!(a.is_none());
    assert!(matches!(out.as_slice(), [ReaderMsg::Error { code: ErrorCode::NoAccessKey, .. }]));
    assert_eq!(send(&mut d, HostMsg::SetAccessKey(mrz_key())).0, vec![ReaderMsg::Ack]);
    let (_, a) = send(&mut d, HostMsg::StartRead(request()));
    let Some(Action::Read(req)) = a else { panic!("{a:?}") };
    let mut chip = simulated_card("rsa").unwrap();
    let mut out = Vec::new();
    d.read(&mut chip, &req, &mut cancuoc_sim::os_rng(), &|| false, &mut |m| out.push(m), &mut InTurn);
    let progress = out.iter().filter(|m| matches!(m, ReaderMsg::Progress { .. })).count();
    assert!(progress >= 7, "{progress} progress messages");
    let Some(ReaderMsg::Verdict(v)) = out.iter().find(|m| matches!(m, ReaderMsg::Verdict(_))) else { panic!() };
    assert!(v.verified, "{:?}", v.failures);
    assert_eq!(out.last(), Some(&ReaderMsg::ReadDone));
    let got = files(&out);
    for (fid, bytes) in &got {
        let id = match fid {
            0x011E => cancuoc_core::files::FileId::Com,
            0x011D => cancuoc_core::files::FileId::Sod,
            f => cancuoc_core::files::FileId::Dg((f & 0xFF) as u8),
        };
        assert_eq!(Some(bytes.as_slice()), chip.image().file(id), "{fid:04X}");
    }
    assert!(got.contains_key(&0x0102) && got.contains_key(&0x010D) && got.contains_key(&0x011D));
    // The key is gone after the read: another read needs it again.
    assert!(matches!(
        send(&mut d, HostMsg::StartRead(request())).0.as_slice(),
        [ReaderMsg::Error { code: ErrorCode::NoAccessKey, .. }]
    ));
}

#[test]
fn a_forged_card_gets_a_not_verified_verdict_naming_the_check() {
    let mut d = device();
    send(&mut d, HostMsg::SetAccessKey(mrz_key()));
    let mut out = Vec::new();
    // Passive authentication on a second thread, as the board runs it on its other core: the
    // forged DG13 is still found.
    let mut two = cancuoc_sim::TwoThreads::default();
    let mut chip = simulated_card("tampered-dg13").unwrap();
    d.read(&mut chip, &request(), &mut cancuoc_sim::os_rng(), &|| false, &mut |m| out.push(m), &mut two);
    assert_eq!(two.elsewhere_runs, 1);
    let Some(ReaderMsg::Verdict(v)) = out.iter().find(|m| matches!(m, ReaderMsg::Verdict(_))) else { panic!() };
    assert!(!v.verified);
    assert!(v.failures.iter().any(|f| f.contains("DG13")), "{:?}", v.failures);
}

#[test]
fn wrong_key_is_access_denied() {
    let mut d = device();
    send(&mut d, HostMsg::SetAccessKey(AccessKey::Can("000000".into())));
    let mut out = Vec::new();
    d.read(
        simulated_card("rsa").unwrap(),
        &request(),
        &mut cancuoc_sim::os_rng(),
        &|| false,
        &mut |m| out.push(m),
        &mut InTurn,
    );
    assert!(matches!(out.last(), Some(ReaderMsg::Error { code: ErrorCode::AccessDenied, .. })), "{out:?}");
    let (out, _) = send(&mut d, HostMsg::SetAccessKey(AccessKey::Can("12a".into())));
    assert!(matches!(out.as_slice(), [ReaderMsg::Error { code: ErrorCode::NoAccessKey, .. }]));
}

#[test]
fn card_removed_mid_read_keeps_what_was_read_and_the_retry_completes() {
    let mut d = device();
    send(&mut d, HostMsg::SetAccessKey(mrz_key()));
    let mut chip = simulated_card("ecdsa-p256").unwrap();
    chip.inject(11, Fault::Remove); // the READ BINARY of DG2
    let mut out = Vec::new();
    d.read(&mut chip, &request(), &mut cancuoc_sim::os_rng(), &|| false, &mut |m| out.push(m), &mut InTurn);
    assert!(matches!(out.last(), Some(ReaderMsg::Error { code: ErrorCode::CardRemoved, .. })), "{:?}", out.last());
    chip.clear_faults();
    chip.reinsert();
    let before = chip.exchanges();
    let mut out = Vec::new();
    d.read(&mut chip, &request(), &mut cancuoc_sim::os_rng(), &|| false, &mut |m| out.push(m), &mut InTurn);
    assert_eq!(out.last(), Some(&ReaderMsg::ReadDone));
    let Some(ReaderMsg::Verdict(v)) = out.iter().find(|m| matches!(m, ReaderMsg::Verdict(_))) else { panic!() };
    assert!(v.verified);
    // The retry did not read again what was complete before the card left.
    let mut fresh = simulated_card("ecdsa-p256").unwrap();
    let trust = cancuoc_sim::trust_store();
    read_card(
        &mut fresh,
        &Credentials::mrz(PERSONA.access_key()),
        &ReadOptions::cccd(&trust, NOW),
        &mut cancuoc_sim::os_rng(),
        None,
        &mut |_| {},
    )
    .unwrap();
    assert!(chip.exchanges() - before < fresh.exchanges(), "{} vs {}", chip.exchanges() - before, fresh.exchanges());
}

#[test]
fn cancel_stops_the_read_at_the_next_apdu() {
    let mut d = device();
    send(&mut d, HostMsg::SetAccessKey(mrz_key()));
    let mut chip = simulated_card("rsa").unwrap();
    let apdus = Cell::new(0);
    let mut out = Vec::new();
    d.read(
        &mut chip,
        &request(),
        &mut cancuoc_sim::os_rng(),
        &|| {
            apdus.set(apdus.get() + 1);
            apdus.get() > 10
        },
        &mut |m| out.push(m),
        &mut InTurn,
    );
    assert!(matches!(out.last(), Some(ReaderMsg::Error { code: ErrorCode::Cancelled, .. })), "{:?}", out.last());
    assert_eq!(chip.exchanges(), 10);
    assert!(!out.iter().any(|m| matches!(m, ReaderMsg::Verdict(_))));
}

#[test]
fn trust_store_update_is_checked_before_it_is_stored() {
    let pki = Pki::load();
    let one = pki.cert("csca-p256");
    let packed = pack_trust_store([one.as_slice()]).unwrap();
    let mut d = device();
    // Bad CRC: nothing changes.
    send(&mut d, HostMsg::TrustBegin { count: 1, total: packed.len() as u32 });
    for (i, c) in packed.chunks(500).enumerate() {
        assert_eq!(
            send(&mut d, HostMsg::TrustChunk { offset: (i * 500) as u32, data: c.to_vec() }).0,
            vec![ReaderMsg::Ack]
        );
    }
    let (out, a) = send(&mut d, HostMsg::TrustCommit { crc32: crc32(&packed) ^ 1 });
    assert!(a.is_none() && matches!(out.as_slice(), [ReaderMsg::Error { code: ErrorCode::TrustStore, .. }]));
    assert_eq!(d.info().trust_count, 3);
    // Out-of-order chunk: the update is dropped.
    send(&mut d, HostMsg::TrustBegin { count: 1, total: packed.len() as u32 });
    let (out, _) = send(&mut d, HostMsg::TrustChunk { offset: 7, data: packed[7..20].to_vec() });
    assert!(matches!(out.as_slice(), [ReaderMsg::Error { code: ErrorCode::TrustStore, .. }]));
    // A certificate that does not parse.
    let junk = pack_trust_store([&[0x30, 0x03, 0x02, 0x01, 0x00][..]]).unwrap();
    send(&mut d, HostMsg::TrustBegin { count: 1, total: junk.len() as u32 });
    send(&mut d, HostMsg::TrustChunk { offset: 0, data: junk.clone() });
    let (out, a) = send(&mut d, HostMsg::TrustCommit { crc32: crc32(&junk) });
    assert!(a.is_none() && matches!(out.as_slice(), [ReaderMsg::Error { code: ErrorCode::TrustStore, .. }]));
    // The good one is taken, and the board is told to store the image.
    send(&mut d, HostMsg::TrustBegin { count: 1, total: packed.len() as u32 });
    send(&mut d, HostMsg::TrustChunk { offset: 0, data: packed.clone() });
    let (out, a) = send(&mut d, HostMsg::TrustCommit { crc32: crc32(&packed) });
    assert_eq!(out, vec![ReaderMsg::Ack]);
    let Some(Action::StoreTrust(image)) = a else { panic!("{a:?}") };
    assert_eq!(TrustImage::decode(&image), Some(packed.as_slice()));
    assert_eq!(d.info().trust_count, 1);
    // The stored image brings the store back after a reboot; a damaged image gives an empty store.
    assert_eq!(Device::new("0.1.0", "host", "", TransportLimits::SHORT, &image).info().trust_count, 1);
    let mut damaged = image.clone();
    *damaged.last_mut().unwrap() ^= 1;
    assert_eq!(Device::new("0.1.0", "host", "", TransportLimits::SHORT, &damaged).info().trust_count, 0);
    assert_eq!(Device::new("0.1.0", "host", "", TransportLimits::SHORT, &[0xFF; 64]).info().trust_count, 0);
    // With only the P-256 CSCA, the RSA card's signer is unknown: not verified.
    send(&mut d, HostMsg::SetAccessKey(mrz_key()));
    let mut out = Vec::new();
    d.read(
        simulated_card("rsa").unwrap(),
        &request(),
        &mut cancuoc_sim::os_rng(),
        &|| false,
        &mut |m| out.push(m),
        &mut InTurn,
    );
    let Some(ReaderMsg::Verdict(v)) = out.iter().find(|m| matches!(m, ReaderMsg::Verdict(_))) else { panic!() };
    assert!(!v.verified);
}

#[test]
fn a_recorded_session_replays_exactly_and_a_tampered_one_does_not_verify() {
    let trust = packed_trust();
    let seed = [7u8; 32];
    let mut rec = Recorder { inner: simulated_card("ecdsa-p256").unwrap(), exchanges: Vec::new() };
    let store = cancuoc_sim::trust_store();
    let key = Credentials::mrz(PERSONA.access_key());
    let first =
        read_card(&mut rec, &key, &ReadOptions::cccd(&store, NOW), &mut SeededRng::new(seed), None, &mut |_| {})
            .unwrap();
    assert!(first.verdict.is_verified());
    let t = Transcript {
        seed,
        now_unix: NOW,
        limits: TransportLimits::EXTENDED,
        key: RecordedKey::Mrz {
            document_number: PERSONA.document_number().into(),
            date_of_birth: PERSONA.dob_yymmdd(),
            date_of_expiry: PERSONA.expiry_yymmdd(),
        },
        trust,
        expect_verified: true,
        exchanges: rec.exchanges,
    };
    let bytes = t.encode();
    let t2 = Transcript::decode(&bytes).unwrap();
    assert_eq!(t2, t);
    assert!(Transcript::decode(&bytes[..bytes.len() - 1]).is_none());
    let mut replay = Replay::new(&t2);
    let again =
        read_card(&mut replay, &key, &ReadOptions::cccd(&store, NOW), &mut SeededRng::new(seed), None, &mut |_| {})
            .unwrap();
    assert!(again.verdict.is_verified());
    assert!(replay.finished() && replay.diverged_at.is_none());
    assert_eq!(again.files, first.files);
    // Another seed: the terminal's first random challenge differs and the replay says where.
    let mut replay = Replay::new(&t2);
    let r =
        read_card(&mut replay, &key, &ReadOptions::cccd(&store, NOW), &mut SeededRng::new([8; 32]), None, &mut |_| {});
    assert!(r.is_err());
    assert!(replay.diverged_at.is_some());
    // A flipped byte in a recorded response: the secure-messaging MAC catches it.
    let mut bad = t2.clone();
    let i = bad.exchanges.len() / 2;
    bad.exchanges[i].1[3] ^= 0x01;
    let mut replay = Replay::new(&bad);
    let r = read_card(&mut replay, &key, &ReadOptions::cccd(&store, NOW), &mut SeededRng::new(seed), None, &mut |_| {});
    assert!(r.is_err(), "a corrupted response must not pass");
}

#[test]
fn committed_transcripts_replay() {
    // The recorded sessions the QEMU run replays (firmware/qemu/transcripts): each replays to the
    // end on the host too, with the recorded verdict.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../qemu/transcripts");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let t = Transcript::decode(&std::fs::read(&path).unwrap()).unwrap_or_else(|| panic!("{}", path.display()));
        let mut store = cancuoc_core::TrustStore::new();
        for c in cancuoc_link::unpack_trust_store(&t.trust).unwrap() {
            store.add_der(c).unwrap();
        }
        let key = match &t.key {
            RecordedKey::Can(c) => Credentials::can(cancuoc_core::pace::Can::new(c).unwrap()),
            RecordedKey::Mrz { document_number, date_of_birth, date_of_expiry } => {
                Credentials::mrz(cancuoc_core::AccessKey::new(document_number, date_of_birth, date_of_expiry).unwrap())
            }
        };
        let mut replay = Replay::new(&t);
        let r = read_card(
            &mut replay,
            &key,
            &ReadOptions::cccd(&store, t.now_unix),
            &mut SeededRng::new(t.seed),
            None,
            &mut |_| {},
        )
        .unwrap_or_else(|f| panic!("{}: {}", path.display(), f.error));
        assert!(replay.finished(), "{}", path.display());
        assert_eq!(r.verdict.is_verified(), t.expect_verified, "{}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 5);
}

#[test]
fn the_hosts_challenge_goes_to_the_chip_unchanged_and_its_answer_comes_back() {
    // The PC, not the reader, chooses the challenge (a visit's, docs/evidence.md): the reader
    // sends exactly it and relays the chip's answer, which the PC's own check accepts.
    let mut d = device();
    assert_eq!(send(&mut d, HostMsg::SetAccessKey(mrz_key())).0, vec![ReaderMsg::Ack]);
    let ours = [0x5A, 0x01, 0xC3, 0x7E, 0x00, 0xFF, 0x42, 0x99];
    let (_, a) = send(&mut d, HostMsg::StartRead(ReadRequest { aa_challenge: Some(ours), ..request() }));
    let Some(Action::Read(req)) = a else { panic!("{a:?}") };
    let mut chip = simulated_card("rsa").unwrap();
    let mut out = Vec::new();
    d.read(&mut chip, &req, &mut cancuoc_sim::os_rng(), &|| false, &mut |m| out.push(m), &mut InTurn);
    let relayed: Vec<_> = out
        .iter()
        .filter_map(|m| {
            if let ReaderMsg::ActiveAuth { challenge, answer } = m { Some((*challenge, answer.clone())) } else { None }
        })
        .collect();
    assert_eq!(relayed.len(), 1, "one answer relayed");
    assert_eq!(relayed[0].0, ours, "the host's challenge, unchanged");
    let dg15 = cancuoc_core::lds::dg15::parse(chip.image().file(cancuoc_core::files::FileId::Dg(15)).unwrap()).unwrap();
    let status = cancuoc_core::auth::active::verify(&dg15, None, &ours, &relayed[0].1);
    assert_eq!(status, cancuoc_core::verdict::ActiveAuthStatus::Passed, "the chip signed our challenge");
}
