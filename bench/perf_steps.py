#!/usr/bin/env python3
"""Reads `perf script -F period,ip,sym` (DWARF call graphs) on stdin and prints, for each step
of `schema generate`, the share of samples spent in it (children included), and within each
step the share spent in the allocator and in page faults. A sample belongs to the OUTERMOST
frame that names a step, so a drop done by the parser counts as parsing, a drop done after
it as its own step. Used by profile.sh."""

import os
import re
import sys

# (step, pattern): checked from the outermost frame inwards.
STEPS = [
    # Before the outermost match of its own parts: lint reads, diffs and plans again.
    ("lint of the written migration (snapshots read back, diff and plan again)", re.compile(r"schema_core::lint::lint\b|Migrations::from_dir")),
    # The lean front end (parse::from_source): the tokenizer, then the table items.
    ("tokenizing the file (proc_macro2)", re.compile(r"proc_macro2::fallback::TokenStream::from_str|TokenStream as core::str::traits::FromStr")),
    ("reading the table items (TableInput, attributes, checks)", re.compile(r"parse::input::Walk|parse::from_input|TableInput::parse")),
    ("syn::parse_file (the syn tree)", re.compile(r"syn::parse_file|syn::parse::Parser::parse_str")),
    ("dropping the syn tree", re.compile(r"drop_in_place<syn::file::File>")),
    ("from_file (syn items, read through their tokens)", re.compile(r"schema_model::parse::from_file")),
    ("dropping the parsed tables", re.compile(r"drop_in_place<alloc::vec::Vec<schema_model::parse::ParsedTable")),
    ("resolve (references)", re.compile(r"schema_model::parse::resolve")),
    ("reading the previous snapshot", re.compile(r"Folder::read_snapshot|read_snapshot|sqlite::snapshot::read")),
    ("normalize", re.compile(r"Dialect::normalize|normalize_table")),
    ("resolve_renames", re.compile(r"resolve_renames")),
    ("diff", re.compile(r"schema_core::diff::diff\b")),
    ("plan (SQL)", re.compile(r"sqlite::plan::plan|Dialect>::plan")),
    ("strip_hints", re.compile(r"strip_schema_hints|strip_hints")),
    ("snapshot write", re.compile(r"write_snapshot|sqlite::snapshot::write|sqlite::snapshot::to_json|serde_json::ser|serde_json::value::ser")),
    ("writing the files", re.compile(r"folder::write|write_migration")),
    ("dropping the model at exit", re.compile(r"drop_in_place<schema_core::generate|drop_in_place<schema_model::model::Schema")),
]
WRITE = "writing the files"
SNAPSHOT_WRITE_STEP, SNAPSHOT_WRITE = next(s for s in STEPS if s[0].startswith("snapshot write"))
# glibc's allocator, whatever its inlined names (`__GI___libc_malloc`, `unlink_chunk.constprop.0`).
ALLOC = re.compile(r"^[\w.@]*(malloc|free|realloc|calloc|memalign|unlink_chunk|tcache|arena_get|sysmalloc|consolidate)[\w.@]*( \(inlined\))?$")
FAULT = re.compile(r"exc_page_fault|asm_exc_page_fault|handle_mm_fault")


def main() -> None:
    samples = []
    frames = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                samples.append(frames)
            frames = []
            continue
        if line.startswith((" ", "\t")):
            parts = line.strip().split(" ", 1)
            frames.append((parts[0], parts[1] if len(parts) > 1 else ""))
        else:
            frames = []  # the header line of a sample
    if frames:
        samples.append(frames)
    total = len(samples)
    if total == 0:
        print("no samples")
        return
    by_step = {}
    alloc_by_step = {}
    fault_by_step = {}
    for sample in samples:
        frames = [sym for _, sym in sample]
        # The sampled function: the leaf frame and the frames inlined into it (same address).
        leaf = [sym for ip, sym in sample if ip == sample[0][0]]
        step = None
        in_generate = any("generate::run" in f for f in frames)
        for f in reversed(frames):  # outermost first
            for name, pat in STEPS:
                if pat.search(f):
                    step = name
                    break
            if step:
                break
        if step is not None and os.environ.get("PERF_STEPS_DEBUG") == step:
            print("  ".join(leaf[-1:]) + "  <  " + "  <  ".join(frames[len(leaf) : len(leaf) + 6]))
        if step is None:
            step = "other, inside generate" if in_generate else "process start and exit (exec, loader, exit)"
        # The migration's writer serialises the snapshot: that part is the snapshot's.
        if step == WRITE and any(SNAPSHOT_WRITE.search(f) for f in frames):
            step = SNAPSHOT_WRITE_STEP
        by_step[step] = by_step.get(step, 0) + 1
        if any(FAULT.search(f) for f in frames):
            fault_by_step[step] = fault_by_step.get(step, 0) + 1
        elif any(ALLOC.search(f) for f in leaf):
            alloc_by_step[step] = alloc_by_step.get(step, 0) + 1
    print(f"{total} samples")
    print(f"{'step':52} {'share':>6} {'of which malloc/free':>21} {'page faults':>12}")
    for step, n in sorted(by_step.items(), key=lambda kv: -kv[1]):
        a = alloc_by_step.get(step, 0)
        p = fault_by_step.get(step, 0)
        print(f"{step:52} {100 * n / total:5.1f}% {100 * a / total:20.1f}% {100 * p / total:11.1f}%")
    a = sum(alloc_by_step.values())
    p = sum(fault_by_step.values())
    print(f"{'all':52} {100.0:5.1f}% {100 * a / total:20.1f}% {100 * p / total:11.1f}%")


if __name__ == "__main__":
    main()
