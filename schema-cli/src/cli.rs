//! The command line: clap types, and the error type that carries an exit code.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::config::Config;

pub const EXIT_FOUND: i32 = 1;
pub const EXIT_INPUT: i32 = 2;
pub const EXIT_DATABASE: i32 = 3;

/// An error and the exit code it ends the process with.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub error: anyhow::Error,
}

impl CliError {
    pub fn input(error: impl Into<anyhow::Error>) -> CliError {
        CliError {
            code: EXIT_INPUT,
            error: error.into(),
        }
    }
    pub fn database(error: impl Into<anyhow::Error>) -> CliError {
        CliError {
            code: EXIT_DATABASE,
            error: error.into(),
        }
    }
}

pub type CliResult = Result<i32, CliError>;

#[derive(Parser, Debug)]
#[command(
    name = "schema",
    version,
    about = "Versioned, data-preserving SQLite migrations for #[derive(Table)] structs"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The heading of the flags every command takes: listed apart from the command's own.
const SETTINGS: &str = "Settings (every command; each overrides its schema.toml key)";

/// Every key of `schema.toml` has a flag of the same name, which wins over it.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// The config file (default: ./schema.toml, optional).
    #[arg(long, global = true, help_heading = SETTINGS, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The SQL dialect: sqlite or postgresql.
    #[arg(long, global = true, help_heading = SETTINGS)]
    pub dialect: Option<String>,
    /// Schema files, folders or globs (repeatable).
    #[arg(long, global = true, help_heading = SETTINGS, value_name = "PATH")]
    pub schema: Vec<String>,
    /// The migration folder.
    #[arg(long, global = true, help_heading = SETTINGS, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The database: a SQLite file or a postgres:// URL; wins over DATABASE_URL too.
    #[arg(long, global = true, help_heading = SETTINGS)]
    pub url: Option<String>,
    /// The tracking table.
    #[arg(long, global = true, help_heading = SETTINGS)]
    pub table: Option<String>,
    /// The tracking table's schema on PostgreSQL (default `drizzle`, as drizzle-orm's).
    #[arg(long, global = true, help_heading = SETTINGS, value_name = "SCHEMA")]
    pub migrations_schema: Option<String>,
    /// The seed file (SQL) for `reset` and `migrate --seed`.
    #[arg(long, global = true, help_heading = SETTINGS, value_name = "PATH")]
    pub seed_file: Option<PathBuf>,
    /// Cargo features the application is built with, for `#[cfg(feature = "..")]`.
    #[arg(long, global = true, help_heading = SETTINGS, value_name = "FEATURES")]
    pub features: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write the next migration from the schema files.
    #[command(
        after_help = "Examples:\n  schema generate\n  schema generate --name users_add_bio\n  schema generate --rename users.nick=handle   (answers the rename question in CI)"
    )]
    Generate(GenerateArgs),
    /// Apply every migration not yet applied.
    #[command(
        after_help = "Examples:\n  schema migrate\n  schema migrate --dry-run                    (the database and each pending migration's SQL)\n  schema migrate --baseline 0003              (adopt a database made by push or by hand)"
    )]
    Migrate(MigrateArgs),
    /// List applied, pending, edited and missing migrations, and drift.
    #[command(after_help = "Example:\n  schema status --url prod.db")]
    Status,
    /// Verify the folder and that the schema has nothing left to generate (exit 1 when not).
    #[command(
        after_help = "Examples:\n  schema check\n  schema check --url app.db                   (and that the database matches its migrations)"
    )]
    Check,
    /// Remove the latest (or the named) migration that no database has applied yet.
    #[command(
        after_help = "Examples:\n  schema drop                                 (lists the migrations, asks before removing the latest)\n  schema drop 0003 --yes"
    )]
    Drop(DropArgs),
    /// Bring the database to the schema without migration files.
    #[command(
        after_help = "Examples:\n  schema push --dry-run\n  schema push --force                         (without asking, even what drops data)"
    )]
    Push(PushArgs),
    /// Write #[derive(Table)] structs and a baseline migration for an existing database.
    #[command(after_help = "Example:\n  schema pull --url legacy.db --out-schema src/schema.rs")]
    Pull(PullArgs),
    /// Browse and edit the database in a local web page; prints the URL to open.
    #[command(after_help = "Example:\n  schema studio --port 0                      (a free port)")]
    Studio(StudioArgs),
    /// Classify what pending (or named) migrations do: safe, breaking or locking.
    #[command(
        after_help = "Examples:\n  schema lint\n  schema lint 0004 --strict                   (locking findings fail too)"
    )]
    Lint(LintArgs),
    /// Delete the (development) database, apply every migration, then the seed file.
    #[command(after_help = "Example:\n  schema reset --force")]
    Reset(ResetArgs),
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Migrations to lint (`0003_users_drop_bio` or `0003`); default: the pending ones.
    pub tags: Vec<String>,
    /// Locking findings fail too (exit 1) unless acknowledged.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args, Debug)]
