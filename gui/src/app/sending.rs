//! Consent and sending: each button that sends data asks the citizen for the purpose's fields
//! first, then does it (BHYT lookup, HIS, export, print, copy) and writes the audit row; saving
//! the check-in to the history.

use super::printing::Printed;
use super::*;

impl App {
    /// A button that sends data: asks consent for its purpose unless already given.
    pub fn request(&mut self, action: Action) {
        // One question at a time (the clerk's buttons stay usable while the citizen answers).
        if self.consent.is_some() {
            return;
        }
        let Some(c) = &self.checkin else { return };
        // A card that is not verified: nothing is checked or sent unless the clerk overrides.
        if !c.usable() {
            let t = self.tr();
            self.notice(t.unverified_blocked, false);
            return;
        }
        let purpose = action.purpose();
        if c.consents.contains_key(&purpose) {
            self.perform(action);
            return;
        }
        let citizen = self.settings.citizen_display != crate::store::CitizenDisplay::Off;
        // On the citizen's screen nothing is pre-selected: only what the purpose cannot work
        // without is listed as needed; the citizen ticks anything more.
        let fields = if citizen { purpose.required().to_vec() } else { purpose.defaults() };
        self.consent = Some(ConsentAsk {
            purpose,
            fields,
            then: action,
            on_citizen_screen: citizen,
            asked_at: std::time::Instant::now(),
            clerk_reason: None,
            reason_draft: String::new(),
            slip: None,
        });
    }

    /// The citizen answered on their screen.
    pub fn citizen_answer(&mut self, agreed: bool) {
        if !self.consent.as_ref().is_some_and(|a| a.on_citizen_screen && a.clerk_reason.is_none()) {
            return;
        }
        if agreed { self.agree_consent() } else { self.refuse_consent() }
    }

    /// The citizen's screen was not answered in time: nothing is sent, and no answer is
    /// recorded (the audit notes the timeout).
    pub fn consent_timed_out(&mut self) {
        let Some(ask) = self.consent.take() else { return };
        self.audit("consent_timeout", Some(ask.purpose), &[], "");
        let t = self.tr();
        self.notice(t.consent_timeout, false);
    }

    /// How the pending answer is being given, for its consent record.
    fn consent_method(&self) -> String {
        match &self.consent {
            Some(ConsentAsk { slip: Some(n), .. }) => format!("signed_slip:{n}"),
            Some(a) if a.on_citizen_screen && a.clerk_reason.is_none() => "citizen_screen".into(),
            Some(ConsentAsk { clerk_reason: Some(r), .. }) => format!("clerk_recorded:{}", r.trim()),
            _ => "clerk_recorded:spoken answer at the counter".into(),
        }
    }

    /// The citizen agreed: record it, then do what was asked.
    pub fn agree_consent(&mut self) {
        let method = self.consent_method();
        let Some(ask) = self.consent.take() else { return };
        let mut fields = ask.fields.clone();
        for r in ask.purpose.required() {
            if !fields.contains(r) {
                fields.push(*r);
            }
        }
        fields.sort();
        self.audit("consent", Some(ask.purpose), &fields, &method);
        self.consent_record(ask.purpose, &fields, "agreed", &method);
        if let Some(c) = &mut self.checkin {
            c.consents.insert(ask.purpose, fields);
        }
        self.perform(ask.then);
    }

    /// The dialog closed without an answer (Esc): nothing is sent and nothing is recorded as
    /// the citizen's answer.
    pub fn close_consent(&mut self) {
        if self.consent.take().is_some() {
            let t = self.tr();
            self.notice(t.consent_closed, false);
        }
    }

    /// The citizen did not agree: nothing is sent; the refusal is logged.
    pub fn refuse_consent(&mut self) {
        let method = self.consent_method();
        let Some(ask) = self.consent.take() else { return };
        self.audit("refused", Some(ask.purpose), &[], &method);
        self.consent_record(ask.purpose, &ask.fields, "refused", &method);
        let t = self.tr();
        self.notice(t.consent_refused, false);
    }

