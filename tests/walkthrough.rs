//! The README's curl walkthrough of the local ZIS server, run as written against a real
//! `zis-studio serve` on 127.0.0.1 with a fresh data folder.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn walkthrough() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- walkthrough:start -->")
        .expect("the README marks the walkthrough");
    let end = readme.find("<!-- walkthrough:end -->").unwrap();
    let block = &readme[start..end];
    let code_start = block.find("```sh\n").unwrap() + 6;
    let code_end = block.rfind("```").unwrap();
    block[code_start..code_end].to_string()
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_readme_walkthrough_runs() {
    for tool in ["curl", "jq"] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok();
        assert!(
            found,
            "{tool} is needed by the README walkthrough; scripts/setup.sh installs it"
        );
    }
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["serve", "--port", "0", "--data"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    // Keep reading what the server prints, so its stdout never breaks.
    std::thread::spawn(move || for _ in lines {});
    let base = first.rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let token = std::fs::read_to_string(data.path().join("api_token")).unwrap();

    let out = Command::new("timeout")
        .args(["120", "bash", "-euo", "pipefail", "-c", &walkthrough()])
        .env("BASE", &base)
        .env("TOKEN", token.trim())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("\"acme_shipping\""), "{stdout}");
    assert!(
        stdout.contains(r#""flow":"zis:acme_shipping:flow:shipment_update","status":"succeeded""#),
        "{stdout}"
    );
    assert!(stdout.contains(r#""last_state":"late""#), "{stdout}");
    assert!(stdout.contains(r#""pending":0,"done":1"#), "{stdout}");
    drop(server);
}
