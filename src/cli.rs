//! Command-line definitions: the Go tool's flags (same names and defaults) and the
//! subcommands. With no subcommand, pgsyncer runs `sync`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand};
use time::OffsetDateTime;

/// Flags of the Go tool that pgsyncer refuses, with the reason.
pub const REMOVED_FLAGS: &[(&str, &str)] = &[
    (
        "--pgdump",
        "pgsyncer reads the schema from the catalog itself and needs no pg_dump binary",
    ),
    (
        "--force-psql",
        "pgsyncer applies DDL over its own connection and needs no psql binary",
    ),
];

/// If `args` use a removed flag, the message to print (usage error, exit 2).
pub fn removed_flag_message<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    args.into_iter().find_map(|arg| {
        let arg = arg.as_ref();
        REMOVED_FLAGS.iter().find_map(|(flag, why)| {
            let used = arg == *flag || arg.starts_with(&format!("{flag}="));
            used.then(|| format!("error: {flag} is no longer supported: {why}"))
        })
    })
}

/// A connection string from the command line. It derefs to `str` (pass `&args.dsn` where a
/// `&str` is wanted) but its `Debug` masks the password and it has no `Display`, so printing
/// the parsed arguments can never show a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Dsn(String);

impl Dsn {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Dsn {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Dsn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Dsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", crate::conn::mask_dsn(&self.0))
    }
}

impl std::str::FromStr for Dsn {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Dsn, Self::Err> {
        Ok(Dsn(text.to_string()))
    }
}

impl From<&str> for Dsn {
    fn from(text: &str) -> Dsn {
        Dsn(text.to_string())
    }
}

impl From<String> for Dsn {
    fn from(text: String) -> Dsn {
        Dsn(text)
    }
}

impl From<Dsn> for String {
    fn from(dsn: Dsn) -> String {
        dsn.0
    }
}

impl PartialEq<str> for Dsn {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Dsn {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Boolean flags: they take their value after `=` only (`--sync-data=false`), as in the Go
/// tool, since `--sync-data false` cannot be told apart from a flag and a stray word.
pub const BOOL_FLAGS: &[&str] = &[
    "--sync-schema",
    "--sync-data",
    "--clean-extra",
    "--fdw-mode",
    "--use-updated-at",
];

/// Usage errors clap cannot word well, checked before parsing: a removed flag, or a boolean
/// flag followed by a separate `true`/`false` (clap would call that word a subcommand).
pub fn precheck_args<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let args: Vec<String> = args.into_iter().map(|a| a.as_ref().to_string()).collect();
    if let Some(message) = removed_flag_message(&args) {
        return Some(message);
    }
    args.windows(2).find_map(|pair| {
        let (flag, value) = (pair[0].as_str(), pair[1].as_str());
        (BOOL_FLAGS.contains(&flag) && matches!(value, "true" | "false")).then(|| {
            format!(
                "error: write {flag}={value}: boolean flags take their value after '=' (--flag, --flag=true or --flag=false)"
            )
        })
    })
}

#[derive(Debug, Parser)]
#[command(
    name = "pgsyncer",
    version,
    about = "Make a standin PostgreSQL database match a main one: schema first, then rows.",
    long_about = "Make a standin PostgreSQL database match a main one: schema first, then rows.\n\n\
        With no subcommand pgsyncer runs `sync`. Main is only ever read (its sessions are \
        read-only); every change is made on the standin.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Flags for `sync` when no subcommand is given.
    #[command(flatten)]
    pub sync: SyncArgs,
}

impl Cli {
    /// The command to run: an absent subcommand means `sync` with the top-level flags.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Sync(self.sync))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the standin match main: the schema, then the rows (the default).
    Sync(SyncArgs),
    /// Print the SQL that would make the standin's schema match main's, applying nothing.
    Plan(PlanArgs),
    /// Print a database's schema as DDL that rebuilds it in an empty database.
    Dump(DumpArgs),
    /// Save a database's schema model to a JSON file, for `plan` without that server.
    Snapshot(SnapshotArgs),
    /// Report row differences per table, changing nothing.
    Diff(DiffArgs),
    /// Run the whole job on two throwaway local clusters: nothing to set up.
    Demo(DemoArgs),
}

/// Connection settings shared by every subcommand that connects.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// Seconds to wait for a server to accept a connection; 0: no limit.
    #[arg(long, value_name = "SECONDS", default_value = "10", allow_negative_numbers = true, value_parser = parse_seconds)]
    pub connect_timeout: Duration,

    /// More log output on stderr: -v what pgsyncer does per phase and table; -vv also every
    /// statement it runs, with its duration (secrets masked); -vvv also the PostgreSQL
    /// driver's protocol log. PGSYNCER_LOG, if set, replaces what -v selects: tracing
    /// filter directives such as `info`, `debug` or `pgsyncer=debug,tokio_postgres=debug`.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// Which schemas to work on.