pub struct ResetArgs {
    /// Do it without asking (needed without a terminal).
    #[arg(long)]
    pub force: bool,
    /// Allow a database that is not on this machine.
    #[arg(long)]
    pub allow_remote: bool,
}

#[derive(Args, Debug)]
pub struct StudioArgs {
    /// The address to listen on (loopback unless --allow-remote).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port; 0 picks a free one.
    #[arg(long, default_value_t = 4983)]
    pub port: u16,
    /// Allow a --host other machines reach (anyone with the URL can change the data).
    #[arg(long)]
    pub allow_remote: bool,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Apply changes that drop data or may be refused by it without asking.
    #[arg(long)]
    pub force: bool,
    /// Print what would be done (and the SQL), and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Ask before any change, not only the ones that risk data.
    #[arg(long)]
    pub strict: bool,
    /// Print the SQL.
    #[arg(long)]
    pub verbose: bool,
    #[command(flatten)]
    pub renames: RenameArgs,
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// The Rust file to write (default: the config's schema file, else src/schema.rs).
    #[arg(long, value_name = "FILE")]
    pub out_schema: Option<PathBuf>,
    /// Overwrite the Rust file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct DropArgs {
    /// The migration's tag (`0003_users_add_bio`, or just `0003`); default: the latest.
    pub tag: Option<String>,
    /// Remove it without asking (needed without a terminal, in scripts and CI).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The migration's name (the tag is NNNN_<name>).
    #[arg(long)]
    pub name: Option<String>,
    /// Write an empty migration for hand-written SQL.
    #[arg(long)]
    pub custom: bool,
    /// Expand now (add and copy, keep the old), leave drops for a later `generate`.
    #[arg(long, conflicts_with = "custom")]
    pub two_phase: bool,
    #[command(flatten)]
    pub renames: RenameArgs,
}

/// Answers to "renamed or new?", for when no terminal can ask.
#[derive(Args, Debug, Default)]
pub struct RenameArgs {
    /// A rename: `OLD=NEW` for a table, `TABLE.OLD=NEW` for a column (repeatable).
    #[arg(long, value_name = "OLD=NEW")]
    pub rename: Vec<String>,
    /// A table or column (`TABLE.COLUMN`) that is new, not renamed (repeatable).
    #[arg(long, value_name = "NAME")]
    pub create: Vec<String>,
    /// A table or column that is meant to go, not renamed (repeatable).
    #[arg(long, value_name = "NAME")]
    pub drop: Vec<String>,
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// Show the database and each pending migration's SQL; apply nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Copy the database to `<file>.backup-<UTC time>` first (when there is work).
    #[arg(long)]
    pub backup: bool,
    /// Seconds to wait for another migrator holding the database (default 60).
    #[arg(long, value_name = "SECONDS")]
    pub wait: Option<f64>,
    /// Apply the pending migrations to a copy: time, rows and locks; change nothing.
    #[arg(long, conflicts_with_all = ["dry_run", "backup", "seed"])]
    pub rehearse: bool,
    /// Then apply the seed file (`[seed] file`), if the database started empty.
    #[arg(long, conflicts_with = "dry_run")]
    pub seed: bool,
    /// Adopt a database made without migrations: check it matches TAG, record up to it.
    #[arg(long, value_name = "TAG", conflicts_with_all = ["dry_run", "rehearse"])]
    pub baseline: Option<String>,
    /// Accept a reviewed edit of an applied migration: record its new hash.
    #[arg(long, value_name = "TAG", conflicts_with_all = ["dry_run", "rehearse"])]
    pub accept_edit: Vec<String>,
    /// Go on, with a warning, when the database applied migrations this folder lacks.
    #[arg(long)]
    pub allow_unknown_applied: bool,
}

