//! What several test files share: `cancuoc serve` started as a hospital or ward system starts it,
//! and called over real HTTP.
#![allow(dead_code)] // each test file uses its part

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Runs `cancuoc` with `args`: (exit code, standard output, standard error).
pub fn cancuoc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc")).args(args).output().expect("cancuoc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `cancuoc serve --port 0` (on the simulated card unless started with
/// [`Serve::start_readers`]), stopped when dropped.
pub struct Serve {
    child: std::process::Child,
    /// The rest of its standard output after the address line, kept by [`Serve::start_logged`].
    stdout: Option<std::io::BufReader<std::process::ChildStdout>>,
    pub url: String,
    pub token: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts the server on the simulated card with its token file in `dir`, plus `args` and
    /// `envs`; waits for the address it prints.
    pub fn start(dir: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Serve {
        Self::spawn(dir, true, args, envs, false)
    }

    /// The same without the simulated card: the readers `args` name (`--usb PORT`) or PC/SC's.
    pub fn start_readers(dir: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Serve {
        Self::spawn(dir, false, args, envs, false)
    }

    /// On the simulated card, keeping what it writes for [`Serve::stop_with_logs`].
    pub fn start_logged(dir: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Serve {
        Self::spawn(dir, true, args, envs, true)
    }

    fn spawn(dir: &Path, simulated: bool, args: &[&str], envs: &[(&str, &std::ffi::OsStr)], logged: bool) -> Serve {
        use std::io::BufRead;
        use std::process::Stdio;
        let token_file = dir.join("api-token");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cancuoc"));
        cmd.arg("serve").args(simulated.then_some("--simulated")).args(["--port", "0", "--token-file"]);
        cmd.arg(&token_file).args(args);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let stderr = if logged { Stdio::piped() } else { Stdio::null() };
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(stderr).spawn().expect("serve");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("line");
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("address printed").to_string();
        let token = std::fs::read_to_string(&token_file).expect("token").trim().to_string();
        Serve { child, stdout: logged.then_some(stdout), url, token }
    }

    /// The events address (`ws://…`).
    pub fn ws_url(&self) -> String {
        self.url.replacen("http://", "ws://", 1)
    }

    /// Stops the server and returns what it wrote after starting: (standard error, the rest of
    /// its standard output). Empty unless started with [`Serve::start_logged`].
    pub fn stop_with_logs(mut self) -> (String, String) {
        use std::io::Read;
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut log = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut log);
        }
        let mut rest = String::new();
        if let Some(mut o) = self.stdout.take() {
            let _ = o.read_to_string(&mut rest);
        }
        (log, rest)
    }

    /// POSTs JSON with this token: (status, content type, body).
    pub fn post_as(&self, path: &str, token: &str, body: &serde_json::Value) -> (u16, String, Vec<u8>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut r = agent
            .post(format!("{}{path}", self.url))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .expect("request");
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = r.body_mut().with_config().limit(10 << 20).read_to_vec().unwrap_or_default();
        (r.status().as_u16(), ct, body)
    }

    /// POSTs JSON with the server's token.
    pub fn post(&self, path: &str, body: serde_json::Value) -> (u16, String, Vec<u8>) {
        self.post_as(path, &self.token, &body)
    }

    /// POSTs JSON with this token and reads a JSON answer (Null when it is not JSON).
    pub fn post_json(&self, path: &str, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let (code, _, b) = self.post_as(path, token, &body);
        (code, serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null))
    }
}
