//! The PN532 front end: frames against the user manual's formats (UM0701-02 §6.2.1), SPI
//! transcripts with embedded-hal-mock, and a whole card read through a PN532 emulated at the SPI
//! byte level (the one piece of hardware we do not have) in front of the chip simulator.
//!
//! Long on purpose: one test binary per area is linked once; split into several it would link
//! as many times, which CI pays for on every run (docs/ci.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;

use cancuoc_core::apdu::{Transport, TransportError};
use cancuoc_core::read::{Credentials, ReadOptions, read_card};
use cancuoc_link::CardKind;
use cancuoc_reader::pn532::{Frame, FrontEndError, LIMITS, Pn532, encode_frame, parse_frame};
use cancuoc_sim::{Fault, PERSONA, SimChip, os_rng, simulated_card, trust_store};
use embedded_hal::spi::{ErrorType, Operation, SpiDevice};
use embedded_hal_mock::eh1::delay::NoopDelay;
use embedded_hal_mock::eh1::spi::{Mock as SpiMock, Transaction as T};
use pn532::spi::SPIInterface;

const NOW: u64 = 1_795_392_000;

/// The bus carries bits MSB first; the PN532 wants LSB first, so every byte is reversed.
fn rev(b: &[u8]) -> Vec<u8> {
    b.iter().map(|x| x.reverse_bits()).collect()
}

#[test]
fn host_frames_match_the_user_manual() {
    let mut f = Vec::new();
    // UM0701-02 §7.2.2: GetFirmwareVersion.
    encode_frame(&[0x02], &mut f).unwrap();
    assert_eq!(f, [0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD4, 0x02, 0x2A, 0x00]);
    // InListPassiveTarget, one type A target at 106 kbit/s.
    encode_frame(&[0x4A, 0x01, 0x00], &mut f).unwrap();
    assert_eq!(f, [0x00, 0x00, 0xFF, 0x04, 0xFC, 0xD4, 0x4A, 0x01, 0x00, 0xE1, 0x00]);
    // 300 bytes of TFI + data need the extended frame: FF FF LENM LENL LCS.
    let big = vec![0x40; 299];
    encode_frame(&big, &mut f).unwrap_err();
    let ok = vec![0x40; 264];
    encode_frame(&ok, &mut f).unwrap();
    assert_eq!(&f[..8], &[0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x09, 0xF6]);
    assert_eq!(f.len(), 8 + 265 + 2);
}

#[test]
fn pn532_frames_parse_and_bad_ones_are_named() {
    // The manual's GetFirmwareVersion answer: IC 0x32, version 1.6, support 0x07.
    let fw = [0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xE8, 0x00];
    assert_eq!(parse_frame(&fw), Ok(Frame::Info(&[0x03, 0x32, 0x01, 0x06, 0x07][..])));
    // SPI idle zeros before the frame and padding after it are fine.
    let mut padded = vec![0x00, 0x00];
    padded.extend_from_slice(&fw);
    padded.extend_from_slice(&[0x00; 20]);
    assert!(matches!(parse_frame(&padded), Ok(Frame::Info(_))));
    assert_eq!(parse_frame(&[0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00]), Ok(Frame::Ack));
    assert_eq!(parse_frame(&[0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00]), Ok(Frame::Nack));
    assert_eq!(parse_frame(&[0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00]), Ok(Frame::Error));
    let mut bad_lcs = fw;
    bad_lcs[4] = 0xFB;
    assert_eq!(parse_frame(&bad_lcs), Err(FrontEndError::Checksum));
    let mut bad_dcs = fw;
    bad_dcs[9] ^= 1;
    assert_eq!(parse_frame(&bad_dcs), Err(FrontEndError::Checksum));
    assert_eq!(parse_frame(&fw[..8]), Err(FrontEndError::BadFrame));
    assert_eq!(parse_frame(&[0x00; 30]), Err(FrontEndError::BadFrame));
    // An extended frame from the PN532.
    let mut data = vec![0xD5, 0x41, 0x00];
    data.extend(std::iter::repeat_n(0xAB, 262));
    let mut ext = vec![0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x09, 0xF6];
    ext.extend_from_slice(&data);
    ext.push(data.iter().fold(0u8, |s, &b| s.wrapping_add(b)).wrapping_neg());
    ext.push(0);
    match parse_frame(&ext) {
        Ok(Frame::Info(d)) => assert_eq!(d.len(), 264),
        other => panic!("{other:?}"),
    }
    // Every truncation of it is an error, never a panic.
    for n in 0..ext.len() - 1 {
        assert!(parse_frame(&ext[..n]).is_err(), "cut at {n}");
    }
}

