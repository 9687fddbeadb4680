//! The `schema` binary: runs a command and maps its outcome to a documented exit code.
//!
//! Exit codes: 0 success, 1 a check that found something, 2 a usage or input error,
//! 3 a database error.

mod cli;
mod commands;
mod config;
mod output;
mod source;

use std::process::ExitCode;

use output::tell;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            tell!("error: {}", message(&e.error));
            ExitCode::from(e.code as u8)
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
