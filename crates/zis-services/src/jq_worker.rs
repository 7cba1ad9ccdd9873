//! jq in worker processes, so no jq program can take the process that runs flows down.
//!
//! A program that recurses forever overflows its stack (an abort no thread can catch), one
//! that builds `[range(1e9)]` exhausts memory (another abort), one like `last(repeat(1))`
//! never returns. [`WorkerPool`] is the engine's [`Runner`]: it sends each program to a
//! worker process (the `zis-studio` binary started with [`WORKER_ARG`], serving
//! [`serve_stdio`]) and waits for the answer while watching the clock and the worker's
//! resident memory; past the time limit or the memory limit it kills the worker, and a
//! worker that dies (a stack overflow) is read from its stderr. Each case is a jq error the
//! flow sees and can catch: "ran longer than 10 s", "used more than 512 MB", "recursion
//! deeper than its 64 MB stack allows". Workers are reused across calls (a call costs a
//! pipe round trip, not a process start); a killed or dead worker is replaced.
//!
//! Why a process and not bounds inside the interpreter: jaq evaluates on the native stack
//! and allocates through the global allocator, and neither a stack overflow nor an
//! allocation failure can be recovered from inside the process that suffers it; a loop
//! inside jaq never returns control to check a clock. A process can be killed.

use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zis_engine::jq::{JqError, Limits, Runner};

/// The argument that makes `zis-studio` a jq worker.
pub const WORKER_ARG: &str = "__jq-worker";

/// The stack a worker runs programs on (a deeper recursion ends the worker).
pub const WORKER_STACK: usize = 64 << 20;

/// How often a waiting call looks at the clock and the worker's memory.
const TICK: Duration = Duration::from_millis(5);

/// The largest answer read from a worker (a jq result): 16 MB, past the state data limit.
const MAX_ANSWER: u64 = 16 << 20;

/// Idle workers kept for reuse.
const MAX_IDLE: usize = 4;

/// Serves jq requests on stdin/stdout, one JSON line each way, until stdin closes: what a
/// worker process runs. Requests are `{"code", "input"}`; answers `{"ok": [outputs]}` or
/// `{"err": "message"}`.
pub fn serve_stdio() -> std::process::ExitCode {
    // A worker outlives no parent: if the process that started it dies (a kill -9 during a
    // program that never ends), the worker ends too instead of spinning on alone.
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(250));
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(1);
                }
            }
        });
    }
    let worker = std::thread::Builder::new()
        .name("jq".into())
        .stack_size(WORKER_STACK)
        .spawn(|| {
            let stdin = std::io::stdin();
            let mut stdout = std::io::stdout().lock();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                let answer = match serde_json::from_str::<Value>(&line) {
                    Ok(req) => {
                        let code = req.get("code").and_then(Value::as_str).unwrap_or_default();
                        let input = req.get("input").cloned().unwrap_or(Value::Null);
                        match zis_engine::jq::run_here(code, &input) {
                            Ok(out) => json!({ "ok": out }),
                            Err(e) => json!({ "err": e.message, "offset": e.offset }),
                        }
                    }
                    Err(e) => json!({ "err": format!("bad request: {e}") }),
                };
                if writeln!(stdout, "{answer}")
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(())) => std::process::ExitCode::SUCCESS,
        _ => std::process::ExitCode::FAILURE,
    }
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Worker {
    fn spawn(program: &PathBuf, args: &[String]) -> std::io::Result<Self> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let missing = || std::io::Error::other("the worker's pipes are missing");
        let stdin = child.stdin.take().ok_or_else(missing)?;
        let stdout = child.stdout.take().ok_or_else(missing)?;
        let mut stderr_pipe = child.stderr.take().ok_or_else(missing)?;
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                match (&mut reader)
                    .take(MAX_ANSWER + 1)
                    .read_until(b'\n', &mut buf)
                {
                    Ok(0) | Err(_) => break,
                    Ok(_) if buf.len() as u64 > MAX_ANSWER => {
                        // Too big to take in: say so, and read no more of it.
                        let _gone = tx.send(String::new());
                        break;
                    }
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = sink
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if s.len() < 64 * 1024 {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        Ok(Self {
            child,
            stdin,
            lines,
            stderr,
        })
    }

    /// Resident memory in bytes (Linux; `None` elsewhere).
    fn rss(&self) -> Option<u64> {
        let statm = std::fs::read_to_string(format!("/proc/{}/statm", self.child.id())).ok()?;
        let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        Some(pages * 4096)
    }

    fn kill(mut self) {
        let _killed = self.child.kill();
        let _reaped = self.child.wait();
    }

    /// Why a worker that stopped answering died, from its exit and stderr.
    fn death(mut self) -> JqError {
        let status = self.child.wait().ok();
        // Give the stderr reader a moment to take the last words.
        std::thread::sleep(Duration::from_millis(20));
        let text = self
            .stderr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let message = if text.contains("overflowed its stack") {
            format!(
                "recursion deeper than its {} MB stack allows",
                WORKER_STACK >> 20
            )
        } else if text.contains("memory allocation") {
            "ran out of memory".to_string()
        } else {
            let last = text.lines().last().unwrap_or_default().trim().to_string();
            let how = status.map_or("stopped".to_string(), |s| s.to_string());
            format!(
                "the jq worker {how}{}",
                if last.is_empty() {
                    String::new()
                } else {
                    format!(": {last}")
                }
            )
        };
        JqError {
            message,
            offset: None,
        }
    }
}

/// Runs jq programs in worker processes (see the module doc).
pub struct WorkerPool {
    program: PathBuf,
    args: Vec<String>,
    idle: Mutex<Vec<Worker>>,
}

impl WorkerPool {
    /// Workers are `program args...` (e.g. the `zis-studio` binary and [`WORKER_ARG`]).
    pub fn new(program: PathBuf, args: Vec<String>) -> Self {
        Self {
            program,
            args,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A pool of `zis-studio` binaries: `program` with [`WORKER_ARG`].
    pub fn of_binary(program: PathBuf) -> Self {
        Self::new(program, vec![WORKER_ARG.to_string()])
    }

    fn take(&self) -> Result<Worker, JqError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        match idle {
            Some(w) => Ok(w),
            None => Worker::spawn(&self.program, &self.args).map_err(|e| JqError {
                message: format!("cannot start a jq worker ({}): {e}", self.program.display()),
                offset: None,
            }),
        }
    }

    fn give_back(&self, w: Worker) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(w);
        } else {
            w.kill();
        }
    }
}

