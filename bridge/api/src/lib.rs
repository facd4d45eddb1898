//! The bodies a hospital information system sends to `cancuoc serve`, parsed and checked here,
//! apart from the HTTP server, so that the same code the server runs can be fuzzed
//! (`fuzz/fuzz_targets/api_json.rs`) without building the server.

use cancuoc_core::access::{KeyError, Missing, TypedKey};
use cancuoc_core::{AccessKey, Credentials};
use serde::Deserialize;

pub mod strict;

/// `POST /v1/read`: what a HIS sends to read a card.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub reader: Option<String>,
    /// Simulated reader only: which card variant.
    pub variant: Option<String>,
    pub can: Option<String>,
    pub id_number: Option<String>,
    pub document_number: Option<String>,
    pub date_of_birth: Option<String>,
    pub date_of_expiry: Option<String>,
    /// Include the face photo in the FHIR resource.
    #[serde(default)]
    pub photo: bool,
    /// The visit this read is for: the chip's active-authentication challenge is made from it,
    /// and the server keeps the visit evidence record with the read.
    #[serde(default)]
    pub visit: Option<VisitFields>,
}

/// A visit's fields as the HIS gives them (the time and the nonce are the server's).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitFields {
    pub site: String,
    pub counter: String,
    pub visit: String,
}

/// Parses a `POST /v1/read` body; the error says what is wrong, in serde_json's words.
pub fn parse_read_request(body: &[u8]) -> Result<ReadRequest, String> {
    strict::parse(body).map_err(|e| format!("invalid request body: {e}"))
}

impl ReadRequest {
    /// The access credentials the request gives: the 12-digit ID number alone (its last 6 digits
    /// are the PACE CAN; with both dates also the MRZ key, for BAC if the chip refuses PACE), the
    /// CAN, the 9-character document number with both dates, or a combination. `fallback_mrz` is
    /// used when the request gives nothing (the simulated reader's built-in card).
    pub fn credentials(&self, fallback_mrz: Option<AccessKey>) -> Result<Credentials, String> {
        Credentials::from_typed(&self.typed(), fallback_mrz.map(Credentials::mrz)).map_err(|e| key_error(&e))
    }

    /// The key fields as typed (for `cancuoc_bridge::read::credentials`).
    pub fn typed(&self) -> TypedKey<'_> {
        TypedKey {
            id_number: self.id_number.as_deref(),
            can: self.can.as_deref(),
            document_number: self.document_number.as_deref(),
            date_of_birth: self.date_of_birth.as_deref(),
            date_of_expiry: self.date_of_expiry.as_deref(),
        }
    }
}

/// A key problem worded with the request's field names.
pub fn key_error(e: &KeyError) -> String {
    match e {
        KeyError::Incomplete(Missing::OneDate | Missing::DatesForDocumentNumber) => {
            "date_of_birth and date_of_expiry are both needed with the MRZ fields".into()
        }
        KeyError::Incomplete(Missing::NumberForDates) => "id_number or document_number is needed with the dates".into(),
        KeyError::Incomplete(Missing::Everything) => "give the ID number (its last 6 digits are the CAN), the CAN, or the document number with date of birth and date of expiry".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_to_give_a_key() {
        let r = parse_read_request(br#"{"can":"123456"}"#).unwrap();
        let c = r.credentials(None).unwrap();
        assert!(c.can.is_some() && c.mrz.is_none());
        let r = parse_read_request(
            br#"{"id_number":"079195012345","date_of_birth":"950315","date_of_expiry":"350315","photo":true}"#,
        )
        .unwrap();
        assert!(r.photo);
        let c = r.credentials(None).unwrap();
        assert!(c.mrz.is_some());
        assert_eq!(c.can.as_ref().map(|c| c.as_str()), Some("012345"), "the ID number's last 6 digits");
        let r = parse_read_request(br#"{"id_number":"079195012345"}"#).unwrap();
        let c = r.credentials(None).unwrap();
        assert!(c.mrz.is_none() && c.can.as_ref().map(|c| c.as_str()) == Some("012345"), "the ID number alone");
        let r = parse_read_request(
            br#"{"document_number":"195012345","date_of_birth":"950315","date_of_expiry":"350315"}"#,
        )
        .unwrap();
        assert!(r.credentials(None).unwrap().mrz.is_some());
    }

    #[test]
    fn what_is_missing_or_wrong_is_said() {
        let e = parse_read_request(br#"{"cann":"123456"}"#).unwrap_err();
        assert!(e.contains("unknown field `cann`"), "{e}");
        let e = parse_read_request(b"{").unwrap_err();
        assert!(e.starts_with("invalid request body"), "{e}");
        let r = parse_read_request(br#"{"id_number":"079195012345","date_of_birth":"950315"}"#).unwrap();
        assert!(r.credentials(None).unwrap_err().contains("both needed"));
        let r = parse_read_request(br#"{"date_of_birth":"950315","date_of_expiry":"350315"}"#).unwrap();
        assert!(r.credentials(None).unwrap_err().contains("id_number or document_number"));
        let r = parse_read_request(b"{}").unwrap();
        assert!(r.credentials(None).unwrap_err().contains("give the ID number"));
        let r = parse_read_request(br#"{"can":"12x"}"#).unwrap();
        assert!(r.credentials(None).is_err());
    }

    #[test]
    fn the_fallback_is_used_only_when_nothing_is_given() {
        let key = AccessKey::new("195012345", "950315", "350315").unwrap();
        let c = parse_read_request(b"{}").unwrap().credentials(Some(key.clone())).unwrap();
        assert!(c.mrz.is_some() && c.can.is_none());
        let c = parse_read_request(br#"{"can":"123456"}"#).unwrap().credentials(Some(key)).unwrap();
        assert!(c.mrz.is_none(), "a CAN given: the fallback MRZ key is not added");
    }
}
