//! `--fdw-mode`: rows move server-side, main → standin through `postgres_fdw` on the
//! standin, never through pgsyncer.
//!
//! # Setup and cleanup
//! On the standin: `CREATE EXTENSION IF NOT EXISTS postgres_fdw` (into the `pgsyncer`
//! schema, so the standin's own schemas stay as main's), a server `pgsyncer_main` (main's
//! host, port and database, or `--fdw-host` / `--fdw-port`; remote sessions read-only), a
//! user mapping with main's user and password (sent as COPY data, never in a statement's
//! text: [`user_mapping_block`]), and `IMPORT FOREIGN SCHEMA … LIMIT TO (the synced tables)`
//! into one staging schema `pgsyncer_fdw_<n>` per main schema. Afterwards all of it is
//! dropped (the extension too when this run created it), so main's password does not stay
//! in the standin's catalog; `--fdw-keep` keeps it. SIGINT/SIGTERM drop it too
//! ([`remove_after_stop`], from [`crate::interrupt`]). The objects carry a comment saying
//! whether they are in use or kept: every later run that reads rows (diff and `--dry-run`
//! too) drops what a killed run left. A session advisory lock, held by an FDW run for as
//! long as its objects exist, keeps two FDW runs on one standin apart and tells a live
//! run's objects from a dead one's.
//!
//! # Per table (inside the group's standin transaction)
//! - empty standin table: `INSERT INTO t SELECT … FROM foreign` (indexes dropped and rebuilt
//!   around it for large tables, as the default mode's COPY). This is about twice the default
//!   mode's COPY: postgres_fdw moves rows as text through one cursor, and main producing a
//!   batch and the standin parsing and inserting it take turns instead of overlapping;
//!   `fetch_size` above a thousand changes nothing measurable.
//! - keyed: hash buckets as in the default mode ([`crate::data::compare::buckets`]): per bucket of the key's
//!   fingerprint, row count and sum of row fingerprints, once over the foreign table
//!   (postgres_fdw pushes the whole `GROUP BY` down: main computes it, 2^k small rows cross)
//!   and once over the standin table. Main's rows of the differing buckets (a `get_bit`
//!   bitmap condition, also evaluated on main) go into a temporary stage, which is
//!   [`merge`](crate::data::write::merge)d (`ON CONFLICT (key) DO UPDATE … WHERE row IS DISTINCT FROM`);
//!   the standin's keys of those buckets missing from the stage are deleted (after the
//!   group's writes, children first);
//! - keyless: the same buckets over the row fingerprint; main's rows of differing buckets
//!   are staged and compared with the standin's rows of those buckets as multisets; missing
//!   copies inserted, surplus copies deleted;
//! - with `--use-updated-at` and a watermark: only `updated_at >= watermark` rows are read
//!   and merged (the condition is pushed down to main); deletes are found by buckets of the
//!   key alone (count and key-fingerprint sum).
//!
//! The fingerprints must be computable by main through postgres_fdw, which ships only
//! immutable built-in functions and no collation but a column's own: no cast through text,
//! no `COLLATE "C"`, no `COALESCE` (see [`fdw_hashes`]). Columns of other types (enums,
//! domains, composites, …) or whose type differs between the sides are compared apart: a
//! second pair of bucket sums over the key and those columns, which postgres_fdw cannot push
//! down, so main's values of just those columns cross and are hashed on the standin. A key
//! of such a type, a keyless table with such a column, a nondeterministic collation, or
//! servers of different encodings: the table is merged from every row of main as before
//! (`INSERT … ON CONFLICT` over the whole foreign table, main's keys compared in full).
//!
//! # Consistency
//! postgres_fdw runs one remote `REPEATABLE READ` transaction per local transaction and
//! reuses it for every foreign scan in it. A group of tables joined by foreign keys is one
//! standin transaction, so it is read from one snapshot of main and committed at once.
//! Independent groups are read from their own snapshots (taken when each group starts), not
//! the one exported snapshot the default mode shares: with `--workers 1` they still are. For
//! one snapshot across unrelated tables use the default mode. The bucket sums are read
//! through the foreign table as well (never through pgsyncer's own session on main), so a
//! table's comparison and the rows it moves come from the same snapshot.

use std::collections::BTreeMap;

use crate::conn::{live, Endpoint, Session, Side};
use crate::data::alias;
use crate::data::compare::buckets::{Buckets, Checksums};
use crate::data::compare::fingerprint::{base_type, combine, exact_hash};
use crate::data::error::{DataError, QueryContext};
use crate::data::sql::{same_key_text, TableSql};
use crate::data::strategy::{estimated_rows, Outcome, PendingDelete, TableCtx};
use crate::data::tables::TablePair;
use crate::data::write::indexes;
use crate::data::write::merge;
use crate::quote::{ident, literal, qualified};

/// The foreign server's name on the standin.
pub const SERVER: &str = "pgsyncer_main";
/// Staging schemas are this prefix and a number.
pub const STAGE_PREFIX: &str = "pgsyncer_fdw_";
pub const IN_USE: &str =
    "pgsyncer --fdw-mode: in use (dropped by the next pgsyncer run if left behind)";
pub const KEPT: &str = "pgsyncer --fdw-mode: kept (--fdw-keep)";
/// Session advisory lock held by an FDW run on the standin.
const LOCK_KEY: i64 = 0x7067_7379_6e63_6664; // "pgsyncfd"

