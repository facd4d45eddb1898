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

    fn select(&mut self, cmd: &Command, protected: bool) -> Response {
        match cmd.p1 {
            0x04 => {
                if cmd.data == EMRTD_AID {
                    if protected {
                        // Selected under the PACE session: keep it.
                        self.current = None;
                    } else {
                        self.reset();
                    }
                    self.app_selected = true;
                    sw(SW_OK)
                } else {
                    sw(0x6A82)
                }
            }
            0x00 if cmd.data.is_empty() || cmd.data == [0x3F, 0x00] => {
                self.reset();
                sw(self.image.select_mf_sw)
            }
            0x02 | 0x00 => {
                let [hi, lo] = cmd.data.as_slice() else { return sw(0x6A80) };
                let fid = u16::from_be_bytes([*hi, *lo]);
                if !self.app_selected {
                    // The master file holds EF.CardAccess, readable without a session.
                    if fid == FileId::CardAccess.fid() && self.image.files.contains_key(&fid) {
                        self.current = Some(fid);
                        return sw(SW_OK);
                    }
                    return sw(0x6A82);
                }
                if self.sm.is_none() {
                    return sw(0x6982);
                }
                if self.image.protected.contains(&fid) {
                    // EAC-protected (DG3): terminal authentication first.
                    sw(0x6982)
                } else if self.image.files.contains_key(&fid) {
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
        if !self.image.bac {
            return sw(0x6982); // a PACE-only chip refuses BAC
        }
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
        if cmd.ins == 0xB0 && cmd.p1 & 0x80 != 0 {
            // By short EF identifier (ISO 7816-4 §11.2.3): the file becomes the current EF.
            if let Some(refusal) = self.image.refuse_sfi {
                self.refuse_plain = true;
                return sw(refusal);
            }
            let fid = 0x0100 | u16::from(cmd.p1 & 0x1F);
            let in_mf = !self.app_selected;
            if in_mf != (fid == FileId::CardAccess.fid()) || !self.image.files.contains_key(&fid) {
                return sw(0x6A82);
            }
            if self.image.protected.contains(&fid) {
                return sw(0x6982);
            }
            self.current = Some(fid);
        }
        let Some(fid) = self.current else { return sw(0x6986) };
        if self.sm.is_none() && fid != FileId::CardAccess.fid() {
            return sw(0x6982);
        }
        let Some(file) = self.image.files.get(&fid) else { return sw(0x6A82) };
        let (offset, odd) = if cmd.ins == 0xB1 {
            let Ok((t, _)) = tlv::parse_one(&cmd.data) else { return sw(0x6A80) };
            if t.tag != 0x54 || t.value.is_empty() || t.value.len() > 3 {
                return sw(0x6A80);
            }
            (t.value.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)), true)
        } else if cmd.p1 & 0x80 != 0 {
            (usize::from(cmd.p2), false)
        } else {
            ((usize::from(cmd.p1) << 8) | usize::from(cmd.p2), false)
        };
        let Some(le) = cmd.le else { return sw(0x6700) };
        if offset > file.len() {
            return sw(0x6B00);
        }
        let want = if odd { le.saturating_sub(4) } else { le };
        if let (Some(refusal), true) = (self.image.refuse_long_le, offset + want > file.len()) {
            return match refusal {
                0x6282 => sw(0x6282),
                // 6Cxx names what the file holds; like every refusal, in plain.
                0x6C00 => {
                    self.refuse_plain = true;
                    sw(0x6C00 | file.len().saturating_sub(offset).min(0xFF) as u16)
                }
                other => {
                    self.refuse_plain = true;
                    sw(other)
                }
            };
        }
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

/// The chip's side of a PACE run in progress (9303-11 §4.4).
struct PaceState {
    oid: const_oid::ObjectIdentifier,
    protocol: PaceProtocol,
    domain: Domain,
    /// The encrypted nonce z = E(K_π, s) sent in step 1.
    z: Vec<u8>,
    /// The nonce s.
    s: Vec<u8>,
    step: u8,
    /// The mapped generator G' (after step 2).
    g_mapped: Vec<u8>,
    /// The chip's mapping secret (PACE-CAM needs it for CA_IC).
    sk_map: Option<Secret>,
    chip_eph: Option<(Secret, Vec<u8>)>,
    terminal_eph: Vec<u8>,
    keys: Option<(Vec<u8>, Vec<u8>)>,
}

fn dyn_auth(tag: u32, value: &[u8]) -> Response {
    Response { data: tlv::encode(0x7C, &tlv::encode(tag, value)), sw: StatusWord::OK }
}

impl SimChip {
    fn mse_set_at(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0xC1, 0xA4) {
            return sw(0x6A86);
        }
        if self.image.refuses_pace {
            return sw(0x6982);
        }
        let Some(ca) = self.image.files.get(&FileId::CardAccess.fid()).and_then(|b| card_access::parse(b).ok()) else {
            return sw(0x6A88);
        };
        let mut oid = None;
        let mut password = None;
        for t in tlv::TlvIter::new(&cmd.data) {
            let Ok(t) = t else { return sw(0x6A80) };
            match t.tag {
                0x80 => oid = const_oid::ObjectIdentifier::from_bytes(t.value).ok(),
                0x83 => password = t.value.first().copied(),
                _ => {}
            }
        }
        let (Some(oid), Some(password)) = (oid, password) else { return sw(0x6A80) };
        let Some(info) = ca.pace.iter().find(|i| i.protocol == oid) else { return sw(0x6A80) };
        let (Some(protocol), Some(domain)) =
            (PaceProtocol::from_oid(&oid), info.parameter_id.and_then(|id| Domain::from_id(id).ok()))
        else {
            return sw(0x6A80);
        };
        let k_pi = match password {
            0x01 => pace::password_key(Password::Mrz(&self.image.access_key), protocol.cipher),
            0x02 => match Can::new(&self.image.can) {
                Ok(c) => pace::password_key(Password::Can(&c), protocol.cipher),
                Err(_) => return sw(0x6F00),
            },
            _ => return sw(0x6A80),
        };
        let nonce = random::<16>().to_vec();
        let Ok(z) = pace::encrypt_nonce(protocol.cipher, &k_pi, &nonce) else { return sw(0x6F00) };
        self.sm = None;
        self.pace = Some(PaceState {
            oid,
            protocol,
            domain,
            z,
            s: nonce,
            step: 0,
            g_mapped: Vec::new(),
            sk_map: None,
            chip_eph: None,
            terminal_eph: Vec::new(),
            keys: None,
        });
        sw(SW_OK)
    }

    fn general_authenticate(&mut self, cmd: &Command) -> Response {
        let Some(st) = self.pace.as_mut() else { return sw(0x6985) };
        let Ok(outer) = tlv::expect(&cmd.data, 0x7C) else { return sw(0x6A80) };
        let inner = outer.children().next().and_then(Result::ok);
        let mut rng = OsRandom;
        let domain = st.domain;
        match (st.step, inner) {
            (0, None) => {
                st.step = 1;
                dyn_auth(0x80, &st.z)
            }
            (1, Some(t)) if t.tag == 0x81 && st.protocol.mapping == cancuoc_core::pace::Mapping::Integrated => {
                // Integrated mapping: G' = f_G(R_p(s, t)); the answer carries no data.
                let Ok(r) = pace::pseudo_random(st.protocol.cipher, &st.s, t.value, domain.field_bits()) else {
                    return sw(0x6A80);
                };
                let Ok(g) = domain.map_integrated(&r) else { return sw(0x6A80) };
                st.g_mapped = g;
                st.step = 2;
                dyn_auth(0x82, &[])
            }
            (1, Some(t)) if t.tag == 0x81 => {
                // Generic mapping: H = SK · PK_map(terminal); G' = s · G + H.
                let sk = domain.random_secret(&mut rng);
                let (Ok(pk), Ok(h)) = (domain.public(&sk, None), domain.shared(&sk, t.value)) else {
                    return sw(0x6A80);
                };
                let Ok(g) = domain.map_generic(&st.s, &h) else { return sw(0x6A80) };
                st.g_mapped = g;
                st.sk_map = Some(sk);
                st.step = 2;
                dyn_auth(0x82, &pk)
            }
            (2, Some(t)) if t.tag == 0x83 => {
                let sk = domain.random_secret(&mut rng);
                let (Ok(pk), Ok(shared)) = (domain.public(&sk, Some(&st.g_mapped)), domain.shared(&sk, t.value)) else {
                    return sw(0x6A80);
                };
                let Ok(k) = domain.secret_bytes(&shared) else { return sw(0x6A80) };
                let c = st.protocol.cipher;
                st.keys = Some((crypto::kdf(c, &k, 1), crypto::kdf(c, &k, 2)));
                st.terminal_eph = t.value.to_vec();
                st.chip_eph = Some((sk, pk.clone()));
                st.step = 3;
                dyn_auth(0x84, &pk)
            }
            (3, Some(t)) if t.tag == 0x85 => {
                let (Some((k_enc, k_mac)), Some((_, chip_pk))) = (st.keys.clone(), st.chip_eph.clone()) else {
                    return sw(0x6985);
                };
                let c = st.protocol.cipher;
                let Ok(expect) = pace::auth_token(c, &k_mac, &st.oid, &chip_pk) else { return sw(0x6F00) };
                if !crypto::ct_eq(&expect, t.value) {
                    // Wrong password: the terminal derived other keys (9303-11 §4.4.4.2: 6300).
                    self.pace = None;
                    return sw(0x6300);
                }
                let Ok(token) = pace::auth_token(c, &k_mac, &st.oid, &st.terminal_eph) else { return sw(0x6F00) };
                let mut data = tlv::encode(0x86, &token);
                if st.protocol.mapping == cancuoc_core::pace::Mapping::ChipAuthentication {
                    // PACE-CAM: CA_IC = SK_IC⁻¹ · SK_Map,IC, sent encrypted as A_IC.
                    let (Some(ca), Some(sk_map), Domain::Ec(curve)) = (&self.image.ca_key, &st.sk_map, st.domain)
                    else {
                        return sw(0x6F00);
                    };
                    let Ok(ca_ic) = curve.cam_scalar(&ca.secret, sk_map) else { return sw(0x6F00) };
                    let Ok(a_ic) = pace::encrypt_cam_data(c, &k_enc, &ca_ic.0) else { return sw(0x6F00) };
                    data.extend(tlv::encode(0x8A, &a_ic));
                }
                match SmSession::new(c, &k_enc, &k_mac, &vec![0u8; c.block_size()]) {
                    Ok(s) => self.sm = Some(s),
                    Err(_) => return sw(0x6F00),
                }
                self.pace = None;
                Response { data: tlv::encode(0x7C, &data), sw: StatusWord::OK }
            }
            _ => {
                self.pace = None;
                sw(0x6A80)
            }
        }
    }
}

impl SimChip {
    fn ca_agree(&mut self, terminal_key: &[u8], cipher: SmCipher) -> Response {
        let Some(k) = self.image.ca_key.clone() else { return sw(0x6A88) };
        let Ok(shared) = k.curve.mul(&k.secret, Some(terminal_key)) else { return sw(0x6A80) };
        let Ok(x) = k.curve.x_coordinate(&shared) else { return sw(0x6A80) };
        match SmSession::new(
            cipher,
            &crypto::kdf(cipher, &x, 1),
            &crypto::kdf(cipher, &x, 2),
            &vec![0u8; cipher.block_size()],
        ) {
            Ok(s) => self.next_sm = Some(s),
            Err(_) => return sw(0x6F00),
        }
        sw(SW_OK)
    }

    fn ca_cipher(&self) -> Option<SmCipher> {
        let k = self.image.ca_key.as_ref()?;
        Some(match k.protocol.as_bytes().last()? {
            1 => SmCipher::Tdes,
            2 => SmCipher::Aes128,
            3 => SmCipher::Aes192,
            _ => SmCipher::Aes256,
        })
    }

    fn ca_set_at(&mut self, cmd: &Command) -> Response {
        let Some(k) = &self.image.ca_key else { return sw(0x6A88) };
        let oid = tlv::TlvIter::new(&cmd.data).find(0x80).ok().flatten().map(|t| t.value.to_vec());
        if oid.as_deref() != Some(k.protocol.as_bytes()) {
            return sw(0x6A80);
        }
        self.ca_pending = true;
        sw(SW_OK)
    }

    fn ca_general_authenticate(&mut self, cmd: &Command) -> Response {
        self.ca_pending = false;
        let Ok(outer) = tlv::expect(&cmd.data, 0x7C) else { return sw(0x6A80) };
        let Ok(Some(pk)) = outer.children().find(0x80) else { return sw(0x6A80) };
        let Some(c) = self.ca_cipher() else { return sw(0x6A88) };
        let r = self.ca_agree(pk.value, c);
        if r.sw.is_success() { Response { data: tlv::encode(0x7C, &[]), sw: StatusWord::OK } } else { r }
    }

    fn ca_set_kat(&mut self, cmd: &Command) -> Response {
        let Ok(Some(pk)) = tlv::TlvIter::new(&cmd.data).find(0x91) else { return sw(0x6A80) };
        let Some(c) = self.ca_cipher() else { return sw(0x6A88) };
        let pk = pk.value.to_vec();
        self.ca_agree(&pk, c)
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
