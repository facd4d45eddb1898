//! What a verified read becomes for the hospital's and the ward's systems: the insurer's
//! eligibility answer ([`bhyt`]), the FHIR `Patient` ([`fhir`]), the check-in row of
//! QĐ 4750/QĐ-BYT ([`checkin_xml`]), the visit evidence ([`evidence`]) and the ward's filled
//! forms ([`forms`]). Each takes the [`crate::Report`] and what the clerk entered; none reads a card.

pub mod bhyt;
pub mod checkin_xml;
pub mod evidence;
pub mod fhir;
pub mod forms;
