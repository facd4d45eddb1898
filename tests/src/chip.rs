//! The simulated chip: an eMRTD application that answers real command APDUs — SELECT, GET
//! CHALLENGE, EXTERNAL AUTHENTICATE (BAC), READ BINARY (B0 and odd B1, short and extended),
//! INTERNAL AUTHENTICATE — with secure messaging, the status words real chips give, and fault
//! hooks for the reliability campaign.

use std::collections::BTreeMap;

use cancuoc_core::apdu::{Command, Response, StatusWord, Transport, TransportError, TransportLimits};
use cancuoc_core::bac::BacKeys;
use cancuoc_core::crypto::{self, HashAlgorithm, SmCipher};
use cancuoc_core::files::EMRTD_AID;
use cancuoc_core::sm::SmSession;
use cancuoc_core::tlv;
use rsa::BigUint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use crate::image::CardImage;
use crate::pki::SignKey;

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
    /// Every exchange, command and response bytes (for tests and APDU counts).
    pub log: Vec<(Vec<u8>, Vec<u8>)>,
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
            log: Vec::new(),
        }
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
        let out = self.process_apdu(raw);
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
            let resp = self.execute(&plain);
            match self.sm.as_mut() {
                Some(sm) => {
                    sm.wrap_response(plain.ins, &resp).map(|r| r.to_bytes()).unwrap_or_else(|_| sw(0x6F00).to_bytes())
                }
                None => resp.to_bytes(),
            }
        } else {
            // A plain command while SM is active ends the session (except re-selecting the app).
            if self.sm.is_some() && !(cmd.ins == 0xA4 && cmd.p1 == 0x04) {
                self.sm = None;
                return sw(0x6982).to_bytes();
            }
            self.execute(&cmd).to_bytes()
        }
    }

    fn execute(&mut self, cmd: &Command) -> Response {
        match cmd.ins {
            0xA4 => self.select(cmd),
            0x84 => self.get_challenge(cmd),
            0x82 => self.external_authenticate(cmd),
            0xB0 | 0xB1 => self.read_binary(cmd),
            0x88 => self.internal_authenticate(cmd),
            _ => sw(0x6D00),
        }
    }

    fn select(&mut self, cmd: &Command) -> Response {
        match cmd.p1 {
            0x04 => {
                if cmd.data == EMRTD_AID {
                    self.reset();
                    self.app_selected = true;
                    sw(SW_OK)
                } else {
                    sw(0x6A82)
                }
            }
            0x00 if cmd.data.is_empty() || cmd.data == [0x3F, 0x00] => {
                self.reset();
                sw(SW_OK)
            }
            0x02 | 0x00 => {
                let [hi, lo] = cmd.data.as_slice() else { return sw(0x6A80) };
                let fid = u16::from_be_bytes([*hi, *lo]);
                if !self.app_selected {
                    return sw(0x6A82);
                }
                if self.sm.is_none() {
                    return sw(0x6982);
                }
                if self.image.files.contains_key(&fid) {
                    self.current = Some(fid);
                    sw(SW_OK)
                } else {
                    sw(0x6A82)
                }
            }
            _ => sw(0x6A86),
        }
    }

    fn get_challenge(&mut self, cmd: &Command) -> Response {
        if !self.app_selected {
            return sw(0x6985);
        }
        if cmd.le != Some(8) {
            return sw(0x6700);
        }
        let r = random::<8>();
        self.rnd_ic = Some(r);
        Response { data: r.to_vec(), sw: StatusWord::OK }
    }

    fn external_authenticate(&mut self, cmd: &Command) -> Response {
        let Some(rnd_ic) = self.rnd_ic.take() else { return sw(0x6985) };
        if cmd.data.len() != 40 {
            return sw(0x6700);
        }
        let keys = BacKeys::derive(&self.image.access_key);
        let (e_ifd, m_ifd) = cmd.data.split_at(32);
        let mut padded = e_ifd.to_vec();
        crypto::pad(&mut padded, 8);
        let Ok(m) = crypto::mac(SmCipher::Tdes, &keys.k_mac, &padded) else { return sw(0x6F00) };
        if !crypto::ct_eq(&m, m_ifd) {
            return sw(0x6300);
        }
        let Ok(s) = crypto::cbc_decrypt(SmCipher::Tdes, &keys.k_enc, &[0; 8], e_ifd) else { return sw(0x6300) };
        if s[8..16] != rnd_ic {
            return sw(0x6300);
        }
        let (rnd_ifd, k_ifd) = (&s[0..8], &s[16..32]);
        let k_ic = random::<16>();
        let r = [&rnd_ic[..], rnd_ifd, &k_ic].concat();
        let Ok(e_ic) = crypto::cbc_encrypt(SmCipher::Tdes, &keys.k_enc, &[0; 8], &r) else { return sw(0x6F00) };
        let mut padded = e_ic.clone();
        crypto::pad(&mut padded, 8);
        let Ok(m_ic) = crypto::mac(SmCipher::Tdes, &keys.k_mac, &padded) else { return sw(0x6F00) };
        let seed: Vec<u8> = k_ifd.iter().zip(&k_ic).map(|(a, b)| a ^ b).collect();
        let ssc = [&rnd_ic[4..], &rnd_ifd[4..]].concat();
        match SmSession::new(
            SmCipher::Tdes,
            &crypto::kdf(SmCipher::Tdes, &seed, 1),
            &crypto::kdf(SmCipher::Tdes, &seed, 2),
            &ssc,
        ) {
            Ok(s) => self.sm = Some(s),
            Err(_) => return sw(0x6F00),
        }
        Response { data: [e_ic, m_ic.to_vec()].concat(), sw: StatusWord::OK }
    }

    fn read_binary(&mut self, cmd: &Command) -> Response {
        if self.sm.is_none() {
            return sw(0x6982);
        }
        let Some(fid) = self.current else { return sw(0x6986) };
        let Some(file) = self.image.files.get(&fid) else { return sw(0x6A82) };
        let (offset, odd) = if cmd.ins == 0xB1 {
            let Ok((t, _)) = tlv::parse_one(&cmd.data) else { return sw(0x6A80) };
            if t.tag != 0x54 || t.value.is_empty() || t.value.len() > 3 {
                return sw(0x6A80);
            }
            (t.value.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)), true)
        } else {
            if cmd.p1 & 0x80 != 0 {
                return sw(0x6A81); // short EF addressing not offered by this chip
            }
            ((usize::from(cmd.p1) << 8) | usize::from(cmd.p2), false)
        };
        let Some(le) = cmd.le else { return sw(0x6700) };
        if offset > file.len() {
            return sw(0x6B00);
        }
        let want = if odd { le.saturating_sub(4) } else { le };
        let end = (offset + want).min(file.len());
        let data = file[offset..end].to_vec();
        let status = if end - offset < want { 0x6282 } else { SW_OK };
        let data = if odd { tlv::encode(0x53, &data) } else { data };
        Response { data, sw: StatusWord(status) }
    }

    fn internal_authenticate(&mut self, cmd: &Command) -> Response {
        if self.sm.is_none() {
            return sw(0x6982);
        }
        if cmd.data.len() != 8 {
            return sw(0x6700);
        }
        match &self.image.aa_key {
            None => sw(0x6D00),
            Some(SignKey::Rsa(k)) => {
                let kb = k.size();
                let m =
                    cancuoc_core::auth::active::representative(kb, &random::<32>(), &cmd.data, HashAlgorithm::Sha256);
                let s = BigUint::from_bytes_be(&m).modpow(k.d(), k.n());
                let mut out = vec![0u8; kb];
                let b = s.to_bytes_be();
                out[kb - b.len()..].copy_from_slice(&b);
                Response { data: out, sw: StatusWord::OK }
            }
            Some(k) => match k.sign_plain_ec(&cmd.data) {
                Some(sig) => Response { data: sig, sw: StatusWord::OK },
                None => sw(0x6F00),
            },
        }
    }
}

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
