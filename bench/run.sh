#!/usr/bin/env bash
# Whole-process timings for issue 14: `schema` against drizzle-kit (and drizzle-rs) and
# against the floors (syn's parse, rusqlite running the same statements, the bare rebuild,
# reading sqlite_master and the pragmas), plus the derive's compile time.
#
# Runs ALTERNATE (ours, theirs, floor, ours, ...) and each figure is the median of its runs,
# printed as a ratio to its baseline measured in the same run, with the absolute times beside:
# the machine is shared and noisy, the ratios are the point.
#
# Usage: bash bench/run.sh [SECTION...]      (default: all but drizzle-rs)
#   sections: generate drizzle-rs migrate many rebuild introspect derive
# Environment:
#   WORK=/tmp/schema-bench     scratch folder (outside the repo): schemas, databases, node_modules
#   RUNS=                      runs of every measurement (default: per section, from 3 to 21)
#   SIZES="500 5000 10000"     generate's table counts (drizzle-kit skips 10000)
#   DBDIR=/dev/shm/schema-bench  where the databases of migrate, many, rebuild and introspect
#                              go: tmpfs by default, so the shared disk's fsync latency (which
#                              varies tenfold between runs here) does not drown the work measured
#   CARGO_TARGET_DIR           where cargo builds (default: bench/target)
#   BASE=/path/to/schema       an earlier build of `schema` (say, main's) run alternately with
#                              this one in generate, migrate and many, each figure of ours then
#                              given as a ratio to it: before/after in the same run
# Needs: cargo; /usr/bin/time (GNU time; installed with apt-get when missing); npm for
# drizzle-kit (skipped with a message without it); cargo install for drizzle-rs.
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
work="${WORK:-/tmp/schema-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
mkdir -p "$work"
results="$work/results.txt"
dbdir="${DBDIR:-/dev/shm/schema-bench}"
mkdir -p "$dbdir" 2>/dev/null && [ -w "$dbdir" ] || dbdir="$work/db"
mkdir -p "$dbdir"

sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(generate migrate many rebuild introspect derive)
want() { local s; for s in "${sections[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (apt-get) for peak memory"
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

echo "building schema (release) and bench's gen and floor (release)"
(cd "$root" && cargo build --release -q -p schema-cli)
(cd "$here" && cargo build --release -q --bins)
BASE="${BASE:-}"
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "BASE=$BASE is not an executable"; exit 2; }
# Every binary timed is run from a fresh copy in one folder: the page cache holds a file the
# linker wrote piecewise in small pages and a file copied whole in large ones, which the
# loader maps with fewer faults. The same bytes ran a 7-table migrate in 2.75 ms from
# target/release and in 2.30 ms copied: timing one from target/ against a copy of another
# measured that, not them.
bin="$work/bin"; rm -rf "$bin"; mkdir -p "$bin"
fresh_copy() { cp "$1" "$bin/$2" && echo "$bin/$2"; }
SCHEMA=$(fresh_copy "$CARGO_TARGET_DIR/release/schema" schema)
[ -z "$BASE" ] || BASE=$(fresh_copy "$BASE" base-schema)
GEN="$CARGO_TARGET_DIR/release/gen"
FLOOR=$(fresh_copy "$CARGO_TARGET_DIR/release/floor" floor)

