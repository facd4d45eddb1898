//! The tests' outside oracle: the `openssl` command-line tool (Debian's `openssl` package), one
//! helper for every test that asks it — to read our DER, to sign and verify what our code must
//! accept or refuse, to convert keys and certificates.

use std::path::Path;
use std::process::Command;

/// Runs `openssl ARGS` in `dir` and returns what it printed; a failure (or no openssl) fails the
/// test with openssl's own message.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl command line tool is installed (scripts/deps)");
    assert!(out.status.success(), "openssl {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