/// The command line's FDW settings.
#[derive(Debug, Clone, Default)]
pub struct FdwOptions {
    /// `--fdw-host`: the address the standin's server uses for main.
    pub host: Option<String>,
    /// `--fdw-port`.
    pub port: Option<u16>,
    /// `--fdw-keep`.
    pub keep: bool,
    /// Rows per round trip of a foreign scan (`fetch_size`; postgres_fdw's default is 100).
    pub fetch_size: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum FdwError {
    #[error("standin: the postgres_fdw extension is not available on the standin's server (install the PostgreSQL contrib package there, e.g. postgresql-contrib or postgresql-NN on Debian)")]
    Unavailable,
    #[error("standin: not allowed to {what} ({needs}): {source}")]
    Privilege {
        what: String,
        needs: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("standin: its server cannot reach main at {target} through postgres_fdw ({reason}); if main is reached under another address from the standin's server, pass --fdw-host / --fdw-port: {source}")]
    Unreachable {
        target: String,
        reason: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("standin: another pgsyncer --fdw-mode run holds this standin (advisory lock); wait for it to finish")]
    Busy,
    /// An earlier run's objects are in the way and this role cannot drop them.
    #[error("{problem}")]
    Leftover { problem: String },
    #[error("standin: {what}: {source}")]
    Setup {
        what: String,
        #[source]
        source: tokio_postgres::Error,
    },
}

fn setup_error(what: &str, needs: &'static str, e: tokio_postgres::Error) -> FdwError {
    use tokio_postgres::error::SqlState;
    match e.code() {
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => FdwError::Privilege {
            what: what.to_string(),
            needs,
            source: e,
        },
        _ => FdwError::Setup {
            what: what.to_string(),
            source: e,
        },
    }
}

/// What a run set up: staging schema per main schema.
#[derive(Debug)]
pub struct Staging {
    pub schemas: BTreeMap<String, String>,
    keep: bool,
    created_extension: bool,
}

impl Staging {
    /// The foreign table standing for `table`.
    pub fn foreign(&self, table: &TablePair) -> Option<String> {
        self.schemas
            .get(&table.schema)
            .map(|s| qualified(s, &table.name))
    }
}

/// Server options for main (no secret here: user and password go in the user mapping).
pub fn server_options(main: &Endpoint, options: &FdwOptions) -> Vec<(&'static str, String)> {
    let r = main.resolved();
    let mut out = Vec::new();
    match &options.host {
        Some(host) => out.push(("host", host.clone())),
        None => {
            out.push(("host", r.host.clone()));
            if let Some(addr) = r.hostaddr {
                out.push(("hostaddr", addr.to_string()));
            }
        }
    }
    out.push(("port", options.port.unwrap_or(r.port).to_string()));
    out.push(("dbname", r.dbname.clone()));
    out.push(("sslmode", r.sslmode.as_str().to_string()));
    out.push(("application_name", "pgsyncer_fdw".to_string()));
    // Main is never written: the remote sessions are read-only, without a statement timeout.
    // The bucket sums grouped on main must use hash aggregation (see `session::HASH_GROUPING`):
    // main's planner cannot know how few buckets there are and would sort every row first.
    // No remote query of this mode needs a sort. row_security=off: a policy hiding rows from
    // main's role raises an error instead of returning part of the table (see `conn`).
    out.push((
        "options",
        "-c default_transaction_read_only=on -c row_security=off -c statement_timeout=0 -c enable_sort=off -c work_mem=64MB"
            .to_string(),
    ));
    out.push(("fetch_size", options.fetch_size.max(100).to_string()));
    out
}

fn options_clause(options: &[(&str, String)]) -> String {
    options
        .iter()
        .map(|(k, v)| format!("{k} {}", literal(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Set up postgres_fdw on the standin for `pairs`.
pub async fn setup(
    control: &Session,
    main: &Endpoint,
    pairs: &[TablePair],
    options: &FdwOptions,
) -> Result<Staging, DataError> {
    let locked: bool = control
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .ctx(Side::Standin, || {
            "taking the --fdw-mode advisory lock".to_string()
        })?
        .get(0);
    if !locked {
        return Err(FdwError::Busy.into());
    }
    // From here a signal removes what this run created (see `crate::interrupt`).
    live::fdw_created(control.live_id());
    let staging = create(control, main, pairs, options).await;
    if staging.is_err() {
        // Do not leave main's password behind because a later step failed.
        let so_far = Staging {
            schemas: BTreeMap::new(),
            keep: false,
            created_extension: false,
        };
        let _ = cleanup(control, so_far).await;
    }
    staging
}

async fn create(
    control: &Session,
    main: &Endpoint,
    pairs: &[TablePair],
    options: &FdwOptions,
) -> Result<Staging, DataError> {
    let left = drop_objects(control, false, Marked::InUseOrKept).await?;
    if let Some(problem) = left.first() {
        return Err(FdwError::Leftover {
            problem: problem.clone(),
        }
        .into());
    }
    let created_extension = create_server(control, main, options).await?;
    create_user_mapping(control, main).await?;
    let mut by_schema: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in pairs {
        by_schema
            .entry(p.schema.clone())
            .or_default()
            .push(p.name.clone());
    }
    let schemas: BTreeMap<String, String> = by_schema
        .keys()
        .enumerate()
        .map(|(n, s)| (s.clone(), format!("{STAGE_PREFIX}{n}")))
        .collect();
    import(control, main, &by_schema, &schemas, options).await?;
    tracing::info!(
        "standin: postgres_fdw server {SERVER} for {} set up",
        options
            .host
            .clone()
            .unwrap_or_else(|| main.target().to_string())
    );
    Ok(Staging {
        schemas,
        keep: options.keep,
        created_extension,
    })
}

/// The extension (when missing) and the server, in one transaction: a run killed between
/// the two leaves no extension the next run cannot tell is pgsyncer's. Whether this run
/// created the extension.
async fn create_server(
    control: &Session,
    main: &Endpoint,
    options: &FdwOptions,
) -> Result<bool, DataError> {
    let found = control
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgres_fdw'), \
             EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgres_fdw')",
            &[],
        )
        .await
        .ctx(Side::Standin, || "looking for postgres_fdw".to_string())?;
    let (installed, available): (bool, bool) = (found.get(0), found.get(1));
    if !installed && !available {
        return Err(FdwError::Unavailable.into());
    }
    let created = async {
        control
            .batch_execute("BEGIN")
            .await
            .ctx(Side::Standin, || "BEGIN".to_string())?;
        if !installed {
            control
                .batch_execute(
                    "CREATE SCHEMA IF NOT EXISTS pgsyncer; CREATE EXTENSION IF NOT EXISTS postgres_fdw SCHEMA pgsyncer",
                )
                .await
                .map_err(|e| {
                    setup_error(
                        "create the postgres_fdw extension",
                        "it is not a trusted extension: a superuser must run CREATE EXTENSION postgres_fdw on the standin once",
                        e,
                    )
                })?;
        }
        let server = format!(
            "CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({}); COMMENT ON SERVER {} IS {}; COMMIT",
            ident(SERVER),
            options_clause(&server_options(main, options)),
            ident(SERVER),
            literal(IN_USE)
        );
        control.batch_execute(&server).await.map_err(|e| {
            setup_error(
                "create the foreign server for main",
                "needs USAGE on the postgres_fdw foreign-data wrapper",
                e,
            )
        })?;
        Ok::<_, DataError>(!installed)
    }
    .await;
    if created.is_err() {
        let _ = control.batch_execute("ROLLBACK").await;
    }
    created
}

/// The temporary table that carries main's login into the standin's session.
const LOGIN_TABLE: &str = "pgsyncer_main_login";

/// Statements around the login's COPY. `debug_print_*` would log the parse tree of the
/// statement the block builds, password included; any role may turn them off.
fn login_table_sql() -> (String, String) {
    (
        format!(
            "BEGIN; SET LOCAL debug_print_parse = off; SET LOCAL debug_print_rewritten = off; \
             SET LOCAL debug_print_plan = off; \
             CREATE TEMP TABLE {} (login bytea, secret bytea) ON COMMIT DROP",
            ident(LOGIN_TABLE)
        ),
        format!(
            "COPY pg_temp.{} FROM STDIN (FORMAT binary)",
            ident(LOGIN_TABLE)
        ),
    )
}

/// The `DO` block that creates the user mapping from the login table. Its text holds no
/// secret; the statement it builds does, and is seen only by the server's executor: nested
/// statements are neither logged (`log_statement`, `log_min_duration_statement`) nor kept
/// by pg_stat_statements' default `track = top`. An error inside would print that statement
/// as its CONTEXT: it is caught and raised again with its code and message only, and a data
/// error (a character the standin's encoding lacks, whose bytes the message would show) with
/// a message of its own.
pub fn user_mapping_block(with_password: bool) -> String {
    let table = format!("pg_temp.{}", ident(LOGIN_TABLE));
    let (options, values) = if with_password {
        (
            "user %L, password %L",
            format!(
                "(SELECT convert_from(login, 'UTF8') FROM {table}), (SELECT convert_from(secret, 'UTF8') FROM {table})"
            ),
        )
    } else {
        (
            "user %L",
            format!("(SELECT convert_from(login, 'UTF8') FROM {table})"),
        )
    };
    format!(
        "DO $pgsyncer$ BEGIN \
         EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS ({options})', {server}, {values}); \
         EXCEPTION WHEN OTHERS THEN \
         RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = CASE WHEN SQLSTATE LIKE '22%' \
         THEN 'main''s user name or password has a character the standin''s encoding cannot hold' \
         ELSE SQLERRM END; \
         END $pgsyncer$",
        server = literal(SERVER),
    )
}

/// The user mapping with main's user and password. The password travels as COPY data into
/// a temporary table (COPY data is never logged nor kept by pg_stat_statements) and reaches
/// the mapping inside [`user_mapping_block`]: it is in no statement text and no parameter.
async fn create_user_mapping(control: &Session, main: &Endpoint) -> Result<(), DataError> {
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;
    let r = main.resolved();
    let (begin, copy) = login_table_sql();
    let created = async {
        control.batch_execute(&begin).await?;
        let sink = control.copy_in(&copy).await?;
        let writer = BinaryCopyInWriter::new(sink, &[Type::BYTEA, Type::BYTEA]);
        futures_util::pin_mut!(writer);
        let login: &[u8] = r.user.as_bytes();
        let secret: Option<&[u8]> = r.password.as_deref().map(str::as_bytes);
        writer.as_mut().write(&[&login, &secret]).await?;
        writer.finish().await?;
        control
            .batch_execute(&user_mapping_block(secret.is_some()))
            .await?;
        control.batch_execute("COMMIT").await
    }
    .await;
    if created.is_err() {
        let _ = control.batch_execute("ROLLBACK").await;
    }
    created.map_err(|e| {
        setup_error(
            "create the user mapping for main",
            "needs USAGE on the foreign server and TEMP on the standin database",
            e,
        )
    })?;
    Ok(())
}

async fn import(
    control: &Session,
    main: &Endpoint,
    by_schema: &BTreeMap<String, Vec<String>>,
    stages: &BTreeMap<String, String>,
    options: &FdwOptions,
) -> Result<(), DataError> {
    for (schema, tables) in by_schema {
        let Some(stage) = stages.get(schema) else {
            continue;
        };
        let create = format!(
            "CREATE SCHEMA {0}; COMMENT ON SCHEMA {0} IS {1}",
            ident(stage),
            literal(IN_USE)
        );
        control.batch_execute(&create).await.map_err(|e| {
            setup_error("create a staging schema", "needs CREATE on the database", e)
        })?;
        let import = format!(
            "IMPORT FOREIGN SCHEMA {} LIMIT TO ({}) FROM SERVER {} INTO {} OPTIONS (import_collate 'false', import_default 'false', import_not_null 'false')",
            ident(schema),
            tables.iter().map(|t| ident(t)).collect::<Vec<_>>().join(", "),
            ident(SERVER),
            ident(stage)
        );
        control
            .batch_execute(&import)
            .await
            .map_err(|e| import_error(main, options, schema, e))?;
    }
    Ok(())
}

fn import_error(
    main: &Endpoint,
    options: &FdwOptions,
    schema: &str,
    e: tokio_postgres::Error,
) -> DataError {
    use tokio_postgres::error::SqlState;
    let r = main.resolved();
    let target = format!(
        "{}:{}/{}",
        options.host.as_deref().unwrap_or(&r.host),
        options.port.unwrap_or(r.port),
        r.dbname
    );
    let code = e.code().cloned();
    match code {
        Some(c)
            if c == SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION
                || c == SqlState::CONNECTION_FAILURE
                || c == SqlState::CONNECTION_EXCEPTION =>
        {
            FdwError::Unreachable {
                target,
                reason: "connection failed",
                source: e,
            }
            .into()
        }
        Some(c) if c == SqlState::S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED => FdwError::Privilege {
            what: "connect to main without a password".to_string(),
            needs: "postgres_fdw requires a password for non-superusers: put one in main's DSN or password file",
            source: e,
        }
        .into(),
        Some(c) if c == SqlState::INVALID_PASSWORD || c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            FdwError::Unreachable {
                target,
                reason: "authentication failed",
                source: e,
            }
            .into()
        }
        _ => FdwError::Setup {
            what: format!("importing main's schema {schema} (IMPORT FOREIGN SCHEMA)"),
            source: e,
        }
        .into(),
    }
}

/// Drop what a run set up (or mark it kept), and release the run's lock.
pub async fn cleanup(control: &Session, staging: Staging) -> Result<(), DataError> {
    if staging.keep {
        let mut sql = format!("COMMENT ON SERVER {} IS {}", ident(SERVER), literal(KEPT));
        for s in staging.schemas.values() {
            sql.push_str(&format!(
                "; COMMENT ON SCHEMA {} IS {}",
                ident(s),
                literal(KEPT)
            ));
        }
        control
            .batch_execute(&sql)
            .await
            .ctx(Side::Standin, || "marking the FDW objects kept".to_string())?;
        tracing::warn!(
            "standin: --fdw-keep: server {SERVER}, its user mapping (with main's password) and the staging schemas stay until the next --fdw-mode run"
        );
    } else {
        for problem in drop_objects(control, staging.created_extension, Marked::InUse).await? {
            tracing::warn!("{problem}");
        }
    }
    live::fdw_removed(control.live_id());
    let _ = control
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    Ok(())
}

/// Which of pgsyncer's FDW objects to drop, by the comment they carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marked {
    /// Those of a run that has not finished (this one, or one that was killed).
    InUse,
    /// Those too that `--fdw-keep` kept.
    InUseOrKept,
}

impl Marked {
    fn comments(self) -> Vec<String> {
        match self {
            Marked::InUse => vec![IN_USE.to_string()],
            Marked::InUseOrKept => vec![IN_USE.to_string(), KEPT.to_string()],
        }
    }
}

/// How long a drop waits for a lock: a statement of a killed run may still hold one.
const DROP_LOCK_TIMEOUT: &str = "5s";

/// Drop the staging schemas, then the server (with its user mappings) and, when it is
/// pgsyncer's (`extension`: this run created it, or it is in the `pgsyncer` schema and a
/// server of pgsyncer's was dropped), the extension. Each in its own transaction, waiting
/// at most [`DROP_LOCK_TIMEOUT`] for a lock: what cannot be dropped (not this role's, in
/// use) is left and described in the returned list.
async fn drop_objects(
    control: &Session,
    extension: bool,
    marked: Marked,
) -> Result<Vec<String>, DataError> {
    let wanted = marked.comments();
    let schemas: Vec<String> = control
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname, $1) AND obj_description(oid, 'pg_namespace') = ANY ($2) ORDER BY 1",
            &[&STAGE_PREFIX, &wanted],
        )
        .await
        .ctx(Side::Standin, || "looking for staging schemas".to_string())?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let server: bool = control
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = $1 AND obj_description(oid, 'pg_foreign_server') = ANY ($2))",
            &[&SERVER, &wanted],
        )
        .await
        .ctx(Side::Standin, || "looking for the foreign server".to_string())?
        .get(0);
    let mut drops: Vec<(String, String)> = schemas
        .iter()
        .map(|s| {
            (
                format!("staging schema {}", ident(s)),
                format!("DROP SCHEMA IF EXISTS {} CASCADE", ident(s)),
            )
        })
        .collect();
    if server {
        drops.push((
            format!("foreign server {} and its user mapping (main's password)", ident(SERVER)),
            format!("DROP SERVER IF EXISTS {} CASCADE", ident(SERVER)),
        ));
    }
    let mut problems = Vec::new();
    for (what, sql) in &drops {
        if let Err(e) = drop_one(control, sql).await {
            let reason = e
                .as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string());
            problems.push(format!(
                "standin: could not drop the {what} an earlier or interrupted --fdw-mode run created: {reason}; drop it as its owner or a superuser ({sql})"
            ));
        }
    }
    let ours: bool = control
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgres_fdw' AND n.nspname = 'pgsyncer')",
            &[],
        )
        .await
        .ctx(Side::Standin, || "looking for postgres_fdw".to_string())?
        .get(0);
    if ours && (extension || server) {
        // Fails harmlessly when someone else's server uses it now.
        if let Err(e) = drop_one(control, "DROP EXTENSION IF EXISTS postgres_fdw").await {
            tracing::debug!("standin: postgres_fdw kept: {e}");
        }
    }
    Ok(problems)
}

