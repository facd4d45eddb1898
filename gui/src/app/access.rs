//! The access key: what the clerk typed or scanned, turned into credentials, and where the
//! card is read (the simulated card, a USB reader, a PC/SC reader).

use super::*;

impl App {
    /// The credentials from what was typed (the core's one rule, `Credentials::from_typed`), or
    /// what is missing.
    pub fn credentials(&self) -> Result<Credentials, String> {
        let t = self.tr();
        let k = &self.key;
        let typed = match self.key_mode {
            KeyMode::IdNumber => {
                let digits: String = k.id_or_can.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.len() == 12 {
                    // Dates known (from a QR scan) make BAC possible if the chip refuses PACE.
                    let (dob, exp) = (k.dob.trim(), k.expiry.trim());
                    let dates = (!dob.is_empty() && !exp.is_empty())
                        .then_some((dob, exp))
                        .filter(|(d, e)| AccessKey::from_cccd_number(&digits, d, e).is_ok());
                    let typed = TypedKey {
                        id_number: Some(&digits),
                        date_of_birth: dates.map(|d| d.0),
                        date_of_expiry: dates.map(|d| d.1),
                        ..TypedKey::default()
                    };
                    return Credentials::from_typed(&typed, None).map_err(|_| t.can_invalid.to_string());
                }
                let typed = TypedKey { can: Some(&digits), ..TypedKey::default() };
                return Credentials::from_typed(&typed, None).map_err(|_| t.can_invalid.to_string());
            }
            KeyMode::Mrz => {
                let (dob, exp) = (k.dob.trim(), k.expiry.trim());
                if dob.is_empty() || exp.is_empty() {
                    return Err(t.dates_needed.into());
                }
                // The document number when typed; else PACE with the ID number's CAN first, BAC
                // with these fields if the chip refuses.
                let doc = k.document_number.trim();
                TypedKey {
                    id_number: doc.is_empty().then_some(k.id_number.trim()),
                    document_number: Some(doc).filter(|d| !d.is_empty()),
                    date_of_birth: Some(dob),
                    date_of_expiry: Some(exp),
                    can: None,
                }
            }
        };
        Credentials::from_typed(&typed, None).map_err(|e| e.to_string())
    }

    /// Where reads go now.
    pub fn source(&self) -> Result<Source, String> {
        if self.opts.demo {
            return Ok(Source::Simulated {
                variant: self.scenario.variant.clone(),
                remove_at: self.scenario.remove_mid_read.then_some(DEMO_REMOVE_AT),
                latency: self.opts.sim_latency,
            });
        }
        match self.reader_status() {
            ReaderStatus::Usb { path, .. } => Ok(Source::Usb(path)),
            ReaderStatus::Pcsc { name, .. } => Ok(Source::Pcsc(Some(name))),
            other => {
                let (title, fix, _) = other.describe(self.tr());
                Err(format!("{title}. {fix}"))
            }
        }
    }

    /// Handles the scanner's text: fills the key from the QR code.
    pub fn apply_qr(&mut self, text: &str) -> bool {
        let t = self.tr();
        if let Some((mode, key)) = self.wedge_snapshot.take() {
            // Undo whatever of the burst reached the focused field before it was recognised.
            self.key_mode = mode;
            self.key = key;
        }
        let Some(q) = qr::parse(text) else {
            self.key.note = Some(t.qr_unreadable.into());
            return false;
        };
        // The ID number alone opens the chip; the dates are kept for BAC if the chip refuses PACE.
        self.key_mode = KeyMode::IdNumber;
        self.key.id_or_can = q.id_number.clone();
        self.key.id_number = q.id_number.clone();
        self.key.document_number.clear();
        self.key.dob = q.date_of_birth.clone();
        let derived =
            qr::date(&q.date_of_birth).zip(qr::date(&q.date_of_issue)).and_then(|(d, i)| qr::derive_expiry(d, i));
        let scanned = match q.generation {
            cancuoc_core::lds::dg13::Generation::CanCuoc2024 => t.qr_scanned_2024,
            cancuoc_core::lds::dg13::Generation::Cccd2021 => t.qr_scanned,
        };
        match derived {
            Some(e) => {
                self.key.expiry = e.dmy();
                self.key.note = Some(format!("{scanned} {}", t.qr_expiry_derived));
            }
            None => {
                self.key.expiry.clear();
                self.key.note = Some(format!("{scanned} {}", t.qr_no_expiry));
            }
        }
        // The ID number alone opens the chip: read at once.
        true
    }
}
