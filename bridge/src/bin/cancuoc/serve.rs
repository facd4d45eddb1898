//! `cancuoc serve`: the loopback HTTP/WebSocket API.

use std::path::PathBuf;

use std::io::Write;

use cancuoc_bridge::exit;
use clap::Args;

#[derive(Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, default_value_t = 47831)]
    port: u16,
    /// Listen on another address than 127.0.0.1 (needs --allow-remote).
    #[arg(long)]
    listen: Option<std::net::IpAddr>,
    /// Allow a non-loopback --listen address (the API hands out personal data: think twice).
    #[arg(long)]
    allow_remote: bool,
    /// A web origin allowed to call the API from a browser (repeatable), e.g. https://his.example.vn
    #[arg(long)]
    allow_origin: Vec<String>,
    /// Where the API token is kept (created on first start).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Seconds a read result stays retrievable in memory.
    #[arg(long, default_value_t = 300)]
    retention_secs: u64,
    /// Offer the built-in simulated card as reader "simulated".
    #[arg(long)]
    simulated: bool,
    /// Delay per APDU on the simulated reader, in milliseconds (a realistic link).
    #[arg(long, default_value_t = 0)]
    simulated_latency_ms: u64,
    /// The site store (a SQLite file, e.g. the desk app's desk.sqlite, or a postgres:// URL):
    /// `POST /v1/checkin` with `"consent": true` saves the check-in and its consent record there.
    #[arg(long, value_name = "FILE|URL")]
    site_db: Option<String>,
    /// Offer the cancuoc USB reader on this serial port as reader "usb:PORT" (repeatable;
    /// readers found by their USB IDs are offered anyway).
    #[arg(long)]
    usb: Vec<String>,
    /// A host name the Host header may carry besides the loopback ones and the listen address
    /// (repeatable; for a counter PC reached by name with --allow-remote).
    #[arg(long)]
    allow_host: Vec<String>,
    /// Connections served at once (more wait until one closes; capped below the open-file limit).
    #[arg(long, default_value_t = 256)]
    max_connections: usize,
    /// Seconds a connection has to send a request's headers; also the longest it may sit idle.
    #[arg(long, default_value_t = 10)]
    header_timeout_secs: u64,
    /// Seconds a request has to send its body.
    #[arg(long, default_value_t = 20)]
    body_timeout_secs: u64,
    /// The trust store directory for real cards.
    #[arg(long)]
    trust_dir: Option<PathBuf>,
    /// The insurer's gateway for `POST /v1/bhyt` (the account from CANCUOC_BHYT_USER and
    /// CANCUOC_BHYT_PASSWORD_FILE, as for `cancuoc bhyt`).
    #[arg(long, env = "CANCUOC_BHYT_GATEWAY")]
    bhyt_gateway: Option<String>,
    /// The clerk the gateway is asked as (a registered user of the site).
    #[arg(long, env = "CANCUOC_BHYT_CLERK_NAME", default_value = "")]
    bhyt_clerk_name: String,
    #[arg(long, env = "CANCUOC_BHYT_CLERK_ID", default_value = "")]
    bhyt_clerk_id: String,
}

pub fn serve(a: ServeArgs) -> u8 {
    use cancuoc_bridge::api;
    let ip = a.listen.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    let addr = std::net::SocketAddr::new(ip, a.port);
    if !api::is_loopback(&addr) {
        if !a.allow_remote {
            eprintln!(
                "✘ refusing to listen on {ip}: the API serves personal data; add --allow-remote if you really mean it"
            );
            return exit::USAGE;
        }
        eprintln!("⚠ listening on {ip}: other machines can reach the API (the token is still required)");
    }
    // Every allowed origin is a well-formed http(s) origin (never `null`, never with a path).
    for o in &a.allow_origin {
        if let Err(e) = api::edge::check_origin(o) {
            eprintln!("✘ {e}");
            return exit::USAGE;
        }
    }
    let token_file = a.token_file.unwrap_or_else(api::default_token_file);
    let token = match api::load_or_create_token(&token_file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("✘ cannot read or create the API token at {}: {e}", token_file.display());
            return exit::READER_ERROR;
        }
    };
    let bhyt = match a.bhyt_gateway.as_deref().filter(|g| !g.trim().is_empty()) {
        None => None,
        Some(g) => {
            let t = std::time::Duration::from_secs(10);
            match cancuoc_bridge::his::bhyt::Account::from_env(g, &a.bhyt_clerk_name, &a.bhyt_clerk_id, t) {
                Ok(acc) => Some(acc),
                Err(e) => {
                    eprintln!("✘ --bhyt-gateway: {e}");
                    return cancuoc_bridge::exit::USAGE;
                }
            }
        }
    };
    let site_db = match &a.site_db {
        None => None,
        Some(db) => match cancuoc_bridge::store::Store::open_named(db, "api") {
            Ok(s) => Some(std::sync::Arc::new(s)),
            Err(e) => {
                eprintln!("✘ --site-db {db}: {e}");
                return exit::USAGE;
            }
        },
    };
    let cfg = api::Config {
        listen: addr,
        token,
        allowed_origins: a.allow_origin,
        retention: std::time::Duration::from_secs(a.retention_secs),
        simulated: a.simulated,
        simulated_latency: std::time::Duration::from_millis(a.simulated_latency_ms),
        trust_dir: a.trust_dir,
        usb_ports: a.usb,
        bhyt,
        site_db,
        allowed_hosts: a.allow_host,
        limits: api::edge::Limits {
            max_connections: a.max_connections.max(1),
            header_timeout: std::time::Duration::from_secs(a.header_timeout_secs.max(1)),
            body_timeout: std::time::Duration::from_secs(a.body_timeout_secs.max(1)),
        },
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("✘ {e}");
            return exit::READER_ERROR;
        }
    };
    let file = token_file.display().to_string();
    let result = rt.block_on(api::serve(cfg, move |bound| {
        println!("cancuoc API on http://{bound} (token in {file})");
        let _ = std::io::stdout().flush();
    }));
    match result {
        Ok(()) => exit::VERIFIED,
        Err(e) => {
            eprintln!("✘ cannot serve on {addr}: {e}");
            exit::READER_ERROR
        }
    }
}