// ---- SPI transcripts (embedded-hal-mock) ----

fn frame(data: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    encode_frame(data, &mut f).unwrap();
    f
}

/// A PN532 → host information frame with `data` after the TFI.
fn reply(data: &[u8]) -> Vec<u8> {
    let mut d = vec![0xD5];
    d.extend_from_slice(data);
    let mut f = vec![0x00, 0x00, 0xFF];
    if d.len() <= 255 {
        f.extend_from_slice(&[d.len() as u8, (d.len() as u8).wrapping_neg()]);
    } else {
        let [m, l] = (d.len() as u16).to_be_bytes();
        f.extend_from_slice(&[0xFF, 0xFF, m, l, m.wrapping_add(l).wrapping_neg()]);
    }
    f.extend_from_slice(&d);
    f.push(d.iter().fold(0u8, |s, &b| s.wrapping_add(b)).wrapping_neg());
    f.push(0);
    f
}

/// The SPI transactions of one command: write, ready, ACK, ready, response (read of `read_len`).
fn exchange(cmd: &[u8], response: &[u8], read_len: usize) -> Vec<T<u8>> {
    let mut resp = reply(response);
    resp.resize(read_len, 0);
    let mut v =
        vec![T::transaction_start(), T::write_vec(rev(&[0x01])), T::write_vec(rev(&frame(cmd))), T::transaction_end()];
    v.extend(ready());
    v.extend([
        T::transaction_start(),
        T::write_vec(rev(&[0x03])),
        T::read_vec(rev(&[0, 0, 0xFF, 0, 0xFF, 0])),
        T::transaction_end(),
    ]);
    v.extend(ready());
    v.extend([T::transaction_start(), T::write_vec(rev(&[0x03])), T::read_vec(rev(&resp)), T::transaction_end()]);
    v
}

fn ready() -> Vec<T<u8>> {
    vec![T::transaction_start(), T::transfer_in_place(rev(&[0x02, 0x00]), rev(&[0x02, 0x01])), T::transaction_end()]
}

#[test]
fn spi_transcript_firmware_version_init_and_type_a_poll() {
    let mut t = exchange(&[0x02], &[0x03, 0x32, 0x01, 0x06, 0x07], 16);
    t.extend(exchange(&[0x14, 0x01, 0x14, 0x00], &[0x15], 12));
    t.extend(exchange(&[0x32, 0x05, 0xFF, 0x01, 0x02], &[0x33], 12));
    t.extend(exchange(&[0x32, 0x02, 0x00, 0x0B, 0x0B], &[0x33], 12));
    // InListPassiveTarget type A: one target, ATQA 0x0004, SAK 0x20 (ISO 14443-4), 4-byte UID, ATS.
    t.extend(exchange(
        &[0x4A, 0x01, 0x00],
        &[0x4B, 0x01, 0x01, 0x00, 0x04, 0x20, 0x04, 0x08, 0x11, 0x22, 0x33, 0x05, 0x78, 0x80, 0x70, 0x02],
        76,
    ));
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    assert_eq!(p.firmware_version().unwrap(), (0x32, 1, 6));
    p.init().unwrap();
    let target = p.poll().unwrap().unwrap();
    assert_eq!(target.kind, CardKind::IsoA);
    assert_eq!(target.tg, 1);
    spi.done();
}

