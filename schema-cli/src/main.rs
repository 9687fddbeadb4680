//! The `schema` binary: runs a command and maps its outcome to a documented exit code.
//!
//! Exit codes: 0 success, 1 a check that found something, 2 a usage or input error,
//! 3 a database error.

mod cli;
mod commands;
mod config;
mod source;
mod studio;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {:#}", e.error);
            ExitCode::from(e.code as u8)
        }
    }
}