/// The command line as help and errors show it: every setting is taken by every command, but
/// a command's `--help` lists only that command's own flags (and says where the settings are).
/// [`parse`] reads a line that parses without the copies this adds.
pub fn command() -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Each command gets the settings as hidden flags of its own, which clap's copying of global
    // flags then leaves alone; `schema --help` lists them.
    let settings: Vec<clap::Arg> = cmd.get_arguments().filter(|a| a.is_global_set()).cloned().collect();
    let names: Vec<String> = settings
        .iter()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let note = format!(
        "Settings every command takes ({}) are listed by `schema --help`.",
        names.join(", ")
    );
    let subcommands: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subcommands {
        cmd = cmd.mut_subcommand(name, |mut sc| {
            for a in &settings {
                sc = sc.arg(a.clone().hide(true));
            }
            let after = sc.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            sc.after_help(format!("{after}\n\n{note}"))
        });
    }
    cmd
}

/// The command line read, or the exit code of one that was not a command (`--help`,
/// `--version`: 0; a usage error: 2), clap having printed what it had to say.
pub fn parse() -> Result<Cli, i32> {
    let args: Vec<OsString> = std::env::args_os().collect();
    parse_from(&args)
}

/// [`parse`] of the given words (the program's name first).
fn parse_from(args: &[OsString]) -> Result<Cli, i32> {
    // Building clap's tree of every command is most of clap's time, a tenth of a short
    // `migrate`: a line is read first by the one command it names, built alone and without
    // the settings copied in for help ([`narrowed`]). Anything else (a line it does not read,
    // --help, --version, a usage error) is read again by [`command`], which says what it
    // always did.
    let read = |cmd: clap::Command| {
        cmd.try_get_matches_from(args)
            .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
    };
    narrowed(args)
        .ok_or(())
        .and_then(|cmd| read(cmd).map_err(drop))
        .or_else(|()| read(command()))
        .map_err(|e| {
            // --help and --version are not errors; clap prints them itself.
            let code = if e.use_stderr() { EXIT_INPUT } else { 0 };
            let _ = e.print();
            code
        })
}

/// The command line with only the command `args` name (its first word that is not a setting or
/// a setting's value), built as clap's derive builds it: the settings, then the command's own
/// flags. `None` when no word names a command. What it reads is what the whole tree reads:
/// the flags and the command are the same, and a line meant for another command does not
/// read (the other command is not there).
fn narrowed(args: &[OsString]) -> Option<clap::Command> {
    let mut words = args.iter().skip(1);
    let name = loop {
        let word = words.next()?.to_str()?;
        if word.starts_with("--") {
            // Every setting takes a value: `--out dir` or `--out=dir`.
            if !word.contains('=') {
                words.next();
            }
            continue;
        }
        if word.starts_with('-') {
            return None;
        }
        break word;
    };
    let new = clap::Command::new;
    let command = match name {
        "generate" => GenerateArgs::augment_args(new("generate")),
        "migrate" => MigrateArgs::augment_args(new("migrate")),
        "status" => new("status"),
        "check" => new("check"),
        "drop" => DropArgs::augment_args(new("drop")),
        "push" => PushArgs::augment_args(new("push")),
        "pull" => PullArgs::augment_args(new("pull")),
        "studio" => StudioArgs::augment_args(new("studio")),
        "lint" => LintArgs::augment_args(new("lint")),
        "reset" => ResetArgs::augment_args(new("reset")),
        _ => return None,
    };
    Some(GlobalArgs::augment_args(new("schema")).subcommand(command))
}

impl Command {
    /// Whether it reads the Rust schema files: syn's parser recurses once a nesting level, so
    /// such a command runs on a stack of its own (`main`'s `STACK`). The others run on the main
    /// thread, and a process with one thread keeps the allocator's single-threaded path: a
    /// tenth of a short `migrate`.
    pub fn reads_rust(&self) -> bool {
        match self {
            Command::Generate(_) | Command::Check | Command::Push(_) | Command::Pull(_) => true,
            Command::Migrate(_)
            | Command::Status
            | Command::Drop(_)
            | Command::Studio(_)
            | Command::Lint(_)
            | Command::Reset(_) => false,
        }
    }
}