async fn drop_one(control: &Session, sql: &str) -> Result<(), tokio_postgres::Error> {
    let dropped = control
        .batch_execute(&format!(
            "BEGIN; SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'; {sql}; COMMIT"
        ))
        .await;
    if dropped.is_err() {
        let _ = control.batch_execute("ROLLBACK").await;
    }
    dropped
}

/// Does the standin hold objects of a `--fdw-mode` run that has not finished?
const LEFT_IN_USE: &str = "SELECT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = $1 AND obj_description(oid, 'pg_foreign_server') = $3) \
     OR EXISTS (SELECT 1 FROM pg_namespace WHERE starts_with(nspname, $2) AND obj_description(oid, 'pg_namespace') = $3)";

/// In every run that does not set up `--fdw-mode` (any command, `--dry-run` too): drop what
/// an interrupted FDW run left (it holds main's password), unless an FDW run is live (it
/// holds the advisory lock). Problems are warnings, never fatal: this run needs none of it.
pub async fn clean_leftovers_if_idle(control: &Session) {
    let found = control
        .query_one(LEFT_IN_USE, &[&SERVER, &STAGE_PREFIX, &IN_USE])
        .await;
    if !matches!(found.map(|r| r.get::<_, bool>(0)), Ok(true)) {
        return;
    }
    let locked = control
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .map(|r| r.get::<_, bool>(0));
    if !matches!(locked, Ok(true)) {
        return;
    }
    match drop_objects(control, false, Marked::InUse).await {
        Ok(problems) if problems.is_empty() => tracing::warn!(
            "standin: dropped the postgres_fdw objects an interrupted --fdw-mode run left"
        ),
        Ok(problems) => {
            for problem in problems {
                tracing::warn!("{problem}");
            }
        }
        Err(e) => {
            tracing::warn!("standin: could not drop an interrupted --fdw-mode run's objects: {e}")
        }
    }
    let _ = control
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
}

