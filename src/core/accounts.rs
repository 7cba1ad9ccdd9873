//! Saved ZIS accounts and their tokens: `<data>/accounts.json`, readable by its owner only
//! (mode 0600 on Unix), never inside a bundle or its sidecar. `zis-studio login` and the
//! window's "Remember the token" write it; `deploy` and `pull` without `--token` and the
//! window's account fields read it.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// An account as saved: where, and how to sign in. Its `Debug` hides the token.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// `https://<subdomain>.zendesk.com`, or another base URL.
    pub base_url: String,
    /// The admin's email for basic auth with an API token; `None`: a Bearer OAuth token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The token.
    pub token: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("base_url", &self.base_url)
            .field("email", &self.email)
            .field("token", &"••••")
            .finish()
    }
}

impl Account {
    /// The `Authorization` header value.
    pub fn authorization(&self) -> String {
        use base64::Engine as _;
        match &self.email {
            Some(email) => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{email}/token:{}", self.token))
            ),
            None => format!("Bearer {}", self.token),
        }
    }
}

/// The base URL of a subdomain, or the given base URL (without a trailing slash).
pub fn base_url(subdomain: Option<&str>, base_url: Option<&str>) -> Option<String> {
    match (base_url, subdomain) {
        (Some(b), _) if !b.trim().is_empty() => Some(b.trim().trim_end_matches('/').to_string()),
        (_, Some(s)) if !s.trim().is_empty() => Some(format!("https://{}.zendesk.com", s.trim())),
        _ => None,
    }
}

/// The file the accounts live in.
pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("accounts.json")
}

/// Every saved account (none when the file is missing or unreadable).
pub fn load(data_dir: &Path) -> Vec<Account> {
    std::fs::read_to_string(file(data_dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The saved account for a base URL.
pub fn find(data_dir: &Path, base_url: &str) -> Option<Account> {
    load(data_dir).into_iter().find(|a| a.base_url == base_url)
}

/// Saves (or replaces) the account for its base URL.
pub fn save(data_dir: &Path, account: &Account) -> std::io::Result<()> {
    let mut all = load(data_dir);
    all.retain(|a| a.base_url != account.base_url);
    all.push(account.clone());
    write(data_dir, &all)
}

/// Forgets the account for a base URL; true when there was one.
pub fn forget(data_dir: &Path, base_url: &str) -> std::io::Result<bool> {
    let mut all = load(data_dir);
    let before = all.len();
    all.retain(|a| a.base_url != base_url);
    write(data_dir, &all)?;
    Ok(all.len() != before)
}

fn write(data_dir: &Path, all: &[Account]) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let text = serde_json::to_string_pretty(all).map_err(std::io::Error::other)?;
    // Private before a byte is written, then renamed over the old one: the tokens are never
    // readable by others, even for a moment.
    crate::core::files::write_private(&file(data_dir), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_saved_private_replaced_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let a = Account {
            base_url: "https://acme.zendesk.com".into(),
            email: None,
            token: "t1".into(),
        };
        save(dir.path(), &a).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(file(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let b = Account {
            token: "t2".into(),
            email: Some("admin@acme.test".into()),
            ..a.clone()
        };
        save(dir.path(), &b).unwrap();
        assert_eq!(load(dir.path()), vec![b.clone()]);
        assert_eq!(find(dir.path(), "https://acme.zendesk.com"), Some(b));
        assert!(forget(dir.path(), "https://acme.zendesk.com").unwrap());
        assert!(load(dir.path()).is_empty());
        assert!(!forget(dir.path(), "https://acme.zendesk.com").unwrap());
    }

    #[test]
    fn base_urls_and_authorization() {
        assert_eq!(
            base_url(Some("acme"), None).as_deref(),
            Some("https://acme.zendesk.com")
        );
        assert_eq!(
            base_url(Some("acme"), Some("http://127.0.0.1:9/")).as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(base_url(Some(" "), None), None);
        let a = Account {
            base_url: String::new(),
            email: Some("a@b".into()),
            token: "t".into(),
        };
        assert_eq!(a.authorization(), "Basic YUBiL3Rva2VuOnQ=");
        assert!(!format!("{a:?}").contains("\"t\""));
    }
}
