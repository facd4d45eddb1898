//! The simulated chip: an eMRTD application that answers real command APDUs — SELECT, GET
//! CHALLENGE, EXTERNAL AUTHENTICATE (BAC), READ BINARY (B0 and odd B1, short and extended),
//! INTERNAL AUTHENTICATE — with secure messaging, the status words real chips give, and fault
//! hooks for the reliability campaign.

use std::collections::BTreeMap;

use cancuoc_core::apdu::{Command, Response, StatusWord, Transport, TransportError, TransportLimits};
use cancuoc_core::bac::BacKeys;
use cancuoc_core::crypto::{self, HashAlgorithm, SmCipher};
use cancuoc_core::ecc::Secret;
use cancuoc_core::files::{EMRTD_AID, FileId};
use cancuoc_core::lds::card_access;
use cancuoc_core::pace::{self, Can, Domain, PaceProtocol, Password};
use cancuoc_core::sm::SmSession;
use cancuoc_core::tlv;
use rsa::BigUint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use crate::card::{CardImage, SignKey};

mod chip_auth;
mod commands;
mod pace_steps;

use pace_steps::PaceState;

/// A fault injected at one APDU (0-based index of the exchange).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The card leaves the field: this and every later exchange fail until [`SimChip::reinsert`].
    Remove,
    /// One bit of the response MAC is flipped.
    CorruptMac,
    /// The chip answers this plain status word instead of processing the command (and, as real
    /// chips do on an error outside SM, drops the secure-messaging session).
    Status(u16),
    /// Only the first N bytes of the response arrive.
    Truncate(usize),
    /// The response carries 300 extra bytes before the status word.
    Oversize,
    /// No answer in time (the command is not processed).
    Timeout,
}

const SW_OK: u16 = 0x9000;

fn sw(code: u16) -> Response {
    Response { data: Vec::new(), sw: StatusWord(code) }
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("OS randomness");
    b
}

/// The chip and its link. Implements [`Transport`], so the core talks to it as to any reader.
pub struct SimChip {
    image: CardImage,
    limits: TransportLimits,
    faults: BTreeMap<usize, Fault>,
    index: usize,
    removed: bool,
    app_selected: bool,
    rnd_ic: Option<[u8; 8]>,
    sm: Option<SmSession>,
    current: Option<u16>,
    /// Response bytes waiting for GET RESPONSE (61xx chaining of short APDUs).
    pending: Vec<u8>,
    /// PACE in progress (chip side).
    pace: Option<PaceState>,
    /// Chip authentication announced by MSE:Set AT, waiting for the terminal's key.
    ca_pending: bool,
    /// The session that replaces the current one once this response is sent (chip authentication).
    next_sm: Option<SmSession>,
    /// Every exchange, command and response bytes (for tests and APDU counts).
    pub log: Vec<(Vec<u8>, Vec<u8>)>,
    /// Behave as a T=0 card: a command with data that has an answer says 61xx and hands the
    /// answer over through GET RESPONSE; extended APDUs cannot be carried (6700).
    t0: bool,
    /// The last command was refused in plain: the answer goes out unprotected and the session ends.
    refuse_plain: bool,
}

