//! The access flow against the simulated chips: PACE with CAN and MRZ on every curve and cipher
//! the simulator offers, BAC where the chip has no PACE, clear errors for a wrong CAN or a
//! credential the chip cannot use, and a chip that aborts in the middle of PACE.

use cancuoc_core::error::{Error, Step};
use cancuoc_core::pace::{Can, PasswordKind};
use cancuoc_core::read::{CardRead, Credentials, ReadFailure, ReadOptions, read_card};
use cancuoc_core::verdict::SessionAccess;
use cancuoc_sim::{Fault, PERSONA, SimChip, os_rng, simulated_card, trust_store};

const NOW: u64 = 1_795_392_000;

fn read(chip: &mut SimChip, c: &Credentials) -> Result<CardRead, ReadFailure> {
    let trust = trust_store();
    read_card(chip, c, &ReadOptions::cccd(&trust, NOW), &mut os_rng(), None, &mut |_| {})
}

fn can(s: &str) -> Credentials {
    Credentials::can(Can::new(s).unwrap())
}

fn mrz() -> Credentials {
    Credentials::mrz(PERSONA.access_key())
}

#[test]
fn every_pace_variant_with_can_and_with_mrz() {
    for (variant, protocol, curve) in [
        ("rsa", "PACE-GM ECDH AES-128", "brainpoolP256r1"),
        ("ecdsa-p256", "PACE-GM ECDH AES-256", "NIST P-256"),
        ("ecdsa-bp256", "PACE-GM ECDH 3DES", "brainpoolP256r1"),
        ("pace-only", "PACE-GM ECDH AES-192", "NIST P-384"),
        ("pace-p521", "PACE-GM ECDH AES-256", "NIST P-521"),
        ("pace-bp384", "PACE-GM ECDH AES-256", "brainpoolP384r1"),
        ("pace-im", "PACE-IM ECDH AES-128", "brainpoolP256r1"),
        ("pace-im-p256", "PACE-IM ECDH AES-128", "NIST P-256"),
        ("pace-dh", "PACE-GM DH AES-128", "2048-bit MODP group with 256-bit prime order subgroup"),
        ("pace-dh-im", "PACE-IM DH AES-128", "1024-bit MODP group with 160-bit prime order subgroup"),
        ("mf-9000", "PACE-GM ECDH AES-128", "brainpoolP256r1"),
        ("pace-cam", "PACE-CAM ECDH AES-128", "brainpoolP256r1"),
    ] {
        for (creds, kind) in [(can("012345"), PasswordKind::Can), (mrz(), PasswordKind::Mrz)] {
            let mut chip = simulated_card(variant).unwrap();
            let r = read(&mut chip, &creds).unwrap_or_else(|f| panic!("{variant} {kind:?}: {}", f.error));
            assert!(r.verdict.is_verified(), "{variant}: {}", r.verdict.summary());
            assert_eq!(
                r.verdict.access,
                Some(SessionAccess::Pace { protocol: protocol.into(), curve: curve.into(), password: kind }),
                "{variant}"
            );
        }
    }
}

#[test]
fn both_credentials_prefer_the_can_and_bac_only_chips_use_the_mrz() {
    let both = Credentials { can: Some(Can::new("012345").unwrap()), mrz: Some(PERSONA.access_key()) };
    let r = read(&mut simulated_card("rsa").unwrap(), &both).unwrap();
    assert!(matches!(r.verdict.access, Some(SessionAccess::Pace { password: PasswordKind::Can, .. })));
    let r = read(&mut simulated_card("bac-only").unwrap(), &both).unwrap();
    assert_eq!(r.verdict.access, Some(SessionAccess::Bac));
    assert!(r.verdict.is_verified());
}

#[test]
fn a_can_alone_cannot_open_a_bac_only_chip() {
    let f = read(&mut simulated_card("bac-only").unwrap(), &can("012345")).unwrap_err();
    assert!(matches!(f.error, Error::NeedCredential(_)), "{:?}", f.error);
    assert!(f.error.to_string().contains("the CAN is not enough"));
    assert!(!f.error.is_retryable());
}

