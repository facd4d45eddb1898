//! Printing and saving files: a document goes to the print command, or — with none, as on
//! Windows — to the save dialog and then the PC's viewer; the save dialog writes only where the
//! clerk says, and every file written is audited.

use super::*;

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
/// (`lp` by default: CUPS takes text and PDF alike). The error is the clerk's sentence; what the
/// print command said goes to the standard error for the technician.
pub(super) fn run_print(command: &str, data: &[u8], t: &Tr) -> Result<(), String> {
    use std::io::Write;
    let mut parts = command.split_whitespace();
    let prog = parts.next().ok_or_else(|| t.no_print_command.to_string())?;
    let failed = |detail: String| {
        eprintln!("cancuoc-desk: printing failed: {prog}: {detail}");
        t.print_failed.to_string()
    };
    let mut child = std::process::Command::new(prog)
        .args(parts)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        // No printing system on this computer: say what to do, not the OS error.
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                t.no_print_command.to_string()
            } else {
                failed(e.to_string())
            }
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(data).map_err(|e| failed(e.to_string()))?;
    }
    let out = child.wait_with_output().map_err(|e| failed(e.to_string()))?;
    if out.status.success() { Ok(()) } else { Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_string())) }
}

impl App {
    /// A privacy document (consent slip, receipt) that could not be made, in the clerk's words.
    fn document_failed(&self, e: &cancuoc_bridge::privacy::PrivacyError) -> String {
        eprintln!("cancuoc-desk: document failed: {e}");
        cancuoc_bridge::problems::privacy_problem(e, self.lang())
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
        let done = cancuoc_bridge::privacy::document_pdf("phieu-dong-y", &values)
            .map_err(|e| self.document_failed(&e))
            .and_then(|pdf| {
                let audit = ("consent_slip_print".into(), None, String::new(), number.clone());
                self.print_doc(name, pdf, audit, saved, AfterPrint::ConsentSlip(number.clone()))
            });
        match done {
            Ok(Printed::Done) => {
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
            .map_err(|e| self.document_failed(&e))
            .and_then(|pdf| self.print_doc(name, pdf, audit, saved, AfterPrint::Nothing));
        match done {
            Ok(Printed::Done) => {
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
    pub(super) fn print_command(&self) -> String {
        let mut command = self.settings.print_command.trim().to_string();
        let printer = self.settings.printer.trim();
        if !printer.is_empty() && command.split_whitespace().next() == Some("lp") {
            command = format!("{command} -d {printer}");
        }
        command
    }

    /// The audit row of a file written or a document printed: action, purpose, field names,
    /// detail, and the visit it belongs to.
    fn write_audit(&self, audit: &(String, Option<String>, String, String), checkin: Option<i64>) {
        let (action, purpose, fields, detail) = audit;
        let _ = self.store.audit(&AuditRow {
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            action: action.clone(),
            purpose: purpose.clone(),
            fields: fields.clone(),
            checkin,
            detail: detail.clone(),
        });
    }

    /// Prints a document (`name` says its kind: .pdf or .txt) through the print command, and
    /// says `Printed::Done`, audited with `audit`. With no print command — Windows, which has no
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
            run_print(&command, &data, self.tr())?;
            self.write_audit(&audit, checkin);
            return Ok(Printed::Done);
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
                self.write_audit(&p.audit, p.checkin);
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
            // A folder that cannot be written (read-only, gone, full): said in words, and the save
            // dialog stays for another folder — the document is not lost.
            Err(e) => {
                eprintln!("cancuoc-desk: cannot write {}: {e}", file.display());
                self.notice(t.save_failed, false);
                self.pending_save = Some(p);
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
            Ok(Printed::Done) => self.notice(t.slip_reprinted, true),
            Err(e) => self.notice(e, false),
        }
    }

    /// The check-in slip's text (printed or copied) with this site, counter, clerk and time.
    pub(super) fn slip_text(&self, c: &Checkin, fields: &[Field]) -> String {
        c.print_text(
            fields,
            self.lang(),
            &self.settings.clerk_name,
            &format_ts(now_ts()),
            &self.site_name(),
            &self.counter_name(),
        )
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
