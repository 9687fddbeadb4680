//! Where a long migration is, told every few seconds while it runs: "statement 3 of 7, 12 s
//! so far". A short run must not pay for it: SQLite's runner asks from SQLite's progress
//! handler, on the thread that migrates (no thread of its own, so a one-threaded process
//! keeps the allocator's single-threaded path); any other driver from a thread that wakes
//! every 100 ms, or at once when the run ends.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Progress;

/// What a ticker is told: the migration running, the statement it is at and how long the
/// migration has run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    /// The migration's tag.
    pub tag: String,
    /// The statement running, from 1.
    pub statement: usize,
    /// Of how many.
    pub of: usize,
    /// Since the migration started.
    pub elapsed: Duration,
}

/// Told a [`Tick`] once a migration has run `every`, then every `every` until it is applied.
#[derive(Clone)]
pub struct Ticker {
    every: Duration,
    tell: Arc<dyn Fn(&Tick) + Send + Sync>,
}

impl Ticker {
    /// Calls `tell` once a migration has run `every`, then every `every`.
    pub fn new(every: Duration, tell: impl Fn(&Tick) + Send + Sync + 'static) -> Ticker {
        Ticker {
            every,
            tell: Arc::new(tell),
        }
    }

    /// Tells the tick `watch` has due, if it has one.
    pub(crate) fn tick_if_due(&self, watch: &Watch) {
        if let Some(t) = watch.due(self.every) {
            (self.tell)(&t);
        }
    }

    /// `run` on this thread, with a thread beside it that ticks until `run` returns.
    pub(crate) fn on_a_thread<R>(&self, watch: &Watch, run: impl FnOnce() -> R) -> R {
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::scope(|s| {
            s.spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(Duration::from_millis(100)) {
                    self.tick_if_due(watch);
                }
            });
            let out = run();
            drop(stop);
            out
        })
    }
}

impl std::fmt::Debug for Ticker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticker")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

/// What is running, as the runner's progress reports it: shared with whatever ticks.
#[derive(Clone, Default)]
pub(crate) struct Watch(Arc<Mutex<Current>>);

#[derive(Default)]
struct Current {
    tag: Option<String>,
    started: Option<Instant>,
    /// Statements finished.
    done: usize,
    of: usize,
    told: Option<Instant>,
}

impl Watch {
    /// Follows the run: call it with every progress report.
    pub(crate) fn see(&self, p: &Progress) {
        let mut c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Applying { tag, statements } => {
                *c = Current {
                    tag: Some(tag.clone()),
                    started: Some(Instant::now()),
                    done: 0,
                    of: *statements,
                    told: None,
                };
            }
            Progress::Statement { number, .. } => c.done = *number,
            Progress::Applied(_) => c.tag = None,
            Progress::Warning { .. } => {}
        }
    }

    /// A tick, when a migration has run `every` and none was told in the last `every`.
    fn due(&self, every: Duration) -> Option<Tick> {
        let mut c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (Some(tag), Some(started)) = (&c.tag, c.started) else {
            return None;
        };
        // One instant for the elapsed time and the gap since the last tick, so that two
        // ticks' elapsed times are `every` apart at least, as the gap is.
        let now = Instant::now();
        let elapsed = now.duration_since(started);
        if elapsed < every || c.told.is_some_and(|t| now.duration_since(t) < every) {
            return None;
        }
        let tick = Tick {
            tag: tag.clone(),
            statement: (c.done + 1).min(c.of),
            of: c.of,
            elapsed,
        };
        c.told = Some(now);
        Some(tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two ticks' elapsed times are `every` apart at least, however closely they are asked
    /// for: the gap since the last tick and the elapsed time are read at one instant.
    #[test]
    fn ticks_asked_for_without_a_pause_are_every_apart() {
        let watch = Watch::default();
        watch.see(&Progress::Applying {
            tag: "0000_long".into(),
            statements: 1,
        });
        let every = Duration::from_micros(50);
        let mut ticks = Vec::new();
        while ticks.len() < 2_000 {
            if let Some(t) = watch.due(every) {
                ticks.push(t.elapsed);
            }
        }
        assert!(ticks[0] >= every);
        for pair in ticks.windows(2) {
            assert!(pair[1] >= pair[0] + every, "{pair:?}");
        }
    }
}
