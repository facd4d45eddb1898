//! The link protocol on the host: every message round-trips; random, truncated, corrupted and
//! over-long input gives an error and the decoder resynchronises on the next frame.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cancuoc_link::*;
use proptest::prelude::*;

fn host_messages() -> Vec<HostMsg> {
    vec![
        HostMsg::Hello { protocol: PROTOCOL_VERSION },
        HostMsg::GetInfo,
        HostMsg::SetAccessKey(AccessKey::Can("123456".into())),
        HostMsg::SetAccessKey(AccessKey::CanAndMrz {
            can: "012345".into(),
            document_number: "195012345".into(),
            date_of_birth: "950315".into(),
            date_of_expiry: "350315".into(),
        }),
        HostMsg::SetAccessKey(AccessKey::Mrz {
            document_number: "195012345".into(),
            date_of_birth: "950315".into(),
            date_of_expiry: "350315".into(),
        }),
        HostMsg::StartRead(ReadRequest {
            data_groups: vec![1, 2, 13, 14, 15],
            active_auth: true,
            chip_auth: true,
            now_unix: 1_795_000_000,
            aa_challenge: Some([1, 2, 3, 4, 5, 6, 7, 8]),
        }),
        HostMsg::Cancel,
        HostMsg::TrustBegin { count: 2, total: 1800 },
        HostMsg::TrustChunk { offset: 896, data: vec![0x30; MAX_CHUNK] },
        HostMsg::TrustCommit { crc32: 0xDEAD_BEEF },
        HostMsg::Reboot { bootloader: true },
    ]
}

fn reader_messages() -> Vec<ReaderMsg> {
    vec![
        ReaderMsg::Info(Info {
            protocol: PROTOCOL_VERSION,
            firmware: "0.1.0".into(),
            board: "rp2350".into(),
            front_end: "PN532 v1.6".into(),
            max_command: 261,
            max_response: 258,
            extended_length: false,
            trust_count: 1,
            trust_crc32: 7,
        }),
        ReaderMsg::State(ReaderState::Idle),
        ReaderMsg::State(ReaderState::WaitingForCard),
        ReaderMsg::State(ReaderState::Reading),
        ReaderMsg::State(ReaderState::FrontEndMissing),
        ReaderMsg::CardPresent { kind: CardKind::IsoA },
        ReaderMsg::CardPresent { kind: CardKind::IsoB },
        ReaderMsg::CardRemoved,
        ReaderMsg::Progress { fid: 0x0102, done: 4096, total: 20_480 },
        ReaderMsg::FileData {
            fid: 0x0102,
            offset: 0,
            total: 20_480,
            data: (0..=255).cycle().take(MAX_CHUNK).collect(),
        },
        ReaderMsg::ActiveAuth { challenge: [9; 8], answer: vec![0x6A; 128] },
        ReaderMsg::Verdict(DeviceVerdict {
            verified: false,
            failures: vec!["DG1 was altered".into()],
            access: "BAC (MRZ), 3DES secure messaging".into(),
            chip_auth: ProofReport::Failed("no".into()),
        }),
        ReaderMsg::ReadDone,
        ReaderMsg::Error { code: ErrorCode::AccessDenied, detail: "wrong CAN".into() },
        ReaderMsg::Ack,
    ]
}

#[test]
fn every_message_round_trips_through_a_frame() {
    for m in host_messages() {
        let f = encode(&m).unwrap();
        assert_eq!(f.last(), Some(&0));
        assert!(!f[..f.len() - 1].contains(&0), "COBS leaves no zero inside a frame");
        assert!(f.len() <= MAX_ENCODED);
        assert_eq!(decode::<HostMsg>(&f[..f.len() - 1]).unwrap(), m);
    }
    for m in reader_messages() {
        let f = encode(&m).unwrap();
        assert!(f.len() <= MAX_ENCODED);
        assert_eq!(decode::<ReaderMsg>(&f[..f.len() - 1]).unwrap(), m);
    }
}

#[test]
fn a_stream_of_frames_decodes_in_order_whatever_the_chunking() {
    let msgs = reader_messages();
    let stream: Vec<u8> = msgs.iter().flat_map(|m| encode(m).unwrap()).collect();
    for chunk in [1, 7, 64, 1000] {
        let mut d = Decoder::new();
        let mut got = Vec::new();
        for c in stream.chunks(chunk) {
            d.feed::<ReaderMsg>(c, |r| got.push(r.unwrap()));
        }
        assert_eq!(got, msgs);
    }
}

