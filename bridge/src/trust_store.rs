//! The CSCA trust store on disk: one DER certificate per file (`.cer`), and the CSCAs' revocation
//! lists (`.crl`), each named by its SHA-256 fingerprint, in the user's data directory
//! (`$CANCUOC_TRUST_DIR`, else `<data dir>/cancuoc/trust`). Imports take DER or PEM certificates,
//! ICAO CSCA master lists, whose signer is verified against the store (or a CA given for the
//! purpose) before any certificate in them is trusted, and DER or PEM CRLs, which must be signed by
//! a CSCA already trusted; a newer CRL of the same CSCA replaces the older one.

use std::path::{Path, PathBuf};

use cancuoc_core::TrustStore;
use cancuoc_core::auth::master_list;
use cancuoc_core::crypto::HashAlgorithm;
use cancuoc_core::trust::RevocationList;
use der::Decode;
use x509_cert::Certificate;

pub use cancuoc_core::auth::master_list::CSCA_MASTER_LIST;

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read or write the trust store at {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("{0} is neither a certificate nor a revocation list (DER or PEM) nor an ICAO master list")]
    Unrecognised(String),
    #[error(
        "the certificate is not a CA certificate (no CA basic constraint, not self-signed, and not a link certificate signed by a trusted CSCA)"
    )]
    NotCa,
    #[error("master list: {0}")]
    MasterList(#[source] master_list::MasterListError),
    #[error("no trusted CSCA matches {0:?}")]
    NotFound(String),
    #[error("revocation list: {0}")]
    Crl(CrlError),
}

/// Why a revocation list was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    /// Not a DER X.509 CRL (der's words).
    #[error("cannot be parsed: {0}")]
    Malformed(String),
    /// Its issuer is not a trusted CSCA (the issuer's name).
    #[error("its issuer ({0}) is not a trusted CSCA: import that CSCA first")]
    IssuerNotTrusted(String),
    /// The issuing CSCA's key does not verify its signature.
    #[error("its signature does not verify with the issuing CSCA's key")]
    BadSignature,
    /// A newer list of the same CSCA is stored.
    #[error("a newer revocation list of this CSCA is already stored; nothing changed")]
    Older,
}

/// One stored revocation list, for listing.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CrlEntry {
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    pub issuer: String,
    pub this_update: u64,
    pub next_update: Option<u64>,
    /// How many certificates it revokes.
    pub revoked: usize,
    /// Past its next update: what it revokes still stands, but newer revocations are unknown.
    pub stale: bool,
}

fn crl_entry(der: &[u8], now: u64) -> Option<CrlEntry> {
    let c = RevocationList::from_der(der).ok()?;
    Some(CrlEntry {
        fingerprint: fingerprint(der),
        issuer: c.crl.tbs_cert_list.issuer.to_string(),
        this_update: c.this_update(),
        next_update: c.next_update(),
        revoked: c.revoked_count(),
        stale: c.next_update().is_some_and(|n| now > n),
    })
}

/// What an import added.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    pub cscas: Vec<Entry>,
    pub crls: Vec<CrlEntry>,
    /// Certificates of a verified master list that could not be stored, and why.
    pub skipped: Vec<String>,
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
    /// The public key as verification sees it, e.g. "ECDSA brainpoolP512r1 (explicit parameters)".
    pub key: String,
    /// Whether this build can verify signatures with this key; when not, `unusable` says why.
    pub usable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unusable: Option<String>,
    /// A link certificate (a CSCA's new key certified by its old one): trusted for chain building.
    pub link: bool,
}

/// The name of a named curve this build implements.
fn curve_name(o: &const_oid::ObjectIdentifier) -> String {
    use cancuoc_core::crypto::oid;
    match *o {
        oid::P256 => "P-256".into(),
        oid::P384 => "P-384".into(),
        oid::P521 => "P-521".into(),
        oid::BRAINPOOL_P256R1 => "brainpoolP256r1".into(),
        oid::BRAINPOOL_P384R1 => "brainpoolP384r1".into(),
        oid::BRAINPOOL_P512R1 => "brainpoolP512r1".into(),
        other => other.to_string(),
    }
}

