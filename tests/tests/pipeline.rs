//! The whole pipeline against the simulated chip: every genuine variant verifies, every forged
//! variant is NOT verified with the right reason, a wrong key is refused clearly, interrupted reads
//! resume, and the committed test PKI is what its generator makes.

use cancuoc_core::AccessKey;
use cancuoc_core::apdu::TransportLimits;
use cancuoc_core::error::Error;
use cancuoc_core::files::FileId;
use cancuoc_core::lds::dg2::ImageFormat;
use cancuoc_core::read::{CardRead, Credentials, Overlap, ReadFailure, ReadOptions, read_card, read_card_overlapped};
use cancuoc_core::verdict::{ActiveAuthStatus, CertRole, ChainStatus, Failure, HashStatus, SignatureStatus};
use cancuoc_sim::{Fault, PERSONA, SimChip, TwoThreads, os_rng, simulated_card, trust_store};

/// 2026-11-23T00:00:00Z.
const NOW: u64 = 1_795_392_000;

fn read(chip: &mut SimChip, key: &AccessKey) -> Result<CardRead, ReadFailure> {
    read_with(chip, &Credentials::mrz(key.clone()))
}

fn read_with(chip: &mut SimChip, credentials: &Credentials) -> Result<CardRead, ReadFailure> {
    let trust = trust_store();
    let opts = ReadOptions::cccd(&trust, NOW);
    read_card(chip, credentials, &opts, &mut os_rng(), None, &mut |_| {})
}

fn read_variant(name: &str) -> CardRead {
    let mut chip = simulated_card(name).expect("known variant");
    read(&mut chip, &PERSONA.access_key()).unwrap_or_else(|f| panic!("{name}: read failed: {}", f.error))
}

#[test]
fn genuine_variants_verify_with_every_field() {
    for name in ["rsa", "ecdsa-p256", "ecdsa-bp256", "jpeg2000", "short-apdu", "large-photo", "no-aa"] {
        let r = read_variant(name);
        assert!(r.verdict.is_verified(), "{name}: {}", r.verdict.summary());
        assert!(r.parse_errors.is_empty(), "{name}: {:?}", r.parse_errors);
        let d13 = r.dg13.as_ref().expect("DG13");
        assert_eq!(d13.full_name.as_deref(), Some("Nguyễn Thị Thu Hà"));
        assert_eq!(d13.id_number.as_deref(), Some("079195012345"));
        assert_eq!(d13.place_of_residence.as_deref(), Some(PERSONA.place_of_residence));
        assert_eq!(d13.mother_name.as_deref(), Some("Trần Thị Cúc"));
        assert_eq!(d13.old_id_number.as_deref(), Some("012345678"));
        let mrz = &r.dg1.as_ref().expect("DG1").mrz;
        assert_eq!(mrz.document_number, "195012345");
        assert_eq!(mrz.primary_identifier, "NGUYEN");
        assert_eq!(mrz.secondary_identifier, "THI THU HA");
        assert!(mrz.checks.all_valid());
        let face = &r.dg2.as_ref().expect("DG2").faces[0];
        let expect_jp2 = name == "jpeg2000" || name == "ecdsa-bp256";
        assert_eq!(face.format, if expect_jp2 { ImageFormat::Jpeg2000 } else { ImageFormat::Jpeg });
        if expect_jp2 {
            assert_eq!(&face.image[..12], b"\0\0\0\x0CjP  \r\n\x87\n");
        } else {
            assert_eq!(&face.image[..2], &[0xFF, 0xD8]);
        }
        let aa = if name == "no-aa" { ActiveAuthStatus::NotSupported } else { ActiveAuthStatus::Passed };
        assert_eq!(r.verdict.active_auth, aa, "{name}");
        // Every DG matches, except DG3 (fingerprints): in the SOD, refused by the chip (6982).
        assert!(
            r.verdict
                .data_groups
                .iter()
                .all(|d| d.status == HashStatus::Match || (d.dg == 3 && d.status == HashStatus::NotRead)),
            "{name}: {:?}",
            r.verdict.data_groups
        );
    }
}