#[test]
fn spi_transcript_type_b_when_no_type_a() {
    let mut t = exchange(&[0x4A, 0x01, 0x00], &[0x4B, 0x00], 76);
    // Type B answers ATQB (12 bytes) and the ATTRIB response.
    t.extend(exchange(
        &[0x4A, 0x01, 0x03, 0x00],
        &[0x4B, 0x01, 0x01, 0x50, 1, 2, 3, 4, 0, 0, 0, 0, 0x00, 0x71, 0x85, 0x01, 0x00],
        76,
    ));
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    assert_eq!(p.poll().unwrap().map(|t| t.kind), Some(CardKind::IsoB));
    spi.done();
}

#[test]
fn spi_transcript_chains_a_long_apdu_out_and_a_long_response_back() {
    let mut t = exchange(&[0x4A, 0x01, 0x00], &[0x4B, 0x01, 0x01, 0x00, 0x04, 0x20, 0x04, 1, 2, 3, 4], 76);
    let apdu: Vec<u8> = (0..400u32).map(|i| i as u8).collect();
    // Out: 262 bytes with MI, then the last 138.
    let mut first = vec![0x40, 0x41];
    first.extend_from_slice(&apdu[..262]);
    t.extend(exchange(&first, &[0x41, 0x00], 275));
    let mut last = vec![0x40, 0x01];
    last.extend_from_slice(&apdu[262..]);
    // Back: the PN532 says MI (0x40) with 262 bytes, then the rest.
    let answer: Vec<u8> = (0..300u32).map(|i| (i * 7) as u8).collect();
    let mut r1 = vec![0x41, 0x40];
    r1.extend_from_slice(&answer[..262]);
    t.extend(exchange(&last, &r1, 275));
    let mut r2 = vec![0x41, 0x00];
    r2.extend_from_slice(&answer[262..]);
    t.extend(exchange(&[0x40, 0x01], &r2, 275));
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    p.poll().unwrap().unwrap();
    assert_eq!(p.transmit(&apdu).unwrap(), answer);
    spi.done();
}

#[test]
fn spi_transcript_timeout_then_no_card_is_card_removed() {
    let mut t = exchange(&[0x4A, 0x01, 0x00], &[0x4B, 0x01, 0x01, 0x00, 0x04, 0x20, 0x04, 1, 2, 3, 4], 76);
    t.extend(exchange(&[0x40, 0x01, 0x00, 0xB0, 0x00, 0x00, 0x04], &[0x41, 0x01], 275));
    // Diagnose 0x06 (presence check): status 0x01, the card is gone.
    t.extend(exchange(&[0x00, 0x06], &[0x01, 0x01], 13));
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    p.poll().unwrap().unwrap();
    assert_eq!(p.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x04]), Err(TransportError::CardRemoved));
    assert!(p.target().is_none());
    assert_eq!(p.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x04]), Err(TransportError::CardRemoved), "no card, no exchange");
    spi.done();
}

#[test]
fn spi_transcript_error_frame_and_bad_ack_are_errors() {
    // The PN532 answers its syntax-error frame.
    let mut t = vec![
        T::transaction_start(),
        T::write_vec(rev(&[0x01])),
        T::write_vec(rev(&frame(&[0x02]))),
        T::transaction_end(),
    ];
    t.extend(ready());
    t.extend([
        T::transaction_start(),
        T::write_vec(rev(&[0x03])),
        T::read_vec(rev(&[0, 0, 0xFF, 0, 0xFF, 0])),
        T::transaction_end(),
    ]);
    t.extend(ready());
    let mut err = vec![0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00];
    err.resize(16, 0);
    t.extend([T::transaction_start(), T::write_vec(rev(&[0x03])), T::read_vec(rev(&err)), T::transaction_end()]);
    // Then a garbled ACK.
    t.extend([
        T::transaction_start(),
        T::write_vec(rev(&[0x01])),
        T::write_vec(rev(&frame(&[0x02]))),
        T::transaction_end(),
    ]);
    t.extend(ready());
    t.extend([
        T::transaction_start(),
        T::write_vec(rev(&[0x03])),
        T::read_vec(rev(&[0, 0, 0xFF, 0xFF, 0, 0])),
        T::transaction_end(),
    ]);
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    assert_eq!(p.firmware_version(), Err(FrontEndError::Syntax));
    assert_eq!(p.firmware_version(), Err(FrontEndError::BadAck));
    spi.done();
}

