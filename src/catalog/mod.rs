//! Catalog introspection: run the queries in `sql/`, build a [`crate::model::Schema`].
//!
//! A fixed number of queries per database (one per object kind), never one per object.

mod load;
pub mod queries;
mod snapshot;

pub use snapshot::{load_snapshot, save_snapshot};

use std::path::PathBuf;

use crate::conn::Session;
use crate::model::Schema;
use load::{OidMap, Rows};
use queries::Query;

/// What went wrong reading a catalog or a snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A catalog query failed.
    #[error("{side}: catalog query {query} failed: {}", crate::report::pg_reason(.source))]
    Query {
        side: crate::conn::Side,
        query: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A catalog row did not hold what the loader expected (a bug or an unknown version).
    #[error("{side}: catalog query {query}: unexpected row: {reason}")]
    Row {
        side: crate::conn::Side,
        query: &'static str,
        reason: String,
    },
    /// Opening or closing the introspection transaction failed.
    #[error("{side}: cannot {what}: {}", crate::report::pg_reason(.source))]
    Transaction {
        side: crate::conn::Side,
        what: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// Reading or writing a snapshot file failed.
    #[error("snapshot {path}: {source}")]
    SnapshotIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A snapshot file is not a valid model.
    #[error("snapshot {path}: not a pgsyncer schema snapshot: {source}")]
    SnapshotFormat {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// Which schemas to introspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFilter {
    /// These schemas (by exact name).
    Only(Vec<String>),
    /// Every schema but the system ones (`pg_catalog`, `information_schema`, `pg_toast*`,
    /// `pg_temp*`) and those an extension created.
    All,
}

impl SchemaFilter {
    /// From the command line's `--schema` / `--all-schemas`.
    pub fn from_args(args: &crate::cli::SchemaArgs) -> SchemaFilter {
        if args.all_schemas {
            SchemaFilter::All
        } else {
            SchemaFilter::Only(args.schemas.clone())
        }
    }
}

/// Read the schema of the selected schemas from `session`'s database.
///
/// Runs in its own `REPEATABLE READ READ ONLY` transaction (one consistent picture, and
/// allowed on main) with `search_path = ''` set locally, so every name the server's
/// deparsers print is schema-qualified and the text does not depend on the caller's
/// search path. The session must not be inside a transaction already. One query for the
/// schemas, then one per object kind, sent together (pipelined on the one connection).
pub async fn introspect(session: &Session, filter: &SchemaFilter) -> Result<Schema, CatalogError> {
    let side = session.side;
    session
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL search_path = ''; SET LOCAL statement_timeout = 0;",
        )
        .await
        .map_err(|source| CatalogError::Transaction {
            side,
            what: "begin the catalog transaction",
            source,
        })?;
    let result = read_all(session, filter).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let closed = session
        .batch_execute(end)
        .await
        .map_err(|source| CatalogError::Transaction {
            side,
            what: "end the catalog transaction",
            source,
        });
    let mut schema = result?;
    closed?;
    schema.server_version_num = session.server_version_num;
    Ok(schema)
}

async fn run(
    session: &Session,
    query: Query,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Rows, CatalogError> {
    let rows = session
        .query(query.sql, params)
        .await
        .map_err(|source| CatalogError::Query {
            side: session.side,
            query: query.name,
            source,
        })?;
    Ok(Rows {
        query,
        side: session.side,
        rows,
    })
}

async fn read_all(session: &Session, filter: &SchemaFilter) -> Result<Schema, CatalogError> {
    let (all, names) = match filter {
        SchemaFilter::All => (true, Vec::new()),
        SchemaFilter::Only(names) => (false, names.clone()),
    };
    let mut schema = Schema::default();
    let mut oids = OidMap::default();
    let ns_rows = run(session, queries::NAMESPACES, &[&all, &names]).await?;
    let ns: Vec<u32> = load::namespaces(&ns_rows, &mut schema, &mut oids)?;
    for name in &names {
        if !schema.namespaces.contains_key(name) {
            tracing::warn!(
                "{}: schema {} does not exist",
                session.side,
                crate::quote::ident(name)
            );
        }
    }
    let p: &[&(dyn tokio_postgres::types::ToSql + Sync)] = &[&ns];
    use queries::*;
    let (ext, coll, en, dom, comp, rng, seq, tab, col, con) = tokio::try_join!(
        run(session, EXTENSIONS, p),
        run(session, COLLATIONS, p),
        run(session, ENUMS, p),
        run(session, DOMAINS, p),
        run(session, COMPOSITES, p),
        run(session, RANGES, p),
        run(session, SEQUENCES, p),
        run(session, TABLES, p),
        run(session, COLUMNS, p),
        run(session, CONSTRAINTS, p),
    )?;
    let (idx, view, mat, func, trig, pol, comm, dep, unm) = tokio::try_join!(
        run(session, INDEXES, p),
        run(session, VIEWS, p),
        run(session, MATVIEWS, p),
        run(session, FUNCTIONS, p),
        run(session, TRIGGERS, p),
        run(session, POLICIES, p),
        run(session, COMMENTS, &[]),
        run(session, DEPEND, &[]),
        run(session, UNMODELLED, p),
    )?;
    load::extensions(&ext, &mut schema, &mut oids)?;
    load::collations(&coll, &mut schema, &mut oids)?;
    load::enums(&en, &mut schema, &mut oids)?;
    load::domains(&dom, &mut schema, &mut oids)?;
    load::composites(&comp, &mut schema, &mut oids)?;
    load::ranges(&rng, &mut schema, &mut oids)?;
    load::sequences(&seq, &mut schema, &mut oids)?;
    let tables = load::tables(&tab, &mut schema, &mut oids)?;
    load::columns(&col, &mut schema, &tables)?;
    load::constraints(&con, &mut schema, &mut oids)?;
    load::indexes(&idx, &mut schema, &mut oids)?;
    load::views(&view, &mut schema, &mut oids)?;
    load::matviews(&mat, &mut schema, &mut oids)?;
    load::functions(&func, &mut schema, &mut oids)?;
    load::triggers(&trig, &mut schema, &mut oids)?;
    load::policies(&pol, &mut schema, &mut oids)?;
    load::comments(&comm, &mut schema, &oids)?;
    load::dependencies(&dep, &mut schema, &oids)?;
    load::unmodelled(&unm, &mut schema)?;
    Ok(schema)
}
