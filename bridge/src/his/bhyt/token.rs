//! The login token: kept per site account until its `expires_in`, in memory and, for other
//! programs on this PC, sealed (encrypted) in the cache folder — never in clear.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::Value;

use super::Account;

/// A login's token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Token {
    pub(super) access_token: String,
    pub(super) id_token: String,
    /// Unix seconds after which it is not used (60 s before the gateway's `expires_in`).
    pub(super) use_until: i64,
}

/// Tokens of this process, per site account.
pub(super) static TOKENS: Mutex<BTreeMap<String, Token>> = Mutex::new(BTreeMap::new());

/// A token is not used in its last minute (as hospital systems do).
pub(super) const TOKEN_MARGIN_S: i64 = 60;
/// How long a token whose `expires_in` cannot be read is used (a 401 renews it earlier).
pub(super) const TOKEN_UNKNOWN_LIFE_S: i64 = 600;

pub(super) fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The account's cache key: the gateway and the user (the password changes the encryption key).
pub(super) fn account_key(a: &Account) -> String {
    format!("{}|{}", a.base_url.trim().trim_end_matches('/'), a.username)
}

/// The folder the desk app and the CLI share for the encrypted login token.
pub fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("CANCUOC_CACHE_DIR").map(PathBuf::from).or_else(|| dirs::cache_dir().map(|d| d.join("cancuoc")))
}

/// `expires_in` as gateways give it: a UTC date-time (the insurer's documents), or seconds.
pub(super) fn expiry(v: Option<&Value>, now: i64) -> i64 {
    let at = match v {
        Some(Value::Number(n)) => n.as_i64().map(|s| now + s),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<i64>().ok().map(|x| now + x)
        }
        Some(Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s).map(|d| d.timestamp()).ok().or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
                .map(|d| d.and_utc().timestamp())
        }),
        _ => None,
    };
    match at {
        Some(t) => t - TOKEN_MARGIN_S,
        None => now + TOKEN_UNKNOWN_LIFE_S,
    }
}

pub(super) mod seal {
    //! The token on disk: AES-256-CBC then HMAC-SHA-256 over IV and ciphertext, both keys derived
    //! (HKDF-SHA-256) from the account's password hash — which any program that can use the token
    //! already holds, so the file tells a reader without it nothing.

    use aes::Aes256;
    use cipher::block_padding::Pkcs7;
    use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
    use hmac::{KeyInit, Mac};

    type Hmac = hmac::Hmac<sha2::Sha256>;

    fn keys(secret: &str, account: &str) -> [u8; 64] {
        let mut okm = [0u8; 64];
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"cancuoc bhyt token cache v1"), secret.as_bytes());
        // 64 bytes is far below HKDF-SHA-256's limit; expand fails only above it.
        let _ = hk.expand(account.as_bytes(), &mut okm);
        okm
    }

    pub(in crate::his::bhyt) fn seal(secret: &str, account: &str, plain: &[u8], iv: [u8; 16]) -> Vec<u8> {
        let k = keys(secret, account);
        let (ek, mk) = k.split_at(32);
        let Ok(enc) = cbc::Encryptor::<Aes256>::new_from_slices(ek, &iv) else { return Vec::new() };
        let ct = enc.encrypt_padded_vec::<Pkcs7>(plain);
        let mut out = iv.to_vec();
        out.extend_from_slice(&ct);
        let Ok(mut mac) = <Hmac as KeyInit>::new_from_slice(mk) else { return Vec::new() };
        mac.update(&out);
        out.extend_from_slice(&mac.finalize().into_bytes());
        out
    }

    pub(in crate::his::bhyt) fn open(secret: &str, account: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let k = keys(secret, account);
        let (ek, mk) = k.split_at(32);
        let (body, tag) = sealed.split_at_checked(sealed.len().checked_sub(32)?)?;
        let mut mac = <Hmac as KeyInit>::new_from_slice(mk).ok()?;
        mac.update(body);
        mac.verify_slice(tag).ok()?;
        let (iv, ct) = body.split_at_checked(16)?;
        let dec = cbc::Decryptor::<Aes256>::new_from_slices(ek, iv).ok()?;
        dec.decrypt_padded_vec::<Pkcs7>(ct).ok()
    }
}

pub(super) fn cache_file(a: &Account) -> Option<PathBuf> {
    use sha2::Digest;
    let dir = a.cache_dir.as_ref()?;
    let h = sha2::Sha256::digest(account_key(a).as_bytes());
    Some(dir.join(format!("bhyt-token-{}.bin", hex::encode(h.get(..8)?))))
}

/// The account's token still in use: this process's, else the one another program on this PC
/// saved.
pub(super) fn cached_token(a: &Account) -> Option<Token> {
    let key = account_key(a);
    let now = now_s();
    if let Some(t) = TOKENS.lock().ok()?.get(&key).filter(|t| t.use_until > now) {
        return Some(t.clone());
    }
    let sealed = std::fs::read(cache_file(a)?).ok()?;
    let plain = seal::open(&a.password_md5.to_ascii_uppercase(), &key, &sealed)?;
    let t: Token = serde_json::from_slice(&plain).ok()?;
    if t.use_until <= now {
        return None;
    }
    if let Ok(mut m) = TOKENS.lock() {
        m.insert(key, t.clone());
    }
    Some(t)
}

pub(super) fn keep_token(a: &Account, t: &Token) {
    let key = account_key(a);
    if let Ok(mut m) = TOKENS.lock() {
        m.insert(key.clone(), t.clone());
    }
    if let (Some(path), Ok(plain)) = (cache_file(a), serde_json::to_vec(t)) {
        let mut iv = [0u8; 16];
        if getrandom::fill(&mut iv).is_ok() {
            let sealed = seal::seal(&a.password_md5.to_ascii_uppercase(), &key, &plain, iv);
            if !sealed.is_empty() {
                let _ = crate::write_private(&path, &sealed);
            }
        }
    }
}

pub(super) fn forget_token(a: &Account) {
    if let Ok(mut m) = TOKENS.lock() {
        m.remove(&account_key(a));
    }
    if let Some(p) = cache_file(a) {
        let _ = std::fs::remove_file(p);
    }
}