#[test]
fn a_pn532_that_never_gets_ready_is_reported_not_waited_on_forever() {
    let mut t = vec![
        T::transaction_start(),
        T::write_vec(rev(&[0x01])),
        T::write_vec(rev(&frame(&[0x02]))),
        T::transaction_end(),
    ];
    for _ in 0..=100 {
        t.extend([T::transaction_start(), T::transfer_in_place(rev(&[0x02, 0x00]), vec![0, 0]), T::transaction_end()]);
    }
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    assert_eq!(p.firmware_version(), Err(FrontEndError::NotReady));
    spi.done();
}

// ---- A PN532 emulated at the SPI byte level, in front of the chip simulator ----

/// Speaks the PN532's SPI protocol (bit-reversed, DW/SR/DR) and frames, and forwards ISO-DEP
/// exchanges to the simulated chip, chaining in 262-byte pieces as the PN532 does.
struct EmulatedPn532 {
    chip: SimChip,
    card_in_field: bool,
    outbox: VecDeque<Vec<u8>>,
    command_in: Vec<u8>,
    response_out: VecDeque<u8>,
    pub frames_to_pn532: usize,
    pub apdus: usize,
}

impl EmulatedPn532 {
    fn new(chip: SimChip) -> Self {
        Self {
            chip,
            card_in_field: true,
            outbox: VecDeque::new(),
            command_in: Vec::new(),
            response_out: VecDeque::new(),
            frames_to_pn532: 0,
            apdus: 0,
        }
    }

    fn host_frame(&mut self, f: &[u8]) {
        self.frames_to_pn532 += 1;
        // Host frames carry TFI D4 (parse_frame is for the PN532's D5 frames): take them apart here.
        let (len, body) = if f[3] == 0xFF && f[4] == 0xFF {
            (u16::from_be_bytes([f[5], f[6]]) as usize, &f[8..])
        } else {
            (f[3] as usize, &f[5..])
        };
        assert_eq!(body[0], 0xD4);
        let data = &body[1..len];
        let answer = self.command(data[0], &data[1..]);
        self.outbox.push_back(vec![0, 0, 0xFF, 0, 0xFF, 0]);
        self.outbox.push_back(reply(&answer));
    }

    fn command(&mut self, code: u8, p: &[u8]) -> Vec<u8> {
        let mut out = vec![code + 1];
        match code {
            0x4A if self.card_in_field && p[1] == 0x00 => {
                out.extend_from_slice(&[1, 1, 0x00, 0x04, 0x20, 0x04, 1, 2, 3, 4])
            }
            0x4A => out.push(0),
            0x00 => out.push(if self.card_in_field { 0x00 } else { 0x01 }),
            0x40 => {
                let (tg, data) = p.split_first().unwrap();
                if data.is_empty() && !self.response_out.is_empty() {
                    return self.next_piece(out);
                }
                self.command_in.extend_from_slice(data);
                if tg & 0x40 != 0 {
                    out.push(0x00);
                    return out;
                }
                let apdu = std::mem::take(&mut self.command_in);
                self.apdus += 1;
                match self.chip.transmit(&apdu) {
                    Ok(r) => {
                        self.response_out = r.into();
                        return self.next_piece(out);
                    }
                    Err(TransportError::CardRemoved) => {
                        self.card_in_field = false;
                        out.push(0x01);
                    }
                    Err(_) => out.push(0x01),
                }
            }
            _ => {}
        }
        out
    }