#[test]
fn forged_variants_are_not_verified_and_say_why() {
    type Expect = fn(&Failure) -> bool;
    let cases: [(&str, Expect); 10] = [
        ("tampered-dg1", |f| *f == Failure::DataGroupHash { dg: 1, status: HashStatus::Mismatch }),
        ("tampered-dg2", |f| *f == Failure::DataGroupHash { dg: 2, status: HashStatus::Mismatch }),
        ("tampered-dg13", |f| *f == Failure::DataGroupHash { dg: 13, status: HashStatus::Mismatch }),
        ("bad-sod-signature", |f| *f == Failure::SodSignature { status: SignatureStatus::Invalid }),
        ("unknown-csca", |f| *f == Failure::CertificateChain { status: ChainStatus::CscaUnknown }),
        ("forged-ds", |f| *f == Failure::CertificateChain { status: ChainStatus::BadSignature }),
        ("expired-ds", |f| {
            matches!(
                f,
                Failure::CertificateChain { status: ChainStatus::Expired { role: CertRole::DocumentSigner, .. } }
            )
        }),
        ("wrong-aa-key", |f| matches!(f, Failure::ActiveAuthentication { status: ActiveAuthStatus::Failed(_) })),
        ("revoked-ds", |f| {
            matches!(
                f,
                Failure::CertificateChain { status: ChainStatus::Revoked { role: CertRole::DocumentSigner, .. } }
            )
        }),
        ("revoked-csca", |f| {
            matches!(f, Failure::CertificateChain { status: ChainStatus::Revoked { role: CertRole::Csca, .. } })
        }),
    ];
    for (name, is_expected) in cases {
        let r = read_variant(name);
        assert!(!r.verdict.is_verified(), "{name} must not verify");
        let failures = r.verdict.failures();
        assert_eq!(failures.len(), 1, "{name}: exactly one check fails, got {failures:?}");
        assert!(is_expected(&failures[0]), "{name}: wrong reason {failures:?}");
        assert!(r.verdict.summary().starts_with("NOT verified: "), "{name}");
    }
    // The tampered name is what the clerk would see — but flagged.
    let r = read_variant("tampered-dg13");
    assert_eq!(r.dg13.unwrap().full_name.as_deref(), Some("Nguyễn Thị Thu Ià"));
    assert!(read_variant("unknown-csca").verdict.only_signer_untrusted());
}

/// An `Overlap` that runs neither part (a broken board implementation): the read still does both.
struct Neither;

impl Overlap for Neither {
    fn both(&mut self, _: &mut (dyn FnMut() + Send), _: &mut dyn FnMut()) {}
}

#[test]
fn passive_authentication_on_a_second_thread_gives_the_same_verdict() {
    // The reader board runs passive authentication on its other core while core 1 asks the chip
    // for its proofs (issue 39); the verdict must be the one a single thread reaches, genuine or
    // forged, and a broken overlap that runs nothing must not pass a card unchecked.
    let trust = trust_store();
    let opts = ReadOptions::cccd(&trust, NOW);
    let key = Credentials::mrz(PERSONA.access_key());
    for name in ["rsa", "ecdsa-bp256", "tampered-dg13", "bad-sod-signature", "forged-ds", "wrong-aa-key"] {
        let one = read_variant(name);
        let mut two = TwoThreads::default();
        let mut chip = simulated_card(name).unwrap();
        let r = read_card_overlapped(&mut chip, &key, &opts, &mut os_rng(), None, &mut |_| {}, &mut two)
            .unwrap_or_else(|f| panic!("{name}: {}", f.error));
        assert_eq!(two.elsewhere_runs, 1, "{name}: passive authentication ran on the second thread");
        assert_eq!(r.verdict, one.verdict, "{name}");
        let mut chip = simulated_card(name).unwrap();
        let r = read_card_overlapped(&mut chip, &key, &opts, &mut os_rng(), None, &mut |_| {}, &mut Neither)
            .unwrap_or_else(|f| panic!("{name}: {}", f.error));
        assert_eq!(r.verdict, one.verdict, "{name}: both parts done after an overlap that ran neither");
    }
}