impl SimChip {
    pub fn new(image: CardImage) -> Self {
        Self {
            image,
            limits: TransportLimits::EXTENDED,
            faults: BTreeMap::new(),
            index: 0,
            removed: false,
            app_selected: false,
            rnd_ic: None,
            sm: None,
            current: None,
            pending: Vec::new(),
            pace: None,
            ca_pending: false,
            next_sm: None,
            log: Vec::new(),
            t0: false,
            refuse_plain: false,
        }
    }
    /// A chip that speaks T=0 (ISO 7816-3) behind a contact-style PC/SC interface.
    pub fn t0(mut self) -> Self {
        self.t0 = true;
        self.limits = TransportLimits::SHORT;
        self
    }
    /// Sets what the simulated reader can carry (e.g. a PN532's frame limit).
    pub fn with_limits(mut self, limits: TransportLimits) -> Self {
        self.limits = limits;
        self
    }
    /// Injects `fault` at exchange number `at` (0-based, counted from now on the chip's life).
    pub fn inject(&mut self, at: usize, fault: Fault) {
        self.faults.insert(at, fault);
    }
    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }
    /// Puts the card back on the reader: power cycle, all session state gone.
    pub fn reinsert(&mut self) {
        self.removed = false;
        self.reset();
    }
    /// A power cycle by the reader (vpcd power on / reset): session state gone, faults kept.
    pub fn reinsert_keeping_faults(&mut self) {
        self.reset();
    }
    /// Exchanges so far.
    pub fn exchanges(&self) -> usize {
        self.index
    }
    pub fn image(&self) -> &CardImage {
        &self.image
    }

    fn reset(&mut self) {
        self.app_selected = false;
        self.rnd_ic = None;
        self.sm = None;
        self.current = None;
        self.pace = None;
    }

    fn is_extended(raw: &[u8]) -> bool {
        // Case 2E/3E/4E: byte 5 is 00 and more bytes follow.
        raw.len() > 5 && raw.get(4) == Some(&0)
    }

    /// Processes one command APDU and returns the response bytes. A short command whose answer
    /// exceeds 256 bytes gets 61xx and the rest through GET RESPONSE, as T=0/ISO 7816-4 chips do.
    pub fn process(&mut self, raw: &[u8]) -> Vec<u8> {
        if raw.get(1) == Some(&0xC0) && raw.first().is_some_and(|c| c & 0x0C == 0) {
            return self.get_response(raw);
        }
        self.pending.clear();
        if self.t0 && Self::is_extended(raw) {
            return sw(0x6700).to_bytes();
        }
        let out = self.process_apdu(raw);
        // T=0, case 4 (data in both directions): the answer waits for GET RESPONSE.
        if self.t0 && raw.len() > 5 && out.len() > 2 {
            self.pending = out;
            return alloc_sw61(self.pending.len() - 2);
        }
        if Self::is_extended(raw) || out.len() <= 258 {
            return out;
        }
        let (data, sw) = out.split_at(out.len() - 2);
        self.pending = data[256..].to_vec();
        self.pending.extend_from_slice(sw);
        let mut first = data[..256].to_vec();
        first.extend_from_slice(&[0x61, (self.pending.len() - 2).min(256) as u8]);
        first
    }

    fn get_response(&mut self, raw: &[u8]) -> Vec<u8> {
        if self.pending.len() < 2 {
            return sw(0x6985).to_bytes();
        }
        let want = match raw.get(4) {
            Some(0) | None => 256,
            Some(n) => usize::from(*n),
        };
        let data_len = self.pending.len() - 2;
        if want >= data_len {
            return std::mem::take(&mut self.pending);
        }
        let mut out: Vec<u8> = self.pending.drain(..want).collect();
        let left = self.pending.len() - 2;
        out.extend_from_slice(&[0x61, left.min(256) as u8]);
        out
    }

    fn process_apdu(&mut self, raw: &[u8]) -> Vec<u8> {
        if !self.image.extended_length && Self::is_extended(raw) {
            self.sm = None;
            return sw(0x6700).to_bytes();
        }
        let Some(cmd) = Command::decode(raw) else {
            self.sm = None;
            return sw(0x6700).to_bytes();
        };
        if cmd.cla & 0x0C == 0x0C {
            let Some(sm) = self.sm.as_mut() else { return sw(0x6988).to_bytes() };
            let plain = match sm.unwrap_command(&cmd) {
                Ok(c) => c,
                Err(_) => {
                    // 9303-11 §9.8.4: on an SM error the chip ends the session.
                    self.sm = None;
                    return sw(0x6988).to_bytes();
                }
            };
            let resp = self.execute(&plain, true);
            if std::mem::take(&mut self.refuse_plain) {
                // Refused without secure messaging: 9303-11 §9.8.4, the session ends.
                self.sm = None;
                return resp.to_bytes();
            }
            let omit_do99 = self.image.sm_omits_do99;
            let out = match self.sm.as_mut() {
                Some(sm) => match sm.wrap_response(plain.ins, &resp) {
                    // A chip whose secure messaging is malformed: DO'99' (the status) left out.
                    Ok(mut r) if omit_do99 => {
                        r.data = tlv::TlvIter::new(&r.data)
                            .filter_map(Result::ok)
                            .filter(|t| t.tag != 0x99)
                            .flat_map(|t| t.raw.to_vec())
                            .collect();
                        r.to_bytes()
                    }
                    Ok(r) => r.to_bytes(),
                    Err(_) => sw(0x6F00).to_bytes(),
                },
                None => resp.to_bytes(),
            };
            // Chip authentication: this answer went out under the old keys; the new ones apply now.
            if let Some(next) = self.next_sm.take() {
                self.sm = Some(next);
            }
            out
        } else {
            // A plain command while SM is active ends the session (except re-selecting the app).
            if self.sm.is_some() && !(cmd.ins == 0xA4 && cmd.p1 == 0x04) {
                self.sm = None;
                return sw(0x6982).to_bytes();
            }
            let r = self.execute(&cmd, false).to_bytes();
            self.refuse_plain = false;
            r
        }
    }

    fn execute(&mut self, cmd: &Command, protected: bool) -> Response {
        match cmd.ins {
            0xA4 => self.select(cmd, protected),
            0x22 if (cmd.p1, cmd.p2) == (0x41, 0xA4) && protected => self.ca_set_at(cmd),
            0x22 if (cmd.p1, cmd.p2) == (0x41, 0xA6) && protected => self.ca_set_kat(cmd),
            0x22 => self.mse_set_at(cmd),
            0x86 if self.ca_pending && protected => self.ca_general_authenticate(cmd),
            0x86 => self.general_authenticate(cmd),
            0x84 => self.get_challenge(cmd),
            0x82 => self.external_authenticate(cmd),
            0xB0 | 0xB1 => self.read_binary(cmd),
            0x88 => self.internal_authenticate(cmd),
            _ => sw(0x6D00),
        }
    }
}

