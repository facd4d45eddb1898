//! PACE v2 (ICAO 9303-11 §4.4) with the generic mapping over ECDH, passwords CAN and MRZ, and
//! 3DES or AES secure messaging. The chip-side helpers ([`password_key`], [`auth_token`],
//! [`encrypt_nonce`]) serve the simulator.

use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use const_oid::ObjectIdentifier;
use rand_core::CryptoRng;

/// The card access number, the password kind and PACE's error live lower down; re-exported here
/// where readers of PACE look for them.
pub use crate::access::{Can, PasswordKind};
use crate::apdu::{Command, SwKind, Transport};
use crate::crypto::{self, SmCipher};
use crate::dh::DhGroup;
use crate::ecc::{Curve, EccError, Secret};
pub use crate::error::PaceError;
use crate::error::{Error, Step};
use crate::files::Card;
use crate::lds::card_access::{ID_PACE, PaceInfo};
use crate::sm::{SmError, SmSession};
use crate::tlv;

mod keys;
use keys::decrypt_nonce;
pub use keys::*;

/// How the nonce is mapped to an ephemeral generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Mapping {
    /// Generic mapping (9303-11 §4.4.3.3.1): a Diffie-Hellman exchange.
    Generic,
    /// Integrated mapping (9303-11 §4.4.3.3.2): the nonce mapped onto the curve.
    Integrated,
    /// Chip authentication mapping (9303-11 §4.4.3.3.3): generic mapping that also proves the chip.
    ChipAuthentication,
}

/// A PACE protocol OID, decoded (9303-11 §9.2.2, table 9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PaceProtocol {
    /// How the nonce is mapped.
    pub mapping: Mapping,
    /// ECDH (true) or DH (false).
    pub ecdh: bool,
    /// The secure-messaging cipher the session keys are for.
    pub cipher: SmCipher,
}

impl PaceProtocol {
    /// The protocol an id-PACE-… identifier names, `None` for another identifier.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        let bytes = oid.as_bytes();
        let prefix = ID_PACE.as_bytes();
        let [kind, alg] = bytes.strip_prefix(prefix)? else { return None };
        let (mapping, ecdh) = match kind {
            1 => (Mapping::Generic, false),
            2 => (Mapping::Generic, true),
            3 => (Mapping::Integrated, false),
            4 => (Mapping::Integrated, true),
            6 => (Mapping::ChipAuthentication, true),
            _ => return None,
        };
        let cipher = match alg {
            1 => SmCipher::Tdes,
            2 => SmCipher::Aes128,
            3 => SmCipher::Aes192,
            4 => SmCipher::Aes256,
            _ => return None,
        };
        Some(Self { mapping, ecdh, cipher })
    }

    /// Whether this build runs the protocol: the generic mapping (ECDH and DH) with every
    /// cipher, the integrated mapping (ECDH and DH) with AES-128 (the pseudo-random function for
    /// other block and key lengths is not implemented), and the chip-authentication mapping
    /// (ECDH, AES).
    pub fn supported(&self) -> bool {
        match self.mapping {
            Mapping::Generic => true,
            Mapping::Integrated => self.cipher == SmCipher::Aes128,
            // CAM is defined for ECDH with AES (9303-11 §4.4.3.5).
            Mapping::ChipAuthentication => self.ecdh && self.cipher != SmCipher::Tdes,
        }
    }

    fn strength(&self) -> u32 {
        match self.cipher {
            SmCipher::Tdes => 1,
            SmCipher::Aes128 => 2,
            SmCipher::Aes192 => 3,
            SmCipher::Aes256 => 4,
        }
    }
}

impl fmt::Display for PaceProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = match self.mapping {
            Mapping::Generic => "GM",
            Mapping::Integrated => "IM",
            Mapping::ChipAuthentication => "CAM",
        };
        let c = match self.cipher {
            SmCipher::Tdes => "3DES",
            SmCipher::Aes128 => "AES-128",
            SmCipher::Aes192 => "AES-192",
            SmCipher::Aes256 => "AES-256",
        };
        write!(f, "PACE-{m} {} {c}", if self.ecdh { "ECDH" } else { "DH" })
    }
}

/// PACE domain parameters: an elliptic curve or an RFC 5114 DH group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Domain {
    /// An elliptic curve.
    Ec(Curve),
    /// A finite-field Diffie-Hellman group.
    Dh(DhGroup),
}

