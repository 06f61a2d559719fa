//! Server-side merge of a row source into a standin table, shared by `--use-updated-at`
//! (source: a temporary stage filled by COPY) and `--fdw-mode` (source: a foreign table).
//! Pure SQL text, snapshot-tested.
//!
//! Rows whose text equals the standin's are left alone (`ROW(…)::text IS DISTINCT FROM`,
//! a text comparison, faithful like the fingerprints of the default mode), so re-reading a row costs no write,
//! no trigger and no dead tuple. Inserted and updated rows are counted in the same statement
//! (see [`counted`]: `xmax = 0` marks a fresh insert; a partitioned table's keys are looked up).

use crate::conn::Side;
use crate::data::alias::{self, Aliases};
use crate::data::sql::TableSql;
use crate::data::tables::{Column, TablePair};
use crate::quote::ident;

/// How to apply a source to a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Merge {
    /// One statement returning one row `(inserted, updated)`.
    Upsert(String),
    /// The standin's unique index is deferrable (no `ON CONFLICT` arbiter): an UPDATE (rows
    /// affected = updated), then an INSERT of the missing keys (rows affected = inserted).
    UpdateThenInsert {
        update: Option<String>,
        insert: String,
    },
    /// No updatable column and no arbiter-free path needed: insert missing keys only.
    InsertMissing(String),
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

fn prefixed(prefix: &str, columns: &[&Column]) -> String {
    format!(
        "ROW({})::text",
        list(
            columns
                .iter()
                .map(|c| format!("{prefix}.{}", ident(&c.name)))
        )
    )
}

/// Columns an update sets and compares: the non-key columns and the key columns whose
/// equality is not their text's ([`TablePair::updated_columns`]), so `'abc'` matched by
/// main's `'ABC'` is rewritten, and compared by text like the rest.
pub fn updatable(table: &TablePair) -> Vec<&Column> {
    table.updated_columns()
}

