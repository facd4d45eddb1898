//! Secure messaging (ICAO 9303-11 §9.8): wrapping commands and unwrapping responses with
//! 3DES (BAC) or AES (PACE) session keys and a send sequence counter.
//!
//! The response MAC is checked before any response byte is decrypted or used. The chip side
//! ([`SmSession::unwrap_command`], [`SmSession::wrap_response`]) serves the simulator.

use alloc::vec::Vec;
use core::fmt;

use crate::apdu::{Command, Response, StatusWord};
use crate::crypto::{self, CryptoError, SmCipher};
use crate::tlv::{self, TlvIter};

/// What went wrong in secure messaging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SmError {
    /// The MAC (DO'8E') does not match: the data was altered or the keys differ.
    BadMac,
    /// A mandatory data object (DO'8E', DO'99') is absent.
    MissingObject(u8),
    /// The decrypted data has malformed padding or a bad padding-content indicator.
    BadPadding,
    /// The protected response is not well-formed BER-TLV.
    Malformed,
    /// The chip answered with a plain status word and no SM objects: it ended the session.
    Unprotected(StatusWord),
    /// Cipher misuse (wrong key length): a bug, reported rather than panicking.
    Crypto,
}

impl fmt::Display for SmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadMac => f.write_str("secure messaging MAC does not match (data altered or wrong session keys)"),
            Self::MissingObject(t) => write!(f, "secure messaging object {t:02X} is missing"),
            Self::BadPadding => f.write_str("secure messaging padding is malformed"),
            Self::Malformed => f.write_str("secure messaging response is malformed"),
            Self::Unprotected(sw) => write!(f, "chip ended secure messaging with plain status {sw}"),
            Self::Crypto => f.write_str("secure messaging cipher error"),
        }
    }
}

impl From<CryptoError> for SmError {
    fn from(_: CryptoError) -> Self {
        Self::Crypto
    }
}

/// Session keys and send sequence counter.
#[derive(Clone)]
/// Wiped from memory when dropped (the keys and the counter).
pub struct SmSession {
    cipher: SmCipher,
    k_enc: Vec<u8>,
    k_mac: Vec<u8>,
    /// SSC, big-endian, as long as the cipher's block (8 for 3DES, 16 for AES).
    ssc: Vec<u8>,
}

impl fmt::Debug for SmSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmSession").field("cipher", &self.cipher).finish_non_exhaustive()
    }
}

/// Bytes of SM framing a response of `plain` data bytes carries, status word included:
/// DO'87' header and padding-content indicator, padding, DO'99', DO'8E', SW.
pub fn response_overhead(cipher: SmCipher, plain: usize) -> usize {
    let bs = cipher.block_size();
    let enc = (plain / bs + 1) * bs;
    let do87 = if plain == 0 { 0 } else { 1 + len_len(enc + 1) + 1 + enc };
    do87 + 4 + 10 + 2 - plain
}

/// Bytes of SM framing added to a command with `data` bytes and an Le.
pub fn command_overhead(cipher: SmCipher, data: usize, extended_le: bool) -> usize {
    let bs = cipher.block_size();
    let do87 = if data == 0 {
        0
    } else {
        let enc = (data / bs + 1) * bs;
        1 + len_len(enc + 1) + 1 + enc
    };
    let do97 = if extended_le { 4 } else { 3 };
    do87 + do97 + 10 - data
}

fn len_len(n: usize) -> usize {
    match n {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        0x100..=0xFFFF => 3,
        _ => 4,
    }
}

impl SmSession {
    /// Starts a session. `ssc` is the initial counter (BAC: 8 bytes from the challenges; PACE: zero).
    pub fn new(cipher: SmCipher, k_enc: &[u8], k_mac: &[u8], ssc: &[u8]) -> Result<Self, SmError> {
        if k_enc.len() != cipher.key_len() || k_mac.len() != cipher.key_len() {
            return Err(SmError::Crypto);
        }
        let bs = cipher.block_size();
        let mut s = alloc::vec![0u8; bs];
        let n = ssc.len().min(bs);
        let (dst, src) =
            (s.get_mut(bs - n..).ok_or(SmError::Crypto)?, ssc.get(ssc.len() - n..).ok_or(SmError::Crypto)?);
        dst.copy_from_slice(src);
        Ok(Self { cipher, k_enc: k_enc.to_vec(), k_mac: k_mac.to_vec(), ssc: s })
    }

    /// The session's cipher suite.
    pub fn cipher(&self) -> SmCipher {
        self.cipher
    }

    /// The session keys (K_enc, K_mac), for checking a key agreement against published examples.
    #[doc(hidden)]
    pub fn key_material(&self) -> (&[u8], &[u8]) {
        (&self.k_enc, &self.k_mac)
    }