/// The OS random generator for the chip's own secrets.
struct OsRandom;

impl rand_core::TryRng for OsRandom {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from_le_bytes(random::<4>()))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from_le_bytes(random::<8>()))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst).expect("OS randomness");
        Ok(())
    }
}

impl rand_core::TryCryptoRng for OsRandom {}

impl Transport for SimChip {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let i = self.index;
        self.index += 1;
        if self.removed {
            return Err(TransportError::CardRemoved);
        }
        if command.len() > self.limits.max_command {
            return Err(TransportError::CommandTooLong { len: command.len(), max: self.limits.max_command });
        }
        let fault = self.faults.get(&i).copied();
        let mut resp = match fault {
            Some(Fault::Remove) => {
                self.removed = true;
                self.reset();
                return Err(TransportError::CardRemoved);
            }
            Some(Fault::Timeout) => return Err(TransportError::Timeout),
            Some(Fault::Status(code)) => {
                self.sm = None;
                sw(code).to_bytes()
            }
            _ => self.process(command),
        };
        match fault {
            Some(Fault::CorruptMac) if resp.len() >= 10 => {
                let at = resp.len() - 3;
                resp[at] ^= 0x01;
            }
            Some(Fault::Truncate(n)) => resp.truncate(n),
            Some(Fault::Oversize) => {
                let tail = resp.split_off(resp.len().saturating_sub(2));
                resp.extend(std::iter::repeat_n(0xA5, 300));
                resp.extend(tail);
            }
            _ => {}
        }
        if resp.len() > self.limits.max_response {
            return Err(TransportError::Reader(format!(
                "response of {} bytes exceeds the reader's buffer",
                resp.len()
            )));
        }
        self.log.push((command.to_vec(), resp.clone()));
        Ok(resp)
    }

    fn limits(&self) -> TransportLimits {
        self.limits
    }
}

/// `61 xx`: xx more bytes are waiting (00 for 256 or more).
fn alloc_sw61(n: usize) -> Vec<u8> {
    vec![0x61, n.min(256) as u8]
}