impl Domain {
    /// The domain for a standardized domain parameter ID (9303-11 table 4).
    pub fn from_id(id: u32) -> Result<Self, EccError> {
        match DhGroup::from_domain_id(id) {
            Some(g) => Ok(Self::Dh(g)),
            None => Curve::from_domain_id(id).map(Self::Ec),
        }
    }
    /// Whether the domain is a curve.
    pub fn is_ecdh(self) -> bool {
        matches!(self, Self::Ec(_))
    }
    fn bits(self) -> usize {
        match self {
            Self::Ec(c) => c.field_bits(),
            Self::Dh(g) => g.bits(),
        }
    }
    fn size(self) -> usize {
        match self {
            Self::Ec(c) => c.field_len(),
            Self::Dh(g) => g.byte_len(),
        }
    }
    /// sk · G (EC) or g^sk (DH), on the base generator when `generator` is `None`.
    pub fn public(self, sk: &Secret, generator: Option<&[u8]>) -> Result<Vec<u8>, EccError> {
        match self {
            Self::Ec(c) => c.mul(sk, generator),
            Self::Dh(g) => g.pow(sk, generator),
        }
    }
    /// The shared element sk · P (EC) or y^sk (DH).
    pub fn shared(self, sk: &Secret, peer: &[u8]) -> Result<Vec<u8>, EccError> {
        self.public(sk, Some(peer))
    }
    /// The key-derivation input from a shared element: x-coordinate (EC) or the value (DH).
    pub fn secret_bytes(self, shared: &[u8]) -> Result<Vec<u8>, EccError> {
        match self {
            Self::Ec(c) => c.x_coordinate(shared),
            Self::Dh(_) => Ok(shared.to_vec()),
        }
    }
    /// The generic mapping's new generator: s · G + H (EC) or g^s · h (DH).
    pub fn map_generic(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, EccError> {
        match self {
            Self::Ec(c) => c.map_generator(s, h),
            Self::Dh(g) => g.map_generator(s, h),
        }
    }
    /// The integrated mapping's new generator from R_p(s, t).
    pub fn map_integrated(self, r: &[u8]) -> Result<Vec<u8>, EccError> {
        match self {
            Self::Ec(c) => c.encode_to_curve(r),
            Self::Dh(g) => g.encode_to_group(r),
        }
    }
    /// Bit length of the field prime (for the integrated mapping's R_p).
    pub fn field_bits(self) -> usize {
        self.bits()
    }
    /// A fresh secret from an RNG.
    pub fn random_secret<R: CryptoRng + ?Sized>(self, rng: &mut R) -> Secret {
        match self {
            Self::Ec(c) => c.random_secret(rng),
            Self::Dh(g) => g.random_secret(rng),
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ec(c) => c.fmt(f),
            Self::Dh(g) => g.fmt(f),
        }
    }
}

/// The strongest PACEInfo this build supports, if any.
pub fn choose(infos: &[PaceInfo]) -> Option<(&PaceInfo, PaceProtocol, Domain)> {
    infos
        .iter()
        .filter_map(|i| {
            let p = PaceProtocol::from_oid(&i.protocol)?;
            let d = Domain::from_id(i.parameter_id?).ok()?;
            (p.supported() && p.ecdh == d.is_ecdh()).then_some((i, p, d))
        })
        // ECDH before DH, CAM (it proves the chip too) before the other mappings, then the
        // stronger cipher, then the larger domain.
        .max_by_key(|(_, p, d)| (p.ecdh, p.mapping == Mapping::ChipAuthentication, p.strength(), d.size()))
}

/// Which PACE run secured a session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PaceOutcome {
    /// The protocol run.
    pub protocol: PaceProtocol,
    /// Its domain parameters.
    pub domain: Domain,
    /// The password used: CAN or MRZ.
    pub password: PasswordKind,
    /// The chip's ephemeral public key.
    pub chip_ephemeral_key: Vec<u8>,
    /// PACE-CAM: the chip's mapping public key and the decrypted CA_IC, to check against the
    /// static key of DG14 once it is read (CA_IC · PK_IC must equal PK_Map,IC).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub cam: Option<CamProof>,
}

/// What PACE-CAM leaves to check once the chip's static key is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CamProof {
    /// The session's curve.
    pub curve: Curve,
    /// PK_Map,IC: the chip's public key of the mapping step (uncompressed point).
    pub chip_mapping_key: Vec<u8>,
    /// CA_IC, decrypted from the chip's last answer.
    pub ca_ic: Secret,
}