    /// The current send sequence counter (for tests and diagnostics; not secret on its own).
    pub fn ssc(&self) -> &[u8] {
        &self.ssc
    }

    fn increment(&mut self) {
        for b in self.ssc.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }

    fn iv(&self) -> Result<Vec<u8>, SmError> {
        Ok(match self.cipher {
            SmCipher::Tdes => alloc::vec![0u8; 8],
            _ => crypto::encrypt_block(self.cipher, &self.k_enc, &self.ssc)?,
        })
    }

    fn mac_over(&self, parts: &[&[u8]]) -> Result<[u8; 8], SmError> {
        let mut n = self.ssc.clone();
        for p in parts {
            n.extend_from_slice(p);
        }
        crypto::pad(&mut n, self.cipher.block_size());
        Ok(crypto::mac(self.cipher, &self.k_mac, &n)?)
    }

    fn encrypt(&self, data: &[u8]) -> Result<Vec<u8>, SmError> {
        let mut p = data.to_vec();
        crypto::pad(&mut p, self.cipher.block_size());
        Ok(crypto::cbc_encrypt(self.cipher, &self.k_enc, &self.iv()?, &p)?)
    }

    fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>, SmError> {
        let plain =
            crypto::cbc_decrypt(self.cipher, &self.k_enc, &self.iv()?, data).map_err(|_| SmError::BadPadding)?;
        crypto::unpad(&plain).map(<[u8]>::to_vec).ok_or(SmError::BadPadding)
    }

    /// Data object carrying (encrypted) data: DO'85' for odd INS, DO'87' otherwise.
    fn data_object(&self, ins: u8, data: &[u8]) -> Result<Vec<u8>, SmError> {
        let enc = self.encrypt(data)?;
        Ok(if ins & 1 == 1 {
            tlv::encode(0x85, &enc)
        } else {
            let mut v = Vec::with_capacity(enc.len() + 1);
            v.push(0x01);
            v.extend_from_slice(&enc);
            tlv::encode(0x87, &v)
        })
    }

    fn padded_header(&self, cla: u8, ins: u8, p1: u8, p2: u8) -> Vec<u8> {
        let mut h = alloc::vec![cla | 0x0C, ins, p1, p2];
        crypto::pad(&mut h, self.cipher.block_size());
        h
    }

    /// Wraps a plain command (terminal side, 9303-11 §9.8.5).
    pub fn wrap_command(&mut self, cmd: &Command) -> Result<Command, SmError> {
        self.increment();
        let header = self.padded_header(cmd.cla, cmd.ins, cmd.p1, cmd.p2);
        let do87 = if cmd.data.is_empty() { Vec::new() } else { self.data_object(cmd.ins, &cmd.data)? };
        let do97 = match cmd.le {
            None => Vec::new(),
            Some(le) if le <= 256 => tlv::encode(0x97, &[le as u8]),
            Some(le) => {
                let v = if le >= 65_536 { 0 } else { le as u16 };
                tlv::encode(0x97, &v.to_be_bytes())
            }
        };
        let mac = self.mac_over(&[&header, &do87, &do97])?;
        let mut data = do87;
        data.extend_from_slice(&do97);
        data.extend_from_slice(&[0x8E, 0x08]);
        data.extend_from_slice(&mac);
        let extended = data.len() > 255 || cmd.le.is_some_and(|le| le > 256);
        Ok(Command {
            cla: cmd.cla | 0x0C,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data,
            le: Some(if extended { 65_536 } else { 256 }),
        })
    }

    /// Unwraps a protected response (terminal side): MAC first, then decryption.
    pub fn unwrap_response(&mut self, resp: &Response) -> Result<Response, SmError> {
        self.increment();
        if resp.data.is_empty() {
            return Err(SmError::Unprotected(resp.sw));
        }
        let (mut data_obj, mut do99, mut do8e) = (None, None, None);
        for t in TlvIter::new(&resp.data) {
            let t = t.map_err(|_| SmError::Malformed)?;
            match t.tag {
                0x85 | 0x87 => data_obj = Some(t),
                0x99 => do99 = Some(t),
                0x8E => do8e = Some(t),
                _ => {}
            }
        }
        let do8e = do8e.ok_or(SmError::MissingObject(0x8E))?;
        let do99 = do99.ok_or(SmError::MissingObject(0x99))?;
        let expected = self.mac_over(&[data_obj.map_or(&[][..], |t| t.raw), do99.raw])?;
        if !crypto::ct_eq(&expected, do8e.value) {
            return Err(SmError::BadMac);
        }
        let sw = match do99.value {
            [a, b] => StatusWord(u16::from_be_bytes([*a, *b])),
            _ => return Err(SmError::Malformed),
        };
        let data = match data_obj {
            None => Vec::new(),
            Some(t) if t.tag == 0x87 => match t.value.split_first() {
                Some((0x01, enc)) => self.decrypt(enc)?,
                _ => return Err(SmError::BadPadding),
            },
            Some(t) => self.decrypt(t.value)?,
        };
        Ok(Response { data, sw })
    }

