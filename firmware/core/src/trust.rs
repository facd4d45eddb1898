//! The CSCA trust store: country signing CA certificates (DER) that DS certificates must chain to,
//! and the CSCAs' certificate revocation lists (ICAO 9303-12 §7: each CSCA publishes a CRL of the
//! DS and CSCA certificates it has revoked).

use alloc::vec::Vec;

use der::{Decode, Encode};
use x509_cert::crl::CertificateList;

use crate::cert::Cert;
use crate::parse::ParseError;

/// One trusted CSCA certificate (`cert.der` is the certificate exactly as imported,
/// `cert.subject` the DER of its name, matched against a DS's issuer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The certificate, parsed, with its DER.
    pub cert: Cert,
}

/// One CSCA's certificate revocation list, as imported. Its signature is checked when it is
/// used (`auth::passive`), against the trusted CSCAs of its issuer name, so a list nobody trusted
/// signed revokes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationList {
    /// The CRL exactly as imported.
    pub der: Vec<u8>,
    /// The list, parsed.
    pub crl: CertificateList,
    /// DER of the issuer name, for matching a certificate's issuer.
    pub issuer_der: Vec<u8>,
}

impl RevocationList {
    /// Parses a DER CertificateList (v2, as ICAO 9303-12 prescribes).
    pub fn from_der(der: &[u8]) -> Result<Self, ParseError> {
        let crl = CertificateList::from_der(der)?;
        let issuer_der = crl.tbs_cert_list.issuer.to_der()?;
        Ok(Self { der: der.to_vec(), crl, issuer_der })
    }
    /// thisUpdate, in seconds since the Unix epoch.
    pub fn this_update(&self) -> u64 {
        self.crl.tbs_cert_list.this_update.to_unix_duration().as_secs()
    }
    /// nextUpdate, in seconds since the Unix epoch, if the list gives one.
    pub fn next_update(&self) -> Option<u64> {
        self.crl.tbs_cert_list.next_update.map(|t| t.to_unix_duration().as_secs())
    }
    /// How many certificates the list revokes.
    pub fn revoked_count(&self) -> usize {
        self.crl.tbs_cert_list.revoked_certificates.as_ref().map_or(0, Vec::len)
    }
    /// The revocation date (Unix seconds) of the certificate with this serial (raw INTEGER bytes).
    pub fn revocation_of(&self, serial: &[u8]) -> Option<u64> {
        self.crl
            .tbs_cert_list
            .revoked_certificates
            .as_ref()?
            .iter()
            .find(|r| r.serial_number.as_bytes() == serial)
            .map(|r| r.revocation_date.to_unix_duration().as_secs())
    }
}

/// CSCA certificates, looked up by subject name, and their revocation lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor>,
    crls: Vec<RevocationList>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a DER certificate; a duplicate is ignored.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), ParseError> {
        let cert = Cert::from_der(der)?;
        if !self.anchors.iter().any(|a| a.cert.der == der) {
            self.anchors.push(TrustAnchor { cert });
        }
        Ok(())
    }
    /// Adds a DER certificate revocation list; a duplicate is ignored. Whether a trusted CSCA
    /// signed it is checked where it is used.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<(), ParseError> {
        let crl = RevocationList::from_der(der)?;
        if !self.crls.iter().any(|c| c.der == der) {
            self.crls.push(crl);
        }
        Ok(())
    }
    /// Every revocation list held.
    pub fn crls(&self) -> &[RevocationList] {
        &self.crls
    }
    /// Revocation lists whose issuer equals `issuer_der`.
    pub fn crls_by_issuer<'a>(&'a self, issuer_der: &'a [u8]) -> impl Iterator<Item = &'a RevocationList> + 'a {
        self.crls.iter().filter(move |c| c.issuer_der == issuer_der)
    }
    /// How many CSCA certificates it holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }
    /// Whether it holds no CSCA certificate (nothing can verify).
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
    /// The CSCA certificates.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }
    /// Anchors whose subject equals `issuer_der`.
    pub fn by_subject<'a>(&'a self, issuer_der: &'a [u8]) -> impl Iterator<Item = &'a TrustAnchor> + 'a {
        self.anchors.iter().filter(move |a| a.cert.subject == issuer_der)
    }
}
