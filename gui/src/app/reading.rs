//! Reading a card: starting, continuing after the card was pulled away, cancelling, and
//! taking in what the reading worker sends.

use super::*;
use cancuoc_bridge::problems;

impl App {
    /// Enter on the entry screen: read the card.
    pub fn start_read(&mut self) {
        if matches!(self.phase, Phase::Reading { .. }) {
            return;
        }
        let creds = match self.credentials() {
            Ok(c) => c,
            Err(e) => {
                self.phase = Phase::Entry { error: Some(e) };
                return;
            }
        };
        let source = match self.source() {
            Ok(s) => s,
            Err(e) => {
                self.phase = Phase::Entry { error: Some(e) };
                return;
            }
        };
        self.clear_person();
        // The visit this read is for: the chip's active-authentication challenge is made from it,
        // so its answer is kept as evidence that this chip was here (docs/evidence.md).
        self.visit = self.new_visit();
        let challenge = self.visit.as_ref().and_then(|v| v.challenge().ok());
        self.reading.store(true, std::sync::atomic::Ordering::Relaxed);
        self.phase = Phase::Reading {
            files: Vec::new(),
            job: reader::start(source, creds, None, self.opts.trust_dir.clone(), challenge),
            unplugged: false,
            resumed: false,
            holder: None,
        };
    }

    /// "Continue" after the card was taken away: a new session, keeping what was read.
    pub fn continue_read(&mut self) {
        let Phase::Interrupted { partial, .. } = &self.phase else { return };
        let partial = partial.clone();
        let (Ok(creds), Ok(mut source)) = (self.credentials(), self.source()) else {
            self.phase = Phase::Entry { error: None };
            return;
        };
        // The card is back on the reader: in demo mode it is not pulled away a second time.
        if let Source::Simulated { remove_at, .. } = &mut source {
            *remove_at = None;
        }
        self.reading.store(true, std::sync::atomic::Ordering::Relaxed);
        self.phase = Phase::Reading {
            files: Vec::new(),
            job: reader::start(
                source,
                creds,
                Some(partial),
                self.opts.trust_dir.clone(),
                self.visit.as_ref().and_then(|v| v.challenge().ok()),
            ),
            unplugged: false,
            resumed: true,
            holder: None,
        };
    }

    pub fn cancel(&mut self) {
        match &self.phase {
            Phase::Reading { job, .. } => job.cancel.store(true, std::sync::atomic::Ordering::Relaxed),
            Phase::Interrupted { .. } => self.phase = Phase::Entry { error: None },
            _ => {}
        }
    }

    /// Esc on the result: forget this person and get ready for the next.
    pub fn next_person(&mut self) {
        self.form = None;
        self.form_return = None;
        self.next_person_keep_form();
    }

    /// The key entry for another card, the form being filled kept (its next person's card).
    pub fn next_person_keep_form(&mut self) {
        self.clear_person();
        self.key = KeyEntry::default();
        self.phase = Phase::Entry { error: None };
        self.focus_key_field = true;
    }

    fn clear_person(&mut self) {
        self.checkin = None;
        self.photo_texture = None;
        self.consent = None;
        self.bhyt_rx = None;
        self.history_rx = None;
        self.his_rx = None;
        self.notice = None;
    }

