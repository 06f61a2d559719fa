//! Catalog introspection: run the queries in `sql/`, build a [`crate::model::Schema`].
//!
//! A fixed number of queries per database (one or two per object kind: `Kind::queries`),
//! never one per object; each kind loads its rows into the model (`Kind::load`).

mod load;
pub mod queries;
mod rows;
mod snapshot;

pub use queries::Query;
pub(crate) use rows::{OidMap, Rows};
pub use snapshot::{load_snapshot, save_snapshot};

use std::path::PathBuf;

use crate::conn::Session;
use crate::model::Schema;

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
    /// A kind read other rows than it asked for (a bug in pgsyncer).
    #[error("internal error: {0}")]
    Internal(String),
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

/// A kind's rows as the `N` queries it listed: [`crate::kinds::Kind::load`] is given
/// exactly those, so a mismatch is a bug in the kind.
pub(crate) fn rows_of<const N: usize>(rows: &[Rows]) -> Result<&[Rows; N], CatalogError> {
    rows.try_into().map_err(|_| {
        CatalogError::Internal(format!(
            "a kind's loader expected {N} query results, got {}",
            rows.len()
        ))
    })
}

/// The rows of every query, or the error of the first that failed on its own: after one
/// query fails, the ones pipelined behind it fail only because the transaction is aborted,
/// which would hide the cause.
fn first_error(results: Vec<Result<Rows, CatalogError>>) -> Result<Vec<Rows>, CatalogError> {
    let aborted = |e: &CatalogError| {
        matches!(e, CatalogError::Query { source, .. }
            if source.code() == Some(&tokio_postgres::error::SqlState::IN_FAILED_SQL_TRANSACTION))
    };
    let mut errors: Vec<CatalogError> = Vec::new();
    let mut rows = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    match errors.iter().position(|e| !aborted(e)) {
        Some(i) => Err(errors.swap_remove(i)),
        None => match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(rows),
        },
    }
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
    // Every kind's queries and the shared ones, sent together (pipelined on the one
    // connection), then loaded in the kinds' order.
    type Params<'a> = &'a [&'a (dyn tokio_postgres::types::ToSql + Sync)];
    let per_kind: Vec<&[Query]> = crate::kinds::ALL.iter().map(|k| k.queries()).collect();
    let shared: [(Query, Params); 6] = [
        (queries::COMMENTS, p),
        (queries::DEPEND, &[]),
        (queries::UNMODELLED, p),
        (queries::ACCESS, p),
        (queries::DEFAULT_ACL, p),
        (queries::ROLES, &[]),
    ];
    let sent = per_kind
        .iter()
        .flat_map(|qs| qs.iter().map(|q| (*q, p)))
        .chain(shared)
        .map(|(q, params)| run(session, q, params));
    let mut kind_rows = first_error(futures_util::future::join_all(sent).await)?;
    let shared_rows = kind_rows.split_off(kind_rows.len().saturating_sub(shared.len()));
    let Ok([comments, depend, unmodelled, access, default_acl, roles]) =
        <[Rows; 6]>::try_from(shared_rows)
    else {
        return Err(CatalogError::Internal(
            "fewer query results than queries".into(),
        ));
    };
    let mut rest = kind_rows.as_slice();
    for (kind, qs) in crate::kinds::ALL.iter().zip(&per_kind) {
        let Some((rows, after)) = rest.split_at_checked(qs.len()) else {
            return Err(CatalogError::Internal(
                "fewer query results than queries".into(),
            ));
        };
        kind.load(rows, &mut schema, &mut oids)?;
        rest = after;
    }
    load::comments(&comments, &mut schema, &oids)?;
    load::dependencies(&depend, &mut schema, &oids)?;
    load::unmodelled(&unmodelled, &mut schema)?;
    load::access(&access, &mut schema, &oids)?;
    load::default_privileges(&default_acl, &mut schema)?;
    load::roles(&roles, &mut schema)?;
    Ok(schema)
}