#[test]
fn wrong_access_key_is_denied_clearly() {
    let mut chip = simulated_card("rsa").unwrap();
    let wrong = AccessKey::new(PERSONA.document_number(), "950316", &PERSONA.expiry_yymmdd()).unwrap();
    let f = read(&mut chip, &wrong).expect_err("wrong key must fail");
    assert!(matches!(f.error, Error::AccessDenied { .. }), "{:?}", f.error);
    assert!(!f.error.is_retryable());
    assert!(f.error.to_string().contains("check document number, date of birth, expiry"), "{}", f.error);
    assert!(f.partial.complete.is_empty());
    // The chip is not blocked: the right key works next.
    read(&mut chip, &PERSONA.access_key()).expect("right key reads");
}

#[test]
fn removal_mid_read_keeps_data_and_a_retry_resumes() {
    // Short APDUs make DG2 take ~80 reads; the card is pulled away in the middle of it.
    let short = || simulated_card("rsa").unwrap().with_limits(TransportLimits::SHORT);
    let mut baseline = short();
    let full = read(&mut baseline, &PERSONA.access_key()).unwrap();
    let total = baseline.exchanges();
    let mut chip = short();
    chip.inject(total / 2, Fault::Remove);
    let f = read(&mut chip, &PERSONA.access_key()).expect_err("removal fails the read");
    assert!(matches!(f.error, Error::Transport { .. }), "{:?}", f.error);
    assert!(f.error.is_retryable());
    assert!(f.error.to_string().contains("removed"), "{}", f.error);
    assert!(f.partial.complete.contains_key(&FileId::Sod));
    let (file, bytes) = f.partial.in_progress.clone().expect("DG2 was being read");
    assert_eq!(file, FileId::Dg(2));
    assert!(!bytes.is_empty() && bytes.len() < full.files[&FileId::Dg(2)].len());
    assert_eq!(bytes[..], full.files[&FileId::Dg(2)][..bytes.len()], "what was read is kept intact");
    chip.reinsert();
    chip.clear_faults();
    let before = chip.exchanges();
    let trust = trust_store();
    let r = read_card(
        &mut chip,
        &Credentials::mrz(PERSONA.access_key()),
        &ReadOptions::cccd(&trust, NOW),
        &mut os_rng(),
        Some(f.partial),
        &mut |_| {},
    )
    .expect("retry completes");
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    assert_eq!(r.files, full.files);
    // Resuming costs what was left (total − cut) plus a new session (SELECT MF, EF.CardAccess,
    // PACE, SELECT app: 10) and re-selecting the cut file (1) — not a full read.
    let retry = chip.exchanges() - before;
    let cut = total / 2;
    assert!(retry <= total - cut + 11, "the retry resumed: {retry} exchanges, {} were left", total - cut);
}

#[test]
fn bad_mac_from_the_chip_is_an_error_never_data() {
    // BAC over short APDUs (with extended length, a broken read is first retried once in a new
    // session with short reads — the fault matrix covers that): 0 SELECT MF, 1 READ EF.CardAccess
    // by its short EF identifier (absent), 2 SELECT EF.CardAccess (absent), 3 SELECT app, 4-5 BAC,
    // 6 READ EF.COM by its short EF identifier under secure messaging.
    let mut chip = simulated_card("bac-only").unwrap().with_limits(TransportLimits::SHORT);
    chip.inject(6, Fault::CorruptMac);
    let f = read(&mut chip, &PERSONA.access_key()).expect_err("bad MAC stops the read");
    assert!(
        matches!(f.error, Error::SecureMessaging { error: cancuoc_core::sm::SmError::BadMac, .. }),
        "{:?}",
        f.error
    );
    // PACE: 0 SELECT MF, 1 READ EF.CardAccess by its short EF identifier, 2 MSE, 3-6 GENERAL
    // AUTHENTICATE, 7 SELECT app under SM.
    let mut chip = simulated_card("rsa").unwrap();
    chip.inject(7, Fault::CorruptMac);
    let f = read(&mut chip, &PERSONA.access_key()).expect_err("bad MAC stops the read");
    assert!(
        matches!(f.error, Error::SecureMessaging { error: cancuoc_core::sm::SmError::BadMac, .. }),
        "{:?}",
        f.error
    );
}

