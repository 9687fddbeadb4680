//! Room in a new thread's heap before it builds a large model, and large models freed on a
//! thread of their own.

use std::sync::atomic::{AtomicBool, Ordering};

/// Run at the start of a thread that will allocate megabytes in small pieces (reading a
/// schema file's piece, a snapshot, writing one). With glibc, each thread allocates from an
/// arena of its own, which grows a page at a time, one `mprotect` call each: reading a
/// 500-table snapshot made about 580 of them (about 2 ms of the thread's 12). A block larger
/// than the allocator's mmap threshold, freed, raises that threshold past it; the same
/// block allocated again then comes from the thread's arena, which grows by all of it at
/// once and keeps it when it is freed. Elsewhere it is one allocation and one free.
/// `SCHEMA_NO_ROOM=1` in the environment turns it off, to measure what it saves. Where the
/// block cannot be had (a tight memory limit), nothing is done: the room is a speed-up, and
/// the work that follows meets the limit, if at all, with its own error.
pub(crate) fn make_room() {
    if !ROOM_WANTED.load(Ordering::Relaxed) || std::env::var_os("SCHEMA_NO_ROOM").is_some() {
        return;
    }
    for _ in 0..2 {
        let mut block: Vec<u8> = Vec::new();
        if block.try_reserve_exact(ROOM).is_err() {
            return;
        }
        // Kept from being optimised away: the allocation and the free are the point.
        drop(std::hint::black_box(block));
    }
}

/// Says that this process's allocator does not need `make_room`, which does nothing from
/// then on: one that commits a thread's memory in large pieces of its own (the `schema`
/// binary's mimalloc), where the block's allocation and free are only a cost.
pub fn room_not_needed() {
    ROOM_WANTED.store(false, Ordering::Relaxed);
}

static ROOM_WANTED: AtomicBool = AtomicBool::new(true);

/// How much room: more than a 500-table snapshot's model needs, well under what a thread's
/// arena may hold (64 MiB).
const ROOM: usize = 8 << 20;

/// Frees what a run is done with (schemas, or tables as introspection read them: `tables`
/// tables in all) on a thread of its own when they are large, so the caller does not wait
/// for it: a no-op `generate` of 5,000 tables spent 17 ms freeing the two it compared (about
/// 5 % of the run), a one-column change as long freeing the previous one, and a process that
/// ends first leaves them to the OS. Small ones are freed here, where that costs less than a
/// thread.
pub(crate) fn drop_aside<T: Send + 'static>(schemas: T, tables: usize) {
    if tables < 200 {
        return;
    }
    // A thread that cannot start drops its closure, and with it the schemas, here.
    let _ = std::thread::Builder::new()
        .name("schema-drop".into())
        .spawn(move || drop(schemas));
}