#[test]
fn a_pace_only_chip_refuses_bac_but_reads_with_pace() {
    let r = read(&mut simulated_card("pace-only").unwrap(), &mrz()).unwrap();
    assert!(matches!(r.verdict.access, Some(SessionAccess::Pace { password: PasswordKind::Mrz, .. })));
}

#[test]
fn a_wrong_can_is_denied_once_without_retrying_and_the_right_one_works() {
    let mut chip = simulated_card("rsa").unwrap();
    let f = read(&mut chip, &can("654321")).unwrap_err();
    assert!(matches!(f.error, Error::AccessDenied { .. }), "{:?}", f.error);
    assert!(f.error.to_string().contains("repeated wrong attempts can suspend or block"), "{}", f.error);
    // Exactly one PACE attempt reached the chip: no retry loop.
    let attempts = chip.log.iter().filter(|(c, _)| c.get(1) == Some(&0x22)).count();
    assert_eq!(attempts, 1);
    read(&mut chip, &can("012345")).expect("the right CAN reads");
    // A malformed CAN never reaches the chip.
    assert!(Can::new("12345").is_err());
    assert!(Can::new("12a456").is_err());
}

#[test]
fn a_chip_that_aborts_mid_pace_gives_a_clear_retryable_error() {
    // 0 SELECT MF, 1 READ BINARY of EF.CardAccess by its short EF identifier (the whole file at
    // once), 2 MSE:Set AT, 3 nonce, 4 mapping, 5 key agreement.
    for (at, fault, step) in [
        (4, Fault::Status(0x6A80), Some(Step::PaceMap)),
        (5, Fault::Status(0x6F00), Some(Step::PaceKeyAgreement)),
        (3, Fault::Remove, None),
    ] {
        let mut chip = simulated_card("ecdsa-p256").unwrap();
        chip.inject(at, fault);
        let f = read(&mut chip, &can("012345")).unwrap_err();
        match (&f.error, step) {
            (Error::Status { step: s, .. }, Some(want)) => assert_eq!(*s, want),
            (Error::Transport { .. }, None) => {}
            (e, _) => panic!("at {at}: unexpected {e:?}"),
        }
        assert!(f.error.is_retryable(), "{}", f.error);
        assert!(f.partial.complete.is_empty());
        chip.reinsert();
        chip.clear_faults();
        assert!(read(&mut chip, &can("012345")).unwrap().verdict.is_verified());
    }
}

#[test]
fn chip_authentication_proves_the_chip_and_catches_a_clone() {
    // AES (MSE:Set AT + GENERAL AUTHENTICATE) on P-256, with active authentication too.
    let r = read(&mut simulated_card("ecdsa-p256").unwrap(), &mrz()).unwrap();
    assert_eq!(r.verdict.chip_auth, cancuoc_core::verdict::ActiveAuthStatus::Passed);
    assert_eq!(r.verdict.active_auth, cancuoc_core::verdict::ActiveAuthStatus::Passed);
    assert!(r.verdict.is_verified());
    // 3DES (MSE:Set KAT) on brainpoolP256r1, the only clone proof of that chip.
    let mut chip = simulated_card("ca-3des").unwrap();
    let r = read(&mut chip, &can("012345")).unwrap();
    assert_eq!(r.verdict.chip_auth, cancuoc_core::verdict::ActiveAuthStatus::Passed);
    assert_eq!(r.verdict.active_auth, cancuoc_core::verdict::ActiveAuthStatus::NotSupported);
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    assert!(chip.log.iter().any(|(c, _)| c.get(1) == Some(&0x22) && c.get(2..4) == Some(&[0x41, 0xA6])), "MSE:Set KAT");
    // A clone: DG14's key is genuine, the chip's is not.
    let r = read(&mut simulated_card("wrong-ca-key").unwrap(), &mrz()).unwrap();
    let f = r.verdict.failures();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(matches!(
        &f[0],
        cancuoc_core::verdict::Failure::ChipAuthentication {
            status: cancuoc_core::verdict::ActiveAuthStatus::Failed(_)
        }
    ));
    assert!(r.verdict.summary().contains("possible cloned chip"), "{}", r.verdict.summary());
    // Every file was still read and the passive checks passed.
    use cancuoc_core::verdict::HashStatus;
    assert!(
        r.verdict
            .data_groups
            .iter()
            .all(|d| d.status == HashStatus::Match || (d.dg == 3 && d.status == HashStatus::NotRead))
    );
    assert_eq!(r.verdict.sod_signature, cancuoc_core::verdict::SignatureStatus::Valid);
}

