//! The CSCA trust store: country signing CA certificates (DER) that DS certificates must chain to.

use alloc::vec::Vec;

use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::lds::ParseError;

/// One trusted CSCA certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The certificate exactly as imported.
    pub der: Vec<u8>,
    pub cert: Certificate,
    /// DER of the subject name, for matching a DS's issuer.
    pub subject_der: Vec<u8>,
}

/// CSCA certificates, looked up by subject name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor>,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a DER certificate; a duplicate is ignored.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), ParseError> {
        let cert = Certificate::from_der(der)?;
        let subject_der = cert.tbs_certificate().subject().to_der()?;
        if !self.anchors.iter().any(|a| a.der == der) {
            self.anchors.push(TrustAnchor { der: der.to_vec(), cert, subject_der });
        }
        Ok(())
    }
    pub fn len(&self) -> usize {
        self.anchors.len()
    }
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }
    /// Anchors whose subject equals `issuer_der`.
    pub fn by_subject<'a>(&'a self, issuer_der: &'a [u8]) -> impl Iterator<Item = &'a TrustAnchor> + 'a {
        self.anchors.iter().filter(move |a| a.subject_der == issuer_der)
    }
}
