//! PACE's keys and nonces, for both sides (the reader here, the chip in the simulator): the
//! password's key, the encrypted nonce, the authentication token, the integrated mapping's
//! pseudo-random function, PACE-CAM's encrypted chip data, and the random secrets.

use alloc::string::ToString;
use alloc::vec::Vec;

use const_oid::ObjectIdentifier;
use rand_core::CryptoRng;

use super::{Domain, PaceProtocol};
use crate::access::{AccessKey, Can};
use crate::crypto::{self, HashAlgorithm, SmCipher};
use crate::ecc::Secret;
use crate::error::PaceError;
use crate::tlv;

/// The PACE password.
#[derive(Clone, Copy, Debug)]
pub enum Password<'a> {
    /// The MRZ access key (document number, date of birth, expiry).
    Mrz(&'a AccessKey),
    /// The 6-digit card access number. Vietnamese cards print none: it is the last 6 digits of
    /// the 12-digit ID number ([`crate::access::Credentials::from_id_number`]).
    Can(&'a Can),
}

/// K_π: the key derived from the password (9303-11 §9.7.3).
pub fn password_key(password: Password<'_>, cipher: SmCipher) -> Vec<u8> {
    match password {
        Password::Mrz(k) => crypto::kdf(cipher, &HashAlgorithm::Sha1.digest(k.mrz_information().as_bytes()), 3),
        Password::Can(c) => crypto::kdf(cipher, c.as_str().as_bytes(), 3),
    }
}

/// The public key data object `7F49 { 06 OID, 86 point }` (ECDH) or `7F49 { 06 OID, 84 y }` (DH)
/// that tokens are computed over (9303-11 §4.4.3.4).
pub fn public_key_data(protocol: &ObjectIdentifier, ecdh: bool, key: &[u8]) -> Vec<u8> {
    let mut v = tlv::encode(0x06, protocol.as_bytes());
    v.extend(tlv::encode(if ecdh { 0x86 } else { 0x84 }, key));
    tlv::encode(0x7F49, &v)
}

/// The authentication token over the other side's ephemeral public key (9303-11 §4.4.3.4).
pub fn auth_token(
    cipher: SmCipher,
    k_mac: &[u8],
    protocol: &ObjectIdentifier,
    point: &[u8],
) -> Result<[u8; 8], PaceError> {
    let ecdh = PaceProtocol::from_oid(protocol).is_none_or(|p| p.ecdh);
    let mut data = public_key_data(protocol, ecdh, point);
    if cipher == SmCipher::Tdes {
        crypto::pad(&mut data, 8);
    }
    crypto::mac(cipher, k_mac, &data).map_err(|_| PaceError::Malformed)
}

/// z = E(K_π, s) (chip side).
pub fn encrypt_nonce(cipher: SmCipher, k_pi: &[u8], s: &[u8]) -> Result<Vec<u8>, PaceError> {
    crypto::cbc_encrypt(cipher, k_pi, &alloc::vec![0u8; cipher.block_size()], s).map_err(|_| PaceError::Malformed)
}

pub(super) fn decrypt_nonce(cipher: SmCipher, k_pi: &[u8], z: &[u8]) -> Result<Vec<u8>, PaceError> {
    crypto::cbc_decrypt(cipher, k_pi, &alloc::vec![0u8; cipher.block_size()], z).map_err(|_| PaceError::Malformed)
}

/// The pseudo-random function R(s, t) of the integrated mapping (9303-11 §4.4.3.3.2) for AES-128
/// (block length l = 128): k_0 = E(t, s); out_i = E(k_i, c_1); k_(i+1) = E(k_i, c_0), for
/// n = ⌈(log2 p + 64) / l⌉ blocks.
pub fn pseudo_random(cipher: SmCipher, s: &[u8], t: &[u8], p_bits: usize) -> Result<Vec<u8>, PaceError> {
    // 9303-11 §4.4.3.3.2, constants for l = 128.
    const C0: [u8; 16] =
        [0xa6, 0x68, 0x89, 0x2a, 0x7c, 0x41, 0xe3, 0xca, 0x73, 0x9f, 0x40, 0xb0, 0x57, 0xd8, 0x59, 0x04];
    const C1: [u8; 16] =
        [0xa4, 0xe1, 0x36, 0xac, 0x72, 0x5f, 0x73, 0x8b, 0x01, 0xc1, 0xf6, 0x02, 0x17, 0xc1, 0x88, 0xad];
    if cipher != SmCipher::Aes128 || s.len() != 16 || t.len() != 16 {
        return Err(PaceError::Unsupported("integrated mapping other than AES-128".to_string()));
    }
    let e = |key: &[u8], block: &[u8]| crypto::encrypt_block(cipher, key, block).map_err(|_| PaceError::Malformed);
    let n = (p_bits + 64).div_ceil(128);
    let mut k = e(t, s)?;
    let mut out = Vec::with_capacity(n * 16);
    for _ in 0..n {
        out.extend(e(&k, &C1)?);
        k = e(&k, &C0)?;
    }
    Ok(out)
}

/// The randomness PACE consumes: ephemeral secrets and the integrated mapping's nonce t.
pub trait PaceRandom {
    /// A fresh ephemeral private key for `domain`.
    fn secret(&mut self, domain: Domain) -> Secret;
    /// `len` fresh random bytes (the integrated mapping's nonce t).
    fn nonce(&mut self, len: usize) -> Vec<u8>;
}

/// [`PaceRandom`] from a cryptographic RNG.
pub struct RngSource<'a, R: CryptoRng + ?Sized>(pub &'a mut R);