/// What a certificate's key is, and whether (and if not, why not) this build can verify with it:
/// the same decoding the verifier does (`cancuoc_core::auth::sig`), so "usable" is never a guess.
pub fn key_usability(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> (String, Result<(), String>) {
    use cancuoc_core::auth::sig;
    use cancuoc_core::crypto::oid;
    use der::Tagged;
    let o = spki.algorithm.oid;
    if o == oid::EC_PUBLIC_KEY {
        let explicit = spki.algorithm.parameters.as_ref().is_some_and(|p| p.tag() == der::Tag::Sequence);
        let form = if explicit { " (explicit parameters)" } else { "" };
        return match sig::ec_curve(spki) {
            Ok(c)
                if [
                    oid::P256,
                    oid::P384,
                    oid::P521,
                    oid::BRAINPOOL_P256R1,
                    oid::BRAINPOOL_P384R1,
                    oid::BRAINPOOL_P512R1,
                ]
                .contains(&c) =>
            {
                (format!("ECDSA {}{form}", curve_name(&c)), Ok(()))
            }
            Ok(c) => (format!("ECDSA {}{form}", curve_name(&c)), Err(format!("the curve {c} is not supported"))),
            Err(e) => (format!("ECDSA{form}"), Err(e.to_string())),
        };
    }
    if o == oid::RSA_ENCRYPTION || o == oid::RSASSA_PSS {
        return match sig::rsa_bits(spki) {
            Ok(bits) => (format!("RSA {bits}"), Ok(())),
            Err(_) => {
                ("RSA".into(), Err(format!("the RSA key cannot be decoded or exceeds {} bits", sig::MAX_RSA_BITS)))
            }
        };
    }
    (format!("key type {o}"), Err(format!("key type {o} is not supported")))
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
    let (key, usable) = key_usability(c.tbs_certificate().subject_public_key_info());
    Some(Entry {
        fingerprint: fingerprint(der),
        subject: c.tbs_certificate().subject().to_string(),
        not_before: nb,
        not_after: na,
        expired: now > na,
        key,
        usable: usable.is_ok(),
        unusable: usable.err(),
        link: !signed_by_itself(der),
    })
}

/// Whether the certificate's signature verifies with its own key (a root, not a link).
fn signed_by_itself(der: &[u8]) -> bool {
    cancuoc_core::cert::Cert::from_der(der).is_ok_and(|c| {
        cancuoc_core::auth::sig::verify(&c.public_key, &c.signature_algorithm, None, &c.tbs, &c.signature).is_ok()
    })
}

/// Whether the certificate carries the CA basic constraint.
fn is_ca(c: &Certificate) -> bool {
    c.tbs_certificate().extensions().is_some_and(|exts| {
        exts.iter().any(|e| {
            e.extn_id == const_oid::ObjectIdentifier::new_unwrap("2.5.29.19")
                && x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes()).is_ok_and(|b| b.ca)
        })
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
        self.files_with("cer")
    }

    fn crl_files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, TrustError> {
        self.files_with("crl")
    }

    fn files_with(&self, ext: &str) -> Result<Vec<(PathBuf, Vec<u8>)>, TrustError> {
        let rd = match std::fs::read_dir(&self.path) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(e)),
        };
        let mut out = Vec::new();
        for f in rd {
            let p = f.map_err(|e| self.io(e))?.path();
            if p.extension().is_some_and(|e| e == ext) {
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
        for (_, der) in self.crl_files()? {
            let _ = t.add_crl_der(&der);
        }
        Ok(t)
    }

    /// The stored revocation lists.
    pub fn crls(&self, now: u64) -> Result<Vec<CrlEntry>, TrustError> {
        Ok(self.crl_files()?.iter().filter_map(|(_, d)| crl_entry(d, now)).collect())
    }

    /// Adds a CSCA's revocation list after checking that a trusted CSCA of its issuer signed it.
    /// A list older than the one stored for that CSCA is refused; a newer one replaces it.
    pub fn add_crl(&self, der: &[u8], now: u64) -> Result<CrlEntry, TrustError> {
        let crl = RevocationList::from_der(der).map_err(|e| TrustError::Crl(CrlError::Malformed(e.to_string())))?;
        let trust = self.load()?;
        if trust.by_subject(&crl.issuer_der).next().is_none() {
            return Err(TrustError::Crl(CrlError::IssuerNotTrusted(crl.crl.tbs_cert_list.issuer.to_string())));
        }
        if !cancuoc_core::auth::passive::crl_signed_by_trusted(&crl, &trust) {
            return Err(TrustError::Crl(CrlError::BadSignature));
        }
        for (p, old) in self.crl_files()? {
            let Ok(o) = RevocationList::from_der(&old) else { continue };
            if o.issuer_der != crl.issuer_der || old == der {
                continue;
            }
            if o.this_update() > crl.this_update() {
                return Err(TrustError::Crl(CrlError::Older));
            }
            std::fs::remove_file(&p).map_err(|e| self.io(e))?;
        }
        std::fs::create_dir_all(&self.path).map_err(|e| self.io(e))?;
        std::fs::write(self.path.join(format!("{}.crl", fingerprint(der))), der).map_err(|e| self.io(e))?;
        crl_entry(der, now).ok_or_else(|| TrustError::Crl(CrlError::Malformed("its dates cannot be read".into())))
    }

    pub fn list(&self, now: u64) -> Result<Vec<Entry>, TrustError> {
        Ok(self.files()?.iter().filter_map(|(_, d)| entry(d, now)).collect())
    }

    /// Adds one CA certificate; returns its entry (adding it twice is harmless). A certificate
    /// without the CA basic constraint is taken when `vouched` (it came from a verified master
    /// list: CSCA and link certificates, some of them marked CA:FALSE by their issuers), when it
    /// is self-signed, or when it is a link certificate — signed by a CSCA already trusted under
    /// its issuer name.
    pub fn add_certificate(&self, der: &[u8], now: u64, vouched: bool) -> Result<Entry, TrustError> {
        let c = Certificate::from_der(der).map_err(|_| TrustError::Unrecognised("the data".into()))?;
        let self_signed = signed_by_itself(der);
        if !(vouched || is_ca(&c) || self_signed || self.is_link(der)?) {
            return Err(TrustError::NotCa);
        }
        std::fs::create_dir_all(&self.path).map_err(|e| self.io(e))?;
        let fp = fingerprint(der);
        std::fs::write(self.path.join(format!("{fp}.cer")), der).map_err(|e| self.io(e))?;
        entry(der, now).ok_or(TrustError::NotCa)
    }

    /// Whether the certificate may sign certificates (keyCertSign) and a trusted CSCA of its
    /// issuer name signed it: a link certificate, whatever its basic constraints say. A document
    /// signer (digitalSignature only) is not one.
    fn is_link(&self, der: &[u8]) -> Result<bool, TrustError> {
        let Ok(cert) = cancuoc_core::cert::Cert::from_der(der) else { return Ok(false) };
        if !cert.key_usage.is_some_and(|ku| ku.key_cert_sign()) {
            return Ok(false);
        }
        let trust = self.load()?;
        Ok(trust.by_subject(&cert.issuer).any(|a| {
            cancuoc_core::auth::sig::verify(
                &a.cert.public_key,
                &cert.signature_algorithm,
                None,
                &cert.tbs,
                &cert.signature,
            )
            .is_ok()
        }))
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

    /// Imports a file's content: certificates, a master list verified with the store plus
    /// `signer_cas`, or revocation lists. Returns what was added.
    pub fn import(&self, bytes: &[u8], signer_cas: &[Vec<u8>], now: u64) -> Result<Imported, TrustError> {
        let (certs, vouched) = match decode_input(bytes)? {
            Input::Certificates(c) => (c, false),
            Input::Crls(crls) => {
                let crls = crls.iter().map(|c| self.add_crl(c, now)).collect::<Result<_, _>>()?;
                return Ok(Imported { cscas: Vec::new(), crls, skipped: Vec::new() });
            }
            Input::MasterList(ci) => {
                let mut trust = self.load()?;
                for c in signer_cas {
                    let _ = trust.add_der(c);
                }
                (verify_master_list(&ci, &trust, now)?, true)
            }
        };
        if !vouched {
            let cscas = certs.iter().map(|c| self.add_certificate(c, now, false)).collect::<Result<_, _>>()?;
            return Ok(Imported { cscas, crls: Vec::new(), skipped: Vec::new() });
        }
        // A verified master list: one certificate that cannot be decoded does not stop the rest.
        let mut imported = Imported::default();
        for (i, c) in certs.iter().enumerate() {
            match self.add_certificate(c, now, true) {
                Ok(e) => imported.cscas.push(e),
                Err(e) => imported.skipped.push(format!("certificate #{} of the list: {e}", i + 1)),
            }
        }
        Ok(imported)
    }
}

enum Input {
    Certificates(Vec<Vec<u8>>),
    MasterList(Vec<u8>),
    Crls(Vec<Vec<u8>>),
}

/// The DER of each PEM block labelled `label`.
fn pem_blocks(text: &str, label: &str) -> Result<Vec<Vec<u8>>, TrustError> {
    use base64::Engine;
    let (begin, end) = (format!("-----BEGIN {label}-----"), format!("-----END {label}-----"));
    let mut out = Vec::new();
    for block in text.split(begin.as_str()).skip(1) {
        let b64: String = block.split(end.as_str()).next().unwrap_or("").split_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| TrustError::Unrecognised("a PEM block".into()))?;
        out.push(der);
    }
    Ok(out)
}

/// PEM blocks, a DER certificate or CRL, or a DER ContentInfo (master list).
fn decode_input(bytes: &[u8]) -> Result<Input, TrustError> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains("-----BEGIN CERTIFICATE-----") {
            return Ok(Input::Certificates(pem_blocks(text, "CERTIFICATE")?));
        }
        if text.contains("-----BEGIN X509 CRL-----") {
            return Ok(Input::Crls(pem_blocks(text, "X509 CRL")?));
        }
    }
    if Certificate::from_der(bytes).is_ok() {
        return Ok(Input::Certificates(vec![bytes.to_vec()]));
    }
    if RevocationList::from_der(bytes).is_ok() {
        return Ok(Input::Crls(vec![bytes.to_vec()]));
    }
    if cms::content_info::ContentInfo::from_der(bytes).is_ok() {
        return Ok(Input::MasterList(bytes.to_vec()));
    }
    Err(TrustError::Unrecognised("the input".into()))
}

/// Verifies an ICAO master list (CMS SignedData over CscaMasterList) and returns its
/// certificates: the signature must verify with the list's signer certificate, and that
/// certificate must chain to a CSCA in `trust` and be in date (`cancuoc_core::auth::master_list`).
pub fn verify_master_list(content_info: &[u8], trust: &TrustStore, now: u64) -> Result<Vec<Vec<u8>>, TrustError> {
    master_list::verify(content_info, trust, now).map_err(TrustError::MasterList)
}

/// Encodes a CscaMasterList body (for tests and tooling).
pub fn encode_master_list(certs: &[Vec<u8>]) -> Vec<u8> {
    master_list::encode(certs)
}
