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

/// A running `cancuoc serve --simulated --port 0`, stopped when dropped.
pub struct Serve {
    child: std::process::Child,
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
    /// Starts the server with its token file in `dir`, plus `args` and `envs`; waits for the
    /// address it prints.
    pub fn start(dir: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Serve {
        use std::io::BufRead;
        let token_file = dir.join("api-token");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cancuoc"));
        cmd.args(["serve", "--simulated", "--port", "0", "--token-file"]).arg(&token_file).args(args);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child =
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn().expect("serve");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("address printed").to_string();
        let token = std::fs::read_to_string(&token_file).expect("token").trim().to_string();
        Serve { child, url, token }
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
