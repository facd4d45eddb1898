//! A simulated chip's content ([`CardImage`]) and its stored form: the demo mode ships finished
//! images (files already signed by the test PKI, `cards.bin`), never the keys that signed them.
//! The chip's own keys (active authentication, chip authentication) are in the image, as they are
//! in any chip: they prove "this chip", and cannot sign a document anyone trusts.

use std::collections::BTreeMap;

use cancuoc_core::files::FileId;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use serde::{Deserialize, Serialize};

/// A private key a chip (or, in the test PKI, a signer) holds.
#[derive(Clone)]
pub enum SignKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    Bp256(ecdsa::SigningKey<bp256::BrainpoolP256r1>),
}

impl std::fmt::Debug for SignKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "SignKey::Rsa",
            Self::P256(_) => "SignKey::P256",
            Self::Bp256(_) => "SignKey::Bp256",
        })
    }
}

impl SignKey {
    /// Plain r‖s ECDSA over SHA-256(message) (active authentication, TR-03111).
    pub fn sign_plain_ec(&self, message: &[u8]) -> Option<Vec<u8>> {
        use ecdsa::signature::hazmat::PrehashSigner;
        let hash = cancuoc_core::crypto::HashAlgorithm::Sha256.digest(message);
        match self {
            Self::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&hash).ok()?;
                Some(s.to_bytes().to_vec())
            }
            Self::Bp256(k) => {
                let s: ecdsa::Signature<bp256::BrainpoolP256r1> = k.sign_prehash(&hash).ok()?;
                Some(s.to_bytes().to_vec())
            }
            Self::Rsa(_) => None,
        }
    }

    /// Stored form: PKCS#1 DER for RSA, the 32-byte scalar for EC (prefixed by a curve byte).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Rsa(k) => k.to_pkcs1_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default(),
            Self::P256(k) => [&[1u8][..], &k.to_bytes()].concat(),
            Self::Bp256(k) => [&[2u8][..], &k.to_bytes()].concat(),
        }
    }

    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        match b.split_first()? {
            (1, s) if s.len() == 32 => p256::ecdsa::SigningKey::from_slice(s).ok().map(Self::P256),
            (2, s) if s.len() == 32 => ecdsa::SigningKey::from_slice(s).ok().map(Self::Bp256),
            _ => RsaPrivateKey::from_pkcs1_der(b).ok().map(|k| Self::Rsa(Box::new(k))),
        }
    }
}

/// The chip's static chip-authentication key.
#[derive(Clone, Debug)]
pub struct CaKey {
    pub protocol: const_oid::ObjectIdentifier,
    pub curve: cancuoc_core::ecc::Curve,
    pub secret: cancuoc_core::ecc::Secret,
}

/// A chip's content: files by FID, its BAC key, its own keys and how it behaves.
#[derive(Clone, Debug)]
pub struct CardImage {
    pub files: BTreeMap<u16, Vec<u8>>,
    pub access_key: cancuoc_core::AccessKey,
    pub aa_key: Option<SignKey>,
    pub extended_length: bool,
    /// The card access number (the last 6 digits of the ID number on Vietnamese cards).
    pub can: String,
    /// Whether the chip accepts BAC.
    pub bac: bool,
    /// The chip's chip-authentication key, if it has one.
    pub ca_key: Option<CaKey>,
    /// The answer to SELECT MF.
    pub select_mf_sw: u16,
    /// Files the chip lists but refuses to select without terminal authentication (6982).
    pub protected: Vec<u16>,
    /// Whether MSE:Set AT for PACE is refused (6982).
    pub refuses_pace: bool,
    /// Whether the chip leaves DO'99' out of its secure-messaging answers (malformed SM).
    pub sm_omits_do99: bool,
    /// How the chip refuses READ BINARY by short EF identifier (a status word, in plain, ending
    /// the session), or `None` when it reads by SFI.
    pub refuse_sfi: Option<u16>,
    /// How the chip answers a READ BINARY whose Le runs past the end of the file, or `None` when
    /// it answers what it has (6282): 6282 with no data (protected), 6Cxx with the bytes it has,
    /// or any other status word in plain (ending the session).
    pub refuse_long_le: Option<u16>,
}

impl CardImage {
    pub fn file(&self, id: FileId) -> Option<&[u8]> {
        self.files.get(&id.fid()).map(Vec::as_slice)
    }
}

/// Why a stored card bundle could not be read back.
#[derive(Debug, PartialEq, Eq)]
pub struct BundleError(pub String);

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the demo card bundle is damaged: {}", self.0)
    }
}

impl std::error::Error for BundleError {}

/// Several card images in one byte string, each distinct file or key stored once (the variants
/// share most of their files: the bundle of every variant is about the size of a few cards).
#[derive(Serialize, Deserialize)]
struct Bundle {
    blobs: Vec<Vec<u8>>,
    cards: Vec<StoredCard>,
}