impl CamProof {
    /// Whether CA_IC · PK_IC = PK_Map,IC for the chip's static key `pk_ic`.
    pub fn verify(&self, pk_ic: &[u8]) -> bool {
        self.curve.mul(&self.ca_ic, Some(pk_ic)).is_ok_and(|p| crypto::ct_eq(&p, &self.chip_mapping_key))
    }
}

/// One GENERAL AUTHENTICATE exchange, returning the content of the answer's `7C`.
fn general_authenticate<T: Transport>(
    card: &mut Card<T>,
    step: Step,
    last: bool,
    tag: u32,
    value: &[u8],
) -> Result<Vec<u8>, Error> {
    let data =
        if value.is_empty() && tag == 0 { tlv::encode(0x7C, &[]) } else { tlv::encode(0x7C, &tlv::encode(tag, value)) };
    let cmd = Command::new(if last { 0x00 } else { 0x10 }, 0x86, 0x00, 0x00).with_data(data).with_le(256);
    let r = card.transmit_plain(step, &cmd)?;
    match r.sw.kind() {
        SwKind::Success => {}
        // A wrong password shows at the last step (the chip cannot verify our token) and, on some
        // chips, at the first; 63Cx carries the tries left.
        SwKind::AuthenticationFailed
        | SwKind::VerificationFailed { .. }
        | SwKind::SecurityStatusNotSatisfied
        | SwKind::AuthMethodBlocked
            if last =>
        {
            return Err(Error::AccessDenied { sw: Some(r.sw) });
        }
        SwKind::AuthMethodBlocked | SwKind::VerificationFailed { .. } => {
            return Err(Error::AccessDenied { sw: Some(r.sw) });
        }
        _ => return Err(Error::Status { step, sw: r.sw }),
    }
    let outer = tlv::expect(&r.data, 0x7C).map_err(|_| Error::Pace(PaceError::Malformed))?;
    Ok(outer.value.to_vec())
}

/// The value of `want` inside dynamic authentication data, if present.
fn dyn_value(data: &[u8], want: u32) -> Result<Option<Vec<u8>>, Error> {
    let inner = tlv::TlvIter::new(data).find(want).map_err(|_| Error::Pace(PaceError::Malformed))?;
    Ok(inner.map(|t| t.value.to_vec()))
}

/// The value of `want` inside dynamic authentication data; absent is a malformed answer.
fn required(data: &[u8], want: u32) -> Result<Vec<u8>, Error> {
    dyn_value(data, want)?.ok_or(Error::Pace(PaceError::Malformed))
}

/// Runs PACE with ephemeral secrets from `rng` and installs the session.
pub fn establish<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    info: &PaceInfo,
    password: Password<'_>,
    send_domain_reference: bool,
    rng: &mut R,
) -> Result<PaceOutcome, Error> {
    establish_with(card, info, password, send_domain_reference, &mut RngSource(rng))
}

