//! The visits kept and the holder's rights: History's rows, cancelling a visit with a reason,
//! and the privacy page's report, withdrawal and erasure (Law 91/2025/QH15).

use super::*;

impl App {
    /// The privacy page: what the site holds about the verified card's holder (registered as a
    /// request, done at once).
    pub fn privacy_report(&mut self, id_number: &str) {
        let now = now_ts();
        let done =
            cancuoc_bridge::privacy::register(&self.store, id_number, "report", None, now, false).and_then(|req| {
                let r = cancuoc_bridge::privacy::report(&self.store, id_number)?;
                let result =
                    format!("report: {} check-in(s), {} consent record(s)", r.checkins.len(), r.consents.len());
                self.store.finish_request(req.id, now, &result)?;
                Ok(r)
            });
        match done {
            Ok(r) => self.privacy_shown = Some(r),
            Err(e) => self.privacy_failed(&e),
        }
    }

    /// The holder withdraws their consent to the chosen purpose.
    pub fn privacy_withdraw(&mut self, id_number: &str) {
        let now = now_ts();
        let t = self.tr();
        let purpose = self.privacy_purpose.clone();
        let done = cancuoc_bridge::privacy::register(&self.store, id_number, "withdraw", Some(&purpose), now, false)
            .and_then(|req| {
                let (n, kept) = self.store.withdraw(&req.subject, &purpose, now)?;
                let result = format!("withdrawn: {n} consent record(s) for {purpose}; {kept} check-in(s) deleted");
                self.store.finish_request(req.id, now, &result)?;
                Ok(n)
            });
        match done {
            Ok(n) => self.notice(format!("{} {purpose}: {n}", t.privacy_withdrawn), true),
            Err(e) => self.privacy_failed(&e),
        }
        self.privacy_shown = None;
    }

    /// The holder's data erased (only the request record stays).
    pub fn privacy_erase(&mut self, id_number: &str) {
        let t = self.tr();
        match cancuoc_bridge::privacy::erase(&self.store, id_number, now_ts()) {
            Ok(e) => self.notice(format!("{}: {} / {}", t.privacy_erased, e.checkins, e.consents), true),
            Err(e) => self.privacy_failed(&e),
        }
        self.privacy_confirm_erase = false;
        self.privacy_shown = None;
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
            Err(e) => self.notice(cancuoc_bridge::problems::store_problem(&e, self.lang()), false),
        }
    }

    /// A privacy request that could not be carried out: "Không thực hiện được" and why, in words.
    fn privacy_failed(&mut self, e: &cancuoc_bridge::privacy::PrivacyError) {
        let t = self.tr();
        eprintln!("cancuoc-desk: privacy request failed: {e}");
        self.notice(
            format!("{}: {}", t.privacy_failed, cancuoc_bridge::problems::privacy_problem(e, self.lang())),
            false,
        );
    }
}