{
  echo "# run.sh $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD)"
  echo "# databases in $dbdir ($(df --output=fstype "$dbdir" | tail -1))"
  echo "# $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$results"

# ---------------------------------------------------------------------------------------------
# Timing: `t FILE CMD...` runs CMD (stdout and stderr to $work/last.log) and appends
# "<wall ms> <max RSS KB>" to FILE. Wall time is bash's clock around GNU time (which adds the
# same ~1 ms to every command); RSS is GNU time's %M, the "Maximum resident set size" of -v.
t() {
  local out="$1"; shift
  local s e
  s=$EPOCHREALTIME
  if ! /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/last.log" 2>&1; then
    echo "FAILED: $*"; tail -20 "$work/last.log"; exit 1
  fi
  e=$EPOCHREALTIME
  echo "$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", (e - s) * 1000 }') $(tail -1 "$work/rss")" >>"$out"
}
# `med FILE COL`: the median of column COL (1 wall ms, 2 RSS KB).
med() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
runs() { wc -l <"$1" | tr -d ' '; }
# `row LABEL FILE [BASE_FILE [BASE_LABEL]]`: one line: median time, median peak memory, runs,
# and the ratio of the medians to the baseline's.
row() {
  local label="$1" f="$2" base="${3:-}" blabel="${4:-}"
  local ms kb line
  ms=$(med "$f" 1); kb=$(med "$f" 2)
  line=$(printf "%-52s %10.1f ms %8.1f MB  n=%-3s" "$label" "$ms" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$(runs "$f")")
  if [ -n "$base" ]; then
    local bms bkb
    bms=$(med "$base" 1); bkb=$(med "$base" 2)
    line+=$(printf "  %6.2fx time %5.2fx mem  vs %s" "$(awk -v a="$ms" -v b="$bms" 'BEGIN { print a / b }')" \
      "$(awk -v a="$kb" -v b="$bkb" 'BEGIN { print a / b }')" "$blabel")
  fi
  echo "$line" | tee -a "$results"
}
section() { printf '\n## %s\n' "$1" | tee -a "$results"; }
fresh() { rm -rf "$1"; mkdir -p "$1"; }

# drizzle-kit 0.31 in a scratch folder, outside the repo.
KIT=""
kit_setup() {
  if ! command -v npm >/dev/null; then
    echo "npm not found: drizzle-kit is not measured"; return
  fi
  local d="$work/drizzle-kit"
  if [ ! -f "$d/node_modules/drizzle-kit/bin.cjs" ]; then
    mkdir -p "$d"
    (cd "$d" && { [ -f package.json ] || echo '{"name":"bench","private":true}' >package.json; } &&
      npm install --silent --no-audit --no-fund drizzle-kit@0.31.11 drizzle-orm@0.45 >install.log 2>&1) ||
      { echo "cannot install drizzle-kit with npm: drizzle-kit is not measured"; return; }
  fi
  KIT="$d/node_modules/drizzle-kit/bin.cjs"
  echo "drizzle-kit $(node -p "require('$d/node_modules/drizzle-kit/package.json').version"), node $(node --version)" | tee -a "$results"
}

# `project DIR N VARIANT`: the benchmark schema, ours and the twins, in DIR.
project() { fresh "$1"; "$GEN" schema --tables "$2" --variant "$3" "$1"; }

# ---------------------------------------------------------------------------------------------
if want generate; then
  kit_setup
  for n in ${SIZES:-500 5000 10000}; do
    section "generate, $n tables x 17 columns"
    case $n in 500) r=${RUNS:-11} ;; 5000) r=${RUNS:-7} ;; *) r=${RUNS:-3} ;; esac
    kit=$KIT; [ "$n" -gt 5000 ] && kit=""
    g="$work/gen-$n"; fresh "$g"
    project "$g/base" "$n" base
    project "$g/change" "$n" change
    m="$g/times"; mkdir -p "$m"
    # `ours_and_base WHO`: WHO's first run (an empty folder), no-op re-run (the folder the
    # first run wrote, the same schema) and one-column change (that folder copied, one table
    # gains a nullable column), one after the other.
    ours_and_base() {
      local who=$1 bin=$SCHEMA
      [ "$who" = base ] && bin=$BASE
      fresh "$g/$who-run"; cp "$g/base/schema.rs" "$g/base/schema.toml" "$g/$who-run/"
      (cd "$g/$who-run" && t "$m/$who-first" "$bin" generate)
      (cd "$g/$who-run" && t "$m/$who-noop" "$bin" generate)
      grep -q "No schema changes" "$work/last.log" || { echo "$who: the no-op run wrote something"; exit 1; }
      rm -rf "$g/$who-change"; cp -r "$g/$who-run" "$g/$who-change"; cp "$g/change/schema.rs" "$g/$who-change/"
      (cd "$g/$who-change" && t "$m/$who-change" "$bin" generate)
      grep -q "(1 statement)" "$work/last.log" || { echo "$who: the change is not one statement"; cat "$work/last.log"; exit 1; }
    }
    for ((i = 0; i < r; i++)); do
      # Ours and BASE take turns going first: each run right after drizzle-kit's (a heavy
      # process) or right after the other's is not the same machine.
      if [ -z "$BASE" ]; then order="ours"; elif ((i % 2 == 0)); then order="ours base"; else order="base ours"; fi
      for who in $order; do ours_and_base "$who"; done
      t "$m/syn-parse" "$FLOOR" parse "$g/base/schema.rs"
      t "$m/lex" "$FLOOR" lex "$g/base/schema.rs"
      if [ -n "$kit" ]; then
        fresh "$g/kit"; cp "$g/base/schema.ts" "$g/base/drizzle.config.ts" "$g/kit/"; ln -s "$work/drizzle-kit/node_modules" "$g/kit/node_modules"
        (cd "$g/kit" && t "$m/kit-first" node "$kit" generate --config drizzle.config.ts)
        (cd "$g/kit" && t "$m/kit-noop" node "$kit" generate --config drizzle.config.ts)
        grep -q "No schema changes" "$work/last.log" || { echo "drizzle-kit: the no-op run wrote something"; exit 1; }
        rm -rf "$g/kit-change"; cp -r "$g/kit" "$g/kit-change"; cp "$g/change/schema.ts" "$g/kit-change/"
        (cd "$g/kit-change" && t "$m/kit-change" node "$kit" generate --config drizzle.config.ts)
      fi
    done
    printf "schema file %s KB, snapshot %s KB, migration %s statements\n" "$(($(stat -c %s "$g/base/schema.rs") / 1024))" \
      "$(($(stat -c %s "$g/ours-run/migrations/meta/0000_snapshot.json") / 1024))" \
      "$(($(grep -c 'statement-breakpoint' "$g/ours-run/migrations/"*.sql) + 1))" | tee -a "$results"
    row "proc-macro2 tokeniser alone (floor under syn)" "$m/lex"
    row "syn::parse_file alone (floor)" "$m/syn-parse"
    row "ours: first run" "$m/ours-first" "$m/syn-parse" "syn::parse_file"
    row "ours: no-op re-run" "$m/ours-noop" "$m/ours-first" "our first run"
    row "ours: one-column change" "$m/ours-change" "$m/ours-first" "our first run"
    if [ -n "$BASE" ]; then
      row "BASE: first run" "$m/base-first" "$m/syn-parse" "syn::parse_file"
      row "ours against BASE: first run" "$m/ours-first" "$m/base-first" "BASE"
      row "ours against BASE: no-op re-run" "$m/ours-noop" "$m/base-noop" "BASE"
      row "ours against BASE: one-column change" "$m/ours-change" "$m/base-change" "BASE"
    fi
    if [ -n "$kit" ]; then
      row "drizzle-kit: first run" "$m/kit-first" "$m/ours-first" "our first run"
      row "drizzle-kit: no-op re-run" "$m/kit-noop" "$m/ours-noop" "our no-op run"
      row "drizzle-kit: one-column change" "$m/kit-change" "$m/ours-change" "our change"
    fi
  done
  # Linearity: 10,000 tables against 5,000, each measured in its own section.
  if [ -s "$work/gen-5000/times/ours-first" ] && [ -s "$work/gen-10000/times/ours-first" ]; then
    section "generate, linearity (medians of the sections above)"
    for k in first noop change; do
      row "ours $k, 10,000 tables" "$work/gen-10000/times/ours-$k" "$work/gen-5000/times/ours-$k" "5,000 tables"
    done
    row "syn::parse_file, 10,000 tables" "$work/gen-10000/times/syn-parse" "$work/gen-5000/times/syn-parse" "5,000 tables"
  fi
