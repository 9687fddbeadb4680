//! Compile errors of `#[derive(Table)]`: one case a file under `tests/ui/<category>/`, its
//! `.stderr` beside it. After a rustc upgrade changes their wording, re-bless with
//! `TRYBUILD=overwrite cargo test -p schema-tests --test compiletest` and review the diff:
//! the messages that are ours must not change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/[!p]*/*.rs");
    t.pass("ui/pass/*.rs");
}
