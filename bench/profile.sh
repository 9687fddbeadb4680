#!/usr/bin/env bash
# A profile of `schema generate` on the benchmark schema (5,000 tables x 17 columns by default):
# the first run and the no-op re-run, sampled by `perf record` (Debian's linux-perf; installed
# with apt-get when missing), with DWARF call graphs. Prints the top functions by self time,
# self time grouped by what it is (allocator, page faults, syn, serde_json, ...) and the
# inclusive time of each step of generate.
#
# (`head` would end perf's pipe early, which pipefail turns into a failure: `sed -n` reads all.)
# Usage: bash bench/profile.sh [TABLES]
# Environment: WORK=/tmp/schema-bench, CARGO_TARGET_DIR (default bench/target).
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
work="${WORK:-/tmp/schema-bench}"
n="${1:-5000}"
target="${CARGO_TARGET_DIR:-$here/target}"

if ! command -v perf >/dev/null; then
  apt-get install -y linux-perf >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y linux-perf >/dev/null; }
fi
# The release build with line tables (symbols and inlined frames for perf; the same code), in
# a target of its own so the timed binary stays a plain release build.
echo "building schema (release, with line tables) into $target/profiling"
(cd "$root" && CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR="$target/profiling" cargo build --release -q -p schema-cli)
(cd "$here" && CARGO_TARGET_DIR="$target" cargo build --release -q --bin gen)
SCHEMA="$target/profiling/release/schema"

g="$work/profile-$n"; rm -rf "$g"; mkdir -p "$g"
"$target/release/gen" schema --tables "$n" "$g/base"

# `classify`: perf's self-time lines ("  12.34%  comm  dso  [.] symbol") grouped by what they are.
classify() {
  awk '
    /^ *[0-9.]+%/ {
      pct = $1; sub("%", "", pct); line = $0
      k = "other (ours and std)"
      if (line ~ /\[k\]/) {
        if (line ~ /clear_page|page_fault|handle_mm_fault|do_anonymous_page|alloc_pages|__folio|get_page_from_freelist|memcg|lru|pte|zap_|free_pages|free_unref|release_pages|rmqueue|__mod_|charge/) k = "kernel: page faults and page freeing"
        else k = "kernel: other (syscalls, I/O)"
      }
      else if (line ~ /malloc|free|realloc|_int_|calloc|tcache|cfree|memalign|arena|sysmalloc|brk|mmap_chunk|unlink_chunk|consolidate/) k = "malloc / free / realloc"
      else if (line ~ /memcpy|memmove|memset|memcmp|strlen|bcmp/) k = "memcpy / memmove / memcmp (libc)"
      else if (line ~ /drop_in_place|Drop/) k = "drop_in_place (freeing trees)"
      else if (line ~ /[^a-z_]syn::|proc_macro2/) k = "syn + proc_macro2 (parse)"
      else if (line ~ /serde_json|serde::/) k = "serde_json / serde"
      else if (line ~ /schema_core::diff/) k = "schema_core::diff"
      else if (line ~ /schema_model::parse|schema_model::/) k = "schema_model (our parse, model)"
      else if (line ~ /schema_core::sqlite/) k = "schema_core::sqlite (normalize, plan, snapshot codec)"
      else if (line ~ /schema_core::/) k = "schema_core (other)"
      else if (line ~ /core::fmt|alloc::fmt|fmt::/) k = "formatting (core::fmt)"
      else if (line ~ /Clone|clone|to_owned|to_vec/) k = "clone"
      else if (line ~ /hash|Hash|sip|sha2|Sha/) k = "hashing"
      sum[k] += pct
    }
    END { for (k in sum) printf "%6.2f%%  %s\n", sum[k], k }' | sort -rn
}

profile() { # profile LABEL DIR
  local label="$1" dir="$2" data="$g/$1.perf.data"
  (cd "$dir" && perf record -q -F 1999 --call-graph dwarf,16384 -o "$data" "$SCHEMA" generate >/dev/null 2>&1)
  echo; echo "### $label: $(perf report -i "$data" --no-children --stdio 2>/dev/null | awk '/^# Samples/ {print; exit}')"
  echo; echo "Top 25 by self time:"
  perf report -i "$data" --no-children --sort sym --stdio 2>/dev/null | grep -E '^ *[0-9.]+%' | sed -n '1,25p'
  echo; echo "Self time by kind:"
  perf report -i "$data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -E '^ *[0-9.]+%' | classify
  echo; echo "Each step of generate, children included (perf_steps.py):"
  perf script -i "$data" -F comm,period,ip,sym 2>/dev/null | python3 "$here/perf_steps.py"
  echo; echo "Inclusive time of some functions, as perf report gives it (inlined copies listed apart):"
  perf report -i "$data" --children --sort sym --stdio -g none 2>/dev/null | grep -E '^ *[0-9.]+%' |
    grep -E 'syn::parse_file|schema_model::parse::from_file|schema_model::parse::resolve|schema_model::parse::from_ast|DeriveInput as core::convert::From|normalize|schema_core::diff::diff$|schema_core::diff::diff |resolve_renames|Schema::table|sqlite::plan::plan|write_snapshot|read_snapshot|serde_json::value::de|serde_json::ser|strip_hints|source::load|folder::write|drop_in_place<syn::file::File>|drop_in_place<alloc::vec::Vec<schema_model::parse::ParsedTable' |
    awk '{ if (!seen[$0]++) print }' | sed -n '1,40p'
}

fresh_first() { rm -rf "$g/first"; mkdir -p "$g/first"; cp "$g/base/schema.rs" "$g/base/schema.toml" "$g/first/"; }
{
  echo "## profile of schema generate, $n tables x 17 columns ($(git -C "$root" rev-parse --short HEAD))"
  fresh_first
  profile first-run "$g/first"
  profile no-op-run "$g/first"
} | tee "$g/profile.txt"
echo; echo "perf data and this summary: $g"