impl Runner for WorkerPool {
    fn run(&self, code: &str, input: &Value, limits: &Limits) -> Result<Vec<Value>, JqError> {
        let request = json!({"code": code, "input": input}).to_string();
        // An idle worker may have died since it was used: one retry with a fresh one.
        let mut worker = self.take()?;
        if writeln!(worker.stdin, "{request}")
            .and_then(|()| worker.stdin.flush())
            .is_err()
        {
            worker.kill();
            worker = Worker::spawn(&self.program, &self.args).map_err(|e| JqError {
                message: format!("cannot start a jq worker: {e}"),
                offset: None,
            })?;
            if let Err(e) = writeln!(worker.stdin, "{request}").and_then(|()| worker.stdin.flush())
            {
                return Err(JqError {
                    message: format!("cannot reach the jq worker: {e}"),
                    offset: None,
                });
            }
        }
        let started = Instant::now();
        let memory = limits.memory_mb.saturating_mul(1 << 20);
        loop {
            match worker.lines.recv_timeout(TICK) {
                Ok(line) if line.is_empty() => {
                    worker.kill();
                    return Err(JqError {
                        message: format!("the result is larger than {} MB", MAX_ANSWER >> 20),
                        offset: None,
                    });
                }
                Ok(line) => {
                    let answer: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                    self.give_back(worker);
                    return match answer {
                        Value::Object(mut m) => match (m.remove("ok"), m.remove("err")) {
                            (Some(Value::Array(out)), _) => Ok(out),
                            (_, Some(err)) => Err(JqError {
                                message: err
                                    .as_str()
                                    .map_or_else(|| err.to_string(), str::to_string),
                                offset: m
                                    .get("offset")
                                    .and_then(Value::as_u64)
                                    .and_then(|o| usize::try_from(o).ok()),
                            }),
                            _ => Err(JqError {
                                message: "the jq worker gave no answer".into(),
                                offset: None,
                            }),
                        },
                        _ => Err(JqError {
                            message: "the jq worker's answer is not JSON".into(),
                            offset: None,
                        }),
                    };
                }
                Err(RecvTimeoutError::Timeout) => {
                    if started.elapsed() >= limits.time {
                        worker.kill();
                        return Err(zis_engine::jq::time_error(limits.time));
                    }
                    if worker.rss().is_some_and(|r| r > memory) {
                        worker.kill();
                        return Err(JqError {
                            message: format!("used more than {} MB", limits.memory_mb),
                            offset: None,
                        });
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return Err(worker.death()),
            }
        }
    }
}
