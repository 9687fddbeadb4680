//! Room in a new thread's heap before it builds a large model.

/// Run at the start of a thread that will allocate megabytes in small pieces (reading a
/// schema file's piece, a snapshot, writing one). With glibc, each thread allocates from an
/// arena of its own, which grows a page at a time, one `mprotect` call each: reading a
/// 500-table snapshot made about 580 of them (about 2 ms of the thread's 12). A block larger
/// than the allocator's mmap threshold, freed, raises that threshold past it; the same
/// block allocated again then comes from the thread's arena, which grows by all of it at
/// once and keeps it when it is freed. Elsewhere it is one allocation and one free.
/// `SCHEMA_NO_ROOM=1` in the environment turns it off, to measure what it saves.
pub fn make_room() {
    if std::env::var_os("SCHEMA_NO_ROOM").is_some() {
        return;
    }
    for _ in 0..2 {
        let block: Vec<u8> = Vec::with_capacity(ROOM);
        // Kept from being optimised away: the allocation and the free are the point.
        drop(std::hint::black_box(block));
    }
}

/// How much room: more than a 500-table snapshot's model needs, well under what a thread's
/// arena may hold (64 MiB).
const ROOM: usize = 8 << 20;
