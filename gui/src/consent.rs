//! Minimal disclosure: each purpose that sends data out of the app (BHYT check, HIS, export) has
//! the fields it may carry, the ones it cannot work without, and a minimal default set. The photo
//! and the parents' names are never in a default set.

use crate::i18n::Tr;

/// One item of personal data the app may disclose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    IdNumber,
    FullName,
    DateOfBirth,
    Sex,
    Address,
    Nationality,
    Ethnicity,
    Religion,
    PlaceOfOrigin,
    OldIdNumber,
    Parents,
    Photo,
    Bhyt,
    Reason,
    Verdict,
    /// The visit evidence record: no personal data, but the document's pseudonymous identifier.
    Evidence,
}

impl Field {
    /// Stable name, for the audit log.
    pub fn key(self) -> &'static str {
        match self {
            Field::IdNumber => "id_number",
            Field::FullName => "full_name",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::Address => "place_of_residence",
            Field::Nationality => "nationality",
            Field::Ethnicity => "ethnicity",
            Field::Religion => "religion",
            Field::PlaceOfOrigin => "place_of_origin",
            Field::OldIdNumber => "old_id_number",
            Field::Parents => "parents",
            Field::Photo => "photo",
            Field::Bhyt => "bhyt_result",
            Field::Reason => "reason",
            Field::Verdict => "verdict",
            Field::Evidence => "visit_evidence",
        }
    }
    pub fn label(self, t: &Tr) -> String {
        match self {
            Field::IdNumber => t.f_id_number.into(),
            Field::FullName => t.f_full_name.into(),
            Field::DateOfBirth => t.f_date_of_birth.into(),
            Field::Sex => t.f_sex.into(),
            Field::Address => t.f_place_of_residence.into(),
            Field::Nationality => t.f_nationality.into(),
            Field::Ethnicity => t.f_ethnicity.into(),
            Field::Religion => t.f_religion.into(),
            Field::PlaceOfOrigin => t.f_place_of_origin.into(),
            Field::OldIdNumber => t.f_old_id_number.into(),
            Field::Parents => format!("{}, {}", t.f_father, t.f_mother),
            Field::Photo => t.f_photo.into(),
            Field::Bhyt => t.f_bhyt.into(),
            Field::Reason => format!("{}, {}", t.f_reason, t.f_service),
            Field::Verdict => t.f_verdict.into(),
            Field::Evidence => t.f_evidence.into(),
        }
    }
    /// Never ticked unless the clerk ticks it: the photo, the parents, and sensitive data.
    pub fn never_default(self) -> bool {
        matches!(self, Field::Photo | Field::Parents) || self.sensitive()
    }
    /// Sensitive personal data (Decree 356/2025/NĐ-CP art. 4): ethnic origin and religion (the
    /// core's DG13 table marks them), and the photo (an image of the ID card's holder, biometric
    /// when compared). Never in a default set; asked for separately.
    pub fn sensitive(self) -> bool {
        let dg13 = |key| cancuoc_core::lds::dg13::field_info(key).is_some_and(|f| f.sensitive);
        match self {
            Field::Ethnicity => dg13("ethnicity"),
            Field::Religion => dg13("religion"),
            Field::Photo => true,
            _ => false,
        }
    }
}

/// Why data leaves the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    Bhyt,
    /// The insurer's visit history (Lskcb2025): its own consent, asked separately.
    History,
    His,
    Export,
    /// Exporting the visit evidence record.
    Evidence,
    /// Comparing the chip's photo with a picture taken at the counter, on this PC (biometric:
    /// its own consent; nothing kept or sent — docs/face.md).
    Face,
}

