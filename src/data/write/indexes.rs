//! Indexes built after the data: before a straight COPY into an empty standin table, its
//! indexes (and the primary key / unique constraints they back) are dropped and recreated
//! after the load, inside the same transaction, as pg_dump and pgcopydb do: one sorted build
//! per index instead of one insertion per row. Indexes something else depends on are left
//! alone: constraints referenced by foreign keys, the replica-identity index, indexes with a
//! comment, and every index of a partitioned table.

use crate::conn::{Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::quote::{ident, qualified};

/// Tables smaller than this (main's estimate) are loaded with their indexes in place.
pub const MIN_ROWS: f64 = 50_000.0;

const INDEXES_SQL: &str = "
SELECT ic.relname::text AS index_name,
       pg_get_indexdef(i.indexrelid) AS index_def,
       con.conname::text AS constraint_name,
       CASE WHEN con.oid IS NOT NULL THEN pg_get_constraintdef(con.oid) END AS constraint_def
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid = $1::text::regclass
  AND t.relkind = 'r'
  AND NOT i.indisreplident
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = i.indexrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_description d WHERE d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid)
ORDER BY con.contype NULLS LAST, ic.relname";

/// Statements that rebuild what [`drop_for_load`] dropped.
#[derive(Debug, Default)]
pub struct Rebuild {
    statements: Vec<String>,
}

/// Drop the standin table's rebuildable indexes; returns how to rebuild them.
pub async fn drop_for_load(
    standin: &Session,
    schema: &str,
    table: &str,
) -> Result<Rebuild, DataError> {
    let name = qualified(schema, table);
    let rows = standin
        .query(INDEXES_SQL, &[&name])
        .await
        .ctx(Side::Standin, || format!("reading the indexes of {name}"))?;
    let mut drops = Vec::new();
    let mut rebuild = Rebuild::default();
    for row in rows {
        let index_def: String = row.get(1);
        let constraint: Option<String> = row.get(2);
        let constraint_def: Option<String> = row.get(3);
        match (constraint, constraint_def) {
            (Some(c), Some(def)) => {
                drops.push(format!("ALTER TABLE {name} DROP CONSTRAINT {}", ident(&c)));
                rebuild.statements.push(format!(
                    "ALTER TABLE {name} ADD CONSTRAINT {} {def}",
                    ident(&c)
                ));
            }
            _ => {
                let index: String = row.get(0);
                drops.push(format!("DROP INDEX {}", qualified(schema, &index)));
                rebuild.statements.push(index_def);
            }
        }
    }
    if !drops.is_empty() {
        let sql = drops.join("; ");
        standin
            .batch_execute(&sql)
            .await
            .ctx(Side::Standin, || sql.clone())?;
    }
    Ok(rebuild)
}

impl Rebuild {
    pub async fn run(self, standin: &Session) -> Result<(), DataError> {
        for sql in self.statements {
            standin
                .batch_execute(&sql)
                .await
                .ctx(Side::Standin, || sql.clone())?;
        }
        Ok(())
    }
}