/// Runs the command the line names.
pub fn run(cli: Cli) -> CliResult {
    let config = Config::load(&cli.global).map_err(CliError::input)?;
    match cli.command {
        Command::Generate(args) => commands::generate::run(&config, &args),
        Command::Migrate(args) => commands::migrate::run(&config, &args),
        Command::Status => commands::status::run(&config),
        Command::Check => commands::check::run(&config, cli.global.url.is_some()),
        Command::Drop(args) => commands::drop::run(&config, &args),
        Command::Push(args) => commands::push::run(&config, &args),
        Command::Pull(args) => commands::pull::run(&config, &args),
        Command::Studio(args) => commands::studio::run(&config, &args),
        Command::Lint(args) => commands::lint::run(&config, &args),
        Command::Reset(args) => commands::reset::run(&config, &args),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::{Cli, narrowed};

    fn words(line: &str) -> Vec<OsString> {
        std::iter::once("schema")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect()
    }

    /// What the whole tree makes of a line: the parsed value, or clap's error kind.
    fn by_the_whole_tree(args: &[OsString]) -> Result<String, clap::error::ErrorKind> {
        <Cli as clap::CommandFactory>::command()
            .try_get_matches_from(args)
            .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
            .map(|cli| format!("{cli:?}"))
            .map_err(|e| e.kind())
    }

    #[test]
    fn every_command_can_be_built_alone() {
        let whole = <Cli as clap::CommandFactory>::command();
        for sub in whole.get_subcommands() {
            let name = sub.get_name();
            let alone = narrowed(&words(name)).unwrap_or_else(|| panic!("`{name}` is not built alone"));
            let built = alone.find_subcommand(name).unwrap();
            let ids = |c: &clap::Command| {
                let mut ids: Vec<String> = c.get_arguments().map(|a| a.get_id().to_string()).collect();
                ids.sort();
                ids
            };
            assert_eq!(ids(built), ids(sub), "`{name}` alone has other flags");
        }
    }

    #[test]
    fn a_command_built_alone_reads_a_line_as_the_whole_tree_does() {
        let lines = [
            "migrate",
            "migrate --url app.db",
            "--url app.db migrate",
            "--url=app.db migrate --dry-run",
            "--config cfg.toml --out m migrate --backup --wait 5",
            "migrate --rehearse --allow-unknown-applied",
            "migrate --baseline 0003 --accept-edit 0002 --accept-edit 0001",
            "migrate --seed --features a --features b",
            "migrate --dry-run --rehearse",
            "migrate --wait",
            "migrate --nope",
            "migrate extra",
            "generate",
            "generate --name users --rename users.nick=handle --create posts --drop old",
            "generate --custom --two-phase",
            "generate --schema src/a.rs --schema src/b.rs --dialect postgresql",
            "status --url prod.db",
            "status extra",
            "check",
            "check --url app.db --table t --migrations-schema s",
            "drop",
            "drop 0003 -y",
            "drop 0003 --yes --seed-file seed.sql",
            "push --force --dry-run --strict --verbose --rename a=b",
            "pull --out-schema src/schema.rs --force",
            "studio --host 0.0.0.0 --port 0 --allow-remote",
            "studio --port x",
            "lint 0004 0005 --strict",
            "reset --force --allow-remote",
            // A setting's value that names a command: the line names another one.
            "--url migrate status",
            "--out generate migrate",
            "migrate status",
        ];
        for line in lines {
            let args = words(line);
            let alone = narrowed(&args).expect(line);
            let read = alone
                .try_get_matches_from(&args)
                .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
                .map(|cli| format!("{cli:?}"));
            // Each line either reads alone as the whole tree reads it, or reads by neither
            // (and goes to the whole tree, for its message).
            match (read, by_the_whole_tree(&args)) {
                (Ok(a), Ok(w)) => assert_eq!(a, w, "{line}"),
                (Err(_), Err(_)) => {}
                (Ok(a), Err(kind)) => panic!("{line}: read alone as {a}, but the whole tree says {kind:?}"),
                (Err(e), Ok(w)) => panic!("{line}: not read alone ({e}), but the whole tree reads {w}"),
            }
        }
    }

    #[test]
    fn a_line_that_names_no_command_goes_to_the_whole_tree() {
        for line in [
            "",
            "--help",
            "-V",
            "--version",
            "help migrate",
            "--url app.db",
            "-h migrate",
            "mig",
        ] {
            assert!(narrowed(&words(line)).is_none(), "{line}");
        }
    }
}
