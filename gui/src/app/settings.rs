//! Settings: the form's draft saved (URLs checked, the gateway password kept only as its MD5),
//! language and text size at once.

use super::*;

impl App {
    pub fn save_settings(&mut self) -> Result<(), String> {
        let t = self.tr();
        for u in [&self.draft.bhyt_url, &self.draft.his_url] {
            let u = u.trim();
            if !(u.is_empty() || u.starts_with("http://") || u.starts_with("https://")) {
                return Err(t.s_invalid_url.into());
            }
        }
        if !self.settings_open() {
            return Err(t.s_locked_body.into());
        }
        // A new PIN: 4–12 digits, typed the same twice; kept only as its PBKDF2 hash.
        let (pin, again) = &self.draft_pin;
        if self.draft_pin_remove {
            self.draft.admin_pin.clear();
        } else if !pin.is_empty() || !again.is_empty() {
            match (pin == again).then(|| crate::store::pin::hash(pin)).flatten() {
                Some(h) => self.draft.admin_pin = h,
                None => return Err(t.s_pin_invalid.into()),
            }
        }
        if !self.draft_password.is_empty() {
            self.draft.bhyt_password_md5 = bhyt::md5_hex(&self.draft_password);
            self.draft_password.clear();
        }
        let changed = changed_settings(&self.settings, &self.draft);
        self.settings = self.draft.clone();
        self.store.save_settings(&self.settings).map_err(|e| {
            eprintln!("cancuoc-desk: settings not saved: {e}");
            cancuoc_bridge::problems::store_problem(&e, self.settings.lang)
        })?;
        self.draft_pin = (String::new(), String::new());
        self.draft_pin_remove = false;
        // Who changed which settings (names only; never a value, password or PIN).
        if !changed.is_empty() {
            let _ = self.store.audit(&AuditRow {
                at: now_ts(),
                clerk: self.settings.clerk_name.clone(),
                action: "settings".into(),
                purpose: None,
                fields: changed.join(","),
                checkin: None,
                detail: String::new(),
            });
        }
        let _ = self.store.purge_now(now_ts(), &self.settings);
        Ok(())
    }

    /// Whether the settings page takes changes: no PIN is set, or it was given.
    pub fn settings_open(&self) -> bool {
        self.settings.admin_pin.is_empty() || self.settings_unlocked
    }

    /// Seconds before another PIN is taken (after five wrong ones in a row: a minute).
    pub fn pin_wait_s(&self) -> Option<u64> {
        let left = self.pin_wait_until?.checked_duration_since(std::time::Instant::now())?;
        Some(left.as_secs() + 1)
    }

    /// The PIN typed on the lock screen: right opens the page; wrong is said, audited, and after
    /// five in a row no PIN is taken for a minute.
    pub fn unlock_settings(&mut self) {
        let t = self.tr();
        if self.pin_wait_s().is_some() {
            return;
        }
        let pin = std::mem::take(&mut self.pin_entry);
        if crate::store::pin::verify(&pin, &self.settings.admin_pin) {
            self.settings_unlocked = true;
            self.pin_wrong = 0;
            self.draft = self.settings.clone();
            self.notice = None;
            return;
        }
        self.pin_wrong += 1;
        let _ = self.store.audit(&AuditRow {
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            action: "settings_unlock_failed".into(),
            purpose: None,
            fields: String::new(),
            checkin: None,
            detail: format!("try {}", self.pin_wrong),
        });
        if self.pin_wrong >= 5 {
            self.pin_wrong = 0;
            self.pin_wait_until = Some(std::time::Instant::now() + Duration::from_secs(60));
        }
        self.notice(t.s_pin_wrong, false);
    }

    pub fn set_lang(&mut self, l: Lang) {
        self.settings.lang = l;
        self.draft.lang = l;
        let _ = self.store.save_settings(&self.settings);
    }
    pub fn set_large_text(&mut self, on: bool) {
        self.settings.large_text = on;
        self.draft.large_text = on;
        let _ = self.store.save_settings(&self.settings);
    }
}

/// The names of the settings that differ (the stored JSON's keys).
fn changed_settings(a: &crate::store::Settings, b: &crate::store::Settings) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    b.iter().filter(|(k, v)| a.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}