    fn next_piece(&mut self, mut out: Vec<u8>) -> Vec<u8> {
        let n = self.response_out.len().min(262);
        let piece: Vec<u8> = self.response_out.drain(..n).collect();
        out.push(if self.response_out.is_empty() { 0x00 } else { 0x40 });
        out.extend(piece);
        out
    }
}

impl ErrorType for EmulatedPn532 {
    type Error = core::convert::Infallible;
}

impl SpiDevice for EmulatedPn532 {
    fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), Self::Error> {
        match ops {
            [Operation::TransferInPlace(buf)] => {
                assert_eq!(buf[0].reverse_bits(), 0x02, "status read");
                buf[1] = if self.outbox.is_empty() { 0 } else { 0x01u8.reverse_bits() };
            }
            [Operation::Write(op), Operation::Write(f)] if op[0].reverse_bits() == 0x01 => {
                let f = rev(f);
                self.host_frame(&f);
            }
            [Operation::Write(op), Operation::Read(buf)] if op[0].reverse_bits() == 0x03 => {
                let f = self.outbox.pop_front().expect("a frame is ready");
                assert!(f.len() <= buf.len(), "host read {} bytes of a {}-byte frame", buf.len(), f.len());
                buf.fill(0);
                buf[..f.len()].copy_from_slice(&rev(&f));
            }
            _ => panic!("unexpected SPI transaction"),
        }
        Ok(())
    }
}

#[test]
fn a_whole_card_reads_and_verifies_through_the_pn532_with_extended_length_chaining() {
    let chip = simulated_card("rsa").unwrap();
    let emu = EmulatedPn532::new(chip);
    let mut p = Pn532::new(SPIInterface { spi: emu }, NoopDelay);
    assert!(p.poll().unwrap().is_some());
    let trust = trust_store();
    let r = read_card(
        &mut p,
        &Credentials::mrz(PERSONA.access_key()),
        &ReadOptions::cccd(&trust, NOW),
        &mut os_rng(),
        None,
        &mut |_| {},
    )
    .unwrap_or_else(|f| panic!("{}", f.error));
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
    assert_eq!(r.dg13.unwrap().id_number.as_deref(), Some("079195012345"));
    let (bus, _) = p.release();
    let emu = bus.spi;
    // The photo came in 4 KB extended reads, each chained back in 262-byte pieces: far more
    // PN532 frames than APDUs.
    assert!(emu.apdus < 40, "{} APDUs", emu.apdus);
    assert!(emu.frames_to_pn532 > emu.apdus + 60, "{} frames for {} APDUs", emu.frames_to_pn532, emu.apdus);
    assert_eq!(LIMITS.max_response, 4098);
}

#[test]
fn card_pulled_mid_read_through_the_pn532_is_card_removed_and_a_retry_completes() {
    let mut chip = simulated_card("ecdsa-p256").unwrap();
    chip.inject(12, Fault::Remove);
    let mut p = Pn532::new(SPIInterface { spi: EmulatedPn532::new(chip) }, NoopDelay);
    p.poll().unwrap().unwrap();
    let trust = trust_store();
    let opts = ReadOptions::cccd(&trust, NOW);
    let key = Credentials::mrz(PERSONA.access_key());
    let failure = read_card(&mut p, &key, &opts, &mut os_rng(), None, &mut |_| {}).unwrap_err();
    assert!(
        matches!(failure.error, cancuoc_core::Error::Transport { error: TransportError::CardRemoved, .. }),
        "{}",
        failure.error
    );
    // The card comes back: poll finds it, and the read resumes from what was kept.
    let (mut bus, delay) = p.release();
    bus.spi.chip.clear_faults();
    bus.spi.chip.reinsert();
    bus.spi.card_in_field = true;
    let mut p = Pn532::new(bus, delay);
    p.poll().unwrap().unwrap();
    let r = read_card(&mut p, &key, &opts, &mut os_rng(), Some(failure.partial), &mut |_| {}).unwrap();
    assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
}

