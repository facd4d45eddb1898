//! The PN532 NFC front end as an ISO 14443-4 (ISO-DEP) card transport.
//!
//! The `pn532` crate gives us the bus layer (its [`pn532::Interface`] over SPI or I2C, with the
//! bit order the RP2040/RP2350 SPI needs). Its frame layer stops at normal frames of 255 bytes
//! and panics when a response outgrows its buffer, so the frames are ours: normal and extended
//! information frames, ACK/NACK and the error frame of the PN532 user manual (UM0701-02 §6.2.1),
//! with checksums checked and no panic on any input.
//!
//! APDUs longer than one frame go out in pieces with the MI bit (§7.3.8, InDataExchange); a
//! response the PN532 returns in pieces (status byte with MI set) is collected with further
//! InDataExchange calls. That is what lets the core use extended-length READ BINARY through a
//! front end whose frames hold 262 bytes.

use alloc::vec::Vec;
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_link::CardKind;
use core::task::Poll;
use embedded_hal::delay::DelayNs;
use pn532::Interface;

mod frame;
pub mod spi;
use frame::ACK;
pub use frame::{Frame, FrontEndError, MAX_FRAME_DATA, cmd, encode_frame, frame_len, parse_frame};

/// APDU bytes sent per InDataExchange piece (Tg byte and frame header aside).
pub const CHUNK: usize = 262;
/// The APDU sizes this transport accepts: bounded by the RAM we give one exchange, not by the
/// PN532 (chaining has no length limit). 4 KB blocks keep the secure-messaging overhead of a
/// 20 KB photo read under 1 % while a whole response fits in RAM next to the files.
pub const LIMITS: TransportLimits =
    TransportLimits { max_command: 1024, max_response: 4096 + 2, extended_length: true };

/// The target the PN532 has activated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: CardKind,
    /// The PN532's logical number for it (1).
    pub tg: u8,
    /// The bit rate both ways after activation (and the PPS, when the card offered more).
    pub rate: BitRate,
}

/// The ISO/IEC 14443-4 bit rates of a type A card the PN532 can switch to (InPSL's BRit and
/// BRti codes, UM0701-02 §7.3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BitRate {
    Kbps106 = 0,
    Kbps212 = 1,
    Kbps424 = 2,
}

impl BitRate {
    /// kbit/s, for the report.
    pub fn kbps(self) -> u16 {
        match self {
            Self::Kbps106 => 106,
            Self::Kbps212 => 212,
            Self::Kbps424 => 424,
        }
    }
}

/// The highest rate up to 424 kbit/s, the same both ways, that a type A card's answer to select
/// (ATS) offers. ISO/IEC 14443-4 §5.2: TL counts the ATS's bytes; T0's b5 says TA(1) follows;
/// TA(1)'s b6 and b2 are 424 kbit/s card → reader and reader → card, b5 and b1 212 kbit/s; its
/// b4 must be 0 (a card setting it is treated as offering nothing). No TA(1): 106 kbit/s only.
pub fn rate_offered(ats: &[u8]) -> BitRate {
    let (Some(&tl), Some(&t0), Some(&ta)) = (ats.first(), ats.get(1), ats.get(2)) else {
        return BitRate::Kbps106;
    };
    if tl < 3 || t0 & 0x10 == 0 || ta & 0x08 != 0 {
        BitRate::Kbps106
    } else if ta & 0x22 == 0x22 {
        BitRate::Kbps424
    } else if ta & 0x11 == 0x11 {
        BitRate::Kbps212
    } else {
        BitRate::Kbps106
    }
}

/// The ATS in InListPassiveTarget's answer for one type A target (UM0701-02 §7.3.5:
/// NbTg, Tg, SENS_RES (2), SEL_RES, NFCIDLength, NFCID1, ATS).
fn ats_of(answer: &[u8]) -> Option<&[u8]> {
    let id_len = usize::from(*answer.get(5)?);
    answer.get(6 + id_len..).filter(|a| !a.is_empty())
}

/// A PN532 on a bus, with a delay source for its timeouts.
pub struct Pn532<I, D> {
    bus: I,
    delay: D,
    target: Option<Target>,
    /// The highest rate to ask the next card for: 424 kbit/s, or 106 after a failure at a higher
    /// rate (until no card is on the antenna).
    max_rate: BitRate,
    frame: Vec<u8>,
    rx: Vec<u8>,
    /// How long to wait for an answer from the PN532 (which itself waits for the card).
    pub timeout_ms: u32,
    /// How often to look whether the PN532 is ready, in µs: every millisecond when that costs a
    /// status read on the bus; the board looks every 20 µs once readiness comes from the IRQ line
    /// (a pin read), so that an answer is taken up as it comes (issue 39).
    pub poll_us: u32,
}

impl<I: Interface, D: DelayNs> Pn532<I, D> {
    pub fn new(bus: I, delay: D) -> Self {
        Self {
            bus,
            delay,
            target: None,
            max_rate: BitRate::Kbps424,
            frame: Vec::new(),
            rx: Vec::new(),
            timeout_ms: 1000,
            poll_us: 1000,
        }
    }