/// Runs PACE with randomness from `random` (tests replay published transcripts with it).
pub fn establish_with<T: Transport>(
    card: &mut Card<T>,
    info: &PaceInfo,
    password: Password<'_>,
    send_domain_reference: bool,
    random: &mut dyn PaceRandom,
) -> Result<PaceOutcome, Error> {
    let oid = info.protocol;
    let protocol = PaceProtocol::from_oid(&oid).ok_or_else(|| Error::Pace(PaceError::Unsupported(oid.to_string())))?;
    if !protocol.supported() {
        return Err(Error::Pace(PaceError::Unsupported(alloc::format!("{protocol} ({oid})"))));
    }
    let id = info.parameter_id.ok_or(Error::Pace(PaceError::Curve(EccError::UnsupportedDomain(u32::MAX))))?;
    let domain = Domain::from_id(id).map_err(|e| Error::Pace(e.into()))?;
    if domain.is_ecdh() != protocol.ecdh {
        return Err(Error::Pace(PaceError::Unsupported(alloc::format!("{protocol} with {domain}"))));
    }
    let cipher = protocol.cipher;
    card.end_session();

    // MSE:Set AT (9303-11 §4.4.4.1).
    let kind = match password {
        Password::Mrz(_) => PasswordKind::Mrz,
        Password::Can(_) => PasswordKind::Can,
    };
    let mut data = tlv::encode(0x80, oid.as_bytes());
    data.extend(tlv::encode(0x83, &[if kind == PasswordKind::Mrz { 0x01 } else { 0x02 }]));
    if send_domain_reference {
        data.extend(tlv::encode(0x84, &[id as u8]));
    }
    let r = card.transmit_plain(Step::PaceSetAt, &Command::new(0x00, 0x22, 0xC1, 0xA4).with_data(data))?;
    match r.sw.kind() {
        SwKind::Success | SwKind::VerificationFailed { .. } => {}
        SwKind::AuthMethodBlocked => return Err(Error::AccessDenied { sw: Some(r.sw) }),
        _ => return Err(Error::Status { step: Step::PaceSetAt, sw: r.sw }),
    }

    // 1. Encrypted nonce.
    let z = required(&general_authenticate(card, Step::PaceNonce, false, 0, &[])?, 0x80)?;
    let k_pi = password_key(password, cipher);
    let s = decrypt_nonce(cipher, &k_pi, &z).map_err(Error::Pace)?;

    let pace = |e: EccError| Error::Pace(PaceError::Curve(e));
    let mut chip_mapping_key = Vec::new();
    let g_mapped = match protocol.mapping {
        // 2. Generic mapping: H = SK_map · PK_map(chip); G' = s · G + H.
        Mapping::Generic | Mapping::ChipAuthentication => {
            // A pair drawn ahead while the reader was idle (`ecc::spare`), else a fresh one.
            let drawn = if let Domain::Ec(c) = domain { crate::ecc::spare::take(c) } else { None };
            let (sk_map, pk_map) = match drawn {
                Some(pair) => pair,
                None => {
                    let sk = random.secret(domain);
                    let pk = domain.public(&sk, None).map_err(pace)?;
                    (sk, pk)
                }
            };
            let chip_map = required(&general_authenticate(card, Step::PaceMap, false, 0x81, &pk_map)?, 0x82)?;
            let h = domain.shared(&sk_map, &chip_map).map_err(pace)?;
            chip_mapping_key = chip_map;
            domain.map_generic(&s, &h).map_err(pace)?
        }
        // 2. Integrated mapping: send t; G' = f_G(R_p(s, t)).
        Mapping::Integrated => {
            let t = random.nonce(s.len());
            // The chip's answer carries no mapping data (an empty 82, or none).
            general_authenticate(card, Step::PaceMap, false, 0x81, &t)?;
            let r = pseudo_random(cipher, &s, &t, domain.field_bits()).map_err(Error::Pace)?;
            domain.map_integrated(&r).map_err(pace)?
        }
    };

    // 3. Key agreement on G'.
    let sk_eph = random.secret(domain);
    let pk_eph = domain.public(&sk_eph, Some(&g_mapped)).map_err(pace)?;
    let chip_eph = required(&general_authenticate(card, Step::PaceKeyAgreement, false, 0x83, &pk_eph)?, 0x84)?;
    if chip_eph == pk_eph {
        return Err(Error::Pace(PaceError::ReflectedKey));
    }
    let shared = domain.shared(&sk_eph, &chip_eph).map_err(pace)?;
    let k = domain.secret_bytes(&shared).map_err(pace)?;
    let (ks_enc, ks_mac) = (crypto::kdf(cipher, &k, 1), crypto::kdf(cipher, &k, 2));

    // 4. Mutual authentication.
    let t_ifd = auth_token(cipher, &ks_mac, &oid, &chip_eph).map_err(Error::Pace)?;
    let answer = general_authenticate(card, Step::PaceMutualAuth, true, 0x85, &t_ifd)?;
    let t_ic = required(&answer, 0x86)?;
    let expect = auth_token(cipher, &ks_mac, &oid, &pk_eph).map_err(Error::Pace)?;
    if !crypto::ct_eq(&expect, &t_ic) {
        return Err(Error::Pace(PaceError::TokenMismatch));
    }
    let sm = SmSession::new(cipher, &ks_enc, &ks_mac, &alloc::vec![0u8; cipher.block_size()])
        .map_err(|error: SmError| Error::SecureMessaging { step: Step::PaceMutualAuth, error })?;
    card.set_session(sm);
    // PACE-CAM: the chip's encrypted chip-authentication data, checked once DG14 is read.
    let cam = match (protocol.mapping, domain) {
        (Mapping::ChipAuthentication, Domain::Ec(curve)) => {
            let a_ic = dyn_value(&answer, 0x8A)?.ok_or(Error::Pace(PaceError::Malformed))?;
            let ca_ic = decrypt_cam_data(cipher, &ks_enc, &a_ic).map_err(Error::Pace)?;
            Some(CamProof { curve, chip_mapping_key, ca_ic: Secret(ca_ic) })
        }
        _ => None,
    };
    Ok(PaceOutcome { protocol, domain, password: kind, chip_ephemeral_key: chip_eph, cam })
}