    /// Unwraps a protected command (chip side). Returns the plain command.
    pub fn unwrap_command(&mut self, cmd: &Command) -> Result<Command, SmError> {
        self.increment();
        if cmd.cla & 0x0C != 0x0C {
            return Err(SmError::MissingObject(0x8E));
        }
        let (mut data_obj, mut do97, mut do8e) = (None, None, None);
        for t in TlvIter::new(&cmd.data) {
            let t = t.map_err(|_| SmError::Malformed)?;
            match t.tag {
                0x85 | 0x87 => data_obj = Some(t),
                0x97 => do97 = Some(t),
                0x8E => do8e = Some(t),
                _ => return Err(SmError::Malformed),
            }
        }
        let do8e = do8e.ok_or(SmError::MissingObject(0x8E))?;
        let header = self.padded_header(cmd.cla, cmd.ins, cmd.p1, cmd.p2);
        let expected =
            self.mac_over(&[&header, data_obj.map_or(&[][..], |t| t.raw), do97.map_or(&[][..], |t| t.raw)])?;
        if !crypto::ct_eq(&expected, do8e.value) {
            return Err(SmError::BadMac);
        }
        let data = match data_obj {
            None => Vec::new(),
            Some(t) if t.tag == 0x87 => match t.value.split_first() {
                Some((0x01, enc)) => self.decrypt(enc)?,
                _ => return Err(SmError::BadPadding),
            },
            Some(t) => self.decrypt(t.value)?,
        };
        let le = match do97.map(|t| t.value) {
            None => None,
            Some([0]) => Some(256),
            Some([n]) => Some(usize::from(*n)),
            Some([0, 0]) => Some(65_536),
            Some([a, b]) => Some(usize::from(u16::from_be_bytes([*a, *b]))),
            Some(_) => return Err(SmError::Malformed),
        };
        Ok(Command { cla: cmd.cla & !0x0C, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data, le })
    }

    /// Wraps a plain response (chip side). `ins` selects DO'85' (odd) or DO'87'.
    pub fn wrap_response(&mut self, ins: u8, resp: &Response) -> Result<Response, SmError> {
        self.increment();
        let data_obj = if resp.data.is_empty() { Vec::new() } else { self.data_object(ins, &resp.data)? };
        let do99 = tlv::encode(0x99, &resp.sw.0.to_be_bytes());
        let mac = self.mac_over(&[&data_obj, &do99])?;
        let mut data = data_obj;
        data.extend_from_slice(&do99);
        data.extend_from_slice(&[0x8E, 0x08]);
        data.extend_from_slice(&mac);
        Ok(Response { data, sw: resp.sw })
    }
}

impl Drop for SmSession {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.k_enc.zeroize();
        self.k_mac.zeroize();
        self.ssc.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overhead_matches_encoding() {
        for cipher in [SmCipher::Tdes, SmCipher::Aes128] {
            for n in [0usize, 1, 7, 8, 100, 223, 231, 1000] {
                let mut chip = SmSession::new(cipher, &[1; 16], &[2; 16], &[0; 8]).unwrap();
                let r = chip.wrap_response(0xB0, &Response { data: alloc::vec![0; n], sw: StatusWord::OK }).unwrap();
                assert_eq!(r.data.len() + 2, n + response_overhead(cipher, n), "{cipher:?} {n}");
            }
        }
    }

    #[test]
    fn aes_round_trip_and_tamper() {
        let mut term = SmSession::new(SmCipher::Aes256, &[3; 32], &[4; 32], &[]).unwrap();
        let mut chip = term.clone();
        let cmd = Command::new(0, 0xB1, 0, 0).with_data(alloc::vec![0x54, 0x02, 0x80, 0x00]).with_le(4000);
        let w = term.wrap_command(&cmd).unwrap();
        assert_eq!(chip.unwrap_command(&w).unwrap(), cmd);
        let r = chip.wrap_response(0xB1, &Response { data: alloc::vec![9; 500], sw: StatusWord::OK }).unwrap();
        let mut bad = r.clone();
        bad.data[5] ^= 1;
        let mut term2 = term.clone();
        assert_eq!(term2.unwrap_response(&bad), Err(SmError::BadMac));
        assert_eq!(term.unwrap_response(&r).unwrap().data, alloc::vec![9; 500]);
    }
}