#[test]
fn oversized_messages_are_refused_by_the_sender() {
    let m = ReaderMsg::FileData { fid: 1, offset: 0, total: 0, data: vec![1; MAX_FRAME] };
    assert_eq!(encode(&m), Err(FrameError::TooLong));
}

#[test]
fn an_over_long_frame_is_reported_once_and_the_next_frame_decodes() {
    let mut d = Decoder::new();
    let mut got = Vec::new();
    d.feed::<HostMsg>(&vec![0x55; MAX_ENCODED * 3], |r| got.push(r));
    assert!(got.is_empty(), "nothing until the delimiter");
    let mut bytes = vec![0];
    bytes.extend(encode(&HostMsg::GetInfo).unwrap());
    d.feed::<HostMsg>(&bytes, |r| got.push(r));
    assert_eq!(got, vec![Err(FrameError::TooLong), Ok(HostMsg::GetInfo)]);
}

#[test]
fn every_truncation_of_every_frame_is_an_error() {
    for m in reader_messages() {
        let f = encode(&m).unwrap();
        let body = &f[..f.len() - 1];
        for cut in 1..body.len() {
            assert!(decode::<ReaderMsg>(&body[..cut]).is_err(), "{m:?} cut at {cut}");
        }
    }
}

#[test]
fn every_single_byte_corruption_is_an_error() {
    for m in host_messages().iter().take(6) {
        let f = encode(m).unwrap();
        let body = &f[..f.len() - 1];
        for i in 0..body.len() {
            for x in [0x01u8, 0x80, 0xFF, 0x5A] {
                let mut b = body.to_vec();
                b[i] ^= x;
                if b[i] == 0 {
                    continue; // a zero is a delimiter: that is the truncation case above
                }
                assert!(decode::<HostMsg>(&b).is_err(), "{m:?}: byte {i} ^ {x:#x} went undetected");
            }
        }
    }
}

#[test]
fn a_valid_frame_of_the_wrong_direction_is_an_error_not_a_guess() {
    // A reader frame fed to the host-side decoder: the CRC matches, the message does not.
    let f = encode(&ReaderMsg::Progress { fid: 0x0102, done: 1, total: 2 }).unwrap();
    assert_eq!(decode::<HostMsg>(&f[..f.len() - 1]), Err(FrameError::Message));
}

#[test]
fn trust_store_packing_round_trips_and_rejects_bad_lengths() {
    let a = vec![0x30, 0x03, 1, 2, 3];
    let b = vec![0x30; 1500];
    let packed = pack_trust_store([a.as_slice(), b.as_slice()]).unwrap();
    assert_eq!(unpack_trust_store(&packed).unwrap(), vec![a.as_slice(), b.as_slice()]);
    assert!(unpack_trust_store(&packed[..packed.len() - 1]).is_none());
    assert!(unpack_trust_store(&[0]).is_none());
    assert_eq!(pack_trust_store([vec![0u8; 70_000].as_slice()]), Err(70_000));
}

#[test]
fn the_access_key_never_shows_in_debug_output() {
    let k = AccessKey::Mrz {
        document_number: "195012345".into(),
        date_of_birth: "950315".into(),
        date_of_expiry: "350315".into(),
    };
    let s = format!("{:?}", HostMsg::SetAccessKey(k));
    assert!(!s.contains("195012345") && !s.contains("950315"), "{s}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_and_a_frame_after_them_decodes(noise in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut d = Decoder::new();
        d.feed::<HostMsg>(&noise, |_| {});
        let mut got = Vec::new();
        let mut tail = vec![0u8];
        tail.extend(encode(&HostMsg::Cancel).unwrap());
        d.feed::<HostMsg>(&tail, |r| got.push(r));
        prop_assert_eq!(got.last(), Some(&Ok(HostMsg::Cancel)));
    }

    #[test]
    fn random_frames_decode_to_an_error_or_a_message(body in proptest::collection::vec(1u8..=255, 0..1200)) {
        let _ = decode::<HostMsg>(&body);
        let _ = decode::<ReaderMsg>(&body);
    }
}