#[test]
fn switching_chip_authentication_off_is_reported() {
    let trust = trust_store();
    let mut opts = ReadOptions::cccd(&trust, NOW);
    opts.chip_auth = false;
    // With active authentication passing, skipping CA still leaves a clone proof.
    let r = read_card(simulated_card("ecdsa-p256").unwrap(), &mrz(), &opts, &mut os_rng(), None, &mut |_| {}).unwrap();
    assert_eq!(r.verdict.chip_auth, cancuoc_core::verdict::ActiveAuthStatus::NotAttempted);
    assert!(r.verdict.is_verified());
    // Without active authentication, the card is not verified and the verdict says why.
    let r = read_card(simulated_card("ca-3des").unwrap(), &mrz(), &opts, &mut os_rng(), None, &mut |_| {}).unwrap();
    assert!(!r.verdict.is_verified());
    assert!(r.verdict.summary().contains("chip authentication was not performed"), "{}", r.verdict.summary());
}

#[test]
fn pace_cam_proves_the_chip_without_a_separate_chip_authentication() {
    let mut chip = simulated_card("pace-cam").unwrap();
    let r = read(&mut chip, &can("012345")).unwrap();
    assert_eq!(r.verdict.chip_auth, cancuoc_core::verdict::ActiveAuthStatus::Passed);
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    // No MSE:Set AT for chip authentication (41 A4) was needed.
    assert!(!chip.log.iter().any(|(c, _)| c.get(1) == Some(&0x22) && c.get(2..4) == Some(&[0x41, 0xA4])));
    let r = read(&mut simulated_card("wrong-cam-key").unwrap(), &can("012345")).unwrap();
    assert!(!r.verdict.is_verified());
    assert!(r.verdict.summary().contains("does not match the DG14 chip-authentication key"), "{}", r.verdict.summary());
}

#[test]
fn pace_is_not_intermittent() {
    // A dropped leading zero in a point or value encoding fails about 1 run in 256: run enough
    // sessions on each curve family that such a bug would show.
    for variant in ["rsa", "ecdsa-p256", "pace-im-p256", "pace-cam", "pace-dh-im"] {
        for i in 0..12 {
            let mut chip = simulated_card(variant).unwrap();
            let trust = trust_store();
            let mut opts = ReadOptions::cccd(&trust, NOW);
            opts.data_groups = vec![1, 14];
            let r = read_card(&mut chip, &can("012345"), &opts, &mut os_rng(), None, &mut |_| {})
                .unwrap_or_else(|f| panic!("{variant} run {i}: {}", f.error));
            assert!(
                r.verdict.data_groups.iter().any(|d| d.dg == 1 && d.status == cancuoc_core::verdict::HashStatus::Match)
            );
        }
    }
}

#[test]
fn a_pace_only_chip_with_an_unsupported_variant_names_it() {
    // brainpoolP320r1 (ID 14) has no arithmetic in this build; the chip also refuses BAC.
    let mut spec = cancuoc_sim::CardSpec::variant("pace-only").unwrap();
    spec.pace = Some((cancuoc_sim::image::pace_oid::ECDH_GM_AES256, 14));
    let mut chip = SimChip::new(cancuoc_sim::build(&spec));
    let f = read(&mut chip, &mrz()).unwrap_err();
    assert!(matches!(f.error, Error::Pace(cancuoc_core::pace::PaceError::Unsupported(_))), "{:?}", f.error);
    assert!(f.error.to_string().contains("0.4.0.127.0.7.2.2.4.2.4"), "{}", f.error);
    assert!(!f.error.is_retryable());
}

#[test]
fn the_id_number_alone_gives_the_can_and_the_card_opens_by_pace() {
    let c = Credentials::from_id_number(PERSONA.id_number, None).unwrap();
    assert_eq!(c.can.as_ref().map(Can::as_str), Some("012345"));
    assert!(c.mrz.is_none());
    let r = read(&mut simulated_card("rsa").unwrap(), &c).unwrap();
    assert!(matches!(r.verdict.access, Some(SessionAccess::Pace { password: PasswordKind::Can, .. })));
    assert!(r.verdict.is_verified());
    assert!(Credentials::from_id_number("07919501234", None).is_err(), "11 digits");
    assert!(Credentials::from_id_number("07919501234x", None).is_err());
}

