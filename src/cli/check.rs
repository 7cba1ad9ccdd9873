//! `zis-studio validate`, `fmt` and `codes`: the validator's findings compiler style (or as
//! JSON), the canonical format, and the table of codes.

use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zis_engine::json::{self, write};
use zis_engine::validate::{self, Code, Diagnostic, Options, Severity};

/// Output format of `validate`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum Format {
    /// `file:line:col: error[E012]: message`
    #[default]
    Text,
    /// `{"files":[{"path", "diagnostics":[...]}]}`
    Json,
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Bundle files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Validate each file as a bare ASL state machine definition instead of a ZIS bundle.
    #[arg(long)]
    pub asl: bool,
    /// A setting, over the data folder's (with `--data`) and the bundle's (repeatable):
    /// path findings follow the runtime's settings, as `run` does.
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
}

/// Arguments of `fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files to format in place.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Only report files that are not formatted; exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Serialize)]
struct FileReport {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

/// Runs `validate`: exit 0 without errors, 1 with errors, 2 when a file cannot be read or
/// a `--setting` is wrong.
pub fn validate(args: &ValidateArgs, data: Option<&Path>) -> ExitCode {
    let cli = match super::settings_args(&args.settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let db = data.map(crate::core::data_dir::db_path);
    let stored = db
        .filter(|db| db.is_file())
        .and_then(|db| zis_services::db::Db::open(&db).ok())
        .and_then(|db| zis_services::settings::load(&db).ok())
        .unwrap_or_default();
    let options = Options {
        mode: if args.asl {
            validate::Mode::Asl
        } else {
            validate::Mode::Zis
        },
        express: false,
    };
    let mut reports = Vec::new();
    let mut unreadable = false;
    for path in &args.files {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Err(e) => {
                unreadable = true;
                reports.push(FileReport {
                    path: shown,
                    error: Some(format!("cannot read: {e}")),
                    diagnostics: Vec::new(),
                });
            }
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let diagnostics = if args.asl {
                    validate::validate_definition_text(&text, options)
                } else {
                    let (sidecar, _) = crate::core::sidecar::Sidecar::load(path);
                    // Path findings follow the settings a run would (a data folder's only
                    // when one is given and has a store: validating never creates one).
                    let settings = sidecar.settings_over(&stored, &cli);
                    crate::core::shapes::validate_text_with(&text, &sidecar, &settings).0
                };
                reports.push(FileReport {
                    path: shown,
                    error: None,
                    diagnostics,
                });
            }
        }
    }
    let errors: usize = reports
        .iter()
        .map(|r| validate::counts(&r.diagnostics).0)
        .sum();
    match args.format {
        Format::Json => {
            let out = serde_json::json!({ "files": reports });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text => {
            for r in &reports {
                if let Some(e) = &r.error {
                    eprintln!("{}: {e}", r.path);
                }
                for d in &r.diagnostics {
                    println!("{}", text_line(&r.path, d));
                }
                let (e, w) = validate::counts(&r.diagnostics);
                if r.error.is_none() {
                    eprintln!(
                        "{}: {e} error{}, {w} warning{}",
                        r.path,
                        plural(e),
                        plural(w)
                    );
                }
            }
        }
    }
    if unreadable {
        ExitCode::from(2)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One diagnostic as a compiler would print it.
pub fn text_line(path: &str, d: &Diagnostic) -> String {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let at = if d.pointer.is_empty() {
        String::new()
    } else {
        format!(" (at {})", d.pointer)
    };
    format!(
        "{path}:{}:{}: {sev}[{}]: {}{at}",
        d.line,
        d.column,
        d.code.id(),
        d.message
    )
}

/// Runs `fmt`: exit 0 when all are (or now are) formatted, 1 with `--check` when some are not,
/// 2 when a file cannot be read or parsed.
pub fn fmt(args: &FmtArgs) -> ExitCode {
    let mut status = 0u8;
    for path in &args.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", path.display());
                status = 2;
                continue;
            }
        };
        let parsed = match json::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                let pos = json::LineIndex::new(&text).line_col(&text, e.offset);
                eprintln!(
                    "{}:{}:{}: error[E001]: {}",
                    path.display(),
                    pos.line,
                    pos.column,
                    e.message
                );
                status = 2;
                continue;
            }
        };
        let canonical = write::canonical(&parsed.value);
        if canonical == text {
            continue;
        }
        if args.check {
            println!("{}: not formatted", path.display());
            status = status.max(1);
        } else if let Err(e) = crate::core::files::write_atomic(path, canonical.as_bytes()) {
            eprintln!("{}: cannot write: {e}", path.display());
            status = 2;
        } else {
            println!("{}: formatted", path.display());
        }
    }
    ExitCode::from(status)
}

/// Runs `codes`.
pub fn codes() -> ExitCode {
    for code in Code::ALL {
        let sev = match code.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!("{}  {sev:<7}  {}", code.id(), code.title());
    }
    ExitCode::SUCCESS
}