#[derive(Serialize, Deserialize)]
struct StoredCard {
    name: String,
    /// (FID, blob index).
    files: Vec<(u16, u32)>,
    /// Document number, date of birth, date of expiry (YYMMDD).
    access_key: (String, String, String),
    aa_key: Option<u32>,
    extended_length: bool,
    can: String,
    bac: bool,
    /// Protocol OID, standardized domain ID, secret's blob.
    ca_key: Option<(String, u32, u32)>,
    select_mf_sw: u16,
    protected: Vec<u16>,
    refuses_pace: bool,
    sm_omits_do99: bool,
    refuse_sfi: Option<u16>,
    refuse_long_le: Option<u16>,
}

/// Encodes named card images as one bundle (what `cards.bin` holds).
pub fn encode_bundle<'a>(cards: impl IntoIterator<Item = (&'a str, &'a CardImage)>) -> Vec<u8> {
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut index: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    let mut put = |b: &[u8]| -> u32 {
        if let Some(i) = index.get(b) {
            return *i;
        }
        let i = u32::try_from(blobs.len()).unwrap_or(u32::MAX);
        blobs.push(b.to_vec());
        index.insert(b.to_vec(), i);
        i
    };
    let cards = cards
        .into_iter()
        .map(|(name, c)| StoredCard {
            name: name.to_string(),
            files: c.files.iter().map(|(fid, b)| (*fid, put(b))).collect(),
            access_key: (
                c.access_key.document_number_field().trim_end_matches('<').to_string(),
                c.access_key.date_of_birth().to_string(),
                c.access_key.date_of_expiry().to_string(),
            ),
            aa_key: c.aa_key.as_ref().map(|k| put(&k.to_bytes())),
            extended_length: c.extended_length,
            can: c.can.clone(),
            bac: c.bac,
            ca_key: c.ca_key.as_ref().map(|k| (k.protocol.to_string(), k.curve.domain_id(), put(&k.secret.0))),
            select_mf_sw: c.select_mf_sw,
            protected: c.protected.clone(),
            refuses_pace: c.refuses_pace,
            sm_omits_do99: c.sm_omits_do99,
            refuse_sfi: c.refuse_sfi,
            refuse_long_le: c.refuse_long_le,
        })
        .collect();
    postcard::to_allocvec(&Bundle { blobs, cards }).unwrap_or_default()
}

/// The card named `name` in a bundle made by [`encode_bundle`]; `Ok(None)` when it has no such card.
pub fn decode_from_bundle(bundle: &[u8], name: &str) -> Result<Option<CardImage>, BundleError> {
    let b: Bundle = postcard::from_bytes(bundle).map_err(|e| BundleError(e.to_string()))?;
    let Some(c) = b.cards.into_iter().find(|c| c.name == name) else { return Ok(None) };
    let blob =
        |i: u32| b.blobs.get(i as usize).cloned().ok_or_else(|| BundleError(format!("card {name:?}: no blob {i}")));
    let files = c.files.iter().map(|(fid, i)| Ok((*fid, blob(*i)?))).collect::<Result<BTreeMap<_, _>, _>>()?;
    let (doc, dob, exp) = &c.access_key;
    let access_key = cancuoc_core::AccessKey::new(doc, dob, exp)
        .map_err(|e| BundleError(format!("card {name:?}: access key: {e}")))?;
    let aa_key = match c.aa_key {
        Some(i) => Some(
            SignKey::from_bytes(&blob(i)?)
                .ok_or_else(|| BundleError(format!("card {name:?}: active-authentication key")))?,
        ),
        None => None,
    };
    let ca_key = match &c.ca_key {
        Some((oid, domain, i)) => Some(CaKey {
            protocol: const_oid::ObjectIdentifier::new(oid)
                .map_err(|e| BundleError(format!("card {name:?}: chip-authentication OID: {e}")))?,
            curve: cancuoc_core::ecc::Curve::from_domain_id(*domain)
                .map_err(|e| BundleError(format!("card {name:?}: chip-authentication curve: {e:?}")))?,
            secret: cancuoc_core::ecc::Secret(blob(*i)?),
        }),
        None => None,
    };
    Ok(Some(CardImage {
        files,
        access_key,
        aa_key,
        extended_length: c.extended_length,
        can: c.can,
        bac: c.bac,
        ca_key,
        select_mf_sw: c.select_mf_sw,
        protected: c.protected,
        refuses_pace: c.refuses_pace,
        sm_omits_do99: c.sm_omits_do99,
        refuse_sfi: c.refuse_sfi,
        refuse_long_le: c.refuse_long_le,
    }))
}

/// The names of the cards in a bundle, in bundle order.
pub fn bundle_names(bundle: &[u8]) -> Result<Vec<String>, BundleError> {
    let b: Bundle = postcard::from_bytes(bundle).map_err(|e| BundleError(e.to_string()))?;
    Ok(b.cards.into_iter().map(|c| c.name).collect())
}