fi

# ---------------------------------------------------------------------------------------------
# drizzle-rs (drizzle-cli, a Rust port of drizzle-kit), built with cargo install into $work.
if want drizzle-rs; then
  section "generate: drizzle-rs"
  dr="$work/drizzle-rs/bin/drizzle"
  if [ ! -x "$dr" ]; then
    # 0.1.16 is the newest drizzle-cli that builds with rustc 1.95 (0.4.x asks for 1.98); the
    # rusqlite feature gives it a driver for `migrate`.
    cargo install -q drizzle-cli@"${DRIZZLE_RS_VERSION:-0.1.16}" --locked --features rusqlite --root "$work/drizzle-rs" \
      >"$work/drizzle-rs-install.log" 2>&1 ||
      { echo "cannot build drizzle-cli: $(tail -3 "$work/drizzle-rs-install.log")" | tee -a "$results"; dr=""; }
  fi
  if [ -n "$dr" ]; then
    echo "$("$dr" --version)" | tee -a "$results"
    for n in ${DRIZZLE_RS_SIZES:-500 5000}; do
      case $n in 500) r=${RUNS:-7} ;; *) r=${RUNS:-3} ;; esac
      g="$work/drs-$n"; fresh "$g"; "$GEN" schema --tables "$n" "$g/base"; m="$g/times"; mkdir -p "$m"
      for ((i = 0; i < r; i++)); do
        fresh "$g/ours"; cp "$g/base/schema.rs" "$g/base/schema.toml" "$g/ours/"
        (cd "$g/ours" && t "$m/ours-first" "$SCHEMA" generate)
        fresh "$g/drs"; cp "$g/base/drizzle-rs/"* "$g/drs/"
        (cd "$g/drs" && t "$m/drs-first" "$dr" generate)
        (cd "$g/drs" && t "$m/drs-noop" "$dr" generate)
      done
      row "ours: first run, $n tables" "$m/ours-first"
      row "drizzle-rs: first run, $n tables" "$m/drs-first" "$m/ours-first" "our first run"
      row "drizzle-rs: no-op re-run, $n tables" "$m/drs-noop" "$m/ours-first" "our first run"
    done
    # migrate: each tool's first migration of the same schema, on a new database.
    if "$dr" migrate --help >/dev/null 2>&1; then
      for n in 7 300; do
        case $n in 7) r=${RUNS:-21} ;; *) r=${RUNS:-11} ;; esac
        g="$work/drs-mig-$n"; fresh "$g"; "$GEN" schema --tables "$n" "$g/base"; m="$g/times"; mkdir -p "$m"
        (cd "$g/base" && "$SCHEMA" generate >/dev/null)
        fresh "$g/drs"; cp "$g/base/drizzle-rs/schema.rs" "$g/drs/"
        printf 'dialect = "sqlite"\nschema = "schema.rs"\nout = "./drizzle"\n\n[dbCredentials]\nurl = "%s"\n' "$dbdir/drs.db" \
          >"$g/drs/drizzle.config.toml"
        (cd "$g/drs" && "$dr" generate >/dev/null)
        for ((i = 0; i < r; i++)); do
          rm -f "$dbdir/ours.db"; t "$m/ours" "$SCHEMA" migrate --out "$g/base/migrations" --url "$dbdir/ours.db"
          rm -f "$dbdir/drs.db"; (cd "$g/drs" && t "$m/drs" "$dr" migrate)
          rm -f "$dbdir/floor.db"; t "$m/floor" "$FLOOR" migrate "$g/base/migrations" "$dbdir/floor.db"
        done
        rm -f "$dbdir/ours.db" "$dbdir/drs.db" "$dbdir/floor.db"
        row "rusqlite, statement by statement (floor), $n tables" "$m/floor"
        row "schema migrate, $n tables" "$m/ours" "$m/floor" "the floor"
        row "drizzle-rs migrate, $n tables" "$m/drs" "$m/ours" "schema migrate"
      done
    else
      echo "drizzle-rs has no migrate driver here: its migrate is not measured" | tee -a "$results"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
