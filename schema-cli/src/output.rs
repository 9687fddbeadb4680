//! Output that a closed pipe cannot crash: `schema status | head -1` ends the output quietly
//! when `head` exits (Rust's `println!` would panic on the broken pipe), and the command
//! itself goes on to the end, so a migration is never cut short by its reader.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

fn write_line(closed: &AtomicBool, mut w: impl Write, args: fmt::Arguments<'_>) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    if writeln!(w, "{args}").and_then(|()| w.flush()).is_err() {
        // A closed pipe or a full disk: nothing more can be said there.
        closed.store(true, Ordering::Relaxed);
    }
}

/// A line on stdout.
pub fn out(args: fmt::Arguments<'_>) {
    write_line(&STDOUT_CLOSED, std::io::stdout().lock(), args);
}

/// A line on stderr.
pub fn err(args: fmt::Arguments<'_>) {
    write_line(&STDERR_CLOSED, std::io::stderr().lock(), args);
}

/// Text on stderr without a newline (a prompt).
pub fn prompt(args: fmt::Arguments<'_>) {
    if STDERR_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut e = std::io::stderr().lock();
    if write!(e, "{args}").and_then(|()| e.flush()).is_err() {
        STDERR_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` that a closed stdout cannot crash.
macro_rules! say {
    ($($t:tt)*) => { $crate::output::out(format_args!($($t)*)) };
}

/// `eprintln!` that a closed stderr cannot crash.
macro_rules! tell {
    ($($t:tt)*) => { $crate::output::err(format_args!($($t)*)) };
}

pub(crate) use {say, tell};

/// A yes/no question on the terminal, "no" unless answered yes; `None` without a terminal
/// (stdin and stderr both), where the caller needs a flag instead.
pub fn confirm(question: &str) -> Option<bool> {
    use std::io::{BufRead as _, IsTerminal as _};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    prompt(format_args!("{question} [y/N] "));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// `1 migration`, `2 migrations`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