#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    /// Schema to sync; repeat the flag or separate names with commas.
    #[arg(long = "schema", value_name = "NAME", default_value = "public", value_delimiter = ',', action = ArgAction::Append)]
    pub schemas: Vec<String>,

    /// Every schema that is not a system schema, instead of --schema.
    #[arg(long, conflicts_with = "schemas")]
    pub all_schemas: bool,
}

/// Owners and privileges: off by default, because roles differ between environments.
#[derive(Debug, Clone, Default, Args)]
pub struct AccessArgs {
    /// Also make privileges match: GRANT and REVOKE on every object (and column) until the
    /// standin's effective ACLs equal main's, PUBLIC's default ones included.
    #[arg(long)]
    pub privileges: bool,

    /// Also make owners match: ALTER … OWNER TO main's owner (after --role-map).
    #[arg(long)]
    pub owners: bool,

    /// Main's role MAIN is called STANDIN on the standin, for --owners and --privileges;
    /// repeatable. Unmapped roles keep their names.
    #[arg(long, value_name = "MAIN=STANDIN", value_parser = parse_role_mapping, action = ArgAction::Append)]
    pub role_map: Vec<(String, String)>,
}

impl AccessArgs {
    /// The options these flags select; a role mapped twice to different names is an error.
    pub fn options(&self) -> Result<crate::diff::AccessOptions, String> {
        let mut role_map = std::collections::BTreeMap::new();
        for (main, standin) in &self.role_map {
            if let Some(before) = role_map.insert(main.clone(), standin.clone()) {
                if &before != standin {
                    return Err(format!(
                        "--role-map maps main's role {} to both {} and {}",
                        crate::quote::inert(main),
                        crate::quote::inert(&before),
                        crate::quote::inert(standin)
                    ));
                }
            }
        }
        Ok(crate::diff::AccessOptions {
            privileges: self.privileges,
            owners: self.owners,
            role_map,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Exit with status 3 when any table's rows differ (for drift checks in CI).
    #[arg(long)]
    pub check: bool,

    #[command(flatten)]
    pub sync: SyncArgs,
}

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Main database (read only): a postgres:// URL or a key=value string.
    #[arg(
        long,
        value_name = "DSN",
        env = "PGSYNCER_MAINDSN",
        hide_env_values = true
    )]
    pub maindsn: Option<Dsn>,

