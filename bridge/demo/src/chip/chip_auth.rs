//! The chip's side of chip authentication (ICAO 9303-11 §6.2): the key agreement with the
//! terminal's key and the new secure-messaging session.

use super::*;

impl SimChip {
    pub(super) fn ca_agree(&mut self, terminal_key: &[u8], cipher: SmCipher) -> Response {
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

    pub(super) fn ca_cipher(&self) -> Option<SmCipher> {
        let k = self.image.ca_key.as_ref()?;
        Some(match k.protocol.as_bytes().last()? {
            1 => SmCipher::Tdes,
            2 => SmCipher::Aes128,
            3 => SmCipher::Aes192,
            _ => SmCipher::Aes256,
        })
    }

    pub(super) fn ca_set_at(&mut self, cmd: &Command) -> Response {
        let Some(k) = &self.image.ca_key else { return sw(0x6A88) };
        let oid = tlv::TlvIter::new(&cmd.data).find(0x80).ok().flatten().map(|t| t.value.to_vec());
        if oid.as_deref() != Some(k.protocol.as_bytes()) {
            return sw(0x6A80);
        }
        self.ca_pending = true;
        sw(SW_OK)
    }

    pub(super) fn ca_general_authenticate(&mut self, cmd: &Command) -> Response {
        self.ca_pending = false;
        let Ok(outer) = tlv::expect(&cmd.data, 0x7C) else { return sw(0x6A80) };
        let Ok(Some(pk)) = outer.children().find(0x80) else { return sw(0x6A80) };
        let Some(c) = self.ca_cipher() else { return sw(0x6A88) };
        let r = self.ca_agree(pk.value, c);
        if r.sw.is_success() { Response { data: tlv::encode(0x7C, &[]), sw: StatusWord::OK } } else { r }
    }

    pub(super) fn ca_set_kat(&mut self, cmd: &Command) -> Response {
        let Ok(Some(pk)) = tlv::TlvIter::new(&cmd.data).find(0x91) else { return sw(0x6A80) };
        let Some(c) = self.ca_cipher() else { return sw(0x6A88) };
        let pk = pk.value.to_vec();
        self.ca_agree(&pk, c)
    }
}
