//! Calls to the gateway: log in, a call with the token (one new login and one retry on 401),
//! transport errors as `NotChecked`.

use std::time::Duration;

use serde_json::Value;

use super::token::{Token, cached_token, expiry, forget_token, keep_token, now_s};
use super::{Account, NotChecked, text};

pub(super) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout.max(Duration::from_millis(100))))
        .http_status_as_error(false)
        .build()
        .into()
}

pub(super) fn transport_error(e: ureq::Error) -> NotChecked {
    match e {
        ureq::Error::Timeout(_) => NotChecked::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => NotChecked::Timeout,
        other => NotChecked::Unreachable { detail: other.to_string() },
    }
}

/// An answer, or why not; `Unauthorized` is the one a new login can cure.
pub(super) enum Call {
    Unauthorized,
    Failed(NotChecked),
}

/// Percent-encodes a query or form value.
pub(super) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// Sends a request body (JSON, or form-encoded) and reads a JSON answer.
pub(super) fn post(agent: &ureq::Agent, url: &str, body: Result<&Value, &str>) -> Result<Value, Call> {
    let req = agent.post(url);
    let sent = match body {
        Ok(json) => req.send_json(json),
        Err(form) => req.header("Content-Type", "application/x-www-form-urlencoded").send(form),
    };
    let mut resp = sent.map_err(|e| Call::Failed(transport_error(e)))?;
    let status = resp.status().as_u16();
    if status == 401 || status == 403 {
        return Err(Call::Unauthorized);
    }
    if !(200..300).contains(&status) {
        return Err(Call::Failed(NotChecked::Server { status }));
    }
    let v: Value = resp.body_mut().read_json().map_err(|e| {
        Call::Failed(match e {
            ureq::Error::Timeout(_) => NotChecked::Timeout,
            e => NotChecked::BadAnswer { detail: e.to_string() },
        })
    })?;
    if text(&v, "maKetQua").as_deref() == Some("401") {
        return Err(Call::Unauthorized);
    }
    Ok(v)
}

pub(super) fn base(a: &Account) -> Result<String, NotChecked> {
    let b = a.base_url.trim().trim_end_matches('/');
    if b.is_empty() { Err(NotChecked::Offline) } else { Ok(b.to_string()) }
}

pub(super) fn login(agent: &ureq::Agent, a: &Account) -> Result<Token, NotChecked> {
    let url = format!("{}/api/token/take", base(a)?);
    // The documents: form-encoded, the MD5 in upper-case hex.
    let pw = a.password_md5.to_ascii_uppercase();
    let v = match post(agent, &url, Err(&form(&[("username", &a.username), ("password", &pw)]))) {
        Ok(v) => v,
        Err(Call::Unauthorized) => return Err(NotChecked::Auth),
        Err(Call::Failed(n)) => return Err(n),
    };
    // The token may come at the top level or under "APIKey", as gateways differ.
    let key = v.get("APIKey").filter(|k| k.is_object()).unwrap_or(&v);
    let (Some(access_token), Some(id_token)) = (text(key, "access_token"), text(key, "id_token")) else {
        return Err(NotChecked::Auth);
    };
    let t = Token { access_token, id_token, use_until: expiry(key.get("expires_in"), now_s()) };
    keep_token(a, &t);
    Ok(t)
}

/// Calls `path` with the account's token: a cached one when there is one, one new login and
/// one retry when the gateway says the token is no good.
pub(super) fn with_token(
    agent: &ureq::Agent,
    a: &Account,
    path: &str,
    body: Result<&Value, &str>,
) -> Result<Value, NotChecked> {
    let base = base(a)?;
    let mut fresh = false;
    let mut token = match cached_token(a) {
        Some(t) => t,
        None => {
            fresh = true;
            login(agent, a)?
        }
    };
    loop {
        let url = format!(
            "{base}{path}?token={}&id_token={}&username={}&password={}",
            enc(&token.access_token),
            enc(&token.id_token),
            enc(&a.username),
            enc(&a.password_md5.to_ascii_uppercase())
        );
        match post(agent, &url, body) {
            Ok(v) => return Ok(v),
            Err(Call::Failed(n)) => return Err(n),
            Err(Call::Unauthorized) if fresh => {
                forget_token(a);
                return Err(NotChecked::Auth);
            }
            Err(Call::Unauthorized) => {
                forget_token(a);
                fresh = true;
                token = login(agent, a)?;
            }
        }
    }
}