impl<R: CryptoRng + ?Sized> PaceRandom for RngSource<'_, R> {
    fn secret(&mut self, domain: Domain) -> Secret {
        domain.random_secret(self.0)
    }
    fn nonce(&mut self, len: usize) -> Vec<u8> {
        let mut v = alloc::vec![0u8; len];
        self.0.fill_bytes(&mut v);
        v
    }
}

/// The IV of PACE-CAM's encrypted chip-authentication data: E(KS_enc, −1) (9303-11 §4.4.3.5).
pub(super) fn cam_iv(cipher: SmCipher, k_enc: &[u8]) -> Result<Vec<u8>, PaceError> {
    crypto::encrypt_block(cipher, k_enc, &alloc::vec![0xFF; cipher.block_size()]).map_err(|_| PaceError::Malformed)
}

/// Decrypts A_IC, the chip's encrypted chip-authentication data of PACE-CAM, to CA_IC.
pub fn decrypt_cam_data(cipher: SmCipher, k_enc: &[u8], a_ic: &[u8]) -> Result<Vec<u8>, PaceError> {
    let plain = crypto::cbc_decrypt(cipher, k_enc, &cam_iv(cipher, k_enc)?, a_ic).map_err(|_| PaceError::Malformed)?;
    crypto::unpad(&plain).map(<[u8]>::to_vec).ok_or(PaceError::Malformed)
}

/// Encrypts CA_IC to A_IC (chip side).
pub fn encrypt_cam_data(cipher: SmCipher, k_enc: &[u8], ca_ic: &[u8]) -> Result<Vec<u8>, PaceError> {
    let mut p = ca_ic.to_vec();
    crypto::pad(&mut p, cipher.block_size());
    crypto::cbc_encrypt(cipher, k_enc, &cam_iv(cipher, k_enc)?, &p).map_err(|_| PaceError::Malformed)
}

/// The chip's static ECDH key (id-PK-ECDH) in EF.CardSecurity, a CMS SignedData over SecurityInfos.
/// The signature is not checked here.
pub fn chip_key_from_card_security(bytes: &[u8]) -> Option<Vec<u8>> {
    let ci = tlv::expect(bytes, 0x30).ok()?;
    let sd = ci.children().find(0xA0).ok()??.children().find(0x30).ok()??;
    let encap = sd
        .children()
        .filter_map(Result::ok)
        .find(|t| t.tag == 0x30 && t.children().next().and_then(Result::ok).is_some_and(|f| f.tag == 0x06))?;
    let content = encap.children().find(0xA0).ok()??.children().find(0x04).ok()??;
    let set = tlv::expect(content.value, 0x31).ok()?;
    let infos = crate::lds::dg14::parse_security_infos(&set).ok()?;
    crate::lds::dg14::static_keys(&infos.infos).into_iter().next().map(|(point, _)| point)
}