fn key_join(table: &TablePair, left: &str, right: &str) -> String {
    table
        .key_columns()
        .iter()
        .map(|c| format!("{left}.{0} = {right}.{0}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn overriding(table: &TablePair) -> &'static str {
    if table.has_identity_always() {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    }
}

/// `insert` (an `INSERT … ON CONFLICT` into `table` aliased [`alias::TARGET`]) as one
/// statement returning `(inserted, updated)`. A plain table tells a fresh insert by
/// `xmax = 0`. A partitioned table cannot return a system column, so the keys written are
/// looked up in the table as the statement's snapshot shows it, before its own writes: a key
/// found there was updated. That is one index probe per row written (none per row only
/// read), and only for partitioned tables.
fn counted(table: &TablePair, names: &Aliases, insert: &str) -> String {
    let [t, w, ins, old] =
        [alias::TARGET, alias::WRITTEN, alias::INSERTED, alias::OLD].map(|a| names.get(a));
    let key = table.key_columns();
    match key.first() {
        Some(first) if table.standin_kind == "p" => {
            let first = ident(&first.name);
            format!(
                "WITH {w} AS ({insert} RETURNING {}) \
                 SELECT count(*) FILTER (WHERE {old}.{first} IS NULL)::int8, count({old}.{first})::int8 FROM {w} LEFT JOIN {} AS {old} ON {}",
                list(key.iter().map(|c| format!("{t}.{}", ident(&c.name)))),
                TableSql::new(table, Side::Standin).relation(),
                key_join(table, &old, &w)
            )
        }
        _ => format!(
            "WITH {w} AS ({insert} RETURNING ({t}.xmax = 0) AS {ins}) \
             SELECT count(*) FILTER (WHERE {ins})::int8, count(*) FILTER (WHERE NOT {ins})::int8 FROM {w}"
        ),
    }
}

/// Merge `source` (a FROM item: `"stage"` or `"schema"."foreign"`) into a keyed table, reading
/// only its rows matching `filter` (an SQL condition on the source's columns) when given.
pub fn merge(table: &TablePair, source: &str, filter: Option<&str>) -> Merge {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let (t, s) = (names.get(alias::TARGET), names.get(alias::SOURCE));
    let cols = sql.column_list();
    let target = sql.qualified();
    let updatable = updatable(table);
    let arbiter = table.key.as_ref().map(|k| k.arbiter).unwrap_or(false);
    if arbiter {
        let where_ = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
        let key = list(table.key_columns().iter().map(|c| ident(&c.name)));
        let action = if updatable.is_empty() {
            "DO NOTHING".to_string()
        } else {
            format!(
                "DO UPDATE SET {} WHERE {} IS DISTINCT FROM {}",
                list(
                    updatable
                        .iter()
                        .map(|c| format!("{0} = EXCLUDED.{0}", ident(&c.name)))
                ),
                prefixed(&t, &updatable),
                prefixed("EXCLUDED", &updatable)
            )
        };
        let insert = format!(
            "INSERT INTO {target} AS {t} ({cols}){} SELECT {cols} FROM {source} AS {s}{where_} ON CONFLICT ({key}) {action}",
            overriding(table)
        );
        return Merge::Upsert(counted(table, &names, &insert));
    }
    // The filter names the source's columns, which the table has too: applied in a subquery
    // of the source alone (under the source's alias, which a filter may qualify them with),
    // where they are not ambiguous.
    let source = match filter {
        Some(f) => format!("(SELECT * FROM {source} AS {s} WHERE {f})"),
        None => source.to_string(),
    };
    let insert = format!(
        "INSERT INTO {target} ({cols}){} SELECT {cols} FROM {source} AS {s} WHERE NOT EXISTS (SELECT 1 FROM {} AS {t} WHERE {})",
        overriding(table),
        sql.relation(),
        key_join(table, &t, &s)
    );
    if updatable.is_empty() {
        return Merge::InsertMissing(insert);
    }
    let update = format!(
        "UPDATE {} AS {t} SET {} FROM {source} AS {s} WHERE {} AND {} IS DISTINCT FROM {}",
        sql.relation(),
        list(
            updatable
                .iter()
                .map(|c| format!("{0} = {s}.{0}", ident(&c.name)))
        ),
        key_join(table, &t, &s),
        prefixed(&t, &updatable),
        prefixed(&s, &updatable)
    );
    Merge::UpdateThenInsert {
        update: Some(update),
        insert,
    }
}

/// Run a [`Merge`] on the standin; returns `(inserted, updated)`.
pub async fn apply(
    standin: &crate::conn::Session,
    merge: &Merge,
) -> Result<(u64, u64), crate::data::DataError> {
    use crate::data::error::QueryContext;
    match merge {
        Merge::Upsert(sql) => {
            let row = standin
                .query_one(sql, &[])
                .await
                .ctx(Side::Standin, || crate::data::write::copy::brief(sql))?;
            Ok((
                row.get::<_, i64>(0).max(0) as u64,
                row.get::<_, i64>(1).max(0) as u64,
            ))
        }
        Merge::UpdateThenInsert { update, insert } => {
            let mut updated = 0;
            if let Some(update) = update {
                updated = standin
                    .execute(update, &[])
                    .await
                    .ctx(Side::Standin, || crate::data::write::copy::brief(update))?;
            }
            let inserted = standin
                .execute(insert, &[])
                .await
                .ctx(Side::Standin, || crate::data::write::copy::brief(insert))?;
            Ok((inserted, updated))
        }
        Merge::InsertMissing(insert) => {
            let inserted = standin
                .execute(insert, &[])
                .await
                .ctx(Side::Standin, || crate::data::write::copy::brief(insert))?;
            Ok((inserted, 0))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::tables::Key;

    pub(crate) fn table(arbiter: bool) -> TablePair {
        let col = |name: &str, ty: &str, always: bool| Column {
            name: name.into(),
            main_type: ty.into(),
            standin_type: ty.into(),
            collatable: ty == "text",
            identity_always: always,
            exact: !ty.starts_with("numeric"),
        };
        TablePair {
            schema: "public".into(),
            name: "Orders".into(),
            main_kind: "r".into(),
            standin_kind: "r".into(),
            columns: vec![
                col("id", "bigint", false),
                col("note", "text", false),
                col("seq", "integer", true),
                col("updated_at", "timestamp with time zone", false),
            ],
            key: Some(Key {
                name: "orders_pkey".into(),
                primary: true,
                columns: vec![0],
                arbiter,
            }),
            binary: true,
            estimated_rows: 10.0,
            parents: vec![],
            standin_user_triggers: 0,
        }
    }

    fn text(m: &Merge) -> String {
        match m {
            Merge::Upsert(s) | Merge::InsertMissing(s) => s.clone(),
            Merge::UpdateThenInsert { update, insert } => {
                format!("{};\n{insert}", update.clone().unwrap_or_default())
            }
        }
    }

    #[test]
    fn merge_statements() {
        let t = table(true);
        let up = merge(&t, "\"pgsyncer_fdw_0\".\"Orders\"", Some("TRUE"));
        let deferrable = merge(&table(false), "pgsyncer_stage_1", None);
        let partitioned = merge(
            &TablePair {
                standin_kind: "p".into(),
                ..table(true)
            },
            "pgsyncer_stage_1",
            None,
        );
        for m in [&up, &deferrable, &partitioned] {
            for statement in text(m).split(";\n") {
                pg_query::parse(statement, 0).unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
        }
        insta::assert_snapshot!(format!(
            "{}\n\n{}\n\n{}",
            text(&up),
            text(&deferrable),
            text(&partitioned)
        ));
    }
}