    /// The consent record of an explicit answer (docs/privacy.md): who (a keyed hash of the ID
    /// number), the purpose, the recipient, the fields, the hash of the notice as shown, and the
    /// method — the clerk recorded the citizen's spoken answer on the clerk's screen.
    fn consent_record(&self, purpose: Purpose, fields: &[Field], answer: &str, method: &str) {
        let Some(c) = &self.checkin else { return };
        let Some(id) = c.report.person.id_number.as_deref() else { return };
        let Ok(subject) = self.store.subject(id) else { return };
        let t = self.tr();
        let labels: Vec<String> = fields.iter().map(|f| f.label(t)).collect();
        let notice = format!(
            "{}\n{}: {}\n{}: {}\n{}: {}",
            t.consent_title,
            t.consent_purpose,
            purpose.label(t),
            t.consent_recipient,
            purpose.recipient(t),
            t.consent_fields,
            labels.join(", ")
        );
        let _ = self.store.record_consent(&cancuoc_bridge::store::ConsentRecord {
            at: now_ts(),
            subject,
            purpose: purpose.key().into(),
            recipient: purpose.recipient_key().into(),
            fields: field_keys(fields),
            notice_sha256: cancuoc_bridge::privacy::notice_sha256(&notice),
            method: method.into(),
            answer: answer.into(),
            site: self.settings.site_id.clone(),
            counter: cancuoc_bridge::store::host_name(),
            clerk: self.settings.clerk_name.clone(),
            checkin: c.saved.flatten(),
            withdrawn_at: None,
        });
    }

    pub(super) fn audit(&self, action: &str, purpose: Option<Purpose>, fields: &[Field], detail: &str) {
        let checkin = self.checkin.as_ref().and_then(|c| c.saved.flatten());
        let _ = self.store.audit(&AuditRow {
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            action: action.into(),
            purpose: purpose.map(|p| p.key().to_string()),
            fields: field_keys(fields),
            checkin,
            detail: detail.into(),
        });
    }