    /// Takes what the workers sent since the last frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        self.poll_face();
        let mut done = None;
        if let Phase::Reading { files, job, unplugged, holder, .. } = &mut self.phase {
            while let Ok(m) = job.rx.try_recv() {
                match m {
                    WorkerMsg::Progress(p) => match files.iter_mut().find(|f| f.file == p.file) {
                        Some(f) => *f = p,
                        None => files.push(p),
                    },
                    WorkerMsg::Holder { name, id_number } => *holder = Some((name, id_number)),
                    WorkerMsg::Unplugged => *unplugged = true,
                    WorkerMsg::Done(r) => done = Some(*r),
                }
            }
        }
        if let Some(r) = done {
            self.finish_read(ctx, r);
        }
        if let Some(rx) = &self.history_rx
            && let Ok(r) = rx.try_recv()
        {
            self.history_rx = None;
            if let Some(c) = &mut self.checkin {
                c.history = Some(r);
            }
        }
        if let Some(rx) = &self.bhyt_rx
            && let Ok(r) = rx.try_recv()
        {
            self.bhyt_rx = None;
            if let Some(c) = &mut self.checkin {
                c.bhyt = match r {
                    Ok(res) => BhytState::Done(Box::new(res)),
                    Err(e) => BhytState::NotChecked(Some(e)),
                };
            }
        }
        if let Some(rx) = &self.his_rx
            && let Ok(r) = rx.try_recv()
        {
            self.his_rx = None;
            let t = self.tr();
            match r {
                Ok(Some(id)) => {
                    if let Some(c) = &mut self.checkin {
                        c.his_patient_id = Some(id.clone());
                    }
                    self.notice(format!("{} — {}: {id}", t.his_sent, t.his_patient_id), true);
                }
                Ok(None) => self.notice(t.his_sent, true),
                Err(sending::HisError::Unreachable(why)) => {
                    eprintln!("cancuoc-desk: the HIS cannot be reached: {why}");
                    self.notice(t.his_unreachable, false)
                }
                Err(sending::HisError::Refused(status)) => self.notice(format!("{} {status}", t.his_refused), false),
            }
        }
        // Retention: purge hourly while the app runs.
        let now = ctx.input(|i| i.time);
        if now - self.last_purge > 3600.0 {
            self.last_purge = now;
            let _ = self.store.purge(now_ts(), &self.settings);
        }
    }

    fn finish_read(
        &mut self,
        ctx: &egui::Context,
        r: Result<(cancuoc_core::read::CardRead, Option<cancuoc_bridge::ReaderReport>), ReadError>,
    ) {
        let t = self.tr();
        self.reading.store(false, std::sync::atomic::Ordering::Relaxed);
        match r {
            Ok((read, usb)) => {
                let mut report = Report::from_read(&read);
                report.reader = usb;
                let photo = read.dg2.as_ref().and_then(|d| d.faces.first()).map(|f| (f.image.clone(), f.format.mime()));
                self.photo_texture = photo.as_ref().map(|(b, mime)| {
                    crate::photo::decode(b, mime).map(|img| ctx.load_texture("face", img, egui::TextureOptions::LINEAR))
                });
                let evidence =
                    self.visit.as_ref().map(|v| cancuoc_bridge::his::evidence::Evidence::from_read(v, &read));
                self.checkin = Some(Checkin {
                    evidence,
                    failures: read.verdict.failures(),
                    report,
                    photo,
                    reason: String::new(),
                    service: 0,
                    bhyt: BhytState::NotChecked(None),
                    history: None,
                    consents: BTreeMap::new(),
                    saved: None,
                    queue_no: None,
                    address_choice: None,
                    write_id: crate::store::new_write_id(),
                    override_reason: None,
                    override_draft: String::new(),
                    his_patient_id: None,
                });
                self.phase = Phase::Result;
                self.form_card_read();
            }
            Err(ReadError::Card(f)) => {
                let removed = matches!(
                    f.error,
                    Error::Transport { error: TransportError::CardRemoved | TransportError::Timeout, .. }
                );
                if !matches!(f.error, Error::AccessDenied { .. } | Error::Key(_) | Error::NeedCredential(_))
                    && (removed || !f.partial.complete.is_empty())
                {
                    self.phase = Phase::Interrupted { message: f.error.to_string(), partial: f.partial };
                } else {
                    self.phase = Phase::Entry { error: Some(problems::card_problem(&f.error, self.lang())) };
                }
            }
            Err(ReadError::Cancelled) => {
                self.phase = Phase::Entry { error: None };
                self.notice(t.cancelled, false);
            }
            // The reader's, the smart-card service's, the trust store's: the clerk's words; the
            // technical English for the technician on the standard error (no personal data in it).
            Err(e) => {
                eprintln!("cancuoc-desk: read failed: {e}");
                self.phase = Phase::Entry { error: Some(problems::read_problem(&e, self.lang())) };
            }
        }
    }
}
