//! The `schema` binary: runs a command and maps its outcome to a documented exit code.
//!
//! Exit codes: 0 success, 1 a check that found something, 2 a usage or input error,
//! 3 a database error.

mod alloc;
mod cfg;
mod cli;
mod commands;
mod config;
mod output;
mod source;
mod studio;

use std::process::ExitCode;

use output::tell;

/// The stack of a command that reads schema files ([`cli::Command::reads_rust`]): syn's parser
/// recurses once a nesting level, and schema files are read up to `source::MAX_DEPTH` levels
/// deep, whatever the platform's main-thread stack.
pub(crate) const STACK: usize = 64 << 20;

fn main() -> ExitCode {
    alloc::configure();
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code as u8),
    };
    let outcome = if cli.command.reads_rust() {
        std::thread::Builder::new()
            .name("schema".into())
            .stack_size(STACK)
            .spawn(move || cli::run(cli))
            .map_err(|e| anyhow::anyhow!("cannot start: {e}"))
            .and_then(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("the command stopped unexpectedly"))
            })
    } else {
        // A panic ends the command as it does on the other thread: with its exit code.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cli::run(cli)))
            .map_err(|_| anyhow::anyhow!("the command stopped unexpectedly"))
    };
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
