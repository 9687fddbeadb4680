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
//! what suits a command instead, before the first allocation: with it, peak memory is below
//! glibc's and the 7-table `migrate` is as fast as before.

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
    // `arena_reserve` (KiB): reserve address space 32 MiB at a time, not 1 GiB.
    (ARENA_RESERVE, 32 << 10),
];
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;

/// Sets the allocator's options where the environment leaves them at mimalloc's defaults
/// (`MIMALLOC_PURGE_DELAY=..` and the others still apply, to measure), and turns
/// [`schema_core::make_room`] off. Called before `main`, by [`AT_LOAD`]: Rust's runtime
/// allocates before `main` runs, and mimalloc reserves its first arena with the options it has
/// then. It allocates nothing, so it may run before anything else is set up. Called again
/// from `main`, where it changes nothing, for a platform without [`AT_LOAD`].
pub(crate) extern "C" fn configure() {
    for (option, value) in OPTIONS {
        if get(option) == default(option) {
            set(option, value);
        }
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

/// mimalloc's default for `option` (options.c, v3): what it has unless the environment says
/// otherwise.
const fn default(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
    match option {
        ARENA_EAGER_COMMIT => 2,
        PURGE_DELAY => 1000,
        // KiB: 1 GiB.
        _ => 1 << 20,
    }
}

#[allow(unsafe_code)]
fn get(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
    // SAFETY: `mi_option_get` takes any option number below `_mi_option_last` and may be
    // called at any time from any thread, before mimalloc is initialised too; the numbers are
    // mimalloc.h's (checked by the test below).
    unsafe { libmimalloc_sys::mi_option_get(option) }
}

#[allow(unsafe_code)]
fn set(option: libmimalloc_sys::mi_option_t, value: std::ffi::c_long) {
    // SAFETY: as `get`'s, for `mi_option_set` and any value.
    unsafe { libmimalloc_sys::mi_option_set(option, value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the environment of [`the_environment_still_decides`]'s child says, in mimalloc's
    /// units (the reserve in KiB).
    const FROM_ENV: [(&str, &str, std::ffi::c_long); 3] = [
        ("MIMALLOC_ARENA_EAGER_COMMIT", "1", 1),
        ("MIMALLOC_PURGE_DELAY", "777", 777),
        ("MIMALLOC_ARENA_RESERVE", "48MiB", 48 << 10),
    ];

    /// This test binary uses the allocator too, and the loader ran [`configure`] before its
    /// `main`: each option has the value given here.
    #[test]
    fn the_options_are_set_before_main() {
        if FROM_ENV.iter().any(|(var, _, _)| std::env::var_os(var).is_some()) {
            return;
        }
        for (option, value) in OPTIONS {
            assert_eq!(get(option), value, "option {option}");
        }
    }

    /// Run in a child with [`FROM_ENV`]'s variables: mimalloc read each from the variable of
    /// the option's name, so each number is that option's, and `configure` left it alone.
    #[test]
    fn child_reads_the_environment() {
        if std::env::var_os("SCHEMA_ALLOC_CHILD").is_none() {
            return;
        }
        for ((_, _, value), (option, _)) in FROM_ENV.iter().zip(OPTIONS) {
            assert_eq!(get(option), *value, "option {option}");
        }
    }

    #[test]
    fn the_environment_still_decides() {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "alloc::tests::child_reads_the_environment",
                "--test-threads=1",
            ])
            .env("SCHEMA_ALLOC_CHILD", "1");
        for (var, text, _) in FROM_ENV {
            child.env(var, text);
        }
        let out = child.output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("1 passed"), "{said}");
    }
}
