//! Chip authentication (ICAO 9303-11 §6.2) with ECDH: an ephemeral key agreement with the chip's
//! static key from DG14, after which secure messaging restarts under keys only the genuine chip
//! can derive. 3DES uses MSE:Set KAT; AES uses MSE:Set AT + GENERAL AUTHENTICATE.

use alloc::string::ToString;
use alloc::vec::Vec;

use const_oid::ObjectIdentifier;
use der::Decode;
use rand_core::CryptoRng;
use spki::SubjectPublicKeyInfoOwned;

use crate::apdu::{Command, Transport};
use crate::crypto::{self, SmCipher, oid};
use crate::ecc::Curve;
use crate::error::{Error, Step};
use crate::files::Card;
use crate::lds::dg14::Dg14;
use crate::sm::SmSession;
use crate::tlv;
use crate::verdict::ActiveAuthStatus;

/// id-CA (0.4.0.127.0.7.2.2.3) and id-PK (0.4.0.127.0.7.2.2.1).
pub const ID_CA: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3");
pub use crate::lds::dg14::ID_PK_ECDH;

/// What DG14 says about chip authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthentication {
    /// The id-CA-… protocol identifier of the ChipAuthenticationInfo.
    pub protocol: ObjectIdentifier,
    /// The secure-messaging cipher it leads to.
    pub cipher: SmCipher,
    /// Which of the chip's keys, when it has several.
    pub key_id: Option<u32>,
    /// The key's curve.
    pub curve: Curve,
    /// The chip's static public key (uncompressed point).
    pub public_key: Vec<u8>,
}

/// Why chip authentication cannot run with this DG14 (reported, never a pass).
fn unsupported(what: impl ToString) -> ActiveAuthStatus {
    ActiveAuthStatus::UnsupportedAlgorithm(what.to_string())
}

use crate::lds::dg14::small_int as int;

/// Finds an ECDH ChipAuthenticationInfo and its public key in DG14. `Ok(None)`: the chip has no
/// chip authentication. `Err(status)`: it has one this build cannot run.
pub fn from_dg14(dg14: &Dg14) -> Result<Option<ChipAuthentication>, ActiveAuthStatus> {
    let mut info = None;
    let mut keys = Vec::new();
    for si in &dg14.infos {
        let Ok(seq) = tlv::expect(&si.raw, 0x30) else { continue };
        let mut parts = seq.children().skip(1).filter_map(Result::ok);
        let parent = si.protocol.parent().and_then(|p| p.parent());
        if parent == Some(ID_CA) {
            let _version = parts.next();
            let key_id = parts.next().as_ref().and_then(int);
            info = Some((si.protocol, key_id));
        } else if si.protocol == ID_PK_ECDH
            && let Some(spki) = parts.next()
        {
            let key_id = parts.next().as_ref().and_then(int);
            keys.push((spki.raw.to_vec(), key_id));
        }
    }
    let Some((protocol, key_id)) = info else { return Ok(None) };
    let bytes = protocol.as_bytes();
    let (kind, alg) = match bytes.strip_prefix(ID_CA.as_bytes()) {
        Some([k, a]) => (*k, *a),
        _ => return Err(unsupported(protocol)),
    };
    if kind != 2 {
        return Err(unsupported(alloc::format!("{protocol} (DH chip authentication)")));
    }
    let cipher = match alg {
        1 => SmCipher::Tdes,
        2 => SmCipher::Aes128,
        3 => SmCipher::Aes192,
        4 => SmCipher::Aes256,
        _ => return Err(unsupported(protocol)),
    };
    let (spki_der, _) = keys
        .iter()
        .find(|(_, id)| key_id.is_none() || *id == key_id)
        .ok_or_else(|| unsupported("DG14 names chip authentication but holds no matching public key"))?;
    let spki =
        SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(|_| unsupported("malformed chip authentication key"))?;
    let curve_oid = crate::auth::sig::ec_curve(&spki).map_err(unsupported)?;
    let curve = match curve_oid {
        oid::P256 => Curve::P256,
        #[cfg(feature = "large-curves")]
        oid::P384 => Curve::P384,
        #[cfg(feature = "large-curves")]
        oid::P521 => Curve::P521,
        oid::BRAINPOOL_P256R1 => Curve::BrainpoolP256r1,
        #[cfg(feature = "large-curves")]
        oid::BRAINPOOL_P384R1 => Curve::BrainpoolP384r1,
        #[cfg(feature = "large-curves")]
        oid::BRAINPOOL_P512R1 => Curve::BrainpoolP512r1,
        other => return Err(unsupported(alloc::format!("chip authentication on curve {other}"))),
    };
    let public_key =
        spki.subject_public_key.as_bytes().ok_or_else(|| unsupported("malformed chip authentication key"))?.to_vec();
    curve.validate(&public_key).map_err(unsupported)?;
    Ok(Some(ChipAuthentication { protocol, cipher, key_id, curve, public_key }))
}

pub use crate::lds::dg14::static_keys;

/// Runs chip authentication and installs the new session. Whether the chip really holds the
/// key shows in the next protected response: its MAC verifies only under the new keys.
pub fn perform<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    ca: &ChipAuthentication,
    rng: &mut R,
) -> Result<(), Error> {
    let step = Step::ChipAuthentication;
    let bad = |_| Error::MalformedResponse { step };
    // A pair drawn ahead while the reader was idle (`ecc::spare`), else a fresh one.
    let (secret, pk) = crate::ecc::spare::key_pair(ca.curve, rng).map_err(bad)?;
    let shared = ca.curve.mul(&secret, Some(&ca.public_key)).map_err(bad)?;
    let k = ca.curve.x_coordinate(&shared).map_err(bad)?;
    let key_ref = ca.key_id.map(|id| {
        let b = id.to_be_bytes();
        let start = b.iter().position(|&x| x != 0).unwrap_or(3);
        tlv::encode(0x84, b.get(start..).unwrap_or(&b))
    });
    let expect_ok =
        |r: crate::apdu::Response| if r.sw.is_success() { Ok(()) } else { Err(Error::Status { step, sw: r.sw }) };
    if ca.cipher == SmCipher::Tdes {
        // MSE:Set KAT (9303-11 §6.2.4.1).
        let mut data = tlv::encode(0x91, &pk);
        data.extend(key_ref.unwrap_or_default());
        expect_ok(card.transmit(step, &Command::new(0x00, 0x22, 0x41, 0xA6).with_data(data))?)?;
    } else {
        // MSE:Set AT + GENERAL AUTHENTICATE (9303-11 §6.2.4.2).
        let mut data = tlv::encode(0x80, ca.protocol.as_bytes());
        data.extend(key_ref.unwrap_or_default());
        expect_ok(card.transmit(step, &Command::new(0x00, 0x22, 0x41, 0xA4).with_data(data))?)?;
        let ga = tlv::encode(0x7C, &tlv::encode(0x80, &pk));
        expect_ok(card.transmit(step, &Command::new(0x00, 0x86, 0x00, 0x00).with_data(ga).with_le(256))?)?;
    }
    let c = ca.cipher;
    let sm = SmSession::new(c, &crypto::kdf(c, &k, 1), &crypto::kdf(c, &k, 2), &alloc::vec![0u8; c.block_size()])
        .map_err(|error| Error::SecureMessaging { step, error })?;
    card.set_session(sm);
    Ok(())
}
