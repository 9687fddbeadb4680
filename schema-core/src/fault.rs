//! Fault injection for the crash tests: with `SCHEMA_FAULT=abort-at=N` in the environment, the
//! N-th fault point a process reaches aborts it on the spot (no destructors, no flushing), as a
//! `kill -9` or a power cut would. The points sit between the steps of every write the
//! toolkit makes to a migration folder or a database, so a test can stop a command at each
//! one in turn and check what it left. Without the variable a point costs one atomic load.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

static TARGET: OnceLock<Option<u64>> = OnceLock::new();
static REACHED: AtomicU64 = AtomicU64::new(0);

fn target() -> Option<u64> {
    *TARGET.get_or_init(|| {
        std::env::var("SCHEMA_FAULT")
            .ok()
            .and_then(|v| v.strip_prefix("abort-at=").and_then(|n| n.parse().ok()))
    })
}

/// A fault point: aborts the process if it is the one `SCHEMA_FAULT` names.
pub fn point() {
    if let Some(n) = target() {
        let reached = REACHED.fetch_add(1, Ordering::SeqCst) + 1;
        if reached == n {
            std::process::abort();
        }
    }
}
