//! The CSCA trust store on disk: one DER certificate per file, named by its SHA-256 fingerprint,
//! in the user's data directory (`$CANCUOC_TRUST_DIR`, else `<data dir>/cancuoc/trust`). Imports
//! take DER or PEM certificates and ICAO CSCA master lists, whose signer is verified against the
//! store (or a CA given for the purpose) before any certificate in them is trusted.

use std::path::{Path, PathBuf};

use cancuoc_core::TrustStore;
use cancuoc_core::crypto::HashAlgorithm;
use cancuoc_core::lds::master_list;
use der::Decode;
use x509_cert::Certificate;

pub use cancuoc_core::lds::master_list::CSCA_MASTER_LIST;

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read or write the trust store at {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("{0} is neither a certificate (DER or PEM) nor an ICAO master list")]
    Unrecognised(String),
    #[error("the certificate is not a CA certificate (no CA basic constraint and not self-signed)")]
    NotCa,
    #[error("master list: {0}")]
    MasterList(String),
    #[error("no trusted CSCA matches {0:?}")]
    NotFound(String),
}

/// One trusted CSCA, for listing.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Entry {
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    pub subject: String,
    pub not_before: u64,
    pub not_after: u64,
    pub expired: bool,
}

/// The default location of the store.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CANCUOC_TRUST_DIR") {
        return PathBuf::from(d);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("cancuoc").join("trust")
}

fn fingerprint(der: &[u8]) -> String {
    hex::encode(HashAlgorithm::Sha256.digest(der))
}

fn entry(der: &[u8], now: u64) -> Option<Entry> {
    let c = Certificate::from_der(der).ok()?;
    let v = c.tbs_certificate().validity();
    let (nb, na) = (v.not_before.to_unix_duration().as_secs(), v.not_after.to_unix_duration().as_secs());
    Some(Entry {
        fingerprint: fingerprint(der),
        subject: c.tbs_certificate().subject().to_string(),
        not_before: nb,
        not_after: na,
        expired: now > na,
    })
}

/// A trust store directory.
pub struct TrustDir {
    path: PathBuf,
}

impl TrustDir {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, error: std::io::Error) -> TrustError {
        TrustError::Io { path: self.path.clone(), error }
    }

    fn files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, TrustError> {
        let rd = match std::fs::read_dir(&self.path) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(e)),
        };
        let mut out = Vec::new();
        for f in rd {
            let p = f.map_err(|e| self.io(e))?.path();
            if p.extension().is_some_and(|e| e == "cer") {
                out.push((p.clone(), std::fs::read(&p).map_err(|e| self.io(e))?));
            }
        }
        out.sort();
        Ok(out)
    }

    /// The certificates as stored (DER), e.g. to push them to a USB reader.
    pub fn certificates(&self) -> Result<Vec<Vec<u8>>, TrustError> {
        Ok(self.files()?.into_iter().map(|(_, d)| d).collect())
    }

    /// The store as the core uses it.
    pub fn load(&self) -> Result<TrustStore, TrustError> {
        let mut t = TrustStore::new();
        for (_, der) in self.files()? {
            // A damaged file is skipped rather than trusted; `list` shows what is there.
            let _ = t.add_der(&der);
        }
        Ok(t)
    }

    pub fn list(&self, now: u64) -> Result<Vec<Entry>, TrustError> {
        Ok(self.files()?.iter().filter_map(|(_, d)| entry(d, now)).collect())
    }

    /// Adds one CA certificate; returns its entry (adding it twice is harmless).
    pub fn add_certificate(&self, der: &[u8], now: u64) -> Result<Entry, TrustError> {
        let c = Certificate::from_der(der).map_err(|_| TrustError::Unrecognised("the data".into()))?;
        let tbs = c.tbs_certificate();
        let self_signed = tbs.subject() == tbs.issuer();
        let ca = tbs.extensions().is_some_and(|exts| {
            exts.iter().any(|e| {
                e.extn_id == const_oid::ObjectIdentifier::new_unwrap("2.5.29.19")
                    && x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes()).is_ok_and(|b| b.ca)
            })
        });
        if !(ca || self_signed) {
            return Err(TrustError::NotCa);
        }
        std::fs::create_dir_all(&self.path).map_err(|e| self.io(e))?;
        let fp = fingerprint(der);
        std::fs::write(self.path.join(format!("{fp}.cer")), der).map_err(|e| self.io(e))?;
        entry(der, now).ok_or(TrustError::NotCa)
    }

    /// Removes the CSCAs whose fingerprint starts with `prefix` (at least 8 hex digits).
    pub fn remove(&self, prefix: &str, now: u64) -> Result<Vec<Entry>, TrustError> {
        let prefix = prefix.to_ascii_lowercase();
        if prefix.len() < 8 {
            return Err(TrustError::NotFound(prefix));
        }
        let mut removed = Vec::new();
        for (p, der) in self.files()? {
            if fingerprint(&der).starts_with(&prefix) {
                std::fs::remove_file(&p).map_err(|e| self.io(e))?;
                removed.extend(entry(&der, now));
            }
        }
        if removed.is_empty() {
            return Err(TrustError::NotFound(prefix));
        }
        Ok(removed)
    }

    /// Imports a file's content: certificates, or a master list verified with the store plus
    /// `signer_cas`. Returns the entries added.
    pub fn import(&self, bytes: &[u8], signer_cas: &[Vec<u8>], now: u64) -> Result<Vec<Entry>, TrustError> {
        let certs = match decode_input(bytes)? {
            Input::Certificates(c) => c,
            Input::MasterList(ci) => {
                let mut trust = self.load()?;
                for c in signer_cas {
                    let _ = trust.add_der(c);
                }
                verify_master_list(&ci, &trust, now)?
            }
        };
        certs.iter().map(|c| self.add_certificate(c, now)).collect()
    }
}

enum Input {
    Certificates(Vec<Vec<u8>>),
    MasterList(Vec<u8>),
}

/// PEM blocks, a DER certificate, or a DER ContentInfo (master list).
fn decode_input(bytes: &[u8]) -> Result<Input, TrustError> {
    use base64::Engine;
    if let Ok(text) = std::str::from_utf8(bytes)
        && text.contains("-----BEGIN CERTIFICATE-----")
    {
        let mut out = Vec::new();
        for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
            let b64: String =
                block.split("-----END CERTIFICATE-----").next().unwrap_or("").split_whitespace().collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| TrustError::Unrecognised("a PEM block".into()))?;
            out.push(der);
        }
        return Ok(Input::Certificates(out));
    }
    if Certificate::from_der(bytes).is_ok() {
        return Ok(Input::Certificates(vec![bytes.to_vec()]));
    }
    if cms::content_info::ContentInfo::from_der(bytes).is_ok() {
        return Ok(Input::MasterList(bytes.to_vec()));
    }
    Err(TrustError::Unrecognised("the input".into()))
}

/// Verifies an ICAO master list (CMS SignedData over CscaMasterList) and returns its
/// certificates: the signature must verify with the list's signer certificate, and that
/// certificate must chain to a CSCA in `trust` and be in date (`cancuoc_core::lds::master_list`).
pub fn verify_master_list(content_info: &[u8], trust: &TrustStore, now: u64) -> Result<Vec<Vec<u8>>, TrustError> {
    master_list::verify(content_info, trust, now).map_err(TrustError::MasterList)
}

/// Encodes a CscaMasterList body (for tests and tooling).
pub fn encode_master_list(certs: &[Vec<u8>]) -> Vec<u8> {
    master_list::encode(certs)
}