/// TA(1) of the answer to select, read as ISO/IEC 14443-4 §5.2.4 lays it out, on ATS bytes
/// written by hand and on two published ones: a MIFARE DESFire EV1/EV2's `06 75 77 81 02 80`
/// (Proxmark3's `hf 14a info` decodes its TA(1) 0x77 as "different divisors are supported,
/// DR: [2, 4, 8], DS: [2, 4, 8]") and a JCOP31 v2.4.1's `78 77 B1 02 4A 43 4F 50 76 32 34 31`
/// from the public ATQA/SAK/ATS tables (printed without TL).
#[test]
fn the_rate_a_card_offers_is_read_from_ta1_of_its_ats() {
    use cancuoc_reader::pn532::{BitRate, rate_offered};
    let cases: &[(&[u8], BitRate, &str)] = &[
        (&[0x06, 0x75, 0x77, 0x81, 0x02, 0x80], BitRate::Kbps424, "DESFire EV1: up to 848 both ways, we take 424"),
        (
            &[0x0D, 0x78, 0x77, 0xB1, 0x02, 0x4A, 0x43, 0x4F, 0x50, 0x76, 0x32, 0x34, 0x31],
            BitRate::Kbps424,
            "JCOP31 v2.4.1",
        ),
        (&[0x05, 0x78, 0x80, 0x70, 0x02], BitRate::Kbps106, "TA(1) 0x80: same rate both ways, nothing above 106"),
        (&[0x05, 0x78, 0x91, 0x70, 0x02], BitRate::Kbps212, "TA(1) 0x91: 212 both ways"),
        (&[0x05, 0x78, 0xB3, 0x70, 0x02], BitRate::Kbps424, "TA(1) 0xB3: 212 and 424 both ways"),
        (&[0x05, 0x78, 0x20, 0x70, 0x02], BitRate::Kbps106, "424 card → reader only: not both ways"),
        (&[0x05, 0x78, 0x3B, 0x70, 0x02], BitRate::Kbps106, "b4 set (RFU): treated as offering nothing"),
        (&[0x04, 0x68, 0x70, 0x02], BitRate::Kbps106, "T0 without TA(1): the next byte is TB(1)"),
        (&[0x01], BitRate::Kbps106, "TL alone"),
        (&[], BitRate::Kbps106, "no ATS"),
    ];
    for (ats, rate, why) in cases {
        assert_eq!(rate_offered(ats), *rate, "{why}");
    }
}

/// A card that offers 424 kbit/s is switched to it with InPSL (UM0701-02 §7.3.4: Tg, BRit, BRti);
/// one the PN532 cannot switch stays at 106, and so does the next activation of a card on the
/// antenna until none is found.
#[test]
fn spi_transcript_pps_to_424_and_back_to_106_when_refused() {
    use cancuoc_reader::pn532::BitRate;
    let desfire = [0x4B, 0x01, 0x01, 0x03, 0x44, 0x20, 0x07, 1, 2, 3, 4, 5, 6, 7, 0x06, 0x75, 0x77, 0x81, 0x02, 0x80];
    let mut t = exchange(&[0x4A, 0x01, 0x00], &desfire, 76);
    t.extend(exchange(&[0x4E, 0x01, 0x02, 0x02], &[0x4F, 0x00], 13));
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    assert_eq!(p.poll().unwrap().map(|t| t.rate), Some(BitRate::Kbps424));
    spi.done();

    // Refused (status 0x01: the card did not answer the PPS): 106, and no second try on the next
    // activation; once no card is found, the next card is asked again.
    let mut t = exchange(&[0x4A, 0x01, 0x00], &desfire, 76);
    t.extend(exchange(&[0x4E, 0x01, 0x02, 0x02], &[0x4F, 0x01], 13));
    t.extend(exchange(&[0x4A, 0x01, 0x00], &desfire, 76));
    t.extend(exchange(&[0x4A, 0x01, 0x00], &[0x4B, 0x00], 76));
    t.extend(exchange(&[0x4A, 0x01, 0x03, 0x00], &[0x4B, 0x00], 76));
    t.extend(exchange(&[0x4A, 0x01, 0x00], &desfire, 76));
    t.extend(exchange(&[0x4E, 0x01, 0x02, 0x02], &[0x4F, 0x00], 13));
    let mut spi = SpiMock::new(&t);
    let mut p = Pn532::new(SPIInterface { spi: spi.clone() }, NoopDelay);
    assert_eq!(p.poll().unwrap().map(|t| t.rate), Some(BitRate::Kbps106));
    assert_eq!(p.poll().unwrap().map(|t| t.rate), Some(BitRate::Kbps106));
    assert_eq!(p.poll().unwrap(), None);
    assert_eq!(p.poll().unwrap().map(|t| t.rate), Some(BitRate::Kbps424));
    spi.done();
}