/// After a signal stopped a run that had set up `--fdw-mode` on `standin`: once the run's
/// standin `backends` are gone (bounded), drop its objects from a fresh session, unless
/// another FDW run holds the lock (it dropped them when it started). What to tell the user.
pub async fn remove_after_stop(standin: &Endpoint, backends: &[i32]) -> Result<String, DataError> {
    let session = standin.connect().await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        let alive: i64 = session
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY ($1)",
                &[&backends],
            )
            .await
            .ctx(Side::Standin, || "waiting for the run's sessions to end".to_string())?
            .get(0);
        if alive == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let locked: bool = session
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .ctx(Side::Standin, || {
            "taking the --fdw-mode advisory lock".to_string()
        })?
        .get(0);
    if !locked {
        return Ok(
            "standin: another pgsyncer run holds the --fdw-mode lock; it removes this run's postgres_fdw objects"
                .to_string(),
        );
    }
    let problems = drop_objects(&session, false, Marked::InUse).await?;
    let _ = session
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    Ok(if problems.is_empty() {
        format!(
            "standin: removed the postgres_fdw server {SERVER}, its user mapping and the staging schemas"
        )
    } else {
        problems.join("\n")
    })
}

/// Sync one table server-side; returns the summary's mode label and what was done.
pub async fn sync_table(
    ctx: &TableCtx<'_>,
    staging: &Staging,
    table: &TablePair,
    filter: Option<&str>,
    deletes: bool,
) -> Result<(String, Outcome), DataError> {
    let foreign = staging.foreign(table).ok_or_else(|| {
        DataError::Worker(format!("{}: no staging schema", table.qualified_name()))
    })?;
    let ssql = TableSql::new(table, Side::Standin);
    let exists = ssql.exists_any_row();
    let has_rows: bool = ctx
        .standin
        .query_one(&exists, &[])
        .await
        .ctx(Side::Standin, || exists.clone())?
        .get(0);
    if !has_rows {
        ctx.bar.message("fdw: inserting");
        let rebuild = if table.estimated_rows >= indexes::MIN_ROWS {
            Some(indexes::drop_for_load(ctx.standin, &table.schema, &table.name).await?)
        } else {
            None
        };
        let insert = insert_all(table, &foreign);
        let n = ctx
            .standin
            .execute(&insert, &[])
            .await
            .ctx(Side::Standin, || insert.clone())?;
        if let Some(rebuild) = rebuild {
            ctx.bar.message("building indexes");
            rebuild.run(ctx.standin).await?;
        }
        return Ok((
            "fdw-insert".to_string(),
            Outcome {
                main_rows: n,
                inserted: n,
                ..Outcome::default()
            },
        ));
    }
    let hashes = shippable_hashes(ctx, table).await?;
    if hashes.is_none() {
        tracing::debug!(
            "{}: a column type without a hash main can compute through postgres_fdw: every row is read",
            table.qualified_name()
        );
    }
    match (&table.key, hashes, filter) {
        (None, Some(h), _) => Ok((
            "fdw-merge".to_string(),
            keyless_by_buckets(ctx, table, &foreign, &h).await?,
        )),
        (None, None, _) => Ok((
            "fdw-merge".to_string(),
            keyless(ctx, table, &foreign).await?,
        )),
        (Some(_), Some(h), None) => Ok((
            "fdw-merge".to_string(),
            keyed_by_buckets(ctx, table, &foreign, &h).await?,
        )),
        (Some(_), h, _) => merge_all(ctx, table, &foreign, filter, deletes, h.as_ref()).await,
    }
}

/// Keyed, every row of main read (or with `filter`, the changed ones): one merge, then the
/// deleted keys, found by buckets of the key when `hashes` allow.
async fn merge_all(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    filter: Option<&str>,
    deletes: bool,
    hashes: Option<&FdwHashes>,
) -> Result<(String, Outcome), DataError> {
    ctx.bar.message("fdw: merging");
    let (inserted, updated) =
        merge::apply(ctx.standin, &merge::merge(table, foreign, filter)).await?;
    let mut out = Outcome {
        inserted,
        updated,
        ..Outcome::default()
    };
    if filter.is_none() || deletes {
        ctx.bar.message("fdw: comparing keys");
        let keys = ctx.temp_name("main_keys");
        let gone = ctx.temp_name("gone");
        match hashes.and_then(|h| h.key.as_deref()) {
            Some(key_hash) => {
                // Count and key-fingerprint sum per bucket of the key, both computed by main
                // (pushed down) and by the standin; only differing buckets' keys are read.
                let buckets = Buckets::for_server_rows(estimated_rows(ctx, table).await?);
                let ssql = TableSql::new(table, Side::Standin);
                let (mc, sc) = compare_buckets(
                    ctx,
                    buckets,
                    &buckets.aggregate_sql(&ssql.aliases(), foreign, key_hash, None),
                    &buckets.aggregate_sql(&ssql.aliases(), &ssql.relation(), key_hash, None),
                    // The merge above wrote to this table.
                    false,
                )
                .await?;
                out.main_rows = mc.rows();
                let differing = mc.differing(&sc);
                out.chunks_total = buckets.count() as u64;
                out.chunks_skipped = (buckets.count() - differing.len()) as u64;
                if !differing.is_empty() {
                    let where_ = buckets.filter(key_hash, &differing);
                    let [collect, find] =
                        bucket_key_statements(table, foreign, &keys, &gone, &where_);
                    out.deleted = run_key_statements(ctx, &keys, &collect, &find).await?.1;
                    if filter.is_some() {
                        // Keys main has and the standin lacks (a row the watermark missed,
                        // or one lost on the standin) are in these buckets too.
                        merge_more(ctx, table, foreign, Some(&where_), &mut out).await?;
                    }
                }
            }
            None => {
                let (collect, find) = key_statements(table, foreign, &keys, &gone);
                (out.main_rows, out.deleted) =
                    run_key_statements(ctx, &keys, &collect, &find).await?;
                if filter.is_some() && lacks_keys(ctx, table, &keys).await? {
                    merge_more(ctx, table, foreign, None, &mut out).await?;
                }
            }
        }
        let inexact = table.key_columns().iter().any(|c| !c.exact);
        if filter.is_some() && inexact && out.deleted > 0 {
            let (updated, kept) = respell_gone(ctx, table, foreign, &gone).await?;
            out.updated += updated;
            out.deleted = out.deleted.saturating_sub(kept);
        }
        if out.deleted > 0 {
            out.pending = Some(PendingDelete::Keys { keys: gone });
        }
    }
    let label = if filter.is_some() {
        "fdw-incremental"
    } else {
        "fdw-merge"
    };
    Ok((label.to_string(), out))
}