# migrate: `schema migrate` on a new database against rusqlite running the same statements
# one by one in one process, one transaction a migration (floor migrate).
if want migrate; then
  for n in 7 300 5000; do
    section "migrate, $n tables (the first migration of the benchmark schema)"
    case $n in 7) r=${RUNS:-21} ;; 300) r=${RUNS:-11} ;; *) r=${RUNS:-5} ;; esac
    g="$work/mig-$n"; fresh "$g"; "$GEN" schema --tables "$n" "$g"
    (cd "$g" && "$SCHEMA" generate >/dev/null)
    m="$g/times"; mkdir -p "$m"
    for ((i = 0; i < r; i++)); do
      rm -f "$dbdir/ours.db"; t "$m/ours" "$SCHEMA" migrate --out "$g/migrations" --url "$dbdir/ours.db"
      rm -f "$dbdir/floor.db"; t "$m/floor" "$FLOOR" migrate "$g/migrations" "$dbdir/floor.db"
      if [ -n "$BASE" ]; then rm -f "$dbdir/base.db"; t "$m/base" "$BASE" migrate --out "$g/migrations" --url "$dbdir/base.db"; fi
    done
    rm -f "$dbdir/ours.db" "$dbdir/floor.db" "$dbdir/base.db"
    echo "$(($(grep -c 'statement-breakpoint' "$g/migrations/"*.sql) + 1)) statements" | tee -a "$results"
    row "rusqlite, statement by statement (floor)" "$m/floor"
    row "schema migrate" "$m/ours" "$m/floor" "the floor"
    if [ -n "$BASE" ]; then
      row "BASE migrate" "$m/base" "$m/floor" "the floor"
      row "schema migrate against BASE" "$m/ours" "$m/base" "BASE"
    fi
  done
fi