    /// The bus the PN532 is on.
    pub fn bus(&self) -> &I {
        &self.bus
    }

    /// Gives the bus and the delay back.
    pub fn release(self) -> (I, D) {
        (self.bus, self.delay)
    }

    fn wait_ready(&mut self, timeout_ms: u32) -> Result<(), FrontEndError> {
        let step = self.poll_us.clamp(1, 1000);
        let mut waited_us = 0u32;
        loop {
            match self.bus.wait_ready() {
                Poll::Ready(Ok(())) => return Ok(()),
                Poll::Ready(Err(_)) => return Err(FrontEndError::Bus),
                Poll::Pending if waited_us >= timeout_ms.saturating_mul(1000) => return Err(FrontEndError::NotReady),
                Poll::Pending => {
                    self.delay.delay_us(step);
                    waited_us = waited_us.saturating_add(step);
                }
            }
        }
    }

    /// Sends one command and returns the response's parameters (after the response code).
    /// `max_response` bounds the response parameters expected, so that the bus read is sized.
    pub fn command(
        &mut self,
        code: u8,
        params: &[u8],
        max_response: usize,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, FrontEndError> {
        let mut data = Vec::with_capacity(params.len() + 1);
        data.push(code);
        data.extend_from_slice(params);
        encode_frame(&data, &mut self.frame)?;
        self.bus.write(&mut self.frame).map_err(|_| FrontEndError::Bus)?;
        self.wait_ready(timeout_ms.clamp(10, 100))?;
        let mut ack = [0u8; 6];
        self.bus.read(&mut ack).map_err(|_| FrontEndError::Bus)?;
        if ack != ACK {
            return Err(FrontEndError::BadAck);
        }
        self.wait_ready(timeout_ms)?;
        // Preamble, start code, extended length (5), TFI, response code, parameters, DCS, postamble.
        let n = (max_response + 12).min(MAX_FRAME_DATA + 10);
        self.rx.clear();
        self.rx.resize(n, 0);
        self.bus.read(&mut self.rx).map_err(|_| FrontEndError::Bus)?;
        match parse_frame(&self.rx)? {
            Frame::Info([rc, rest @ ..]) if *rc == code.wrapping_add(1) => Ok(rest.to_vec()),
            Frame::Error => Err(FrontEndError::Syntax),
            _ => Err(FrontEndError::BadFrame),
        }
    }

    /// Firmware of the PN532: (IC, version, revision), e.g. (0x32, 1, 6).
    pub fn firmware_version(&mut self) -> Result<(u8, u8, u8), FrontEndError> {
        match self.command(cmd::GET_FIRMWARE_VERSION, &[], 4, 100)?.as_slice() {
            [ic, ver, rev, _support] => Ok((*ic, *ver, *rev)),
            _ => Err(FrontEndError::BadFrame),
        }
    }

    /// Wakes the PN532 into normal mode (no SAM) and sets the card timeouts: a passive activation
    /// retried twice, and a 102 ms frame timeout which the slow chips' frame waiting time
    /// extensions (S(WTX), handled by the PN532) prolong as the card asks.
    pub fn init(&mut self) -> Result<(), FrontEndError> {
        self.command(cmd::SAM_CONFIGURATION, &[0x01, 0x14, 0x00], 0, 100)?;
        // RFConfiguration item 0x05: MxRtyATR, MxRtyPSL, MxRtyPassiveActivation.
        self.command(cmd::RF_CONFIGURATION, &[0x05, 0xFF, 0x01, 0x02], 0, 100)?;
        // Item 0x02: RFU, ATR_RES timeout (0x0B = 102.4 ms), retry timeout (0x0B).
        self.command(cmd::RF_CONFIGURATION, &[0x02, 0x00, 0x0B, 0x0B], 0, 100)?;
        Ok(())
    }

    /// Switches the RF field on or off (off between cards saves power and resets the card).
    pub fn rf_field(&mut self, on: bool) -> Result<(), FrontEndError> {
        self.command(cmd::RF_CONFIGURATION, &[0x01, u8::from(on)], 0, 100)?;
        if !on {
            self.target = None;
        }
        Ok(())
    }

    /// Looks for one ISO 14443 type A, then type B card (106 kbit/s) and activates it to
    /// ISO 14443-4. `Ok(None)`: no card in the field.
    pub fn poll(&mut self) -> Result<Option<Target>, FrontEndError> {
        // BrTy 0x00: 106 kbit/s type A. BrTy 0x03: 106 kbit/s type B, AFI 0x00 (all families).
        for (brty, init, kind) in [(0x00u8, &[][..], CardKind::IsoA), (0x03, &[0x00][..], CardKind::IsoB)] {
            let mut p = alloc::vec![0x01, brty];
            p.extend_from_slice(init);
            let r = self.command(cmd::IN_LIST_PASSIVE_TARGET, &p, 64, 300)?;
            if let [n, tg, ..] = r.as_slice()
                && *n >= 1
            {
                let offered = match kind {
                    CardKind::IsoA => ats_of(&r).map_or(BitRate::Kbps106, rate_offered),
                    // Type B's rates are set in ATTRIB, which the PN532 sends at 106 kbit/s.
                    CardKind::IsoB => BitRate::Kbps106,
                };
                let rate = self.switch_rate(*tg, offered.min(self.max_rate));
                let t = Target { kind, tg: *tg, rate };
                self.target = Some(t);
                return Ok(Some(t));
            }
        }
        self.target = None;
        // No card on the antenna: the next one starts with the fastest rate again.
        self.max_rate = BitRate::Kbps424;
        Ok(None)
    }

    /// PPS to `rate` both ways (InPSL); the rate in force after it: `rate`, or 106 kbit/s when the
    /// PN532 or the card refused (the card then stays at 106, ISO/IEC 14443-4 §5.3).
    fn switch_rate(&mut self, tg: u8, rate: BitRate) -> BitRate {
        if rate == BitRate::Kbps106 {
            return rate;
        }
        let code = rate as u8;
        match self.command(cmd::IN_PSL, &[tg, code, code], 1, 100).as_deref() {
            Ok([0x00]) => rate,
            _ => {
                self.max_rate = BitRate::Kbps106;
                BitRate::Kbps106
            }
        }
    }

    /// Whether the activated card still answers (Diagnose test 0x06, ISO 14443-4 presence check).
    pub fn card_present(&mut self) -> bool {
        if self.target.is_none() {
            return false;
        }
        let present = matches!(self.command(cmd::DIAGNOSE, &[0x06], 1, 200).as_deref(), Ok([0x00]));
        if !present {
            self.target = None;
        }
        present
    }

    /// The activated card, if any.
    pub fn target(&self) -> Option<Target> {
        self.target
    }

    /// Sends one APDU to the activated card and returns its response, chaining both ways.
    pub fn exchange(&mut self, apdu: &[u8]) -> Result<Vec<u8>, FrontEndError> {
        let tg = self.target.ok_or(FrontEndError::Status(0x2B))?.tg;
        if apdu.len() > LIMITS.max_command {
            return Err(FrontEndError::TooLong);
        }
        let mut pieces = apdu.chunks(CHUNK).peekable();
        let mut response = Vec::new();
        let mut status;
        loop {
            let piece = pieces.next().unwrap_or(&[]);
            let more = pieces.peek().is_some();
            let mut p = Vec::with_capacity(piece.len() + 1);
            p.push(if more { tg | 0x40 } else { tg });
            p.extend_from_slice(piece);
            let r = self.command(cmd::IN_DATA_EXCHANGE, &p, CHUNK + 1, self.timeout_ms)?;
            let (&st, data) = r.split_first().ok_or(FrontEndError::BadFrame)?;
            status = st;
            if st & 0x3F != 0 {
                return Err(self.card_error(st & 0x3F));
            }
            if !more {
                response.extend_from_slice(data);
                break;
            }
        }
        // The card's answer continues while the PN532 sets MI: ask for the rest.
        while status & 0x40 != 0 {
            let r = self.command(cmd::IN_DATA_EXCHANGE, &[tg], CHUNK + 1, self.timeout_ms)?;
            let (&st, data) = r.split_first().ok_or(FrontEndError::BadFrame)?;
            if st & 0x3F != 0 {
                return Err(self.card_error(st & 0x3F));
            }
            if response.len() + data.len() > LIMITS.max_response {
                return Err(FrontEndError::TooLong);
            }
            response.extend_from_slice(data);
            status = st;
        }
        Ok(response)
    }

    /// A card-level error: after a timeout, look whether the card is still there. A failure at
    /// more than 106 kbit/s makes the next activation stay at 106.
    fn card_error(&mut self, code: u8) -> FrontEndError {
        if self.target.is_some_and(|t| t.rate > BitRate::Kbps106) {
            self.max_rate = BitRate::Kbps106;
        }
        if code == 0x01 && !self.card_present() {
            return FrontEndError::Status(0x2B);
        }
        if matches!(code, 0x29..=0x2B) {
            self.target = None;
        }
        FrontEndError::Status(code)
    }

    /// Deactivates the card (before the field goes off).
    pub fn release_target(&mut self) -> Result<(), FrontEndError> {
        if let Some(t) = self.target.take() {
            self.command(cmd::IN_RELEASE, &[t.tg], 1, 100)?;
        }
        Ok(())
    }
}

impl<I: Interface, D: DelayNs> Transport for Pn532<I, D> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.exchange(command).map_err(|e| match e {
            FrontEndError::TooLong => TransportError::CommandTooLong { len: command.len(), max: LIMITS.max_command },
            e => e.to_transport(),
        })
    }
    fn limits(&self) -> TransportLimits {
        LIMITS
    }
}
