//! What each combination of typed fields means (ID number, CAN, document number, dates).

#![cfg(test)]

use super::{KeyError, Missing, TypedKey};
use crate::Credentials;

#[test]
fn each_typed_combination_means_one_thing() {
    let t = |id, can, doc, dob, exp| TypedKey {
        id_number: id,
        can,
        document_number: doc,
        date_of_birth: dob,
        date_of_expiry: exp,
    };
    // ID number alone: the CAN (its last 6 digits), no MRZ key.
    let c = Credentials::from_typed(&t(Some("079195012345"), None, None, None, None), None).unwrap();
    assert_eq!(c.can.as_ref().map(|c| c.as_str()), Some("012345"));
    assert!(c.mrz.is_none());
    // With both dates: the MRZ key too (document number = the last 9 digits).
    let c = Credentials::from_typed(&t(Some(" 079195012345 "), None, None, Some("15/03/1995"), Some("350315")), None)
        .unwrap();
    assert_eq!(c.mrz.unwrap().document_number_field(), "195012345");
    // An explicit CAN replaces the ID number's.
    let c = Credentials::from_typed(&t(Some("079195012345"), Some("111111"), None, None, None), None).unwrap();
    assert_eq!(c.can.unwrap().as_str(), "111111");
    // Empty fields count as not given.
    let c = Credentials::from_typed(&t(Some(""), Some("123456"), Some(""), Some(""), None), None).unwrap();
    assert!(c.can.is_some() && c.mrz.is_none());
    // What is missing is named.
    let e = |k| Credentials::from_typed(&k, None).unwrap_err();
    assert_eq!(e(t(Some("079195012345"), None, None, Some("950315"), None)), KeyError::Incomplete(Missing::OneDate));
    assert_eq!(e(t(None, None, Some("C1234567"), None, None)), KeyError::Incomplete(Missing::DatesForDocumentNumber));
    assert_eq!(e(t(None, None, None, Some("950315"), Some("350315"))), KeyError::Incomplete(Missing::NumberForDates));
    assert_eq!(e(TypedKey::default()), KeyError::Incomplete(Missing::Everything));
    assert!(matches!(e(t(Some("07919501234"), None, None, None, None)), KeyError::IdNumber(_)));
    assert!(matches!(e(t(None, Some("12x"), None, None, None)), KeyError::Can(_)));
    // The fallback only when nothing was given.
    let fallback = Credentials::can(crate::pace::Can::new("654321").unwrap());
    let c = Credentials::from_typed(&TypedKey::default(), Some(fallback.clone())).unwrap();
    assert_eq!(c.can.unwrap().as_str(), "654321");
}