/// `--use-updated-at`, a key whose equality is not its text's: a key in `gone` (the standin
/// has it, main lacks its text) may be main's key spelled otherwise (`'abc'` for `'ABC'`) on a
/// row the watermark did not select. Main's rows whose key equals a gone key are merged
/// (main's text written over the standin's), and the keys so rewritten leave `gone`.
/// Returns `(rows updated, keys kept)`.
async fn respell_gone(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    gone: &str,
) -> Result<(u64, u64), DataError> {
    let (merge, prune) = respell_statements(table, foreign, gone);
    let (inserted, updated) = merge::apply(ctx.standin, &merge).await?;
    let kept = ctx
        .standin
        .execute(&prune, &[])
        .await
        .ctx(Side::Standin, || prune.clone())?;
    Ok((inserted + updated, kept))
}

/// [`respell_gone`]'s merge of main's rows whose key equals one in `gone`, and the removal
/// from `gone` of the keys the standin no longer has by text.
pub fn respell_statements(table: &TablePair, foreign: &str, gone: &str) -> (merge::Merge, String) {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let [t, s, d] = [alias::TARGET, alias::SOURCE, alias::DELETED].map(|a| names.get(a));
    let equal = table
        .key_columns()
        .iter()
        .map(|c| format!("{d}.{0} = {s}.{0}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let filter = format!(
        "EXISTS (SELECT 1 FROM {} AS {d} WHERE {equal})",
        ident(gone)
    );
    let prune = format!(
        "DELETE FROM {} AS {d} WHERE NOT EXISTS (SELECT 1 FROM {} AS {t} WHERE {})",
        ident(gone),
        sql.relation(),
        same_key_text(table, &t, &d)
    );
    (merge::merge(table, foreign, Some(&filter)), prune)
}

/// Merge main's rows matching `filter` too (none written unless they differ), counted in `out`.
async fn merge_more(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    filter: Option<&str>,
    out: &mut Outcome,
) -> Result<(), DataError> {
    let (inserted, updated) =
        merge::apply(ctx.standin, &merge::merge(table, foreign, filter)).await?;
    out.inserted += inserted;
    out.updated += updated;
    Ok(())
}

/// Does the standin lack any of main's keys (a temporary table `keys`)?
async fn lacks_keys(ctx: &TableCtx<'_>, table: &TablePair, keys: &str) -> Result<bool, DataError> {
    let sql = missing_keys_statement(table, keys);
    Ok(ctx
        .standin
        .query_one(&sql, &[])
        .await
        .ctx(Side::Standin, || sql.clone())?
        .get(0))
}

/// Whether any key of `keys` is missing from the standin table.
pub fn missing_keys_statement(table: &TablePair, keys: &str) -> String {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let (t, k) = (names.get(alias::TARGET), names.get(alias::KEYS));
    let join = table
        .key_columns()
        .iter()
        .map(|c| format!("{k}.{0} = {t}.{0}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ");
    format!(
        "SELECT EXISTS (SELECT 1 FROM {} AS {k} WHERE NOT EXISTS (SELECT 1 FROM {} AS {t} WHERE {join}))",
        ident(keys),
        sql.relation()
    )
}

/// Main's keys into `keys`, the standin's keys main lacks into `gone`; returns how many of
/// each.
async fn run_key_statements(
    ctx: &TableCtx<'_>,
    keys: &str,
    collect: &str,
    find: &str,
) -> Result<(u64, u64), DataError> {
    let collected = ctx
        .standin
        .execute(collect, &[])
        .await
        .ctx(Side::Standin, || collect.to_string())?;
    let analyze = format!("ANALYZE {}", ident(keys));
    ctx.standin
        .batch_execute(&analyze)
        .await
        .ctx(Side::Standin, || analyze.clone())?;
    let found = ctx
        .standin
        .execute(find, &[])
        .await
        .ctx(Side::Standin, || find.to_string())?;
    Ok((collected, found))
}

/// Both sides' bucket sums, read on the standin: `foreign_sql` runs on main (postgres_fdw
/// pushes the whole aggregate down) through the group's transaction, which holds main's
/// snapshot; `local_sql` on the standin. With `unwritten` (this table was not written in the
/// transaction yet) and the group's second session at hand, both run at once, the local one
/// on that session (it sees the same rows); otherwise one after the other.
async fn compare_buckets(
    ctx: &TableCtx<'_>,
    buckets: Buckets,
    foreign_sql: &str,
    local_sql: &str,
    unwritten: bool,
) -> Result<(Checksums, Checksums), DataError> {
    match ctx.standin_reader.filter(|_| unwritten) {
        Some(reader) => tokio::try_join!(
            Checksums::read(ctx.standin, buckets, foreign_sql),
            Checksums::read(reader, buckets, local_sql)
        ),
        None => {
            let mc = Checksums::read(ctx.standin, buckets, foreign_sql).await?;
            let sc = Checksums::read(ctx.standin, buckets, local_sql).await?;
            Ok((mc, sc))
        }
    }
}

/// Keyed, full comparison: per bucket of the key, count and row-fingerprint sum on both
/// sides; main's rows of differing buckets are pulled into a stage table and merged, and the
/// standin's keys of those buckets that main lacks are deleted.
async fn keyed_by_buckets(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    hashes: &FdwHashes,
) -> Result<Outcome, DataError> {
    let Some(key_hash) = hashes.key.as_deref() else {
        return Err(DataError::Worker(format!(
            "{}: no key fingerprint",
            table.qualified_name()
        )));
    };
    ctx.bar.message("fdw: comparing buckets");
    let buckets = Buckets::for_server_rows(estimated_rows(ctx, table).await?);
    let ssql = TableSql::new(table, Side::Standin);
    let (mc, sc) = compare_buckets(
        ctx,
        buckets,
        &buckets.aggregate_sql(&ssql.aliases(), foreign, key_hash, Some(&hashes.row)),
        &buckets.aggregate_sql(
            &ssql.aliases(),
            &ssql.relation(),
            key_hash,
            Some(&hashes.row),
        ),
        true,
    )
    .await?;
    let mut differing = mc.differing(&sc);
    if !hashes.pulled.is_empty() {
        // Not pushed down: postgres_fdw reads the key and these columns of every row.
        ctx.bar.message("fdw: comparing pulled columns");
        let (mp, sp) = compare_buckets(
            ctx,
            buckets,
            &buckets.aggregate_sql(
                &ssql.aliases(),
                foreign,
                key_hash,
                Some(&pulled_hash(table, &hashes.pulled, Side::Main)),
            ),
            &buckets.aggregate_sql(
                &ssql.aliases(),
                &ssql.relation(),
                key_hash,
                Some(&pulled_hash(table, &hashes.pulled, Side::Standin)),
            ),
            true,
        )
        .await?;
        differing.extend(mp.differing(&sp));
        differing.sort_unstable();
        differing.dedup();
    }
    let mut out = Outcome {
        main_rows: mc.rows(),
        chunks_total: buckets.count() as u64,
        chunks_skipped: (buckets.count() - differing.len()) as u64,
        ..Outcome::default()
    };
    ctx.bar.set_chunks(out.chunks_total);
    ctx.bar.chunks_done(out.chunks_skipped);
    if differing.is_empty() {
        return Ok(out);
    }
    ctx.bar.message("fdw: merging differing buckets");
    let where_ = buckets.filter(key_hash, &differing);
    let stage = ctx.temp_name("stage");
    let gone = ctx.temp_name("gone");
    let [create, fill] = stage_statements(table, foreign, &stage, &where_);
    for s in [&create, &fill] {
        ctx.standin
            .execute(s.as_str(), &[])
            .await
            .ctx(Side::Standin, || crate::data::write::copy::brief(s))?;
    }
    let (inserted, updated) =
        merge::apply(ctx.standin, &merge::merge(table, &ident(&stage), None)).await?;
    out.inserted = inserted;
    out.updated = updated;
    let find = gone_statement(table, &stage, &gone, &where_);
    out.deleted = ctx
        .standin
        .execute(&find, &[])
        .await
        .ctx(Side::Standin, || crate::data::write::copy::brief(&find))?;
    if out.deleted > 0 {
        out.pending = Some(PendingDelete::Keys { keys: gone });
    }
    Ok(out)
}

/// Keyless: buckets of the row fingerprint; main's rows of differing buckets are pulled into
/// a stage table and compared there as multisets with the standin's rows of those buckets.
async fn keyless_by_buckets(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    hashes: &FdwHashes,
) -> Result<Outcome, DataError> {
    ctx.bar.message("fdw: comparing buckets");
    let buckets = Buckets::for_server_rows(estimated_rows(ctx, table).await?);
    let ssql = TableSql::new(table, Side::Standin);
    let (mc, sc) = compare_buckets(
        ctx,
        buckets,
        &buckets.aggregate_sql(&ssql.aliases(), foreign, &hashes.row, None),
        &buckets.aggregate_sql(&ssql.aliases(), &ssql.relation(), &hashes.row, None),
        true,
    )
    .await?;
    let differing = mc.differing(&sc);
    let chunks_total = buckets.count() as u64;
    let chunks_skipped = (buckets.count() - differing.len()) as u64;
    ctx.bar.set_chunks(chunks_total);
    ctx.bar.chunks_done(chunks_skipped);
    if differing.is_empty() {
        return Ok(Outcome {
            main_rows: mc.rows(),
            chunks_total,
            chunks_skipped,
            ..Outcome::default()
        });
    }
    let where_ = buckets.filter(&hashes.row, &differing);
    let stage = ctx.temp_name("stage");
    let [create, fill] = stage_statements(table, foreign, &stage, &where_);
    for s in [&create, &fill] {
        ctx.standin
            .execute(s.as_str(), &[])
            .await
            .ctx(Side::Standin, || crate::data::write::copy::brief(s))?;
    }
    let mut out = keyless_multisets(ctx, table, &ident(&stage), Some(&where_)).await?;
    out.main_rows = mc.rows();
    out.chunks_total = chunks_total;
    out.chunks_skipped = chunks_skipped;
    Ok(out)
}

/// A temporary stage shaped like the standin table, and main's rows matching `where_` (a
/// condition main evaluates) into it.
pub fn stage_statements(
    table: &TablePair,
    foreign: &str,
    stage: &str,
    where_: &str,
) -> [String; 2] {
    let sql = TableSql::new(table, Side::Standin);
    let cols = sql.column_list();
    [
        sql.create_stage(stage),
        format!(
            "INSERT INTO {} ({cols}) SELECT {cols} FROM {foreign} WHERE {where_}",
            ident(stage)
        ),
    ]
}

/// The standin's keys in the buckets `where_` selects that `stage` (main's rows of those
/// buckets) lacks, into a temporary table `gone`.
pub fn gone_statement(table: &TablePair, stage: &str, gone: &str, where_: &str) -> String {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let (t, k) = (names.get(alias::TARGET), names.get(alias::KEYS));
    let key_cols: Vec<String> = table.key_columns().iter().map(|c| ident(&c.name)).collect();
    // By text: main's 'ABC', just merged over the standin's 'abc', is not gone.
    let join = same_key_text(table, &k, &t);
    format!(
        "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM (SELECT * FROM {} WHERE {where_}) AS {t} WHERE NOT EXISTS (SELECT 1 FROM {} AS {k} WHERE {join})",
        ident(gone),
        key_cols
            .iter()
            .map(|c| format!("{t}.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        sql.relation(),
        ident(stage)
    )
}

/// Main's keys of the buckets `where_` selects into `keys`, then the standin's keys of those
/// buckets main lacks into `gone`.
pub fn bucket_key_statements(
    table: &TablePair,
    foreign: &str,
    keys: &str,
    gone: &str,
    where_: &str,
) -> [String; 2] {
    let key_cols: Vec<String> = table.key_columns().iter().map(|c| ident(&c.name)).collect();
    [
        format!(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {foreign} WHERE {where_}",
            ident(keys),
            key_cols.join(", ")
        ),
        gone_statement(table, keys, gone, where_),
    ]
}

/// Fingerprints main computes through postgres_fdw and the standin computes alike.
#[derive(Debug, Clone, PartialEq)]
pub struct FdwHashes {
    /// The key's fingerprint (`None` for a keyless table).
    pub key: Option<String>,
    /// The fingerprint of every column but `pulled`.
    pub row: String,
    /// Columns main cannot hash through postgres_fdw (their type, or types that differ
    /// between the sides): compared separately, their values pulled and hashed on the
    /// standin. Keyed tables only.
    pub pulled: Vec<usize>,
}

/// A hash of one column main can compute for postgres_fdw: built-in immutable functions
/// only, no cast through text (an I/O cast is not shipped, and output functions are stable),
/// no collation other than the column's own. `None` for other types.
///
/// Like the default mode's [`fingerprint`](crate::data::compare::fingerprint), values whose text differs
/// hash differently. Types whose hash follows equality only (floats: `-0` = `0`; interval:
/// `1 day` = `24 hours`; jsonb: `1.0` = `1.00`) are hashed through their binary send
/// function, which keeps every bit (json and jsonb send their text). Those send text in the
/// client encoding, which differs between pgsyncer's session and postgres_fdw's: not in a
/// key (`in_key`), where a mismatch would put one key in two buckets. timestamptz and date go
/// through a range (`tstzrange(c, NULL)`), whose hash is their binary value's; the cast to
/// `timestamp` the default mode uses depends on TimeZone, so postgres_fdw would not ship it.
fn shippable_column_hash(ty: &str, c: &str, seed: i64, in_key: bool) -> Option<String> {
    let ty = base_type(ty);
    let hash = exact_hash(&ty, c, seed).or_else(|| shippable_other_hash(&ty, c, seed, in_key))?;
    // NULL gets a value of its own per column (COALESCE is not shipped; CASE is).
    let null = seed.wrapping_mul(0x5851_F42D_4C95_7F2D_u64 as i64);
    Some(format!(
        "CASE WHEN {c} IS NULL THEN {null}::int8 ELSE {hash} END"
    ))
}

/// [`shippable_column_hash`] for the types the default mode hashes otherwise.
fn shippable_other_hash(ty: &str, c: &str, seed: i64, in_key: bool) -> Option<String> {
    let sent =
        |send: &str| (!in_key).then(|| format!("hash_array_extended(ARRAY[{send}({c})], {seed})"));
    Some(match ty {
        "text" | "character varying" => format!("hashtextextended({c}, {seed})"),
        "timestamp with time zone" => {
            format!("hash_range_extended(tstzrange({c}, NULL), {seed})")
        }
        "date" => format!("hash_range_extended(daterange({c}, NULL), {seed})"),
        "numeric" => {
            // scale() is NULL for NaN and the infinities, whose hash already tells them apart.
            format!(
                "(hash_numeric_extended({c}, {seed}) # CASE WHEN scale({c}) IS NULL THEN 0::int8 ELSE hashint4extended(scale({c}), {seed}) END)"
            )
        }
        "bytea" => format!("hash_array_extended(ARRAY[{c}], {seed})"),
        "real" => sent("float4send")?,
        "double precision" => sent("float8send")?,
        "interval" => sent("interval_send")?,
        "jsonb" => sent("jsonb_send")?,
        "json" => sent("json_send")?,
        array if array.ends_with("[]") => {
            // Elements hashed by their type's own hash (array_send is not immutable): only
            // types whose hash tells apart every two values of different text.
            let element = array.trim_end_matches("[]");
            let exact = [
                "smallint",
                "integer",
                "bigint",
                "oid",
                "boolean",
                "text",
                "character varying",
                "uuid",
                "timestamp without time zone",
                "timestamp with time zone",
                "date",
                "time without time zone",
                "inet",
                "cidr",
                "macaddr",
                "bytea",
            ];
            if !exact.contains(&element) {
                return None;
            }
            format!("hash_array_extended({c}, {seed})")
        }
        _ => return None,
    })
}

/// The table's shippable fingerprints, or `None` when its key cannot be hashed so (or, for a
/// keyless table, any column). Both servers must have the same encoding (checked by
/// [`shippable_hashes`]).
pub fn fdw_hashes(table: &TablePair) -> Option<FdwHashes> {
    let hash = |c: &crate::data::tables::Column, seed: i64, in_key: bool| {
        (c.main_type == c.standin_type)
            .then(|| shippable_column_hash(&c.main_type, &ident(&c.name), seed, in_key))
            .flatten()
    };
    let mut row = Vec::new();
    let mut pulled = Vec::new();
    for (i, (c, seed)) in table.columns.iter().zip(1..).enumerate() {
        match hash(c, seed, false) {
            Some(h) => row.push(h),
            None => pulled.push(i),
        }
    }
    let key = match &table.key {
        Some(_) => Some(combine(
            table
                .key_columns()
                .into_iter()
                .zip(1000..)
                .map(|(c, seed)| hash(c, seed, true))
                .collect::<Option<Vec<_>>>()?,
        )),
        None if pulled.is_empty() => None,
        None => return None,
    };
    Some(FdwHashes {
        key,
        row: combine(row),
        pulled,
    })
}

/// The fingerprint, computed on the standin, of `pulled` columns as read from `side`
/// (the foreign table has main's types): the default mode's [`fingerprint`](crate::data::compare::fingerprint).
fn pulled_hash(table: &TablePair, pulled: &[usize], side: Side) -> String {
    let reduced = TablePair {
        columns: pulled.iter().map(|&i| table.columns[i].clone()).collect(),
        key: None,
        ..table.clone()
    };
    crate::data::compare::fingerprint::row_hash(&reduced, side)
}

/// Any column of `table` with a nondeterministic collation on this side? Its text would hash
/// by collation on one server and by bytes on the other. And the server's encoding.
const NONDETERMINISTIC: &str = "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped AND NOT c.collisdeterministic), current_setting('server_encoding')";

/// [`fdw_hashes`], when both servers hash the table's text alike.
async fn shippable_hashes(
    ctx: &TableCtx<'_>,
    table: &TablePair,
) -> Result<Option<FdwHashes>, DataError> {
    let Some(hashes) = fdw_hashes(table) else {
        return Ok(None);
    };
    let name = qualified(&table.schema, &table.name);
    let mut encodings = Vec::new();
    for session in [ctx.main, ctx.standin] {
        let row = session
            .query_one(NONDETERMINISTIC, &[&name])
            .await
            .ctx(session.side, || format!("reading the collations of {name}"))?;
        if row.get::<_, bool>(0) {
            return Ok(None);
        }
        encodings.push(row.get::<_, String>(1));
    }
    // Text is hashed as the server stores it.
    if encodings[0] != encodings[1] {
        return Ok(None);
    }
    Ok(Some(hashes))
}

fn overriding(table: &TablePair) -> &'static str {
    if table.has_identity_always() {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    }
}

/// Every row of the foreign table into the (empty) standin table.
pub fn insert_all(table: &TablePair, foreign: &str) -> String {
    let sql = TableSql::new(table, Side::Standin);
    let cols = sql.column_list();
    format!(
        "INSERT INTO {} ({cols}){} SELECT {cols} FROM {foreign}",
        sql.qualified(),
        overriding(table)
    )
}

/// Main's keys into `keys`, then the standin's keys main lacks into `gone` (both temporary).
pub fn key_statements(
    table: &TablePair,
    foreign: &str,
    keys: &str,
    gone: &str,
) -> (String, String) {
    let key_cols: Vec<String> = table.key_columns().iter().map(|c| ident(&c.name)).collect();
    (
        format!(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {foreign}",
            ident(keys),
            key_cols.join(", ")
        ),
        gone_statement(table, keys, gone, "TRUE"),
    )
}

/// Keyless statements: `(main multiset, standin multiset, surplus, lacking, insert)`. `source`
/// holds main's rows (the foreign table, or a stage of some buckets' rows); `local_filter`
/// restricts the standin's rows to the same buckets.
pub fn keyless_statements(
    table: &TablePair,
    source: &str,
    names: [&str; 4],
    local_filter: Option<&str>,
) -> [String; 5] {
    let foreign = source;
    let sql = TableSql::new(table, Side::Standin);
    let [fm, sm, surplus, lack] = names.map(ident);
    let cols = sql.column_list();
    let names = sql.aliases();
    let [ph, rn, s, m, x, y, u, h, n] = [
        alias::ROW_HASH,
        alias::COPY_NUMBER,
        alias::ROWS,
        alias::MAIN_ROWS,
        alias::NUMBERED,
        alias::HASHED,
        alias::UNNESTED,
        alias::HASH,
        alias::COPIES,
    ]
    .map(|a| names.get(a));
    let qualified_cols = |r: &str| {
        table
            .columns
            .iter()
            .map(|c| format!("{r}.{}", ident(&c.name)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (x_cols, y_cols) = (qualified_cols(&x), qualified_cols(&y));
    let hash = sql.row_hash();
    [
        format!("CREATE TEMP TABLE {fm} ON COMMIT DROP AS SELECT {s}.{ph} AS {h}, count(*)::int8 AS {n} FROM (SELECT {hash} AS {ph} FROM {foreign}) AS {s} GROUP BY 1"),
        format!("CREATE TEMP TABLE {sm} ON COMMIT DROP AS SELECT {s}.{ph} AS {h}, count(*)::int8 AS {n} FROM (SELECT {hash} AS {ph} FROM {}{}) AS {s} GROUP BY 1", sql.relation(), local_filter.map(|f| format!(" WHERE {f}")).unwrap_or_default()),
        format!("CREATE TEMP TABLE {surplus} ON COMMIT DROP AS SELECT {s}.{h}, {s}.{n} - COALESCE({m}.{n}, 0) AS {n} FROM {sm} AS {s} LEFT JOIN {fm} AS {m} ON {m}.{h} = {s}.{h} WHERE {s}.{n} > COALESCE({m}.{n}, 0)"),
        format!("CREATE TEMP TABLE {lack} ON COMMIT DROP AS SELECT {m}.{h}, {m}.{n} - COALESCE({s}.{n}, 0) AS {n} FROM {fm} AS {m} LEFT JOIN {sm} AS {s} ON {s}.{h} = {m}.{h} WHERE {m}.{n} > COALESCE({s}.{n}, 0)"),
        format!(
            "INSERT INTO {} ({cols}){} SELECT {x_cols} FROM (SELECT {y_cols}, {y}.{ph}, row_number() OVER (PARTITION BY {y}.{ph}) AS {rn} FROM (SELECT {cols}, {hash} AS {ph} FROM {foreign}) AS {y} WHERE {y}.{ph} IN (SELECT {u}.{h} FROM {lack} AS {u})) AS {x} JOIN {lack} AS {u} ON {u}.{h} = {x}.{ph} WHERE {x}.{rn} <= {u}.{n}",
            sql.qualified(),
            overriding(table)
        ),
    ]
}

async fn keyless(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
) -> Result<Outcome, DataError> {
    keyless_multisets(ctx, table, foreign, None).await
}

/// Compare main's rows in `source` with the standin's (those matching `local_filter`) as
/// multisets; insert what lacks, leave the surplus for deletion.
async fn keyless_multisets(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    local_filter: Option<&str>,
) -> Result<Outcome, DataError> {
    ctx.bar.message("fdw: comparing rows");
    let names = [
        ctx.temp_name("main_rows"),
        ctx.temp_name("standin_rows"),
        ctx.temp_name("surplus"),
        ctx.temp_name("lack"),
    ];
    let [fm, sm, surplus, lack, insert] = keyless_statements(
        table,
        foreign,
        [&names[0], &names[1], &names[2], &names[3]],
        local_filter,
    );
    for s in [&fm, &sm, &surplus, &lack] {
        ctx.standin
            .execute(s.as_str(), &[])
            .await
            .ctx(Side::Standin, || s.clone())?;
    }
    let n = TableSql::new(table, Side::Standin)
        .aliases()
        .get(alias::COPIES);
    let counts = format!(
        "SELECT (SELECT COALESCE(sum({n}), 0)::int8 FROM {}), (SELECT COALESCE(sum({n}), 0)::int8 FROM {}), (SELECT COALESCE(sum({n}), 0)::int8 FROM {})",
        ident(&names[0]),
        ident(&names[2]),
        ident(&names[3])
    );
    let row = ctx
        .standin
        .query_one(&counts, &[])
        .await
        .ctx(Side::Standin, || counts.clone())?;
    let (main_rows, surplus_n, lack_n): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    let mut out = Outcome {
        main_rows: main_rows.max(0) as u64,
        ..Outcome::default()
    };
    if lack_n > 0 {
        out.inserted = ctx
            .standin
            .execute(&insert, &[])
            .await
            .ctx(Side::Standin, || insert.clone())?;
    }
    if surplus_n > 0 {
        out.deleted = surplus_n as u64;
        out.pending = Some(PendingDelete::Hashes {
            surplus: names[2].clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::write::merge::tests::table;

    #[test]
    fn fdw_statements() {
        let t = table(true);
        let foreign = qualified("pgsyncer_fdw_0", &t.name);
        let (keys, gone) = key_statements(&t, &foreign, "k", "g");
        let mut all = vec![insert_all(&t, &foreign), keys, gone];
        all.extend(keyless_statements(
            &t,
            &foreign,
            ["fm", "sm", "sur", "lack"],
            None,
        ));
        let h = fdw_hashes(&t).expect("shippable");
        let key = h.key.clone().expect("keyed");
        let b = Buckets::for_rows(1000.0);
        let where_ = b.filter(&key, &[1, 9]);
        all.push(b.aggregate_sql(&alias::Aliases::of(&t), &foreign, &key, Some(&h.row)));
        all.extend(stage_statements(&t, &foreign, "st", &where_));
        all.push(gone_statement(&t, "st", "g", &where_));
        all.extend(bucket_key_statements(&t, &foreign, "k", "g", &where_));
        all.extend(keyless_statements(
            &t,
            "st",
            ["fm", "sm", "sur", "lack"],
            Some(&b.filter(&h.row, &[0])),
        ));
        for s in &all {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        insta::assert_snapshot!(all.join("\n"));
    }

    #[test]
    fn respelling_statements_parse() {
        let mut t = table(false);
        t.columns[0].exact = false;
        let (merge, prune) = respell_statements(&t, "\"pgsyncer_fdw_0\".\"Orders\"", "g");
        let merge::Merge::UpdateThenInsert {
            update: Some(update),
            insert,
        } = merge
        else {
            panic!("a deferrable key updates, then inserts: {merge:?}");
        };
        assert!(update.contains("SET id = pgsyncer_s.id"), "{update}");
        assert!(
            prune.contains("pgsyncer_t.id::text COLLATE \"C\""),
            "{prune}"
        );
        for s in [&update, &insert, &prune] {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn user_mapping_block_holds_no_secret() {
        let (begin, copy) = login_table_sql();
        for (sql, password) in [
            (user_mapping_block(true), true),
            (user_mapping_block(false), false),
        ] {
            pg_query::parse(&sql, 0).unwrap_or_else(|e| panic!("{sql}: {e}"));
            // The values come from the login table only; errors lose their context.
            assert!(sql.contains("FROM pg_temp.pgsyncer_main_login"), "{sql}");
            assert!(sql.contains("EXCEPTION WHEN OTHERS"), "{sql}");
            assert_eq!(sql.contains("password %L"), password, "{sql}");
        }
        for sql in [begin, copy] {
            pg_query::parse(&sql, 0).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    #[test]
    fn shippable_hashes_by_type() {
        let hash = |ty: &str| shippable_column_hash(ty, "c", 2, false);
        for ty in [
            "integer",
            "numeric(12,2)",
            "text",
            "character varying(20)",
            "timestamp(3) with time zone",
            "date",
            "jsonb",
            "json",
            "double precision",
            "interval",
            "bytea",
            "integer[]",
            "text[]",
        ] {
            let h = hash(ty).unwrap_or_else(|| panic!("{ty} should be shippable"));
            assert!(h.starts_with("CASE WHEN c IS NULL"), "{h}");
            assert!(!h.contains("::text") && !h.contains("COLLATE"), "{h}");
        }
        assert!(hash("jsonb").is_some_and(|h| h.contains("jsonb_send(c)")));
        for ty in [
            "public.mood",
            "xml",
            "point",
            "public.mood[]",
            "numeric[]",
            "double precision[]",
        ] {
            assert_eq!(hash(ty), None, "{ty}");
        }
        // Send functions give text in the client encoding: never in a key.
        assert_eq!(shippable_column_hash("jsonb", "c", 2, true), None);
        assert!(shippable_column_hash("bigint", "c", 2, true).is_some());
        let mut t = table(true);
        assert_eq!(fdw_hashes(&t).map(|h| h.pulled), Some(vec![]));
        t.columns[1].standin_type = "character varying".into();
        let h = fdw_hashes(&t).expect("keyed");
        assert_eq!(h.pulled, vec![1], "types differ between the sides");
        assert!(!h.row.contains("note"), "{}", h.row);
        assert!(pulled_hash(&t, &h.pulled, Side::Main).contains("note::text"));
        t.columns[0].main_type = "public.mood".into();
        assert_eq!(fdw_hashes(&t), None, "the key is not shippable");
        let mut t = table(true);
        t.key = None;
        t.columns[1].main_type = "public.mood".into();
        assert_eq!(fdw_hashes(&t), None, "keyless with a pulled column");
    }
}
