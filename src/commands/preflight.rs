//! What `sync` and `diff` check before anything is written, so a run never exits 0 having
//! synced nothing or the wrong thing: every `--schema` exists on main, every `--include`
//! pattern matches a main table, every selected main table exists on the standin when no
//! schema phase will create it, and `--last-sync-time` is not later than main's clock (rows
//! changed before it would be skipped, and the watermark recorded after them, for good).
//! Main and standin being one database is refused before these ([`crate::conn::identity`]).

use crate::cli::SyncArgs;
use crate::conn::{Endpoint, Side};
use crate::data::error::DataError;
use crate::data::tables::{load_tables, TableMeta};
use crate::data::watermark::STATE_SCHEMA;
use crate::data::{session, TableFilter};

#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("main has no schema {}: nothing was done (check --schema, or use --all-schemas)", .0.join(", "))]
    MissingSchemas(Vec<String>),
    #[error(
        "--include {} matched no table on main in {schemas}: nothing was done (patterns are \
         schema.table or table, `*` matches any run of characters, names are case-sensitive)",
        .patterns.join(", ")
    )]
    UnmatchedIncludes {
        patterns: Vec<String>,
        schemas: String,
    },
    #[error(
        "--include and --exclude leave no table of main in {schemas} to sync: nothing was done"
    )]
    NothingSelected { schemas: String },
    #[error(
        "the standin lacks {count} table(s) main has: {}; with {why} nothing creates them, so \
         their rows would not be synced. Nothing was done: run with --sync-schema (the default) \
         to create them, or leave them out with --exclude",
        .tables.join(", ")
    )]
    MissingInStandin {
        count: usize,
        tables: Vec<String>,
        why: &'static str,
    },
    #[error(
        "--last-sync-time {given} is later than main's clock ({main_now}): every row changed \
         before it would be skipped, and the next run would start after them. Nothing was done: \
         give a time in main's past"
    )]
    FutureSyncTime { given: String, main_now: String },
}

/// `schema_phase_creates`: whether a schema phase creates (or, with `--dry-run`, plans) the
/// tables the standin lacks: `sync` without `--sync-schema=false`, not `diff`.
pub async fn check(
    main: &Endpoint,
    standin: &Endpoint,
    args: &SyncArgs,
    schema_phase_creates: bool,
) -> Result<(), PreflightError> {
    let m = session::open(main).await?;
    let schemas = (!args.schema.all_schemas).then_some(args.schema.schemas.as_slice());
    let scope = match schemas {
        Some(list) => format!("schema(s) {}", list.join(", ")),
        None => "any schema".to_string(),
    };
    if let Some(list) = schemas {
        let missing = missing_schemas(&m, list).await?;
        if !missing.is_empty() {
            return Err(PreflightError::MissingSchemas(missing));
        }
    }
    if let (true, Some(given)) = (args.use_updated_at, args.last_sync_time) {
        future_sync_time(&m, given).await?;
    }
    let filter = TableFilter::new(&args.include, &args.exclude);
    let main_tables: Vec<TableMeta> = load_tables(&m, schemas)
        .await?
        .into_iter()
        .filter(|t| t.schema != STATE_SCHEMA)
        .collect();
    let names = || {
        main_tables
            .iter()
            .map(|t| (t.schema.as_str(), t.name.as_str()))
    };
    let unmatched = filter.unmatched_includes(names());
    if !unmatched.is_empty() {
        return Err(PreflightError::UnmatchedIncludes {
            patterns: unmatched,
            schemas: scope,
        });
    }
    let selected: Vec<&TableMeta> = main_tables
        .iter()
        .filter(|t| filter.selects(&t.schema, &t.name))
        .collect();
    if selected.is_empty() && !(args.include.is_empty() && args.exclude.is_empty()) {
        return Err(PreflightError::NothingSelected { schemas: scope });
    }
    if args.sync_data && !schema_phase_creates {
        let s = session::open(standin).await?;
        let standin_tables = load_tables(&s, schemas).await?;
        let tables: Vec<String> = selected
            .iter()
            .filter(|m| {
                !standin_tables
                    .iter()
                    .any(|s| s.schema == m.schema && s.name == m.name)
            })
            .map(|m| m.qualified_name())
            .collect();
        if !tables.is_empty() {
            return Err(PreflightError::MissingInStandin {
                count: tables.len(),
                tables,
                why: if args.sync_schema {
                    "diff (it compares rows only)"
                } else {
                    "--sync-schema=false"
                },
            });
        }
    }
    Ok(())
}

async fn missing_schemas(
    main: &crate::conn::Session,
    schemas: &[String],
) -> Result<Vec<String>, DataError> {
    let sql = "SELECT s FROM unnest($1::text[]) s WHERE NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = s)";
    let rows = main
        .query(sql, &[&schemas])
        .await
        .map_err(|source| DataError::Query {
            side: Side::Main,
            what: "looking up the --schema names".to_string(),
            source,
        })?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// `--last-sync-time` must not be later than main's clock.
async fn future_sync_time(
    main: &crate::conn::Session,
    given: time::OffsetDateTime,
) -> Result<(), PreflightError> {
    let text = given
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let row = main
        .query_one(
            "SELECT $1::text::timestamptz > clock_timestamp(), clock_timestamp()::text",
            &[&text],
        )
        .await
        .map_err(|source| DataError::Query {
            side: Side::Main,
            what: "comparing --last-sync-time with main's clock".to_string(),
            source,
        })?;
    if row.get::<_, bool>(0) {
        return Err(PreflightError::FutureSyncTime {
            given: text,
            main_now: row.get(1),
        });
    }
    Ok(())
}