    fn perform(&mut self, action: Action) {
        let Some(c) = &self.checkin else { return };
        let lang = self.lang();
        let t = self.tr();
        let Some(fields) = c.consents.get(&action.purpose()).cloned() else { return };
        match action {
            Action::Face => self.open_face(&fields),
            Action::Bhyt | Action::History => {
                if self.settings.offline || self.settings.bhyt_url.trim().is_empty() {
                    if let Some(c) = &mut self.checkin {
                        if action == Action::Bhyt {
                            c.bhyt = BhytState::NotChecked(Some(NotChecked::Offline));
                        } else {
                            c.history = Some(Err(NotChecked::Offline));
                        }
                    }
                    return;
                }
                let q = Query {
                    id_number: c.value(Field::IdNumber, lang).unwrap_or_default(),
                    full_name: c.value(Field::FullName, lang).unwrap_or_default(),
                    date_of_birth: c.value(Field::DateOfBirth, lang).unwrap_or_default(),
                    // Compared with the insurer's record on this PC; the sex is not sent.
                    sex: c.value(Field::Sex, lang),
                };
                let cfg = Account {
                    base_url: self.settings.bhyt_url.clone(),
                    username: self.settings.bhyt_user.clone(),
                    password_md5: self.settings.bhyt_password_md5.clone(),
                    clerk_name: self.settings.clerk_name.clone(),
                    clerk_id: self.settings.clerk_id.clone(),
                    timeout: Duration::from_secs(u64::from(self.settings.timeout_s.max(1))),
                    // In demo mode nothing reaches the disk; else the token is shared (sealed)
                    // with the CLI on this PC.
                    cache_dir: if self.opts.demo { None } else { bhyt::default_cache_dir() },
                };
                let purpose = action.purpose();
                if action == Action::History {
                    let (tx, rx) = channel();
                    std::thread::spawn(move || {
                        let _ = tx.send(bhyt::history(&cfg, &q));
                    });
                    self.history_rx = Some(rx);
                } else {
                    let (tx, rx) = channel();
                    let today = today();
                    std::thread::spawn(move || {
                        let _ = tx.send(bhyt::lookup(&cfg, &q, &today));
                    });
                    self.bhyt_rx = Some(rx);
                    if let Some(c) = &mut self.checkin {
                        c.bhyt = BhytState::Checking;
                    }
                }
                self.audit(action.key(), Some(purpose), purpose.required(), "");
            }
            Action::His => {
                let url = self.settings.his_url.trim().to_string();
                if url.is_empty() {
                    self.notice(t.his_not_configured, false);
                    return;
                }
                let body = c.fhir(&fields);
                let token = self.settings.his_token.clone();
                let timeout = Duration::from_secs(u64::from(self.settings.timeout_s.max(1)));
                let (tx, rx) = channel();
                std::thread::spawn(move || {
                    let _ = tx.send(send_his(&url, &token, &body, timeout));
                });
                self.his_rx = Some(rx);
                self.audit(action.key(), Some(Purpose::His), &fields, "");
            }
            Action::Csv | Action::Fhir => {
                let (name, data) = if action == Action::Csv {
                    ("csv", c.csv(&fields, lang))
                } else {
                    ("json", serde_json::to_string_pretty(&c.fhir(&fields)).unwrap_or_default())
                };
                let file = format!("tiep-don-{}.{name}", chrono::Local::now().format("%Y%m%d-%H%M%S"));
                self.ask_where(
                    file,
                    data.into_bytes(),
                    (action.key().into(), Some(Purpose::Export.key().into()), field_keys(&fields), String::new()),
                    t.exported,
                );
            }
            Action::Print => {
                let text = self.slip_text(c, &fields);
                let name = format!("phieu-tiep-don-{}.txt", chrono::Local::now().format("%Y%m%d-%H%M%S"));
                let audit =
                    (action.key().into(), Some(Purpose::Export.key().into()), field_keys(&fields), String::new());
                let saved = c.saved.flatten();
                match self.print_doc(name, text.into_bytes(), audit, saved, AfterPrint::Nothing) {
                    Ok(Printed::Done) => self.notice(t.printed, true),
                    Ok(Printed::Saving) => {}
                    Err(e) => self.notice(e, false),
                }
            }
            Action::Evidence => {
                let Some(Ok(e)) = &c.evidence else {
                    self.notice(t.evidence_none, false);
                    return;
                };
                let file = format!("bang-chung-{}.der", chrono::Local::now().format("%Y%m%d-%H%M%S"));
                match e.to_der() {
                    Ok(der) => {
                        let audit = (
                            action.key().into(),
                            Some(Purpose::Evidence.key().into()),
                            field_keys(&fields),
                            e.sha256(),
                        );
                        self.ask_where(file, der, audit, t.evidence_exported);
                    }
                    Err(x) => {
                        eprintln!("cancuoc-desk: evidence not written: {x}");
                        self.notice(cancuoc_bridge::problems::evidence_problem(&x, self.lang()), false)
                    }
                }
            }
            Action::Copy => {
                let text = self.slip_text(c, &fields);
                self.pending_copy = Some(text);
                self.audit(action.key(), Some(Purpose::Export), &fields, "");
                self.notice(t.copied, true);
            }
        }
    }

