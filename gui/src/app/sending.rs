//! Consent and sending: each button that sends data asks the citizen for the purpose's fields
//! first, then does it (BHYT lookup, HIS, export, print, copy) and writes the audit row; saving
//! the check-in to the history.

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

    fn audit(&self, action: &str, purpose: Option<Purpose>, fields: &[Field], detail: &str) {
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
                    Ok(Printed::Done) => {
                        self.audit(action.key(), Some(Purpose::Export), &fields, "");
                        self.notice(t.printed, true);
                    }
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
                    Err(x) => self.notice(x, false),
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
            Err(e) => self.notice(e.to_string(), false),
        }
    }
}

/// POSTs the Patient to the HIS; returns the HTTP status.
/// Sends the Patient; the HIS's own patient id when it answers one (the created resource's `id`,
/// else the `Location` header's `…/Patient/{id}[/_history/…]`).
fn send_his(url: &str, token: &str, body: &serde_json::Value, timeout: Duration) -> Result<Option<String>, String> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into();
    let mut req = agent.post(url).header("Content-Type", "application/fhir+json");
    if !token.is_empty() {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let mut resp = req.send(serde_json::to_vec(body).unwrap_or_default()).map_err(|e| format!("HIS: {e}"))?;
    let s = resp.status().as_u16();
    if !(200..300).contains(&s) {
        return Err(format!("HIS: HTTP {s}"));
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

/// What `print_doc` did.
#[derive(Debug, PartialEq)]
pub(super) enum Printed {
    /// Sent to the print command.
    Done,
    /// The save dialog is open; the document opens in the viewer once saved.
    Saving,
}

/// Opens a saved file in the PC's default program for its kind (a PDF viewer, Notepad), from
/// which the clerk prints: `explorer.exe FILE` on Windows (no shell: a name is never parsed as a
/// command), `xdg-open FILE` elsewhere. Err when it could not be started.
fn open_in_viewer(file: &std::path::Path) -> Result<(), ()> {
    let program = if cfg!(windows) { "explorer.exe" } else { "xdg-open" };
    std::process::Command::new(program)
        .arg(file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(drop)
}

/// Sends a document (the check-in's text, a form's PDF) to the print command's standard input
/// (`lp` by default: CUPS takes text and PDF alike).
pub(super) fn run_print(command: &str, data: &[u8], none_set: &str) -> Result<(), String> {
    use std::io::Write;
    let mut parts = command.split_whitespace();
    let prog = parts.next().ok_or_else(|| none_set.to_string())?;
    let mut child = std::process::Command::new(prog)
        .args(parts)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        // No printing system on this computer: say what to do, not the OS error.
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound { none_set.to_string() } else { format!("{prog}: {e}") }
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(data).map_err(|e| format!("{prog}: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("{prog}: {e}"))?;
    if out.status.success() { Ok(()) } else { Err(format!("{prog}: {}", String::from_utf8_lossy(&out.stderr).trim())) }
}

impl App {
    /// The privacy page: what the site holds about the verified card's holder (registered as a
    /// request, done at once).
    pub fn privacy_report(&mut self, id_number: &str) {
        let now = now_ts();
        let t = self.tr();
        let done =
            cancuoc_bridge::privacy::register(&self.store, id_number, "report", None, now, false).and_then(|req| {
                let r = cancuoc_bridge::privacy::report(&self.store, id_number).map_err(|e| e.to_string())?;
                let result =
                    format!("report: {} check-in(s), {} consent record(s)", r.checkins.len(), r.consents.len());
                self.store.finish_request(req.id, now, &result).map_err(|e| e.to_string())?;
                Ok(r)
            });
        match done {
            Ok(r) => self.privacy_shown = Some(r),
            Err(e) => self.notice(format!("{}: {e}", t.privacy_failed), false),
        }
    }

    /// The holder withdraws their consent to the chosen purpose.
    pub fn privacy_withdraw(&mut self, id_number: &str) {
        let now = now_ts();
        let t = self.tr();
        let purpose = self.privacy_purpose.clone();
        let done = cancuoc_bridge::privacy::register(&self.store, id_number, "withdraw", Some(&purpose), now, false)
            .and_then(|req| {
                let (n, kept) = self.store.withdraw(&req.subject, &purpose, now).map_err(|e| e.to_string())?;
                let result = format!("withdrawn: {n} consent record(s) for {purpose}; {kept} check-in(s) deleted");
                self.store.finish_request(req.id, now, &result).map_err(|e| e.to_string())?;
                Ok(n)
            });
        match done {
            Ok(n) => self.notice(format!("{} {purpose}: {n}", t.privacy_withdrawn), true),
            Err(e) => self.notice(format!("{}: {e}", t.privacy_failed), false),
        }
        self.privacy_shown = None;
    }

    /// The holder's data erased (only the request record stays).
    pub fn privacy_erase(&mut self, id_number: &str) {
        let t = self.tr();
        match cancuoc_bridge::privacy::erase(&self.store, id_number, now_ts()) {
            Ok(e) => self.notice(format!("{}: {} / {}", t.privacy_erased, e.checkins, e.consents), true),
            Err(e) => self.notice(format!("{}: {e}", t.privacy_failed), false),
        }
        self.privacy_confirm_erase = false;
        self.privacy_shown = None;
    }

    /// Prints the consent slip of the pending question for the citizen to read, tick and sign;
    /// the answer is then recorded as the signed slip's (method `signed_slip:N`).
    pub fn print_consent_slip(&mut self) {
        let t = self.tr();
        let (Some(ask), Some(c)) = (&self.consent, &self.checkin) else { return };
        let number = format!("{}-{:04}", chrono::Local::now().format("%Y%m%d-%H%M%S"), (now_ts() % 10_000));
        let labels: Vec<String> = ask.fields.iter().map(|f| f.label(t)).collect();
        let values: std::collections::BTreeMap<String, String> = [
            ("so_phieu", number.clone()),
            ("co_so", self.settings.site_id.clone()),
            ("ho_ten", c.report.person.full_name.clone().unwrap_or_default()),
            ("muc_dich", ask.purpose.label(t).to_string()),
            ("ben_nhan", ask.purpose.recipient(t).to_string()),
            ("thong_tin", labels.join(", ")),
            ("luu_giu", format!("{} {}", self.settings.retention_days, t.days_then_deleted)),
            ("quyen", cancuoc_bridge::privacy::RIGHTS_VI.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let name = format!("phieu-dong-y-{number}.pdf");
        let saved = c.saved.flatten();
        let done = cancuoc_bridge::privacy::document_pdf("phieu-dong-y", &values).and_then(|pdf| {
            let audit = ("consent_slip_print".into(), None, String::new(), number.clone());
            self.print_doc(name, pdf, audit, saved, AfterPrint::ConsentSlip(number.clone()))
        });
        match done {
            Ok(Printed::Done) => {
                self.audit("consent_slip_print", None, &[], &number);
                if let Some(a) = &mut self.consent {
                    a.slip = Some(number);
                }
                self.notice(t.slip_printed, true);
            }
            Ok(Printed::Saving) => {}
            Err(e) => self.notice(e, false),
        }
    }

    /// Prints the citizen's receipt for this visit: what was read from the chip, what went to
    /// whom with their consent, how long it is kept here, the visit evidence's hash, and how to
    /// use their rights. The citizen's own copy: no consent question.
    pub fn print_receipt(&mut self) {
        let t = self.tr();
        let lang = self.lang();
        let Some(c) = &self.checkin else { return };
        let p = &c.report.person;
        let read: Vec<&str> = cancuoc_core::lds::dg13::FIELDS
            .iter()
            .filter(|f| p.get(f).is_some())
            .map(|f| p.label(f, lang == crate::i18n::Lang::En))
            .collect();
        let verdict = c.report.status.headline(lang.words());
        let sent: Vec<String> = c
            .consents
            .iter()
            .map(|(purpose, fields)| {
                let labels: Vec<String> = fields.iter().map(|f| f.label(t)).collect();
                format!("{} → {}: {}", purpose.label(t), purpose.recipient(t), labels.join(", "))
            })
            .collect();
        let kept = if self.settings.retention_days == 0 || self.store.is_memory() {
            t.receipt_not_kept.to_string()
        } else {
            format!("{} {}", self.settings.retention_days, t.days_then_deleted)
        };
        let evidence = match &c.evidence {
            Some(Ok(e)) => e.sha256(),
            _ => "—".into(),
        };
        let values: std::collections::BTreeMap<String, String> = [
            ("co_so", self.settings.site_id.clone()),
            ("luc", format_ts(now_ts())),
            ("ho_ten", p.full_name.clone().unwrap_or_default()),
            ("da_doc", format!("{}; {verdict}", read.join(", "))),
            ("da_gui", if sent.is_empty() { t.receipt_nothing_sent.to_string() } else { sent.join("; ") }),
            ("luu_giu", kept),
            ("bang_chung", evidence),
            ("quyen", cancuoc_bridge::privacy::RIGHTS_VI.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let name = format!("bien-nhan-{}.pdf", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        let saved = c.saved.flatten();
        let audit = ("receipt_print".into(), None, String::new(), String::new());
        let done = cancuoc_bridge::privacy::document_pdf("bien-nhan", &values)
            .and_then(|pdf| self.print_doc(name, pdf, audit, saved, AfterPrint::Nothing));
        match done {
            Ok(Printed::Done) => {
                self.audit("receipt_print", None, &[], "");
                self.notice(t.receipt_printed, true);
            }
            Ok(Printed::Saving) => {}
            Err(e) => self.notice(e, false),
        }
    }

    /// A file to save: the save dialog asks where (nothing is written before the clerk says).
    pub fn ask_where(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        audit: (String, Option<String>, String, String),
        done_text: &'static str,
    ) {
        let folder = if self.opts.demo && self.settings.export_dir == self.opts_default_export_dir() {
            String::new()
        } else {
            self.settings.export_dir.clone()
        };
        let checkin = self.checkin.as_ref().and_then(|c| c.saved.flatten());
        self.pending_save = Some(PendingSave { name, bytes, folder, audit, done_text, checkin, print: None });
    }

    /// The print command with the printer chosen in the settings (`lp -d PRINTER`).
    fn print_command(&self) -> String {
        let mut command = self.settings.print_command.trim().to_string();
        let printer = self.settings.printer.trim();
        if !printer.is_empty() && command.split_whitespace().next() == Some("lp") {
            command = format!("{command} -d {printer}");
        }
        command
    }

    /// Prints a document (`name` says its kind: .pdf or .txt) through the print command, and
    /// says `Printed::Done`; the caller audits. With no print command — Windows, which has no
    /// command that prints what it is given, proposes none — the save dialog asks where the
    /// document goes, and once saved it opens in the PC's default viewer to be printed from
    /// there (`Printed::Saving`; the save writes `audit` and does `after`).
    pub(super) fn print_doc(
        &mut self,
        name: String,
        data: Vec<u8>,
        audit: (String, Option<String>, String, String),
        checkin: Option<i64>,
        after: AfterPrint,
    ) -> Result<Printed, String> {
        let command = self.print_command();
        if !command.is_empty() {
            return run_print(&command, &data, self.tr().no_print_command).map(|()| Printed::Done);
        }
        let t = self.tr();
        self.ask_where(name, data, audit, t.saved_to_print);
        if let Some(p) = &mut self.pending_save {
            p.checkin = checkin;
            p.print = Some(after);
        }
        Ok(Printed::Saving)
    }

    /// The folder a fresh installation proposes (Documents, else home).
    pub fn opts_default_export_dir(&self) -> String {
        crate::store::Settings::default().export_dir
    }

    /// The clerk chose the folder: the file is written there (owner-only) and audited.
    pub fn save_pending(&mut self) {
        let Some(p) = self.pending_save.take() else { return };
        let t = self.tr();
        let folder = p.folder.trim();
        if folder.is_empty() {
            self.notice(t.save_choose_folder, false);
            self.pending_save = Some(p);
            return;
        }
        let file = std::path::Path::new(folder).join(&p.name);
        match cancuoc_bridge::write_private(&file, &p.bytes) {
            Ok(()) => {
                let (action, purpose, fields, detail) = &p.audit;
                let _ = self.store.audit(&AuditRow {
                    at: now_ts(),
                    clerk: self.settings.clerk_name.clone(),
                    action: action.clone(),
                    purpose: purpose.clone(),
                    fields: fields.clone(),
                    checkin: p.checkin,
                    detail: detail.clone(),
                });
                match &p.print {
                    None => self.notice(format!("{}: {}", p.done_text, file.display()), true),
                    Some(after) => {
                        if let (AfterPrint::ConsentSlip(number), Some(a)) = (after, &mut self.consent) {
                            a.slip = Some(number.clone());
                        }
                        match open_in_viewer(&file) {
                            Ok(()) => self.notice(format!("{}: {}", p.done_text, file.display()), true),
                            Err(()) => self.notice(format!("{}: {}", t.saved_open_to_print, file.display()), true),
                        }
                    }
                }
            }
            Err(e) => {
                self.notice(format!("{}: {e}", file.display()), false);
            }
        }
    }

    /// The clerk cancelled the save: nothing written.
    pub fn cancel_save(&mut self) {
        if self.pending_save.take().is_some() {
            let t = self.tr();
            self.notice(t.save_cancelled, false);
        }
    }

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

    /// History: the visits matching the search (name or ID number, any part, without regard to
    /// diacritics or case; or a date dd/mm/yyyy, or part of one), newest first.
    pub fn history_rows(&self) -> Result<Vec<CheckinRow>, crate::store::StoreError> {
        let q = self.history_query.trim();
        if q.is_empty() {
            return self.store.checkins(200);
        }
        let fold = cancuoc_bridge::address::names::fold;
        let want = fold(q);
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        Ok(self
            .store
            .checkins(5000)?
            .into_iter()
            .filter(|r| {
                let name = r.full_name.as_deref().map(fold).unwrap_or_default();
                let id = r.id_number.as_deref().unwrap_or_default();
                let date = format_ts(r.at);
                name.contains(&want)
                    || (digits.len() >= 3 && digits.len() == q.len() && id.contains(&digits))
                    || (q.contains('/') && date.starts_with(q))
            })
            .take(200)
            .collect())
    }

    /// Reprints a saved visit's queue slip (site, counter, queue number, the visit's time, name,
    /// service; marked as a reprint); audited.
    pub fn reprint(&mut self, row: &CheckinRow) {
        let t = self.tr();
        let title = if self.office() { t.slip_title_office } else { t.form_title };
        let slip = queue_slip(row, t, title, &self.site_name(), &self.settings.clerk_name, &format_ts(now_ts()));
        let name = format!("phieu-in-lai-{}.txt", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        let detail = row.queue_no.map(|q| format!("queue {q}")).unwrap_or_default();
        let audit = ("reprint".into(), None, "full_name".into(), detail);
        match self.print_doc(name, slip.into_bytes(), audit, Some(row.id), AfterPrint::Nothing) {
            Ok(Printed::Saving) => {}
            Ok(Printed::Done) => {
                let _ = self.store.audit(&AuditRow {
                    at: now_ts(),
                    clerk: self.settings.clerk_name.clone(),
                    action: "reprint".into(),
                    purpose: None,
                    fields: "full_name".into(),
                    checkin: Some(row.id),
                    detail: row.queue_no.map(|q| format!("queue {q}")).unwrap_or_default(),
                });
                self.notice(t.slip_reprinted, true);
            }
            Err(e) => self.notice(e, false),
        }
    }

    /// Cancels the visit in the dialog, with the reason typed (none: nothing happens).
    pub fn confirm_cancel_visit(&mut self) {
        let t = self.tr();
        let Some((row, reason)) = &self.cancelling else { return };
        if reason.trim().is_empty() {
            return;
        }
        let result = self.store.cancel_checkin(row, &self.settings.clerk_name, reason, now_ts());
        let id = row.id;
        self.cancelling = None;
        match result {
            Ok(_) => {
                // The visit on screen, if it is this one, is no longer saved.
                if let Some(c) = &mut self.checkin
                    && c.saved == Some(Some(id))
                {
                    c.saved = None;
                    c.queue_no = None;
                    c.write_id = crate::store::new_write_id();
                }
                self.notice(t.visit_cancelled, true);
            }
            Err(e) => self.notice(e.to_string(), false),
        }
    }

    /// The check-in slip's text (printed or copied) with this site, counter, clerk and time.
    fn slip_text(&self, c: &Checkin, fields: &[Field]) -> String {
        c.print_text(
            fields,
            self.lang(),
            &self.settings.clerk_name,
            &format_ts(now_ts()),
            &self.site_name(),
            &self.counter_name(),
        )
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

/// A saved visit's queue slip, reprinted: what the patient carries (no ID number).
pub fn queue_slip(row: &CheckinRow, t: &crate::i18n::Tr, title: &str, site: &str, clerk: &str, now: &str) -> String {
    let mut out = String::new();
    if !site.trim().is_empty() {
        out.push_str(&format!("{}\n", site.trim()));
    }
    let title = format!("{} ({})", title.to_uppercase(), t.slip_reprint_mark);
    out.push_str(&format!("{title}\n{}\n\n", "=".repeat(title.chars().count())));
    let mut line = |label: &str, v: &str| {
        if !v.trim().is_empty() {
            out.push_str(&format!("{:<28} {v}\n", format!("{label}:")));
        }
    };
    line(t.queue_no, &row.queue_no.map(|q| q.to_string()).unwrap_or_default());
    line(t.slip_counter, &row.counter);
    line(t.slip_visit_time, &format_ts(row.at));
    line(t.f_full_name, row.full_name.as_deref().unwrap_or_default());
    line(t.f_service, &row.service);
    out.push_str(&format!("\n{now} — {clerk}\n"));
    out
}
