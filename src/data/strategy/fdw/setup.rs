//! `--fdw-mode` on the standin before and after the tables: the extension, the server
//! `pgsyncer_main`, the user mapping (main's password sent as COPY data, put in place by a
//! `DO` block: [`user_mapping_block`]), `IMPORT FOREIGN SCHEMA` into staging schemas
//! ([`setup`]); their removal after the run ([`cleanup`]), after SIGINT/SIGTERM
//! ([`remove_after_stop`]) and a dead run's leftovers ([`clean_leftovers_if_idle`], told
//! from a live run's by a session advisory lock); clear setup errors ([`FdwError`]).

use std::collections::BTreeMap;

use crate::conn::{live, Endpoint, Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::tables::TablePair;
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
pub(super) fn login_table_sql() -> (String, String) {
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
            format!(
                "foreign server {} and its user mapping (main's password)",
                ident(SERVER)
            ),
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
            .ctx(Side::Standin, || {
                "waiting for the run's sessions to end".to_string()
            })?
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
