//! The API token: made once, owner-only from the start, refused when others may read it or it
//! is weak.

use std::path::PathBuf;

use rand_core::Rng;

/// Reads the API token at `path`, or makes one there: 32 random bytes as hex, written to a new
/// file created owner-only (0600) from the start and renamed into place, so it is never readable
/// by others, not even for a moment. An existing file that others may read or write, or whose
/// token is weak (under 32 hex characters), is refused with the fix in the message.
pub fn load_or_create_token(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Write};
    match std::fs::read_to_string(path) {
        Ok(t) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(Error::new(
                        ErrorKind::PermissionDenied,
                        format!(
                            "{} can be read or changed by other users (mode {mode:o}): run `chmod 600 {}`, or delete it to have a new token made",
                            path.display(),
                            path.display()
                        ),
                    ));
                }
            }
            let t = t.trim().to_string();
            if t.len() < 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::new(
                    ErrorKind::InvalidData,
                    format!(
                        "the token in {} is weak (fewer than 32 hex characters): delete the file to have a new one made",
                        path.display()
                    ),
                ));
            }
            return Ok(t);
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut b = [0u8; 32];
    crate::os_rng().fill_bytes(&mut b);
    let token = hex::encode(b);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut nonce = [0u8; 8];
    crate::os_rng().fill_bytes(&mut nonce);
    let tmp = dir.join(format!(".api-token-{}", hex::encode(nonce)));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let written = open.open(&tmp).and_then(|mut f| {
        f.write_all(token.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(token)
}

/// The default token file: `<config dir>/cancuoc/api-token`.
pub fn default_token_file() -> PathBuf {
    dirs::config_dir().unwrap_or_else(|| PathBuf::from(".")).join("cancuoc").join("api-token")
}
