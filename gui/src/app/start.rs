//! Starting the app: the store (this PC's SQLite file or the site's PostgreSQL server), its
//! settings, the demo hospital, the commune table and the facility names — everything `App`
//! holds before the first frame.

use super::*;

impl App {
    pub fn new(opts: Options) -> Result<App, String> {
        let store = if let Some(url) = &opts.database_url {
            let counter = opts.counter.clone().unwrap_or_else(crate::store::host_name);
            // Audit rows that cannot reach the server by closing time wait in the data folder
            // (not in demo mode, which writes nothing to disk unless given a folder).
            let spool = if opts.demo {
                opts.data_dir.clone()
            } else {
                Some(opts.data_dir.clone().unwrap_or_else(default_data_dir))
            };
            Store::connect(url, &counter).map(|s| match spool {
                Some(dir) => s.with_spool(&dir),
                None => s,
            })
        } else if opts.demo && opts.data_dir.is_none() {
            Store::in_memory()
        } else {
            let dir = opts.data_dir.clone().unwrap_or_else(default_data_dir);
            Store::open(&dir)
        }
        .map_err(|e| e.to_string())?;
        let mut settings = store.settings().map_err(|e| e.to_string())?;
        let mut hospital = None;
        if opts.demo {
            // Demo: a clerk, and the simulated insurer and HIS on loopback, so every step works.
            let h = cancuoc_bridge::demo::hospital::Hospital::start(Default::default()).map_err(|e| e.to_string())?;
            if settings.clerk_name.is_empty() {
                settings.clerk_name = "Lê Văn Tiếp (demo)".into();
                settings.clerk_id = "001090000001".into();
            }
            // The practice hospital: the simulated card's holder is registered here.
            if settings.site_id.is_empty() {
                settings.site_id = "01001".into();
            }
            if settings.site_name.is_empty() {
                settings.site_name = "Bệnh viện thực hành (demo)".into();
            }
            settings.bhyt_url = h.base_url();
            settings.bhyt_user = h.username().into();
            settings.bhyt_password_md5 = bhyt::md5_hex(h.password());
            settings.his_url = h.his_url();
            hospital = Some(h);
        }
        if let Some(l) = opts.lang {
            settings.lang = l;
        }
        settings.large_text |= opts.large_text;
        // The site's table of facility names, when it keeps one beside the database (a wrong
        // line is said at start, the table then left empty).
        let table_dir = if opts.demo {
            opts.data_dir.clone()
        } else {
            Some(opts.data_dir.clone().unwrap_or_else(default_data_dir))
        };
        let (facility_names, table_error) = match table_dir.map(|d| bhyt::read_facility_names(&d.join(FACILITY_TABLE)))
        {
            Some(Ok(t)) => (t, None),
            Some(Err(e)) => (BTreeMap::new(), Some(e.to_string())),
            None => (BTreeMap::new(), None),
        };
        let reading = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = if opts.demo {
            Arc::new(Mutex::new(ReaderStatus::Simulated))
        } else {
            reader::spawn_poller(opts.usb_ports.clone(), Duration::from_secs(2), reading.clone())
        };
        let _ = store.purge(now_ts(), &settings);
        Ok(App {
            draft: settings.clone(),
            draft_password: String::new(),
            settings,
            store,
            tab: Tab::Checkin,
            reader,
            reading,
            key_mode: KeyMode::IdNumber,
            key: KeyEntry::default(),
            scenario: Scenario { variant: "rsa".into(), remove_mid_read: false },
            phase: Phase::Entry { error: None },
            checkin: None,
            photo_texture: None,
            consent: None,
            form: None,
            visit: None,
            notice: table_error.map(|text| Notice { text, good: false }),
            wedge: qr::WedgeDetector::default(),
            wedge_snapshot: None,
            bhyt_rx: None,
            history_rx: None,
            his_rx: None,
            hospital,
            last_purge: 0.0,
            focus_key_field: true,
            pending_copy: None,
            fonts_ready: false,
            citizen_lang: crate::i18n::Lang::Vi,
            pending_save: None,
            privacy_shown: None,
            privacy_purpose: "checkin".into(),
            privacy_confirm_erase: false,
            shown_title: "",
            history_query: String::new(),
            facility_names,
            settings_unlocked: false,
            pin_entry: String::new(),
            pin_wrong: 0,
            pin_wait_until: None,
            draft_pin: (String::new(), String::new()),
            draft_pin_remove: false,
            cancelling: None,
            form_return: None,
            face: None,
            face_models: None,
            opts,
        })
    }
}