# Many migrations: 300 and 1,500 of one statement each, on a new database.
if want many; then
  section "migrate, many one-statement migrations"
  for c in 300 1500; do
    g="$work/many-$c"; fresh "$g"; "$GEN" migrations --count "$c" "$g/migrations"
  done
  for ((i = 0; i < ${RUNS:-5}; i++)); do
    for c in 300 1500; do
      g="$work/many-$c"; m="$g/times"; mkdir -p "$m"
      rm -f "$dbdir/ours.db"; t "$m/ours" "$SCHEMA" migrate --out "$g/migrations" --url "$dbdir/ours.db"
      rm -f "$dbdir/floor.db"; t "$m/floor" "$FLOOR" migrate "$g/migrations" "$dbdir/floor.db"
      if [ -n "$BASE" ]; then rm -f "$dbdir/base.db"; t "$m/base" "$BASE" migrate --out "$g/migrations" --url "$dbdir/base.db"; fi
    done
  done
  rm -f "$dbdir/ours.db" "$dbdir/floor.db" "$dbdir/base.db"
  for c in 300 1500; do
    row "rusqlite, $c migrations (floor)" "$work/many-$c/times/floor"
    row "schema migrate, $c migrations" "$work/many-$c/times/ours" "$work/many-$c/times/floor" "the floor"
    if [ -n "$BASE" ]; then
      row "BASE migrate, $c migrations" "$work/many-$c/times/base" "$work/many-$c/times/floor" "the floor"
      row "schema migrate against BASE, $c migrations" "$work/many-$c/times/ours" "$work/many-$c/times/base" "BASE"
    fi
  done
  row "schema migrate, 1500 against 300 (linear: 5x)" "$work/many-1500/times/ours" "$work/many-300/times/ours" "300 migrations"
  row "floor, 1500 against 300" "$work/many-1500/times/floor" "$work/many-300/times/floor" "300 migrations"
fi

# ---------------------------------------------------------------------------------------------
# A rebuild of a 1,000,000-row table with two indexes and an incoming foreign key (a column's
# default changes), by `schema migrate` against the bare statements in the same SQLite.
if want rebuild; then
  section "rebuild of a 1,000,000-row table (two indexes, an incoming foreign key)"
  g="$work/rebuild"; fresh "$g"; m="$g/times"; mkdir -p "$m"
  cat >"$g/v1.rs" <<'EOF'
use schema_core::Table;

#[derive(Table)]
#[table(name = "parent")]
#[index(name = "parent_name_idx", columns(name))]
#[index(name = "parent_score_idx", columns(score))]
pub struct Parent {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
    pub score: i64,
    #[column(default = "a")]
    pub label: String,
}

#[derive(Table)]
#[table(name = "child")]
pub struct Child {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = Parent::id, on_delete = "cascade")]
    pub parent_id: i64,
    pub note: String,
}
EOF
  sed 's/default = "a"/default = "b"/' "$g/v1.rs" >"$g/v2.rs"
  cat >"$g/bare.sql" <<'EOF'
CREATE TABLE `__new_parent` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`score` integer NOT NULL,
	`label` text DEFAULT 'b' NOT NULL
);
INSERT INTO `__new_parent`(`id`, `name`, `score`, `label`) SELECT `id`, `name`, `score`, `label` FROM `parent`;
DROP TABLE `parent`;
ALTER TABLE `__new_parent` RENAME TO `parent`;
CREATE INDEX `parent_name_idx` ON `parent` (`name`);
CREATE INDEX `parent_score_idx` ON `parent` (`score`);
EOF
  "$SCHEMA" generate --schema "$g/v1.rs" --out "$g/m" >/dev/null
  rm -f "$dbdir/base.db"
  "$SCHEMA" migrate --out "$g/m" --url "$dbdir/base.db" >/dev/null
  "$FLOOR" fill "$dbdir/base.db" 1000000
  "$SCHEMA" generate --schema "$g/v2.rs" --out "$g/m" >/dev/null
  grep -q "schema:rebuild parent" "$g"/m/0001_*.sql || { echo "the change is not a rebuild"; exit 1; }
  for ((i = 0; i < ${RUNS:-5}; i++)); do
    cp "$dbdir/base.db" "$dbdir/run.db"
    t "$m/ours" "$SCHEMA" migrate --out "$g/m" --url "$dbdir/run.db"
    cp "$dbdir/base.db" "$dbdir/run.db"
    t "$m/floor" "$FLOOR" sql "$dbdir/run.db" "$g/bare.sql"
  done
  rm -f "$dbdir/run.db" "$dbdir/base.db"
  row "bare CREATE / INSERT SELECT / DROP / RENAME / CREATE INDEX" "$m/floor"
  row "schema migrate (the rebuild migration)" "$m/ours" "$m/floor" "the bare statements"