    /// Standin database (made to match main): a postgres:// URL or a key=value string.
    #[arg(
        long,
        value_name = "DSN",
        env = "PGSYNCER_STANDINDSN",
        hide_env_values = true
    )]
    pub standindsn: Option<Dsn>,

    /// Sync the schema (DDL) before the data.
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub sync_schema: bool,

    /// Sync the rows after the schema.
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub sync_data: bool,

    /// Drop objects and tables that exist only in the standin.
    #[arg(long, value_name = "BOOL", default_value_t = false, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub clean_extra: bool,

    /// Copy rows server-side through postgres_fdw on the standin instead of through pgsyncer.
    #[arg(long, value_name = "BOOL", default_value_t = false, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub fdw_mode: bool,

    /// Incremental sync: read only rows whose updated-at column is newer than the watermark.
    #[arg(long, value_name = "BOOL", default_value_t = false, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub use_updated_at: bool,

    /// Rows per batch when fetching differing rows from main and writing them (and keys to
    /// delete) to the standin; bounds pgsyncer's memory.
    #[arg(long, value_name = "ROWS", default_value_t = 10000, allow_negative_numbers = true, value_parser = parse_rows)]
    pub chunk_size: u64,

    #[command(flatten)]
    pub schema: SchemaArgs,

    /// Tables synced in parallel (each worker holds one session on each side).
    #[arg(long, value_name = "N", default_value_t = 4, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub workers: u32,

    /// Watermark for --use-updated-at, 'YYYY-MM-DD HH:MM:SS' (UTC unless an offset follows).
    #[arg(long, value_name = "TIME", value_parser = parse_sync_time)]
    pub last_sync_time: Option<OffsetDateTime>,

    /// Name of the column --use-updated-at compares.
    #[arg(long, value_name = "COLUMN", default_value = "updated_at")]
    pub updated_at_column: String,

    /// Seconds subtracted from the recorded watermark, for clock skew and late commits.
    #[arg(long, value_name = "SECONDS", default_value = "0", allow_negative_numbers = true, value_parser = parse_seconds)]
    pub watermark_margin: Duration,

    /// Seconds a statement on the standin may wait for a lock another session holds (an
    /// ALTER TABLE behind a long query, rows being written); then the run stops and what it
    /// was doing rolls back, changing nothing. A statement waiting for a lock holds up every
    /// later query on that table, so the wait is bounded. 0: the server's lock_timeout.
    #[arg(long, value_name = "SECONDS", default_value = "30", allow_negative_numbers = true, value_parser = parse_seconds)]
    pub lock_timeout: Duration,

    /// With --use-updated-at, skip the key comparison that finds rows deleted on main.
    #[arg(long)]
    pub no_deletes: bool,

    /// Only tables matching this pattern (schema.table, `*` wildcards); repeatable. Tables
    /// it leaves out are neither created, altered nor dropped, nor their rows synced.
    #[arg(long, value_name = "PATTERN", value_delimiter = ',', action = ArgAction::Append)]
    pub include: Vec<String>,

    /// Skip tables matching this pattern (schema.table, `*` wildcards); repeatable. Such
    /// a table is neither created, altered nor dropped, nor its rows synced.
    #[arg(long, value_name = "PATTERN", value_delimiter = ',', action = ArgAction::Append)]
    pub exclude: Vec<String>,

    /// Keep standin triggers from firing while rows are written.
    #[arg(long)]
    pub disable_triggers: bool,

    /// Compute and report every change but write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// List, below the summary (and in --json), up to N keys of rows inserted, updated and
    /// deleted per table: the rows a comparison found (with `diff` or --dry-run, the rows
    /// that differ). Keyless tables, and tables copied whole or merged server-side, list none.
    /// The keys are held in memory until the summary is printed.
    #[arg(long, value_name = "N", default_value_t = 0, allow_negative_numbers = true, value_parser = parse_count)]
    pub show_keys: usize,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Host the standin's server uses to reach main in --fdw-mode (default: main's host).
    #[arg(long, value_name = "HOST")]
    pub fdw_host: Option<String>,

    /// Port the standin's server uses to reach main in --fdw-mode (default: main's port).
    #[arg(long, value_name = "PORT", allow_negative_numbers = true, value_parser = parse_port)]
    pub fdw_port: Option<u16>,

    /// Keep the foreign server, user mapping and staging schema after --fdw-mode.
    #[arg(long)]
    pub fdw_keep: bool,

    #[command(flatten)]
    pub access: AccessArgs,

    /// With --owners or --privileges: create a role the standin's cluster lacks (NOLOGIN,
    /// no password) instead of refusing the plan. Existing roles are never altered.
    #[arg(long)]
    pub create_roles: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Main database (the schema to reach).
    #[arg(
        long,
        value_name = "DSN",
        env = "PGSYNCER_MAINDSN",
        hide_env_values = true,
        required_unless_present = "main_snapshot"
    )]
    pub maindsn: Option<Dsn>,

    /// Standin database (the schema to change).
    #[arg(
        long,
        value_name = "DSN",
        env = "PGSYNCER_STANDINDSN",
        hide_env_values = true,
        required_unless_present = "standin_snapshot"
    )]
    pub standindsn: Option<Dsn>,

    /// A file written by `pgsyncer snapshot`, used in place of --maindsn.
    #[arg(long, value_name = "FILE", conflicts_with = "maindsn")]
    pub main_snapshot: Option<PathBuf>,

    /// A file written by `pgsyncer snapshot`, used in place of --standindsn.
    #[arg(long, value_name = "FILE", conflicts_with = "standindsn")]
    pub standin_snapshot: Option<PathBuf>,

    /// Include drops of objects that exist only in the standin.
    #[arg(long, value_name = "BOOL", default_value_t = false, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub clean_extra: bool,

    #[command(flatten)]
    pub schema: SchemaArgs,

    /// Leave tables matching no pattern out of the plan (schema.table, `*` wildcards), as
    /// `sync --include` does; repeatable.
    #[arg(long, value_name = "PATTERN", value_delimiter = ',', action = ArgAction::Append)]
    pub include: Vec<String>,

    /// Leave tables matching this pattern out of the plan: neither created, altered nor
    /// dropped, as with `sync --exclude`; repeatable.
    #[arg(long, value_name = "PATTERN", value_delimiter = ',', action = ArgAction::Append)]
    pub exclude: Vec<String>,

    /// Write the migration to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Exit with status 3 when the schemas differ (for drift checks in CI).
    #[arg(long)]
    pub check: bool,

    /// List the changes, their kinds and hazards as JSON instead of SQL.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub access: AccessArgs,

    /// With --owners or --privileges: create a role the standin's cluster lacks (NOLOGIN,
    /// no password) instead of refusing the plan. Existing roles are never altered.
    #[arg(long)]
    pub create_roles: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DumpArgs {
    /// Database to dump: a postgres:// URL or a key=value string.
    #[arg(long, value_name = "DSN")]
    pub dsn: Dsn,

    #[command(flatten)]
    pub schema: SchemaArgs,

    /// Write the DDL to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub access: AccessArgs,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotArgs {
    /// Database whose schema to save.
    #[arg(long, value_name = "DSN")]
    pub dsn: Dsn,

    #[command(flatten)]
    pub schema: SchemaArgs,

    /// File to write the schema model to (JSON).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Tables synced in parallel.
    #[arg(long, value_name = "N", default_value_t = 4, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub workers: u32,

    /// More log output on stderr: -v info, -vv debug (each statement), -vvv trace
    /// (PGSYNCER_LOG overrides it, as for sync).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
}

