//! Visit evidence: proof, kept without personal data and checkable offline by anyone, that the
//! genuine chip of one document answered *this visit's* active-authentication challenge.
//!
//! The 8-byte INTERNAL AUTHENTICATE challenge is not random but the visit's: the first 8 bytes of
//! SHA-256 over a domain tag and the DER of (site, counter, visit id, time to the second, a fresh
//! 16-byte nonce). The nonce keeps it unpredictable (no answer can be fetched in advance); the
//! rest binds it. The chip signs it with the key whose public half is DG15, and the issuer signed
//! DG15's hash in the SOD. The record keeps the visit, the challenge, the chip's answer, DG15, the
//! SOD (with its DS certificate) and DG14 when the chip has one (it names an EC chip's hash) — no
//! data group with personal data (not DG1, DG2, DG13). docs/evidence.md is the format;
//! docs/reliability.md what it proves and what it does not.
//!
//! ```text
//! VisitEvidence ::= SEQUENCE {
//!   version     INTEGER (1),
//!   visit       Visit,
//!   challenge   OCTET STRING (SIZE (8)),
//!   aaResponse  OCTET STRING,
//!   dg15        OCTET STRING,               -- EF.DG15 as read
//!   sod         OCTET STRING,               -- EF.SOD as read
//!   dg14        [0] IMPLICIT OCTET STRING OPTIONAL }
//! Visit ::= SEQUENCE {
//!   site UTF8String, counter UTF8String, visitId UTF8String,
//!   time GeneralizedTime,                   -- UTC, to the second
//!   nonce OCTET STRING (SIZE (16)) }
//! challenge = SHA-256("cancuoc visit challenge v1" || 0x00 || DER(Visit))[0..8]
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use cancuoc_core::auth::{active, passive};
use cancuoc_core::files::FileId;
use cancuoc_core::lds::{dg14, dg15, sod};
use cancuoc_core::read::CardRead;
use cancuoc_core::trust::TrustStore;
use cancuoc_core::verdict::{ActiveAuthStatus, ChainStatus, HashStatus, SignatureStatus};
use der::asn1::{GeneralizedTime, OctetString};
use der::{Decode, Encode, Sequence};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The record's format version.
pub const VERSION: u8 = 1;
/// Domain separation for the challenge (nothing else is hashed under this tag).
pub const CHALLENGE_TAG: &[u8] = b"cancuoc visit challenge v1\0";

/// The visit the challenge is made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub site: String,
    pub counter: String,
    pub visit: String,
    /// Seconds since the Unix epoch, UTC.
    pub time: u64,
    #[serde(serialize_with = "hex_ser")]
    pub nonce: [u8; 16],
}

fn hex_ser<S: serde::Serializer, T: AsRef<[u8]>>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(v))
}

#[derive(Sequence)]
struct VisitDer {
    site: String,
    counter: String,
    visit_id: String,
    time: GeneralizedTime,
    nonce: OctetString,
}

#[derive(Sequence)]
struct EvidenceDer {
    version: u8,
    visit: VisitDer,
    challenge: OctetString,
    aa_response: OctetString,
    dg15: OctetString,
    sod: OctetString,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    dg14: Option<OctetString>,
}

impl Visit {
    /// A visit now, with a fresh nonce from the OS.
    pub fn now(site: &str, counter: &str, visit: &str) -> Result<Visit, EncodeError> {
        let mut nonce = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut crate::os_rng(), &mut nonce);
        let v =
            Visit { site: site.into(), counter: counter.into(), visit: visit.into(), time: crate::now_unix(), nonce };
        v.to_der()?;
        Ok(v)
    }

    /// `SITE/COUNTER/VISIT` (the CLI's `--visit`), now.
    pub fn parse_now(spec: &str) -> Result<Visit, EncodeError> {
        let parts: Vec<&str> = spec.split('/').map(str::trim).collect();
        match parts.as_slice() {
            [s, c, v] if !s.is_empty() && !c.is_empty() && !v.is_empty() => Visit::now(s, c, v),
            _ => Err(EncodeError::Spec(spec.to_string())),
        }
    }

    fn der_struct(&self) -> Result<VisitDer, EncodeError> {
        let time = GeneralizedTime::from_unix_duration(Duration::from_secs(self.time))
            .map_err(|error| EncodeError::Time { time: self.time, error })?;
        Ok(VisitDer {
            site: self.site.clone(),
            counter: self.counter.clone(),
            visit_id: self.visit.clone(),
            time,
            nonce: octets(&self.nonce)?,
        })
    }

    /// The canonical encoding (DER) the challenge is made from.
    pub fn to_der(&self) -> Result<Vec<u8>, EncodeError> {
        Ok(self.der_struct()?.to_der()?)
    }

    /// The INTERNAL AUTHENTICATE challenge of this visit.
    pub fn challenge(&self) -> Result<[u8; 8], EncodeError> {
        let d = Sha256::new().chain_update(CHALLENGE_TAG).chain_update(self.to_der()?).finalize();
        let mut c = [0u8; 8];
        c.copy_from_slice(&d[..8]);
        Ok(c)
    }
}