#[test]
fn a_chip_that_refuses_pace_is_read_by_bac_and_the_verdict_says_so() {
    let dates = (PERSONA.dob_yymmdd(), PERSONA.expiry_yymmdd());
    let c = Credentials::from_id_number(PERSONA.id_number, Some((&dates.0, &dates.1))).unwrap();
    let mut chip = simulated_card("pace-refused").unwrap();
    let r = read(&mut chip, &c).unwrap();
    assert!(r.verdict.is_verified());
    match &r.verdict.access {
        Some(SessionAccess::BacAfterPace { pace_error }) => assert!(pace_error.contains("6982"), "{pace_error}"),
        other => panic!("{other:?}"),
    }
    // Without the dates there is nothing to fall back to: the refusal is the error.
    let f = read(&mut simulated_card("pace-refused").unwrap(), &can("012345")).unwrap_err();
    assert!(f.error.to_string().contains("PACE"), "{}", f.error);
}

#[test]
fn a_refused_can_falls_back_to_bac_but_a_refused_mrz_key_is_not_tried_twice() {
    // A CAN that is not this card's (another card series' convention) with the right MRZ key.
    let c = Credentials { can: Some(Can::new("999999").unwrap()), mrz: Some(PERSONA.access_key()) };
    let r = read(&mut simulated_card("rsa").unwrap(), &c).unwrap();
    assert!(matches!(r.verdict.access, Some(SessionAccess::BacAfterPace { .. })), "{:?}", r.verdict.access);
    assert!(r.verdict.is_verified());
    // A wrong MRZ key refused by PACE: no BAC attempt with the same key (no GET CHALLENGE sent).
    let wrong = cancuoc_core::AccessKey::new(PERSONA.document_number(), "16/03/1995", "15/03/2035").unwrap();
    let mut chip = simulated_card("rsa").unwrap();
    let f = read(&mut chip, &Credentials::mrz(wrong)).unwrap_err();
    assert!(matches!(f.error, Error::AccessDenied { .. }), "{:?}", f.error);
    assert!(!chip.log.iter().any(|(c, _)| c.get(1) == Some(&0x84)), "no GET CHALLENGE after a refused MRZ key");
}

#[test]
fn the_simulated_card_is_built_like_a_real_cccd() {
    use cancuoc_core::files::FileId;
    let image = cancuoc_sim::build(&cancuoc_sim::CardSpec::default());
    assert_eq!(hex::encode(image.file(FileId::CardAccess).unwrap()), cancuoc_sim::image::REAL_CARD_ACCESS);
    let com = cancuoc_core::lds::com::parse(image.file(FileId::Com).unwrap()).unwrap();
    let dgs: Vec<FileId> = com.data_groups.clone();
    assert_eq!(dgs, [1, 2, 3, 13, 14, 15].map(FileId::Dg));
    assert_eq!(image.can, &PERSONA.id_number[6..]);
    assert_eq!(cancuoc_sim::image::CAN, image.can);
    let mrz = String::from_utf8(image.file(FileId::Dg(1)).unwrap()[5..].to_vec()).unwrap();
    assert_eq!(&mrz[..30], "IDVNM1950123452079195012345<<2", "line 1: last 9 digits, check, 12-digit ID, <<, check");
    // DG3 answers 6982, SELECT MF 6D00.
    let mut chip = simulated_card("rsa").unwrap();
    let trust = trust_store();
    let mut opts = ReadOptions::cccd(&trust, NOW);
    opts.data_groups = vec![1, 3];
    let f = read_card(&mut chip, &can("012345"), &opts, &mut os_rng(), None, &mut |_| {}).unwrap_err();
    assert!(f.error.to_string().contains("6982"), "{}", f.error);
    assert_eq!(chip.log.first().map(|(c, r)| (c[1], r[r.len() - 2..].to_vec())), Some((0xA4, vec![0x6D, 0x00])));
}