// Numeric flags take negative numbers as values (`allow_negative_numbers`), so that `-1` is
// refused by these parsers, whose errors clap prefixes with the flag's name, rather than
// taken for an unknown short flag.

fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("expected a whole number of seconds, 0 or more, got '{text}'"))
}

fn parse_role_mapping(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((main, standin)) if !main.is_empty() && !standin.is_empty() => {
            Ok((main.to_string(), standin.to_string()))
        }
        _ => Err(format!(
            "expected MAIN_ROLE=STANDIN_ROLE, got '{}'",
            crate::quote::inert(text)
        )),
    }
}

fn parse_count(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .map_err(|_| format!("expected a whole number, 0 or more, got '{text}'"))
}

fn parse_rows(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(rows) if rows > 0 => Ok(rows),
        _ => Err(format!(
            "expected a whole number of rows, 1 or more, got '{text}'"
        )),
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!("expected a port number, 1..=65535, got '{text}'")),
    }
}

/// Parse `YYYY-MM-DD HH:MM:SS`, taken as UTC, optionally followed by an offset such as
/// `+02:00` or `Z`.
pub fn parse_sync_time(text: &str) -> Result<OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let text = text.trim();
    let plain = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    if let Ok(t) = time::PrimitiveDateTime::parse(text, plain) {
        return Ok(t.assume_utc());
    }
    let with_offset = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    if let Ok(t) = OffsetDateTime::parse(text, with_offset) {
        return Ok(t);
    }
    if let Ok(t) = OffsetDateTime::parse(&text.replacen(' ', "T", 1), &Rfc3339) {
        return Ok(t);
    }
    Err(format!(
        "expected 'YYYY-MM-DD HH:MM:SS' (UTC) or with an offset such as '2024-05-01 12:00:00+02:00', got '{text}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_time_forms() {
        let utc = parse_sync_time("2024-05-01 12:30:00").unwrap();
        assert_eq!(utc.unix_timestamp(), 1714566600);
        let offset = parse_sync_time("2024-05-01 14:30:00+02:00").unwrap();
        assert_eq!(offset.unix_timestamp(), 1714566600);
        let zulu = parse_sync_time("2024-05-01 12:30:00Z").unwrap();
        assert_eq!(zulu.unix_timestamp(), 1714566600);
        assert!(parse_sync_time("yesterday").is_err());
        assert!(parse_sync_time("2024-13-01 00:00:00").is_err());
    }

    #[test]
    fn removed_flags_are_named() {
        let msg = removed_flag_message(["pgsyncer", "--pgdump=/usr/bin/pg_dump"]).unwrap();
        assert!(msg.contains("--pgdump") && msg.contains("catalog"), "{msg}");
        let msg = removed_flag_message(["pgsyncer", "--force-psql"]).unwrap();
        assert!(
            msg.contains("--force-psql") && msg.contains("psql"),
            "{msg}"
        );
        assert!(removed_flag_message(["pgsyncer", "--sync-data"]).is_none());
        let msg = precheck_args(["pgsyncer", "--sync-data", "false"]).unwrap();
        assert!(msg.contains("--sync-data=false"), "{msg}");
        assert!(precheck_args(["pgsyncer", "--sync-data", "--workers", "2"]).is_none());
        assert!(precheck_args(["pgsyncer", "--force-psql"]).is_some());
    }
}