fn protected_reads(chip: &SimChip) -> impl Iterator<Item = &(Vec<u8>, Vec<u8>)> {
    chip.log.iter().filter(|(c, _)| c.first() == Some(&0x0C) && matches!(c.get(1), Some(0xB0 | 0xB1)))
}

#[test]
fn short_apdu_chip_and_short_reader_use_the_largest_short_block() {
    // A PC/SC-like reader and a chip that refuses extended length: the read falls back.
    let r = read_variant("short-apdu");
    assert!(r.verdict.is_verified());
    // A reader that only carries short APDUs, BAC (3DES): 231 plain bytes per read:
    // DO'87' (1 + 2 + 1 + 232) + DO'99' (4) + DO'8E' (10) + SW (2) = 252; 232 would need 240
    // encrypted bytes and overflow the 256-byte short response.
    let mut chip = simulated_card("bac-only").unwrap().with_limits(TransportLimits::SHORT);
    let r = read(&mut chip, &PERSONA.access_key()).unwrap();
    assert!(r.verdict.is_verified());
    assert_eq!(protected_reads(&chip).map(|(_, r)| r.len()).max().unwrap(), 252);
    // PACE with AES-128: 223 plain bytes → 16-byte blocks: 1 + 2 + 1 + 224 + 4 + 10 + 2 = 244.
    let mut chip = simulated_card("rsa").unwrap().with_limits(TransportLimits::SHORT);
    let r = read(&mut chip, &PERSONA.access_key()).unwrap();
    assert!(r.verdict.is_verified());
    assert_eq!(protected_reads(&chip).map(|(_, r)| r.len()).max().unwrap(), 244);
}

/// Reads a card built from `spec` with the persona's MRZ key (PACE when the card offers it).
fn read_spec(spec: &cancuoc_sim::CardSpec, limits: Option<TransportLimits>) -> (CardRead, SimChip) {
    let mut chip = SimChip::new(cancuoc_sim::build(spec));
    if let Some(l) = limits {
        chip = chip.with_limits(l);
    }
    let r = read(&mut chip, &PERSONA.access_key()).unwrap_or_else(|f| panic!("{spec:?}: {}", f.error));
    (r, chip)
}