// ---- The board's own SPI front end: answers read by length, readiness from the IRQ line ----

/// Frame lengths as UM0701-02 §6.2.1 lays the frames out, on frames written by hand: the ACK and
/// NACK, the error frame, the manual's GetFirmwareVersion answer, an extended frame's head.
#[test]
fn a_frames_length_is_read_from_its_head() {
    use cancuoc_reader::pn532::frame_len;
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00]), Some(6));
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00]), Some(6));
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00]), Some(8));
    let fw = [0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xE8, 0x00];
    assert_eq!(frame_len(&fw[..8]), Some(13));
    // Without the preamble, and after two bytes of SPI idle fill.
    assert_eq!(frame_len(&fw[1..9]), Some(12));
    assert_eq!(frame_len(&[0x00, 0x00, 0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5]), Some(15));
    // Extended: FF FF, LENM LENL = 0x0109 (265), LCS.
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x09, 0xF6]), Some(3 + 5 + 265 + 2));
    // A bad length checksum, no start code, too few bytes: not known.
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF, 0x06, 0xFB, 0xD5, 0x03, 0x32]), None);
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x09, 0xF7]), None);
    assert_eq!(frame_len(&[0x12; 8]), None);
    assert_eq!(frame_len(&[0x00, 0x00, 0xFF]), None);
}

#[derive(Clone, Copy, PartialEq)]
enum IrqLine {
    /// Low while the PN532 has a frame to read.
    Wired,
    /// Not connected; the pull-up holds it high.
    PulledUp,
    /// Shorted to ground.
    StuckLow,
}

struct WireState {
    pn: EmulatedPn532,
    irq: IrqLine,
    mode: Option<u8>,
    inbuf: Vec<u8>,
    pos: usize,
    /// Bytes clocked out of the PN532 after the end of the frame being read.
    overread: usize,
    status_reads: usize,
}

/// The emulated PN532 on a bare SPI bus, byte by byte, with its chip select and IRQ lines.
#[derive(Clone)]
struct Wire(std::rc::Rc<std::cell::RefCell<WireState>>);

impl Wire {
    fn new(chip: SimChip, irq: IrqLine) -> Self {
        let s = WireState {
            pn: EmulatedPn532::new(chip),
            irq,
            mode: None,
            inbuf: Vec::new(),
            pos: 0,
            overread: 0,
            status_reads: 0,
        };
        Self(std::rc::Rc::new(std::cell::RefCell::new(s)))
    }
    fn byte(&self, wire: u8) -> u8 {
        let mut s = self.0.borrow_mut();
        let b = wire.reverse_bits();
        let Some(mode) = s.mode else {
            s.mode = Some(b);
            if b == 0x02 {
                s.status_reads += 1;
            }
            return 0;
        };
        let out = match mode {
            0x01 => {
                s.inbuf.push(b);
                0
            }
            0x02 => u8::from(!s.pn.outbox.is_empty()),
            0x03 => {
                let pos = s.pos;
                match s.pn.outbox.front().and_then(|f| f.get(pos)).copied() {
                    Some(v) => {
                        s.pos += 1;
                        v
                    }
                    None => {
                        s.overread += 1;
                        0
                    }
                }
            }
            _ => panic!("unknown SPI operation {mode:02X}"),
        };
        out.reverse_bits()
    }
    fn deselect(&self) {
        let mut s = self.0.borrow_mut();
        match s.mode.take() {
            Some(0x01) => {
                let f = std::mem::take(&mut s.inbuf);
                s.pn.host_frame(&f);
            }
            Some(0x03) if s.pos > 0 => {
                s.pos = 0;
                s.pn.outbox.pop_front();
            }
            _ => {}
        }
    }
}

