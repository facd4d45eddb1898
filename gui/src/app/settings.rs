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
        if !self.draft_password.is_empty() {
            self.draft.bhyt_password_md5 = bhyt::md5_hex(&self.draft_password);
            self.draft_password.clear();
        }
        self.settings = self.draft.clone();
        self.store.save_settings(&self.settings).map_err(|e| e.to_string())?;
        let _ = self.store.purge_now(now_ts(), &self.settings);
        Ok(())
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