    /// Saves the check-in to the history (as retention allows).
    pub fn save_checkin(&mut self) {
        let lang = self.lang();
        let t = self.tr();
        let Some(c) = &self.checkin else { return };
        if !c.usable() {
            self.notice(t.unverified_blocked, false);
            return;
        }
        let row = CheckinRow {
            id: 0,
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            full_name: c.value(Field::FullName, lang),
            id_number: c.value(Field::IdNumber, lang),
            date_of_birth: c.value(Field::DateOfBirth, lang),
            sex: c.value(Field::Sex, lang),
            address: c.value(Field::Address, lang),
            reason: c.reason.clone(),
            // A ward or police counter's visit is the form it came for (or the counter).
            service: match (self.settings.counter_mode, &self.form) {
                (crate::store::CounterMode::Hospital, _) => {
                    t.services.get(c.service).copied().unwrap_or_default().to_string()
                }
                (_, Some(f)) => format!("{} — {}", f.form.code, f.form.name_vi),
                (crate::store::CounterMode::WardCommittee, None) => t.mode_ward.to_string(),
                (crate::store::CounterMode::CommunePolice, None) => t.mode_police.to_string(),
            },
            verdict: c.status_key().into(),
            bhyt: c.bhyt_summary(lang),
            photo: c.photo.as_ref().map(|(b, _)| b.clone()),
            // The visit evidence, kept with the row under the same retention, and its hash.
            evidence: c.evidence.as_ref().and_then(|e| e.as_ref().ok()).and_then(|e| e.to_der().ok()),
            evidence_sha256: c.evidence.as_ref().and_then(|e| e.as_ref().ok()).map(|e| e.sha256()),
            ..Default::default()
        };
        let already = c.saved.is_some();
        match self.store.save_checkin_as(&c.write_id, &row, &self.settings) {
            // Saved before (a second press, or a retry after a reply lost in an outage): the
            // visit is stored once; the clerk is told its number.
            Ok(saved) if saved.repeat || already => {
                if let Some(c) = &mut self.checkin {
                    c.saved = Some(saved.id);
                    c.queue_no = Some(saved.queue_no);
                }
                self.notice(format!("{} {}: {}", t.already_saved, t.queue_no, saved.queue_no), true);
            }
            Ok(saved) => {
                if let Some(c) = &mut self.checkin {
                    c.saved = Some(saved.id);
                    c.queue_no = Some(saved.queue_no);
                }
                self.audit("checkin", None, &[], "");
                let saved_word = if self.office() { t.saved_office } else { t.saved };
                let text = if saved.id.is_some() { saved_word } else { t.not_stored };
                self.notice(format!("{} {}: {}", text, t.queue_no, saved.queue_no), true);
            }
            // The form stays on the screen: the clerk saves again once the server is back.
            Err(crate::store::StoreError::Unreachable(_)) => self.notice(t.db_unreachable, false),
            Err(e) => {
                eprintln!("cancuoc-desk: the visit was not saved: {e}");
                self.notice(cancuoc_bridge::problems::store_problem(&e, self.lang()), false)
            }
        }
    }
}

/// Why the hospital system did not take the Patient.
#[derive(Debug)]
pub enum HisError {
    /// No connection, or no answer within the timeout (ureq's words, for the technician).
    Unreachable(String),
    /// It answered with this HTTP status outside 2xx.
    Refused(u16),
}

/// Sends the Patient; the HIS's own patient id when it answers one (the created resource's `id`,
/// else the `Location` header's `…/Patient/{id}[/_history/…]`).
fn send_his(url: &str, token: &str, body: &serde_json::Value, timeout: Duration) -> Result<Option<String>, HisError> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into();
    let mut req = agent.post(url).header("Content-Type", "application/fhir+json");
    if !token.is_empty() {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let mut resp =
        req.send(serde_json::to_vec(body).unwrap_or_default()).map_err(|e| HisError::Unreachable(e.to_string()))?;
    let s = resp.status().as_u16();
    if !(200..300).contains(&s) {
        return Err(HisError::Refused(s));
    }
    let from_location = resp.headers().get("location").and_then(|v| v.to_str().ok()).and_then(|l| {
        let mut parts = l.split('/').skip_while(|p| *p != "Patient");
        parts.next()?;
        parts.next().filter(|id| !id.is_empty()).map(str::to_string)
    });
    let from_body = resp
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_json::<serde_json::Value>()
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string))
        .filter(|id| {
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
        });
    Ok(from_body.or(from_location))
}

impl App {
    /// The clerk uses a card that is not verified anyway, with a reason: audited with the
    /// verdict, printed on the slip.
    pub fn override_checkin(&mut self) {
        let Some(c) = &mut self.checkin else { return };
        let reason = c.override_draft.trim().to_string();
        if reason.is_empty() || c.status() == cancuoc_bridge::Status::Verified {
            return;
        }
        c.override_reason = Some(reason.clone());
        let detail = format!("verdict {}; reason: {reason}", c.status_key());
        self.audit("override_unverified", None, &[], &detail);
    }

    /// This counter's name (the site server's counter name, else the PC's).
    pub fn counter_name(&self) -> String {
        self.opts.counter.clone().unwrap_or_else(crate::store::host_name)
    }

    /// The site's name for printed slips: the site's name, else the office setting, else the
    /// site's code.
    pub fn site_name(&self) -> String {
        [&self.settings.site_name, &self.settings.office_name, &self.settings.site_id]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }
}
