//! The chip's answers to the commands of a read: SELECT, GET CHALLENGE and EXTERNAL
//! AUTHENTICATE (BAC), READ BINARY, INTERNAL AUTHENTICATE (active authentication).

use super::*;

impl SimChip {
    pub(super) fn select(&mut self, cmd: &Command, protected: bool) -> Response {
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

    pub(super) fn get_challenge(&mut self, cmd: &Command) -> Response {
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

    pub(super) fn external_authenticate(&mut self, cmd: &Command) -> Response {
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

    pub(super) fn read_binary(&mut self, cmd: &Command) -> Response {
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

    pub(super) fn internal_authenticate(&mut self, cmd: &Command) -> Response {
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