fi

# ---------------------------------------------------------------------------------------------
# Introspection on a 500-table database: push with nothing to do, pull, status, against
# reading sqlite_master and the pragmas introspection needs (floor introspect).
if want introspect; then
  section "introspection, 500-table database"
  g="$dbdir/intro"; fresh "$g"; m="$work/intro-times"; rm -rf "$m"; mkdir -p "$m"
  "$GEN" schema --tables 500 "$g"
  (cd "$g" && "$SCHEMA" generate >/dev/null && "$SCHEMA" migrate >/dev/null)
  for ((i = 0; i < ${RUNS:-11}; i++)); do
    (cd "$g" && t "$m/push" "$SCHEMA" push)
    grep -q "nothing to push" "$work/last.log" || { echo "push found something to do"; cat "$work/last.log"; exit 1; }
    t "$m/floor" "$FLOOR" introspect "$g/app.db"
    cp "$g/app.db" "$g/pull.db"; rm -rf "$g/pulled"
    (cd "$g" && t "$m/pull" "$SCHEMA" pull --url pull.db --out pulled --out-schema pulled/schema.rs)
    (cd "$g" && t "$m/status" "$SCHEMA" status)
  done
  row "sqlite_master + pragmas, one process (floor)" "$m/floor"
  row "schema push, nothing to do" "$m/push" "$m/floor" "the floor"
  row "schema pull" "$m/pull" "$m/floor" "the floor"
  row "schema status (drift)" "$m/status" "$m/floor" "the floor"
  rm -rf "$g"
fi

# ---------------------------------------------------------------------------------------------
# #[derive(Table)] compile time: a crate of 200 tables, against the same structs with
# #[derive(Debug, Clone)] only. Both crates depend on schema-core (built once beforehand), so
# the difference is the derive's expansion and the code it writes. Debug builds, as a
# developer's edit-compile loop.
if want derive; then
  section "#[derive(Table)] compile time, 200 tables (debug build of the crate alone)"
  g="$work/derive"; mkdir -p "$g"; m="$g/times"; rm -rf "$m"; mkdir -p "$m"
  # table-pg: the same crate with schema-core's postgres feature, so the derive writes the
  # PostgreSQL row helpers as well.
  for kind in table plain table-pg; do
    c="$g/$kind"; rm -rf "$c"; mkdir -p "$c/src"
    features=""; [ $kind = table-pg ] && features=', features = ["postgres"]'
    cat >"$c/Cargo.toml" <<EOF
[package]
name = "bench-derive-$kind"
version = "0.1.0"
edition = "2024"

[dependencies]
schema-core = { path = "$root/schema-core"$features }

[workspace]
EOF
    flag=""; [ $kind = plain ] && flag="--plain"
    "$GEN" schema --tables 200 $flag "$g/gen-$kind"
    { echo "#![allow(dead_code)]"; cat "$g/gen-$kind/schema.rs"; } >"$c/src/lib.rs"
  done
  export CARGO_TARGET_DIR="$g/target"   # the last section: the crates' own target
  for kind in table plain table-pg; do (cd "$g/$kind" && cargo build -q); done
  for ((i = 0; i < ${RUNS:-3}; i++)); do
    for kind in table plain table-pg; do
      (cd "$g/$kind" && cargo clean -q -p "bench-derive-$kind" && t "$m/$kind-cold" cargo build -q)
      # Incremental: one struct gains a field.
      sed -i "0,/pub id: i64,/s//pub id: i64,\n    pub added_$i: Option<i64>,/" "$g/$kind/src/lib.rs"
      (cd "$g/$kind" && t "$m/$kind-incr" cargo build -q)
    done
  done
  row "derive(Debug, Clone), cold (crate only)" "$m/plain-cold"
  row "derive(Table), cold (crate only)" "$m/table-cold" "$m/plain-cold" "Debug, Clone"
  row "derive(Table) with postgres, cold (crate only)" "$m/table-pg-cold" "$m/plain-cold" "Debug, Clone"
  row "derive(Debug, Clone), incremental (one field added)" "$m/plain-incr"
  row "derive(Table), incremental (one field added)" "$m/table-incr" "$m/plain-incr" "Debug, Clone"
  row "derive(Table) with postgres, incremental (one field added)" "$m/table-pg-incr" "$m/plain-incr" "Debug, Clone"
fi

echo
echo "All figures appended to $results"
