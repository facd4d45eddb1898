//! Basic Access Control (ICAO 9303-11 §4.3): mutual authentication with keys derived from the
//! MRZ, ending in a 3DES secure-messaging session.

use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::access::AccessKey;
use crate::apdu::{Command, SwKind, Transport};
use crate::crypto::{self, HashAlgorithm, SmCipher};
use crate::error::{Error, Step};
use crate::files::Card;
use crate::sm::{SmError, SmSession};

/// K_enc and K_mac derived from the MRZ information (9303-11 §9.7.2).
#[derive(Clone)]
pub struct BacKeys {
    /// The 3DES encryption key (16 bytes).
    pub k_enc: Vec<u8>,
    /// The retail-MAC key (16 bytes).
    pub k_mac: Vec<u8>,
}

impl BacKeys {
    /// The keys of an MRZ key: SHA-1 of `MRZ_information`, then the 9303-11 §9.7.1 derivation.
    pub fn derive(key: &AccessKey) -> Self {
        let info = key.mrz_information();
        let mut seed = HashAlgorithm::Sha1.digest(info.as_bytes());
        seed.truncate(16);
        Self { k_enc: crypto::kdf(SmCipher::Tdes, &seed, 1), k_mac: crypto::kdf(SmCipher::Tdes, &seed, 2) }
    }

    /// E.IFD ‖ M.IFD for EXTERNAL AUTHENTICATE.
    pub fn authentication_data(&self, rnd_ic: &[u8; 8], rnd_ifd: &[u8; 8], k_ifd: &[u8; 16]) -> Result<Vec<u8>, Error> {
        let step = Step::ExternalAuthenticate;
        let mut s = Vec::with_capacity(32);
        s.extend_from_slice(rnd_ifd);
        s.extend_from_slice(rnd_ic);
        s.extend_from_slice(k_ifd);
        let e = crypto::cbc_encrypt(SmCipher::Tdes, &self.k_enc, &[0; 8], &s)
            .map_err(|_| Error::MalformedResponse { step })?;
        let mut padded = e.clone();
        crypto::pad(&mut padded, 8);
        let m = crypto::mac(SmCipher::Tdes, &self.k_mac, &padded).map_err(|_| Error::MalformedResponse { step })?;
        let mut out = e;
        out.extend_from_slice(&m);
        Ok(out)
    }

    /// Checks the chip's E.IC ‖ M.IC and derives the session. `None` when the MAC or the echoed
    /// nonce is wrong.
    pub fn complete(
        &self,
        response: &[u8],
        rnd_ic: &[u8; 8],
        rnd_ifd: &[u8; 8],
        k_ifd: &[u8; 16],
    ) -> Option<SmSession> {
        let (e_ic, m_ic) = (response.get(..32)?, response.get(32..40)?);
        let mut padded = e_ic.to_vec();
        crypto::pad(&mut padded, 8);
        let m = crypto::mac(SmCipher::Tdes, &self.k_mac, &padded).ok()?;
        if response.len() != 40 || !crypto::ct_eq(&m, m_ic) {
            return None;
        }
        let r = crypto::cbc_decrypt(SmCipher::Tdes, &self.k_enc, &[0; 8], e_ic).ok()?;
        if r.get(..8)? != rnd_ic || r.get(8..16)? != rnd_ifd {
            return None;
        }
        let k_ic = r.get(16..32)?;
        let seed: Vec<u8> = k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect();
        let mut ssc = Vec::with_capacity(8);
        ssc.extend_from_slice(rnd_ic.get(4..)?);
        ssc.extend_from_slice(rnd_ifd.get(4..)?);
        SmSession::new(
            SmCipher::Tdes,
            &crypto::kdf(SmCipher::Tdes, &seed, 1),
            &crypto::kdf(SmCipher::Tdes, &seed, 2),
            &ssc,
        )
        .ok()
    }
}

/// Runs BAC on a card whose eMRTD application is selected and installs the session.
pub fn establish<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    key: &AccessKey,
    rng: &mut R,
) -> Result<(), Error> {
    card.end_session();
    let keys = BacKeys::derive(key);
    let r = card.transmit_plain(Step::GetChallenge, &Command::new(0x00, 0x84, 0x00, 0x00).with_le(8))?;
    if !r.sw.is_success() {
        return Err(Error::Status { step: Step::GetChallenge, sw: r.sw });
    }
    let rnd_ic: [u8; 8] =
        r.data.as_slice().try_into().map_err(|_| Error::MalformedResponse { step: Step::GetChallenge })?;
    let mut rnd_ifd = [0u8; 8];
    let mut k_ifd = [0u8; 16];
    rng.fill_bytes(&mut rnd_ifd);
    rng.fill_bytes(&mut k_ifd);
    let data = keys.authentication_data(&rnd_ic, &rnd_ifd, &k_ifd)?;
    let cmd = Command::new(0x00, 0x82, 0x00, 0x00).with_data(data).with_le(40);
    let r = card.transmit_plain(Step::ExternalAuthenticate, &cmd)?;
    match r.sw.kind() {
        SwKind::Success => {}
        // 9303-11 §4.3.4: a chip that cannot verify the terminal's cryptogram answers 6300 or
        // 6982; some answer 6A80 / 6988. All mean the key derived from the MRZ was wrong.
        SwKind::AuthenticationFailed
        | SwKind::SecurityStatusNotSatisfied
        | SwKind::IncorrectData
        | SwKind::SmObjectsIncorrect
        | SwKind::VerificationFailed { .. } => return Err(Error::AccessDenied { sw: Some(r.sw) }),
        _ => return Err(Error::Status { step: Step::ExternalAuthenticate, sw: r.sw }),
    }
    // A chip that accepted our cryptogram but whose answer fails its MAC or nonce check is not a
    // key problem: report it as a secure-messaging failure (corrupted or forged answer).
    let sm = keys
        .complete(&r.data, &rnd_ic, &rnd_ifd, &k_ifd)
        .ok_or(Error::SecureMessaging { step: Step::ExternalAuthenticate, error: SmError::BadMac })?;
    card.set_session(sm);
    Ok(())
}
