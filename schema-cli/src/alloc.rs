//! The binary's allocator: mimalloc, with options for a short-lived process.
//!
//! A large `generate` builds and drops millions of small values (tokens, strings, columns)
//! on two or three threads at once. Under glibc's malloc a fifth to a half of its samples were
//! in malloc and free (`malloc_consolidate` and `unlink_chunk` alone 4 % at 500 tables); with
//! mimalloc a 5,000-table one-column change takes 0.8x the time and CPU (docs/BENCHMARKS.md,
//! "2026-12-08").
//!
//! mimalloc's defaults suit a long-lived server: it reserves 1 GiB of address space at a time,
//! commits it eagerly, and gives freed memory back a second later. In a process that lives a
//! quarter of a second that raised the 5,000-table peak from 66 MB to 108 MB, and each start
//! paid for the eager commit (a 7-table `migrate` took 1.15x as long). [`configure`] sets
//! what suits a command instead, before the first allocation: with it, the 5,000-table peak
//! is below glibc's. What remains is mimalloc's start, about 0.4 ms a process (its page map
//! and a fresh page for each size a thread allocates): a 7-table `migrate` takes 1.08-1.16x
//! as long as with glibc.

/// The allocator of every allocation in the binary (its libraries' included).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options, by their number in its `mi_option_e` (mimalloc.h, v3), with the values
/// [`configure`] gives them. libmimalloc-sys names only some of the numbers; a test has
/// mimalloc read each from the environment variable of the option's name, so a release that
/// renumbers them fails it.
const OPTIONS: [(libmimalloc_sys::mi_option_t, std::ffi::c_long); 3] = [
    // `arena_eager_commit`: commit an arena's memory as it is used, not all at once.
    (ARENA_EAGER_COMMIT, 0),
    // `purge_delay` (ms): give freed pages back after 10 ms, not 1 s.
    (PURGE_DELAY, 10),
    // `arena_reserve` (KiB): reserve address space 32 MiB at a time (which mimalloc rounds up
    // to 64 MiB), not 1 GiB.
    (ARENA_RESERVE, 32 << 10),
];
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;

/// Gives the allocator's options their values unless the environment sets them
/// (`MIMALLOC_PURGE_DELAY=..` and the others, to measure), and turns schema-core's
/// `make_room` off. Called before `main`, by [`AT_LOAD`]: Rust's runtime
/// allocates before `main` runs, and mimalloc reserves its first arena then, with the options
/// it has. It allocates nothing, so it may run before anything else is set up, before
/// mimalloc's own start or after it. Called again from `main`, where it changes nothing, for
/// a platform without [`AT_LOAD`].
pub(crate) extern "C" fn configure() {
    for (option, value) in OPTIONS {
        set_default(option, value);
    }
    // mimalloc gives each thread pages of its own in large pieces: the room glibc's arenas
    // were given would only be allocated and freed.
    schema_core::room_not_needed();
}

/// [`configure`], run by the loader as the program's static initialisers are, before `main`.
#[cfg_attr(
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ),
    unsafe(link_section = ".init_array")
)]
#[cfg_attr(
    target_vendor = "apple",
    unsafe(link_section = "__DATA,__mod_init_func,mod_init_funcs")
)]
#[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
#[allow(unsafe_code)]
#[used]
static AT_LOAD: extern "C" fn() = configure;

/// `option`'s value, unless the environment gave it one: mimalloc's `mi_option_set_default`
/// writes the value only to an option not set (by the environment or `mi_option_set`), and an
/// option read from the environment later keeps the environment's.
#[allow(unsafe_code)]
fn set_default(option: libmimalloc_sys::mi_option_t, value: std::ffi::c_long) {
    // SAFETY: `mi_option_set_default` takes any option number (it ignores one out of range)
    // and any value, allocates nothing, and may run before mimalloc is initialised; the
    // numbers are mimalloc.h's (checked by the test below). Its one caller runs it once
    // before `main`, when no other thread exists, and again from `main`.
    unsafe { libmimalloc_sys::mi_option_set_default(option, value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(unsafe_code)]
    fn get(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
        // SAFETY: `mi_option_get` takes any option number and may be called at any time.
        unsafe { libmimalloc_sys::mi_option_get(option) }
    }

    /// What the environment of [`the_environment_still_decides`]'s child says, in mimalloc's
    /// units (the reserve in KiB). The purge delay is mimalloc's own default, which the
    /// environment may ask for too.
    const FROM_ENV: [(libmimalloc_sys::mi_option_t, &str, &str, std::ffi::c_long); 3] = [
        (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", "1", 1),
        (PURGE_DELAY, "MIMALLOC_PURGE_DELAY", "1000", 1000),
        (ARENA_RESERVE, "MIMALLOC_ARENA_RESERVE", "48MiB", 48 << 10),
    ];

    /// This test binary uses the allocator too, and the loader ran [`configure`] before its
    /// `main`: each option has the value given here.
    #[test]
    fn the_options_are_set_before_main() {
        if FROM_ENV.iter().any(|(_, var, _, _)| std::env::var_os(var).is_some()) {
            return;
        }
        for (option, value) in OPTIONS {
            assert_eq!(get(option), value, "option {option}");
        }
    }

    /// Run in a child with [`FROM_ENV`]'s variables: mimalloc read each from the variable of
    /// the option's name, so each number is that option's, and `configure` left it alone.
    #[test]
    #[ignore = "run by the_environment_still_decides, in a child with MIMALLOC_* set"]
    fn child_reads_the_environment() {
        for (option, var, _, value) in FROM_ENV {
            assert!(
                std::env::var_os(var).is_some(),
                "{var} is not set: run the_environment_still_decides"
            );
            assert_eq!(get(option), value, "option {option}");
        }
    }

    #[test]
    fn the_environment_still_decides() {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child.args([
            "--exact",
            "alloc::tests::child_reads_the_environment",
            "--ignored",
            "--test-threads=1",
        ]);
        for (_, var, text, _) in FROM_ENV {
            child.env(var, text);
        }
        let out = child.output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("1 passed"), "{said}");
    }
}