impl Purpose {
    pub fn key(self) -> &'static str {
        match self {
            Purpose::Bhyt => "bhyt",
            Purpose::History => "bhyt_history",
            Purpose::His => "his",
            Purpose::Export => "export",
            Purpose::Evidence => "evidence",
            Purpose::Face => "face_compare",
        }
    }
    pub fn label(self, t: &Tr) -> &'static str {
        match self {
            Purpose::Bhyt => t.purpose_bhyt,
            Purpose::History => t.purpose_history,
            Purpose::His => t.purpose_his,
            Purpose::Export => t.purpose_export,
            Purpose::Evidence => t.purpose_evidence,
            Purpose::Face => t.purpose_face,
        }
    }
    pub fn recipient(self, t: &Tr) -> &'static str {
        match self {
            Purpose::Bhyt | Purpose::History => t.recipient_bhyt,
            Purpose::His => t.recipient_his,
            Purpose::Export | Purpose::Evidence => t.recipient_export,
            Purpose::Face => t.recipient_face,
        }
    }
    /// The recipient as consent records name it.
    pub fn recipient_key(self) -> &'static str {
        match self {
            Purpose::Bhyt | Purpose::History => "insurer_gateway",
            Purpose::His => "hospital_system",
            Purpose::Export | Purpose::Evidence => "file_chosen_by_clerk",
            Purpose::Face => "this_pc_not_kept",
        }
    }
    /// Fields this purpose may carry, in display order: the form's fields and the verdict first,
    /// the rest of the chip's data after them. Only an export carries the visit (service, reason).
    pub fn offered(self) -> Vec<Field> {
        use Field::*;
        match self {
            // The gateway's check takes exactly these (shared/cccd.md).
            Purpose::Bhyt | Purpose::History => vec![IdNumber, FullName, DateOfBirth],
            Purpose::Evidence => vec![Evidence],
            // The photo, which is never ticked for the citizen: nothing to compare unless they tick it.
            Purpose::Face => vec![Photo],
            Purpose::His | Purpose::Export => {
                let visit: &[Field] = if self == Purpose::Export { &[Reason] } else { &[] };
                [
                    &[IdNumber, FullName, DateOfBirth, Sex, Address, Bhyt][..],
                    visit,
                    &[Verdict, Nationality, Ethnicity, Religion, PlaceOfOrigin, OldIdNumber, Parents, Photo],
                ]
                .concat()
            }
        }
    }
    /// Fields without which the purpose cannot be served (they cannot be unticked).
    pub fn required(self) -> &'static [Field] {
        use Field::*;
        match self {
            Purpose::Bhyt | Purpose::History => &[IdNumber, FullName, DateOfBirth],
            Purpose::His => &[IdNumber, FullName, Verdict],
            Purpose::Export | Purpose::Face => &[],
            Purpose::Evidence => &[Evidence],
        }
    }
    /// The minimal default set: what a reception form needs (shared/cccd.md), nothing more.
    pub fn defaults(self) -> Vec<Field> {
        use Field::*;
        let minimal: &[Field] = match self {
            Purpose::Bhyt | Purpose::History => &[IdNumber, FullName, DateOfBirth],
            Purpose::His => &[IdNumber, FullName, DateOfBirth, Sex, Address, Bhyt, Verdict],
            Purpose::Export => &[IdNumber, FullName, DateOfBirth, Sex, Address, Bhyt, Reason, Verdict],
            Purpose::Evidence => &[Evidence],
            Purpose::Face => &[],
        };
        minimal.iter().copied().filter(|f| !f.never_default()).collect()
    }
}

/// Fields as the audit log stores them: comma-separated keys.
pub fn field_keys(fields: &[Field]) -> String {
    fields.iter().map(|f| f.key()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_minimal_and_never_carry_the_photo_or_parents() {
        for p in [Purpose::Bhyt, Purpose::History, Purpose::His, Purpose::Export, Purpose::Evidence, Purpose::Face] {
            let d = p.defaults();
            assert!(!d.contains(&Field::Photo) && !d.contains(&Field::Parents), "{p:?}");
            assert!(d.iter().all(|f| p.offered().contains(f)), "{p:?} default outside offered");
            assert!(p.required().iter().all(|f| d.contains(f)), "{p:?} required not in defaults");
        }
        assert_eq!(Purpose::Bhyt.defaults(), [Field::IdNumber, Field::FullName, Field::DateOfBirth]);
    }

    #[test]
    fn no_sensitive_field_is_in_any_default_set_or_required() {
        use Field::*;
        let every = [
            IdNumber,
            FullName,
            DateOfBirth,
            Sex,
            Address,
            Nationality,
            Ethnicity,
            Religion,
            PlaceOfOrigin,
            OldIdNumber,
            Parents,
            Photo,
            Bhyt,
            Reason,
            Verdict,
            Evidence,
        ];
        let sensitive: Vec<Field> = every.iter().copied().filter(|f| f.sensitive()).collect();
        assert_eq!(sensitive, [Ethnicity, Religion, Photo], "Decree 356 art. 4 as the core's table marks it");
        for p in [Purpose::Bhyt, Purpose::History, Purpose::His, Purpose::Export, Purpose::Evidence, Purpose::Face] {
            for f in every {
                if f.sensitive() {
                    assert!(!p.defaults().contains(&f), "{p:?} pre-selects sensitive {f:?}");
                    assert!(!p.required().contains(&f), "{p:?} requires sensitive {f:?}");
                }
            }
        }
        // The forms: no sensitive field pre-ticked, even where the form requires it.
        for form in cancuoc_bridge::his::forms::catalogue().expect("catalogue") {
            for id in form.consent_defaults() {
                let f = form.fields.iter().find(|f| f.id == id).expect("field");
                assert!(!f.sensitive(), "{} pre-ticks sensitive {id}", form.code);
            }
        }
        assert!(!Purpose::Bhyt.offered().contains(&Field::Address));
    }
}