/// A visit's evidence, as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub visit: Visit,
    pub challenge: [u8; 8],
    pub aa_response: Vec<u8>,
    pub dg15: Vec<u8>,
    pub sod: Vec<u8>,
    pub dg14: Option<Vec<u8>>,
}

/// Why a read gave no evidence. Nothing pretends: a card without active authentication, or whose
/// answer did not verify, has none.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoEvidence {
    #[error("the card has no active authentication (no DG15): no visit evidence is possible")]
    NoActiveAuthentication,
    #[error("active authentication did not run or the chip did not answer: {0}")]
    NotAnswered(String),
    #[error("the chip's answer does not verify with its DG15 key: {0}")]
    Failed(String),
    #[error("the card's active-authentication key type cannot be checked here: {0}")]
    UnsupportedKey(String),
    #[error("the chip answered another challenge than this visit's")]
    OtherChallenge,
    #[error("the card has no security object (EF.SOD)")]
    NoSod,
    #[error("{0}")]
    Encoding(EncodeError),
}

/// Why a visit or its evidence cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The CLI's `--visit` is not `SITE/COUNTER/VISIT` with none empty (what was given).
    #[error("visit {0:?}: expected SITE/COUNTER/VISIT, none empty")]
    Spec(String),
    /// The visit's time cannot be a GeneralizedTime (seconds since 1970).
    #[error("visit time {time}: {error}")]
    Time { time: u64, error: der::Error },
    /// der refused a field (a text or an octet string too long for DER).
    #[error(transparent)]
    Der(#[from] der::Error),
}

/// The check that refused a record, or could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The record is not a readable VisitEvidence of a version we know.
    Format,
    /// The challenge is not the one made from the visit fields (time, nonce … changed).
    Challenge,
    /// The chip's answer does not verify with DG15's key.
    ActiveAuthentication,
    /// DG15 (or DG14) is not the one whose hash the SOD holds.
    Dg15InSod,
    Dg14InSod,
    /// The SOD's signature by its DS certificate.
    SodSignature,
    /// The DS certificate to a trusted CSCA, at the visit's time.
    Chain,
}

impl Check {
    pub fn key(self) -> &'static str {
        match self {
            Check::Format => "format",
            Check::Challenge => "challenge",
            Check::ActiveAuthentication => "active_authentication",
            Check::Dg15InSod => "dg15_in_sod",
            Check::Dg14InSod => "dg14_in_sod",
            Check::SodSignature => "sod_signature",
            Check::Chain => "chain",
        }
    }
}

/// What a record that holds proves.
#[derive(Clone, Debug, Serialize)]
pub struct Proof {
    pub visit: Visit,
    #[serde(serialize_with = "hex_ser")]
    pub challenge: [u8; 8],
    /// SHA-256 of the SOD: the document's persistent pseudonymous identifier.
    pub sod_sha256: String,
    /// SHA-256 of the whole record (what the check-in row and the FHIR export reference).
    pub record_sha256: String,
    /// "RSA (ISO/IEC 9796-2)" or "ECDSA".
    pub aa_algorithm: &'static str,
    /// The statement, in Vietnamese and English.
    pub proves_vi: String,
    pub proves_en: String,
    pub does_not_prove_vi: &'static str,
    pub does_not_prove_en: &'static str,
}

/// A record that does not hold (`not_checked`: the check needs an algorithm we lack — amber,
/// not a forgery).
#[derive(Clone, Debug, Serialize, thiserror::Error)]
#[error("{} failed: {reason}", check.key())]
pub struct Refusal {
    pub check: Check,
    pub reason: String,
    pub not_checked: bool,
}

fn refuse(check: Check, reason: impl Into<String>) -> Refusal {
    Refusal { check, reason: reason.into(), not_checked: false }
}

fn octets(b: &[u8]) -> Result<OctetString, EncodeError> {
    Ok(OctetString::new(b.to_vec())?)
}