#[test]
fn chips_that_refuse_short_ef_reads_or_a_whole_first_block_still_read_and_verify() {
    let baseline = read_variant("rsa");
    let selects =
        |chip: &SimChip| chip.log.iter().filter(|(c, _)| c.get(1) == Some(&0xA4) && c.get(2) == Some(&0x02)).count();
    // READ BINARY by short EF identifier refused in plain (which ends secure messaging), each way
    // ISO 7816-4 lets a chip say it: the reader learns it once, opens one new session and
    // SELECTs every file from then on.
    for refusal in [0x6A81, 0x6A86, 0x6B00, 0x6D00, 0x6E00] {
        for limits in [None, Some(TransportLimits::SHORT)] {
            let spec =
                cancuoc_sim::CardSpec { refuse_sfi: Some(refusal), ..cancuoc_sim::CardSpec::variant("rsa").unwrap() };
            let (r, chip) = read_spec(&spec, limits);
            assert!(r.verdict.is_verified(), "{refusal:04X}: {}", r.verdict.summary());
            assert_eq!(r.files, baseline.files, "{refusal:04X}: the same bytes");
            // EF.CardAccess, then every file of the application (and the SELECT that proves chip
            // authentication's keys).
            assert!(selects(&chip) > r.files.len(), "{refusal:04X}: {} SELECTs", selects(&chip));
            // One refusal per card: after the first, no more reads by SFI.
            let by_sfi = chip
                .log
                .iter()
                .filter(|(c, _)| matches!(c.get(1), Some(0xB0)) && c.get(2).is_some_and(|p| p & 0x80 != 0))
                .count();
            assert_eq!(by_sfi, 1, "{refusal:04X}: tried once");
        }
    }
    // A whole first block refused: a wrong-length status in plain (ending secure messaging), an
    // empty 6282, or 6Cxx naming what the file holds — each read and verified.
    for refusal in [0x6700, 0x6A86, 0x6282, 0x6C00] {
        let spec =
            cancuoc_sim::CardSpec { refuse_long_le: Some(refusal), ..cancuoc_sim::CardSpec::variant("rsa").unwrap() };
        let (r, _) = read_spec(&spec, None);
        assert!(r.verdict.is_verified(), "{refusal:04X}: {}", r.verdict.summary());
        assert_eq!(r.files, baseline.files, "{refusal:04X}: the same bytes");
        assert!(r.stats.apdus > baseline.stats.apdus, "{refusal:04X}: a header probe per file costs APDUs");
    }
    // Both at once, over BAC: the shipped variants do each alone.
    let spec = cancuoc_sim::CardSpec {
        refuse_sfi: Some(0x6A81),
        refuse_long_le: Some(0x6700),
        ..cancuoc_sim::CardSpec::variant("bac-only").unwrap()
    };
    let (r, _) = read_spec(&spec, None);
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    for v in ["no-sfi", "strict-le"] {
        let r = read_variant(v);
        assert!(r.verdict.is_verified(), "{v}: {}", r.verdict.summary());
        assert_eq!(r.files, baseline.files, "{v}: the same bytes");
    }
}

#[test]
fn extended_length_reads_a_file_in_one_block_and_odd_ins_past_32k() {
    let mut chip = simulated_card("large-photo").unwrap();
    let r = read(&mut chip, &PERSONA.access_key()).unwrap();
    assert!(r.verdict.is_verified());
    assert!(r.files[&FileId::Dg(2)].len() > 40_000);
    let files = r.files.len();
    assert_eq!(protected_reads(&chip).count(), files, "one block per file, no header probe ({files} files)");
    // No file is selected to be read: each is read by its short EF identifier (ICAO 9303-10
    // §3.11); the one SELECT by file identifier is the one that proves chip authentication's keys.
    let selects = chip.log.iter().filter(|(c, _)| c.get(1) == Some(&0xA4) && c.get(2) == Some(&0x02)).count();
    assert_eq!(selects, 1);
    // SELECT MF, one READ of EF.CardAccess, MSE + 4 GENERAL AUTHENTICATE, SELECT app, one READ
    // per file, INTERNAL AUTHENTICATE, chip authentication (MSE:Set AT, GENERAL AUTHENTICATE,
    // the SELECT that proves the new keys).
    assert_eq!(r.stats.apdus, 1 + 1 + 5 + 1 + files + 1 + 3);

    // Short APDUs on the same 40 KB photo cross offset 32 767: READ BINARY with odd INS B1.
    let mut chip = simulated_card("large-photo").unwrap().with_limits(TransportLimits::SHORT);
    let r = read(&mut chip, &PERSONA.access_key()).unwrap();
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    assert!(chip.log.iter().any(|(c, _)| c.get(1) == Some(&0xB1)), "offsets above 32 767 use READ BINARY B1");
}

#[test]
fn committed_pki_is_what_the_generator_makes() {
    assert_eq!(cancuoc_sim::pki::generate(), cancuoc_sim::pki::committed());
}