impl ErrorType for Wire {
    type Error = core::convert::Infallible;
}

impl embedded_hal::spi::SpiBus for Wire {
    fn read(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        words.iter_mut().for_each(|w| *w = self.byte(0));
        Ok(())
    }
    fn write(&mut self, words: &[u8]) -> Result<(), Self::Error> {
        words.iter().for_each(|w| {
            self.byte(*w);
        });
        Ok(())
    }
    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        for i in 0..read.len().max(write.len()) {
            let r = self.byte(write.get(i).copied().unwrap_or(0));
            if let Some(slot) = read.get_mut(i) {
                *slot = r;
            }
        }
        Ok(())
    }
    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        words.iter_mut().for_each(|w| *w = self.byte(*w));
        Ok(())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

struct Cs(Wire);
struct Irq(Wire);

impl embedded_hal::digital::ErrorType for Cs {
    type Error = core::convert::Infallible;
}
impl embedded_hal::digital::OutputPin for Cs {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0.0.borrow_mut().mode = None;
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0.deselect();
        Ok(())
    }
}
impl embedded_hal::digital::ErrorType for Irq {
    type Error = core::convert::Infallible;
}
impl embedded_hal::digital::InputPin for Irq {
    fn is_high(&mut self) -> Result<bool, Self::Error> {
        let s = self.0.0.borrow();
        Ok(match s.irq {
            IrqLine::Wired => s.pn.outbox.is_empty(),
            IrqLine::PulledUp => true,
            IrqLine::StuckLow => false,
        })
    }
    fn is_low(&mut self) -> Result<bool, Self::Error> {
        self.is_high().map(|h| !h)
    }
}

#[test]
fn answers_are_read_by_their_length_and_readiness_comes_from_the_irq_line_once_it_follows() {
    use cancuoc_reader::pn532::spi::SpiFrontEnd;
    let trust = trust_store();
    for irq in [IrqLine::Wired, IrqLine::PulledUp, IrqLine::StuckLow] {
        let wire = Wire::new(simulated_card("rsa").unwrap(), irq);
        let fe = SpiFrontEnd::new(wire.clone(), Cs(wire.clone()), Some(Irq(wire.clone())));
        let mut p = Pn532::new(fe, NoopDelay);
        p.init().unwrap();
        // Three commands, six ready answers: a line that follows them is trusted from the third.
        assert_eq!(p.bus().irq_wired(), irq == IrqLine::Wired);
        let polls = wire.0.borrow().status_reads;
        assert!(p.poll().unwrap().is_some());
        let r = read_card(
            &mut p,
            &Credentials::mrz(PERSONA.access_key()),
            &ReadOptions::cccd(&trust, NOW),
            &mut os_rng(),
            None,
            &mut |_| {},
        )
        .unwrap_or_else(|f| panic!("{}", f.error));
        assert!(r.verdict.is_verified(), "{}", r.verdict.summary());
        let s = wire.0.borrow();
        // Not one byte clocked past a frame's end (by its maximum, a 4 KB read's short last
        // pieces and every small answer would be read to 275 bytes).
        assert_eq!(s.overread, 0);
        let frames = s.pn.frames_to_pn532;
        if irq == IrqLine::Wired {
            assert_eq!(s.status_reads, polls, "no status read on the bus once the line is trusted");
        } else {
            assert!(s.status_reads >= polls + 2 * (frames - 3), "{} status reads, {frames} frames", s.status_reads);
        }
    }
}
