//! The browser edge, in front of every route: the Host must be this server's (a loopback name
//! or address, or one configured), so a DNS-rebinding page cannot talk to it; a request with an
//! `Origin` must carry exactly one, well formed and allowlisted; the token comes in the
//! `Authorization` header (only the WebSocket, which browsers cannot give headers, takes
//! `?token=`); the body is read here, within its time and size limits; and every answer is
//! `Cache-Control: no-store` with errors in the documented `{error, message}` JSON.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{BODY_LIMIT, Shared, error};

/// The headers a browser page may read from our answers (docs/api.md).
const EXPOSED: &str = "content-disposition, retry-after, x-cancuoc-filled";

/// Whether `origin` is a web origin as `--allow-origin` takes it: `http(s)://host[:port]`, no
/// path (not even a trailing slash), no user, not `null`.
pub fn check_origin(origin: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!("--allow-origin {origin:?}: {why} (write it as https://his.example.vn or http://localhost:8080)"))
    };
    let Some(rest) = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) else {
        return bad("not an http(s) origin");
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return bad("an origin has no path, query, user or spaces");
    }
    let host = match rest.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || rest.starts_with('[') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
                return bad("the port is not a number");
            }
            h
        }
        _ => rest,
    };
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b)) {
        return bad("the host is not a name or an address");
    }
    if origin != origin.to_ascii_lowercase() {
        return bad("browsers send origins in lower case");
    }
    Ok(())
}

/// Whether the `Host` header names this server: a loopback name or address (any port), the
/// address it listens on, or a host given at start (`--allow-host`).
fn host_allowed(host: &str, st: &Shared) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host })
    };
    let name = name.to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Ok(ip) = name.parse::<std::net::IpAddr>()
        && (ip.is_loopback() || ip == st.cfg.listen.ip())
    {
        return true;
    }
    st.cfg.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&name))
}

fn cors(headers: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED));
    }
}

/// Every answer: not cached anywhere (most carry personal data), errors as our JSON.
async fn finish(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut resp = if (status.is_client_error() || status.is_server_error()) && !is_json {
        // Answers made below us (axum's 405, a rejected extractor) in the documented shape.
        let (code, message) = match status {
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this endpoint does not take that method"),
            StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("bad_request", "the body must be JSON"),
            s if s.is_client_error() => ("bad_request", "the request was not understood"),
            _ => ("internal", "the server could not answer"),
        };
        let mut fresh = error(status, code, message);
        if let Some(allow) = resp.headers().get(header::ALLOW).cloned() {
            fresh.headers_mut().insert(header::ALLOW, allow);
        }
        fresh
    } else {
        resp
    };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Host, Origin, preflight, token and body, in front of every route.
pub(super) async fn guard(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    if !host.is_some_and(|h| host_allowed(h, &st)) {
        return finish(error(
            StatusCode::MISDIRECTED_REQUEST,
            "bad_host",
            "this server answers only to its own address",
        ))
        .await;
    }
    let mut origins = req.headers().get_all(header::ORIGIN).iter();
    let origin = match (origins.next(), origins.next()) {
        (None, _) => None,
        (Some(o), None) => match o.to_str() {
            Ok(o) => Some(o.to_string()),
            Err(_) => {
                return finish(error(StatusCode::BAD_REQUEST, "bad_origin", "the Origin header is not readable")).await;
            }
        },
        (Some(_), Some(_)) => {
            return finish(error(StatusCode::BAD_REQUEST, "bad_origin", "more than one Origin header")).await;
        }
    };
    if let Some(o) = &origin
        && !st.cfg.allowed_origins.iter().any(|a| a == o)
    {
        return finish(error(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this web origin may not use the cancuoc API",
        ))
        .await;
    }
    if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        if let Some(o) = &origin {
            let private = req
                .headers()
                .get("access-control-request-private-network")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
            let h = r.headers_mut();
            cors(h, o);
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            // Chrome's Private Network Access: a page of an allowed origin may reach loopback.
            if private {
                h.insert("access-control-allow-private-network", HeaderValue::from_static("true"));
            }
        }
        return finish(r).await;
    }
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(String::from);
    // The WebSocket only: a browser cannot give it a header, so it takes `?token=`.
    let query = (req.uri().path() == "/v1/events")
        .then(|| req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token="))))
        .flatten()
        .map(String::from);
    let ok = bearer.or(query).is_some_and(|t| super::ct_eq(t.as_bytes(), st.cfg.token.as_bytes()));
    if !ok {
        return finish(error(StatusCode::UNAUTHORIZED, "unauthorized", "missing or wrong API token")).await;
    }
    // The body, read here: within the size limit and the body timeout (a client that sends
    // its body slowly cannot hold a connection and a worker).
    let (parts, body) = req.into_parts();
    let limit = st.cfg.limits.body_timeout;
    let bytes = match tokio::time::timeout(limit, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            return finish(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the body is over {BODY_LIMIT} bytes"),
            ))
            .await;
        }
        Err(_) => {
            return finish(error(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!("the body did not arrive within {} s", limit.as_secs()),
            ))
            .await;
        }
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    let mut resp = next.run(req).await;
    if let Some(o) = &origin {
        cors(resp.headers_mut(), o);
    }
    finish(resp).await
}

/// How long and how many: per-connection timeouts and the connection cap.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; more wait in the kernel's queue until one closes.
    pub max_connections: usize,
    /// The time a connection has to send a request's headers — and the longest a kept-alive
    /// connection may sit idle between requests.
    pub header_timeout: Duration,
    /// The time a request has to send its body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_connections: 256, header_timeout: Duration::from_secs(10), body_timeout: Duration::from_secs(20) }
    }
}