#[test]
fn the_demo_cards_are_what_the_generator_makes_and_read_the_same() {
    // The demo mode ships finished card images (bridge/demo/cards.bin) instead of the signing
    // keys: they must be exactly what the test PKI signs now, variant for variant.
    let bundle = cancuoc_sim::demo_bundle();
    assert!(
        bundle == cancuoc_demo::CARDS,
        "bridge/demo/cards.bin is stale: run `cargo run -p cancuoc-sim --bin gen-pki`"
    );
    let names = cancuoc_demo::card::bundle_names(cancuoc_demo::CARDS).unwrap();
    let listed: Vec<&str> = cancuoc_sim::VARIANTS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, listed);
    // Decoded, a shipped image is the built one, keys and behaviour included.
    for name in ["rsa", "ecdsa-p256", "pace-cam", "passport-td3", "sm-no-do99", "pace-refused"] {
        let shipped = cancuoc_demo::card::decode_from_bundle(cancuoc_demo::CARDS, name).unwrap().unwrap();
        let built = cancuoc_sim::build(&cancuoc_sim::CardSpec::variant(name).unwrap());
        assert_eq!(format!("{shipped:?}"), format!("{built:?}"), "{name}");
        assert_eq!(shipped.aa_key.map(|k| k.to_bytes()), built.aa_key.map(|k| k.to_bytes()), "{name}");
        assert_eq!(shipped.ca_key.map(|k| k.secret.0), built.ca_key.map(|k| k.secret.0), "{name}");
    }
    assert!(cancuoc_demo::card::decode_from_bundle(cancuoc_demo::CARDS, "no-such-card").unwrap().is_none());
    // A damaged bundle is an error that says so, not a panic.
    let err = cancuoc_demo::card::decode_from_bundle(&cancuoc_demo::CARDS[..100], "rsa").unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn the_demo_card_reads_verified_with_the_demo_trust_store() {
    let mut chip = cancuoc_demo::simulated_card("rsa").unwrap();
    let trust = cancuoc_demo::trust_store();
    let opts = cancuoc_core::read::ReadOptions::cccd(&trust, 1_780_000_000);
    let r = cancuoc_core::read::read_card(
        &mut chip,
        &cancuoc_core::Credentials::mrz(PERSONA.access_key()),
        &opts,
        &mut cancuoc_sim::os_rng(),
        None,
        &mut |_| {},
    )
    .unwrap_or_else(|f| panic!("{}", f.error));
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    // The demo trust store is the test PKI's deployment store, CRLs included.
    let forged = cancuoc_demo::simulated_card("revoked-ds").unwrap();
    let r = cancuoc_core::read::read_card(
        forged,
        &cancuoc_core::Credentials::mrz(PERSONA.access_key()),
        &opts,
        &mut cancuoc_sim::os_rng(),
        None,
        &mut |_| {},
    )
    .unwrap_or_else(|f| panic!("{}", f.error));
    assert!(!r.verdict.is_verified());
}

#[test]
fn a_t0_card_answers_through_get_response_and_verifies() {
    // T=0: every secured command says 61xx and its answer comes through GET RESPONSE.
    let mut chip = simulated_card("rsa").unwrap().t0();
    let r = read(&mut chip, &PERSONA.access_key()).unwrap_or_else(|f| panic!("{}", f.error));
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    let get_responses = chip.log.iter().filter(|(c, _)| c.get(1) == Some(&0xC0)).count();
    let sw61 = chip.log.iter().filter(|(_, r)| r.len() >= 2 && r[r.len() - 2] == 0x61).count();
    assert!(get_responses > 20 && get_responses == sw61, "{get_responses} GET RESPONSE for {sw61} 61xx");
    assert!(!chip.log.iter().any(|(c, _)| c.len() > 5 && c[4] == 0 && c.len() > 261), "no extended APDU on T=0");
}
