//! The `schema` binary: runs a command and maps its outcome to a documented exit code.
//!
//! Exit codes: 0 success, 1 a check that found something, 2 a usage or input error,
//! 3 a database error.

mod cfg;
mod cli;
mod commands;
mod config;
mod output;
mod source;
mod studio;

use std::process::ExitCode;

use output::tell;

/// The stack of a thread that parses schema files nested deeper than the main thread's stack
/// would take (`source::load` decides): syn's parser recurses once a nesting level, and
/// schema files are read up to `source::MAX_DEPTH` levels deep.
const STACK: usize = 64 << 20;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code as u8),
    };
    // Every command runs on the main thread, and starts another only for work that runs beside
    // it (a snapshot read ahead, push's database read, a server) or needs a larger stack (a
    // schema file nested deep): a process with one thread keeps the allocator's
    // single-threaded path. A panic still ends the command with its exit code.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cli::run(cli)))
        .map_err(|_| anyhow::anyhow!("the command stopped unexpectedly"));
    match outcome {
        Ok(Ok(code)) => ExitCode::from(code as u8),
        Ok(Err(e)) => {
            tell!("error: {}", message(&e.error));
            ExitCode::from(e.code as u8)
        }
        Err(e) => {
            tell!("error: {}", message(&e));
            ExitCode::from(cli::EXIT_DATABASE as u8)
        }
    }
}

/// The error and its causes on one line, each cause once: a cause whose text its parent's
/// message already carries (`cannot read x: No such file`) is not said again.
fn message(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
