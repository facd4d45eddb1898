//! The access key from the MRZ fields and the CCCD number: formats, check digits, redaction.

#![cfg(test)]

use super::*;

#[test]
fn mrz_information_matches_icao_appendix_d() {
    let k = AccessKey::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(k.mrz_information(), "L898902C<369080619406236");
}

#[test]
fn accepts_clerk_date_forms() {
    assert_eq!(&normalize_date("06/08/1969").unwrap(), b"690806");
    assert_eq!(&normalize_date("06081969").unwrap(), b"690806");
    assert_eq!(&normalize_date("1969-08-06").unwrap(), b"690806");
    assert_eq!(&normalize_date("29/02/2024").unwrap(), b"240229");
}

#[test]
fn rejects_impossible_dates_naming_the_field() {
    assert_eq!(AccessKey::new("L898902C", "691306", "940623"), Err(KeyError::DateOfBirth("month must be 01 to 12")));
    assert_eq!(
        AccessKey::new("L898902C", "690806", "31/04/2030"),
        Err(KeyError::DateOfExpiry("this day does not exist in that month"))
    );
    assert!(matches!(AccessKey::new("L898902C", "29/02/2023", "940623"), Err(KeyError::DateOfBirth(_))));
    assert!(matches!(AccessKey::new("", "690806", "940623"), Err(KeyError::DocumentNumber(_))));
    assert!(matches!(AccessKey::new("0123456789", "690806", "940623"), Err(KeyError::DocumentNumber(_))));
    assert!(matches!(AccessKey::new("AB-12", "690806", "940623"), Err(KeyError::DocumentNumber(_))));
    assert!(matches!(AccessKey::new("AB12", "6908", "940623"), Err(KeyError::DateOfBirth(_))));
}

#[test]
fn derives_document_number_from_cccd() {
    let k = AccessKey::from_cccd_number("001095012345", "15/03/1995", "15/03/2035").unwrap();
    assert_eq!(k.document_number_field(), "095012345");
    assert!(AccessKey::from_cccd_number("00109501234", "150395", "150335").is_err());
    assert_eq!(alloc::format!("{k:?}"), "AccessKey(<redacted>)");
}
