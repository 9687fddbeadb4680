//! Writes a benchmark project: `schema.rs` and `schema.toml` (ours), `schema.ts` and
//! `drizzle.config.ts` (drizzle-kit's twin), `drizzle-rs/` (drizzle-rs's twin), or a folder of many one-statement migrations.
//!
//! ```text
//! gen schema --tables N [--columns 17] [--seed 1] [--variant base|noop|change] [--plain] OUT_DIR
//! gen migrations --count N OUT_DIR      # N migrations of one CREATE TABLE each (journal + SQL)
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use schema_bench::generator::{RustFlavour, Spec, Variant, drizzle_rs, rust, typescript};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (cmd, rest) = args.split_first().ok_or("usage: gen schema|migrations ... OUT_DIR")?;
    let mut tables = 500usize;
    let mut columns = 17usize;
    let mut seed = 1u64;
    let mut count = 300usize;
    let mut variant = Variant::Base;
    let mut plain = false;
    let mut out: Option<PathBuf> = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value")).cloned();
        match a.as_str() {
            "--tables" => tables = value(a)?.parse().map_err(|e| format!("--tables: {e}"))?,
            "--columns" => columns = value(a)?.parse().map_err(|e| format!("--columns: {e}"))?,
            "--seed" => seed = value(a)?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--count" => count = value(a)?.parse().map_err(|e| format!("--count: {e}"))?,
            "--variant" => {
                let v = value(a)?;
                variant = Variant::parse(&v).ok_or(format!("unknown variant {v}: base, noop or change"))?;
            }
            "--plain" => plain = true,
            _ if a.starts_with("--") => return Err(format!("unknown flag {a}")),
            _ => out = Some(PathBuf::from(a)),
        }
    }
    let out = out.ok_or("no output folder")?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    match cmd.as_str() {
        "schema" => {
            let mut spec = Spec::new(tables, columns, seed);
            spec.variant = variant;
            let flavour = if plain { RustFlavour::Plain } else { RustFlavour::Table };
            write(&out.join("schema.rs"), &rust(&spec, flavour))?;
            if !plain {
                write(&out.join("schema.ts"), &typescript(&spec))?;
                write(
                    &out.join("drizzle.config.ts"),
                    "export default { dialect: 'sqlite', schema: './schema.ts', out: './drizzle' };\n",
                )?;
                std::fs::create_dir_all(out.join("drizzle-rs")).map_err(|e| e.to_string())?;
                write(&out.join("drizzle-rs/schema.rs"), &drizzle_rs(&spec))?;
                write(
                    &out.join("drizzle-rs/drizzle.config.toml"),
                    "dialect = \"sqlite\"\nschema = \"schema.rs\"\nout = \"./drizzle\"\n",
                )?;
                write(
                    &out.join("schema.toml"),
                    "dialect = \"sqlite\"\nschema = \"schema.rs\"\nout = \"migrations\"\n\n[database]\nurl = \"app.db\"\n",
                )?;
            }
            Ok(())
        }
        "migrations" => migrations(&out, count),
        _ => Err(format!("unknown command {cmd}: schema or migrations")),
    }
}

/// `count` migrations of one statement each, in drizzle-kit's layout (what `migrate` reads:
/// the journal and the SQL files).
fn migrations(out: &Path, count: usize) -> Result<(), String> {
    std::fs::create_dir_all(out.join("meta")).map_err(|e| e.to_string())?;
    let mut journal = String::from("{\n  \"version\": \"7\",\n  \"dialect\": \"sqlite\",\n  \"entries\": [");
    for i in 0..count {
        let tag = format!("{i:04}_m{i}");
        write(
            &out.join(format!("{tag}.sql")),
            &format!("CREATE TABLE `m{i}` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`v` text\n);\n"),
        )?;
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(
            journal,
            "{sep}\n    {{\n      \"idx\": {i},\n      \"version\": \"6\",\n      \"when\": {},\n      \"tag\": \"{tag}\",\n      \"breakpoints\": true\n    }}",
            1_700_000_000_000i64 + i as i64
        );
    }
    journal.push_str("\n  ]\n}");
    write(&out.join("meta/_journal.json"), &journal)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