fn utc(t: u64) -> String {
    chrono::DateTime::from_timestamp(t as i64, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

impl Evidence {
    /// The evidence of a read made with `visit`'s challenge; refused when the read cannot give any.
    pub fn from_read(visit: &Visit, card: &CardRead) -> Result<Evidence, NoEvidence> {
        let want = visit.challenge().map_err(NoEvidence::Encoding)?;
        let dg15 = card.files.get(&FileId::Dg(15)).ok_or(NoEvidence::NoActiveAuthentication)?;
        match &card.verdict.active_auth {
            ActiveAuthStatus::Passed => {}
            ActiveAuthStatus::NotSupported => return Err(NoEvidence::NoActiveAuthentication),
            ActiveAuthStatus::NotAttempted => return Err(NoEvidence::NotAnswered("not attempted".into())),
            ActiveAuthStatus::Failed(w) => return Err(NoEvidence::Failed(w.clone())),
            ActiveAuthStatus::UnsupportedAlgorithm(a) => return Err(NoEvidence::UnsupportedKey(a.clone())),
        }
        let (challenge, answer) = card.aa_exchange.clone().ok_or(NoEvidence::NotAnswered("no answer kept".into()))?;
        if challenge != want {
            return Err(NoEvidence::OtherChallenge);
        }
        let sod = card.files.get(&FileId::Sod).ok_or(NoEvidence::NoSod)?;
        Ok(Evidence {
            visit: visit.clone(),
            challenge,
            aa_response: answer,
            dg15: dg15.clone(),
            sod: sod.clone(),
            dg14: card.files.get(&FileId::Dg(14)).cloned(),
        })
    }

    pub fn to_der(&self) -> Result<Vec<u8>, EncodeError> {
        Ok(EvidenceDer {
            version: VERSION,
            visit: self.visit.der_struct()?,
            challenge: octets(&self.challenge)?,
            aa_response: octets(&self.aa_response)?,
            dg15: octets(&self.dg15)?,
            sod: octets(&self.sod)?,
            dg14: self.dg14.as_deref().map(octets).transpose()?,
        }
        .to_der()?)
    }

    pub fn from_der(bytes: &[u8]) -> Result<Evidence, Refusal> {
        let e = EvidenceDer::from_der(bytes)
            .map_err(|e| refuse(Check::Format, format!("not a visit evidence record: {e}")))?;
        if e.version != VERSION {
            return Err(refuse(Check::Format, format!("version {} (this build reads {VERSION})", e.version)));
        }
        let v = e.visit;
        let nonce: [u8; 16] =
            v.nonce.as_bytes().try_into().map_err(|_| refuse(Check::Format, "the nonce is not 16 bytes"))?;
        let challenge: [u8; 8] =
            e.challenge.as_bytes().try_into().map_err(|_| refuse(Check::Format, "the challenge is not 8 bytes"))?;
        Ok(Evidence {
            visit: Visit {
                site: v.site,
                counter: v.counter,
                visit: v.visit_id,
                time: v.time.to_unix_duration().as_secs(),
                nonce,
            },
            challenge,
            aa_response: e.aa_response.as_bytes().to_vec(),
            dg15: e.dg15.as_bytes().to_vec(),
            sod: e.sod.as_bytes().to_vec(),
            dg14: e.dg14.map(|d| d.as_bytes().to_vec()),
        })
    }

    /// SHA-256 of the record's DER, hex.
    pub fn sha256(&self) -> String {
        self.to_der().map(|d| hex::encode(Sha256::digest(&d))).unwrap_or_default()
    }

    /// Every check, in order — the challenge is the visit's; DG15 (and DG14) are the ones the SOD
    /// holds; the SOD's signature; the DS → CSCA chain; then the chip's answer with DG15's key —
    /// and the first that fails is named. The chain is checked at the visit's time (a DS
    /// certificate that expired since still proves a visit made while it was valid).
    pub fn verify(&self, trust: &TrustStore) -> Result<Proof, Refusal> {
        let want = self.visit.challenge().map_err(|e| refuse(Check::Format, e.to_string()))?;
        if want != self.challenge {
            return Err(refuse(
                Check::Challenge,
                "the challenge is not the one made from the visit's site, counter, visit id, time and nonce",
            ));
        }
        let sod = sod::parse(&self.sod).map_err(|e| refuse(Check::Format, format!("SOD: {e}")))?;
        let mut files = BTreeMap::new();
        files.insert(FileId::Dg(15), self.dg15.clone());
        let mut present = vec![15];
        if let Some(d) = &self.dg14 {
            files.insert(FileId::Dg(14), d.clone());
            present.push(14);
        }
        let p = passive::verify(&sod, &files, &present, trust, self.visit.time);
        for (dg, check) in [(15u8, Check::Dg15InSod), (14, Check::Dg14InSod)] {
            if let Some(d) = p.data_groups.iter().find(|d| d.dg == dg)
                && d.status != HashStatus::Match
            {
                let not_checked = d.status == HashStatus::UnsupportedAlgorithm;
                return Err(Refusal { check, reason: format!("DG{dg}: {:?}", d.status), not_checked });
            }
        }
        if !p.data_groups.iter().any(|d| d.dg == 15 && d.status == HashStatus::Match) {
            return Err(refuse(Check::Dg15InSod, "the SOD holds no hash of DG15"));
        }
        match &p.sod_signature {
            SignatureStatus::Valid => {}
            SignatureStatus::UnsupportedAlgorithm(a) => {
                return Err(Refusal {
                    check: Check::SodSignature,
                    reason: format!("algorithm {a} is not checked by this build"),
                    not_checked: true,
                });
            }
            other => return Err(refuse(Check::SodSignature, format!("{other:?}"))),
        }
        match &p.chain {
            ChainStatus::Valid => {}
            ChainStatus::CscaUnknown => {
                return Err(Refusal {
                    check: Check::Chain,
                    reason: "the DS certificate's CSCA is not in this trust store (import the issuing country's CSCA)"
                        .into(),
                    not_checked: true,
                });
            }
            ChainStatus::UnsupportedAlgorithm(a) => {
                return Err(Refusal {
                    check: Check::Chain,
                    reason: format!("algorithm {a} is not checked by this build"),
                    not_checked: true,
                });
            }
            other => return Err(refuse(Check::Chain, format!("{other:?}"))),
        }
        // Last: the chip's answer, with the key the issuer vouched for above.
        let key = dg15::parse(&self.dg15).map_err(|e| refuse(Check::Format, format!("DG15: {e}")))?;
        let dg14 = match &self.dg14 {
            Some(b) => Some(dg14::parse(b).map_err(|e| refuse(Check::Format, format!("DG14: {e}")))?),
            None => None,
        };
        let aa_algorithm = if key.public_key.algorithm.oid == cancuoc_core::crypto::oid::RSA_ENCRYPTION {
            "RSA (ISO/IEC 9796-2)"
        } else {
            "ECDSA"
        };
        match active::verify(&key, dg14.as_ref(), &self.challenge, &self.aa_response) {
            ActiveAuthStatus::Passed => {}
            ActiveAuthStatus::UnsupportedAlgorithm(a) => {
                return Err(Refusal {
                    check: Check::ActiveAuthentication,
                    reason: format!("algorithm {a} is not checked by this build"),
                    not_checked: true,
                });
            }
            other => return Err(refuse(Check::ActiveAuthentication, format!("{other:?}"))),
        }
        let sod_sha256 = hex::encode(Sha256::digest(&self.sod));
        let v = &self.visit;
        let when = utc(v.time);
        Ok(Proof {
            visit: v.clone(),
            challenge: self.challenge,
            record_sha256: self.sha256(),
            aa_algorithm,
            proves_vi: format!(
                "Chip của giấy tờ có SOD {sod_sha256} đã trả lời câu hỏi của lượt khám {} tại {} / {} lúc {when} (ký {aa_algorithm}); SOD do cơ quan cấp có CSCA tin cậy ký.",
                v.visit, v.site, v.counter
            ),
            proves_en: format!(
                "The chip of the document with SOD fingerprint {sod_sha256} answered the challenge of visit {} at {} / {} at {when} ({aa_algorithm}); the SOD was signed by an issuer under a trusted CSCA.",
                v.visit, v.site, v.counter
            ),
            does_not_prove_vi: "Không chứng minh ai đang cầm thẻ, cũng không loại trừ tấn công chuyển tiếp (relay) trong lúc đọc.",
            does_not_prove_en: "It does not prove who held the card, and does not rule out a relay attack during the read.",
            sod_sha256,
        })
    }

    /// Whether data groups read later (e.g. DG1, DG13, with the citizen's consent) belong to
    /// this record's SOD: their hashes as the SOD holds them.
    pub fn belongs(
        &self,
        files: &BTreeMap<FileId, Vec<u8>>,
        trust: &TrustStore,
    ) -> Result<Vec<(u8, HashStatus)>, Refusal> {
        let sod = sod::parse(&self.sod).map_err(|e| refuse(Check::Format, format!("SOD: {e}")))?;
        let present: Vec<u8> =
            files.keys().filter_map(|f| if let FileId::Dg(n) = f { Some(*n) } else { None }).collect();
        let p = passive::verify(&sod, files, &present, trust, self.visit.time);
        Ok(p.data_groups.iter().filter(|d| present.contains(&d.dg)).map(|d| (d.dg, d.status)).collect())
    }
}
