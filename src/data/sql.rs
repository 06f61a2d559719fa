//! SQL text of the data sync, built from a [`TablePair`] for one side. Pure: no I/O, so
//! every statement shape is snapshot-tested. Names only through [`crate::quote`].
//!
//! Rows are compared through their fingerprints ([`crate::data::compare::fingerprint`]).

use crate::conn::Side;
use crate::data::alias::{self, Aliases};
use crate::data::compare::buckets::Buckets;
use crate::data::tables::{Column, TablePair};
use crate::quote::{ident, literal, qualified};

pub struct TableSql<'a> {
    pub table: &'a TablePair,
    pub side: Side,
}

impl<'a> TableSql<'a> {
    pub fn new(table: &'a TablePair, side: Side) -> Self {
        TableSql { table, side }
    }

    fn kind(&self) -> &str {
        match self.side {
            Side::Standin => &self.table.standin_kind,
            _ => &self.table.main_kind,
        }
    }

    pub fn qualified(&self) -> String {
        qualified(&self.table.schema, &self.table.name)
    }

    /// The table in a FROM clause: `ONLY` so inheritance children are not read as ours;
    /// a partitioned table is read through its partitions.
    pub fn relation(&self) -> String {
        if self.kind() == "p" {
            self.qualified()
        } else {
            format!("ONLY {}", self.qualified())
        }
    }

    /// Internal names that no column of this table has ([`crate::data::alias`]).
    pub fn aliases(&self) -> Aliases {
        Aliases::of(self.table)
    }

    pub fn column_list(&self) -> String {
        list(self.table.columns.iter().map(|c| ident(&c.name)))
    }

    /// The row's fingerprint ([`crate::data::compare::fingerprint`]).
    pub fn row_hash(&self) -> String {
        crate::data::compare::fingerprint::row_hash(self.table, self.side)
    }

    fn key_columns(&self) -> Vec<&'a Column> {
        self.table.key_columns()
    }

    fn copy_format(binary: bool) -> &'static str {
        if binary {
            " (FORMAT binary)"
        } else {
            ""
        }
    }

    /// Every row, for a straight copy into an empty table.
    pub fn copy_out_all(&self) -> String {
        let binary = Self::copy_format(self.table.binary);
        if self.kind() == "p" {
            format!(
                "COPY (SELECT {} FROM {}) TO STDOUT{binary}",
                self.column_list(),
                self.qualified()
            )
        } else {
            format!(
                "COPY {} ({}) TO STDOUT{binary}",
                self.qualified(),
                self.column_list()
            )
        }
    }

    /// The rows with the given keys (text, one inner vector per key).
    pub fn copy_out_keys(&self, keys: &[Vec<String>]) -> String {
        let cols = self.key_columns();
        let arrays: Vec<String> = (0..cols.len())
            .map(|i| text_array_literal(keys.iter().map(|k| k[i].as_str())))
            .collect();
        let names = self.aliases();
        let u = names.get(alias::UNNESTED);
        let aliases: Vec<String> = (0..cols.len()).map(|i| names.key_part(i)).collect();
        let casts = list(
            cols.iter()
                .zip(&aliases)
                .map(|(c, a)| format!("{u}.{a}::{}", c.type_on(self.side))),
        );
        let plain_key = tuple(cols.iter().map(|c| ident(&c.name)).collect());
        format!(
            "COPY (SELECT {} FROM {} WHERE {plain_key} IN (SELECT {casts} FROM unnest({}) AS {u}({}))) TO STDOUT{}",
            self.column_list(),
            self.relation(),
            arrays.join(", "),
            aliases.join(", "),
            Self::copy_format(self.table.binary)
        )
    }

    /// COPY into `target` (the table itself or a stage table) from pgsyncer.
    pub fn copy_in(&self, target: &str) -> String {
        format!(
            "COPY {target} ({}) FROM STDIN{}",
            self.column_list(),
            Self::copy_format(self.table.binary)
        )
    }

    /// A temporary table shaped like the written columns (standin), dropped at commit.
    pub fn create_stage(&self, name: &str) -> String {
        format!(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA",
            ident(name),
            self.column_list(),
            self.relation()
        )
    }

    /// A temporary table of key values (standin), dropped at commit.
    pub fn create_key_table(&self, name: &str) -> String {
        format!(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA",
            ident(name),
            list(self.key_columns().iter().map(|c| ident(&c.name))),
            self.relation()
        )
    }

    /// Insert keys given as one `text[]` parameter per key column.
    pub fn insert_keys(&self, name: &str) -> String {
        let cols = self.key_columns();
        let params = list((1..=cols.len()).map(|i| format!("${i}::text[]")));
        let names = self.aliases();
        let u = names.get(alias::UNNESTED);
        let aliases: Vec<String> = (0..cols.len()).map(|i| names.key_part(i)).collect();
        let casts = list(
            cols.iter()
                .zip(&aliases)
                .map(|(c, a)| format!("{u}.{a}::{}", c.type_on(self.side))),
        );
        format!(
            "INSERT INTO {} SELECT {casts} FROM unnest({params}) AS {u}({})",
            ident(name),
            aliases.join(", ")
        )
    }

    fn key_join(&self, left: &str, right: &str) -> String {
        self.key_columns()
            .iter()
            .map(|c| format!("{left}.{0} = {right}.{0}", ident(&c.name)))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn overriding(&self) -> &'static str {
        if self.table.has_identity_always() {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        }
    }

    /// Apply a stage table: statements to run in order (standin). A row matched by the
    /// key's equality takes main's key too where that equality is not the text's
    /// ([`TablePair::updated_columns`]).
    pub fn upsert(&self, stage: &str) -> Vec<String> {
        let stage = ident(stage);
        let cols = self.column_list();
        let updatable = self.table.updated_columns();
        let names = self.aliases();
        let (t, s) = (names.get(alias::TARGET), names.get(alias::SOURCE));
        let arbiter = self.table.key.as_ref().map(|k| k.arbiter).unwrap_or(false);
        if arbiter {
            let key = list(self.key_columns().iter().map(|c| ident(&c.name)));
            let action = if updatable.is_empty() {
                "DO NOTHING".to_string()
            } else {
                format!(
                    "DO UPDATE SET {}",
                    list(
                        updatable
                            .iter()
                            .map(|c| format!("{0} = EXCLUDED.{0}", ident(&c.name)))
                    )
                )
            };
            return vec![format!(
                "INSERT INTO {} AS {t} ({cols}){} SELECT {cols} FROM {stage} ON CONFLICT ({key}) {action}",
                self.qualified(),
                self.overriding()
            )];
        }
        // The standin's unique index is deferrable (no ON CONFLICT arbiter): update, then insert.
        let mut out = Vec::new();
        if !updatable.is_empty() {
            out.push(format!(
                "UPDATE {} AS {t} SET {} FROM {stage} AS {s} WHERE {}",
                self.relation(),
                list(
                    updatable
                        .iter()
                        .map(|c| format!("{0} = {s}.{0}", ident(&c.name)))
                ),
                self.key_join(&t, &s)
            ));
        }
        out.push(format!(
            "INSERT INTO {} ({cols}){} SELECT {cols} FROM {stage} AS {s} WHERE NOT EXISTS (SELECT 1 FROM {} AS {t} WHERE {})",
            self.qualified(),
            self.overriding(),
            self.relation(),
            self.key_join(&t, &s)
        ));
        out
    }

    /// Delete the rows whose keys are in `keys`, matched by text ([`same_key_text`]): the
    /// standin's `'abc'` must not take main's `'ABC'`, just written over it, along.
    pub fn delete_keys(&self, keys: &str) -> String {
        let names = self.aliases();
        let (t, d) = (names.get(alias::TARGET), names.get(alias::DELETED));
        format!(
            "DELETE FROM {} AS {t} USING {} AS {d} WHERE {}",
            self.relation(),
            ident(keys),
            same_key_text(self.table, &t, &d)
        )
    }

    /// Keyless tables: every row's fingerprint, for [`crate::data::compare::buckets::Checksums::stream`].
    pub fn fingerprints(&self) -> String {
        Buckets::stream_sql(&self.relation(), &self.row_hash(), None)
    }

    /// Keyless tables: `(fingerprint, copies)` in fingerprint order, for the rows in the
    /// `differing` buckets.
    pub fn hash_counts(&self, buckets: Buckets, differing: &[usize]) -> String {
        let names = self.aliases();
        let (h, s) = (names.get(alias::ROW_HASH), names.get(alias::ROWS));
        format!(
            "SELECT {s}.{h}, count(*)::int8 FROM (SELECT {} AS {h} FROM {}) AS {s} WHERE {} GROUP BY 1 ORDER BY 1",
            self.row_hash(),
            self.relation(),
            buckets.filter(&format!("{s}.{h}"), differing)
        )
    }

    /// Keyless tables: `wanted[i]` copies of the rows hashing to `hashes[i]` (main).
    pub fn copy_out_hashes(&self, hashes: &[i64], wanted: &[i64]) -> String {
        let cols = self.column_list();
        let names = self.aliases();
        let [h, rn, x, y, u, uh, un] = [
            alias::ROW_HASH,
            alias::COPY_NUMBER,
            alias::NUMBERED,
            alias::HASHED,
            alias::UNNESTED,
            alias::HASH,
            alias::COPIES,
        ]
        .map(|a| names.get(a));
        let qualified_cols = |r: &str| {
            list(
                self.table
                    .columns
                    .iter()
                    .map(|c| format!("{r}.{}", ident(&c.name))),
            )
        };
        let (x_cols, y_cols) = (qualified_cols(&x), qualified_cols(&y));
        format!(
            "COPY (SELECT {x_cols} FROM (SELECT {y_cols}, {y}.{h}, row_number() OVER (PARTITION BY {y}.{h}) AS {rn} FROM (SELECT {cols}, {} AS {h} FROM {}) AS {y} WHERE {y}.{h} = ANY ({})) AS {x} JOIN unnest({}, {}) AS {u}({uh}, {un}) ON {u}.{uh} = {x}.{h} WHERE {x}.{rn} <= {u}.{un}) TO STDOUT{}",
            self.row_hash(),
            self.relation(),
            int8_array_literal(hashes),
            int8_array_literal(hashes),
            int8_array_literal(wanted),
            Self::copy_format(self.table.binary)
        )
    }

    /// Keyless tables: delete `n` copies of the rows hashing to `h` for each `(h, n)` in `surplus`.
    pub fn delete_hashes(&self, surplus: &str) -> String {
        let s = ident(surplus);
        let names = self.aliases();
        let [h, rn, x, y, d, dh, dn] = [
            alias::ROW_HASH,
            alias::COPY_NUMBER,
            alias::NUMBERED,
            alias::HASHED,
            alias::SURPLUS,
            alias::HASH,
            alias::COPIES,
        ]
        .map(|a| names.get(a));
        format!(
            "DELETE FROM {rel} WHERE (tableoid, ctid) IN (SELECT {x}.tableoid, {x}.ctid FROM (SELECT {y}.tableoid, {y}.ctid, {y}.{h}, row_number() OVER (PARTITION BY {y}.{h}) AS {rn} FROM (SELECT tableoid, ctid, {hash} AS {h} FROM {rel}) AS {y} WHERE {y}.{h} IN (SELECT {d}.{dh} FROM {s} AS {d})) AS {x} JOIN {s} AS {d} ON {d}.{dh} = {x}.{h} WHERE {x}.{rn} <= {d}.{dn})",
            rel = self.relation(),
            hash = self.row_hash(),
        )
    }

    pub fn exists_any_row(&self) -> String {
        format!("SELECT EXISTS (SELECT 1 FROM {})", self.relation())
    }

    pub fn count_rows(&self) -> String {
        format!("SELECT count(*)::int8 FROM {}", self.relation())
    }
}

/// `left`'s key is `right`'s, value and text: the key's equality (an index can serve it), and
/// for a column that is not [`Column::exact`] the same text too, compared byte by byte.
pub fn same_key_text(table: &TablePair, left: &str, right: &str) -> String {
    table
        .key_columns()
        .iter()
        .map(|column| {
            let c = ident(&column.name);
            let equal = format!("{left}.{c} = {right}.{c}");
            if column.exact {
                equal
            } else {
                format!(
                    "{equal} AND {left}.{c}::text COLLATE \"C\" = {right}.{c}::text COLLATE \"C\""
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// `x` for one part, `ROW(x, y)` for more.
fn tuple(parts: Vec<String>) -> String {
    if parts.len() == 1 {
        parts.into_iter().next().unwrap_or_default()
    } else {
        format!("ROW({})", parts.join(", "))
    }
}

/// A `text[]` constant holding `values` exactly.
pub fn text_array_literal<'v>(values: impl IntoIterator<Item = &'v str>) -> String {
    let mut body = String::from("{");
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push('"');
        for ch in v.chars() {
            if ch == '"' || ch == '\\' {
                body.push('\\');
            }
            body.push(ch);
        }
        body.push('"');
    }
    body.push('}');
    format!("{}::text[]", literal(&body))
}

fn int8_array_literal(values: &[i64]) -> String {
    let body: Vec<String> = values.iter().map(i64::to_string).collect();
    format!("'{{{}}}'::int8[]", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tables::Key;

    fn table(key_cols: Vec<usize>, arbiter: bool) -> TablePair {
        let col = |name: &str, ty: &str, collatable: bool, identity_always: bool| Column {
            name: name.into(),
            main_type: ty.into(),
            standin_type: ty.into(),
            collatable,
            identity_always,
            exact: !ty.starts_with("numeric"),
        };
        TablePair {
            schema: "app".into(),
            name: "Order".into(),
            main_kind: "r".into(),
            standin_kind: "r".into(),
            columns: vec![
                col("id", "bigint", false, true),
                col("region", "text", true, false),
                col("total", "numeric(12,2)", false, false),
            ],
            key: (!key_cols.is_empty()).then(|| Key {
                name: "order_pkey".into(),
                primary: true,
                columns: key_cols,
                arbiter,
            }),
            binary: true,
            estimated_rows: 0.0,
            parents: vec![],
            standin_user_triggers: 0,
        }
    }

    #[test]
    fn keyed_statements() {
        let t = table(vec![0, 1], true);
        let m = TableSql::new(&t, Side::Main);
        let s = TableSql::new(&t, Side::Standin);
        let keys = vec![vec!["1".to_string(), "a\"b'c".to_string()]];
        let text = [
            m.row_hash(),
            m.copy_out_all(),
            m.copy_out_keys(&keys),
            s.copy_in("pgsyncer_stage_1"),
            s.create_stage("pgsyncer_stage_1"),
            s.create_key_table("pgsyncer_del_1"),
            s.insert_keys("pgsyncer_del_1"),
            s.upsert("pgsyncer_stage_1").join(";\n"),
            s.delete_keys("pgsyncer_del_1"),
        ]
        .join(";\n");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn deferrable_key_updates_then_inserts() {
        let t = table(vec![0], false);
        insta::assert_snapshot!(TableSql::new(&t, Side::Standin).upsert("st").join(";\n"));
    }

    #[test]
    fn inexact_keys_are_written_and_deleted_by_text() {
        // Key (total numeric, id bigint): 1.0 = 1.00, so main's text is written over the
        // standin's on a conflict, and deletes compare the text.
        let t = table(vec![2, 0], true);
        let s = TableSql::new(&t, Side::Standin);
        let upsert = s.upsert("st").join(";\n");
        assert!(
            upsert.contains("DO UPDATE SET region = EXCLUDED.region, total = EXCLUDED.total"),
            "{upsert}"
        );
        let delete = s.delete_keys("dk");
        assert!(
            delete.ends_with(
                "pgsyncer_t.total = pgsyncer_d.total AND pgsyncer_t.total::text COLLATE \"C\" = pgsyncer_d.total::text COLLATE \"C\" AND pgsyncer_t.id = pgsyncer_d.id"
            ),
            "{delete}"
        );
        let deferrable = table(vec![2], false);
        let update = TableSql::new(&deferrable, Side::Standin).upsert("st");
        assert!(
            update[0].contains("SET region = pgsyncer_s.region, total = pgsyncer_s.total"),
            "{update:?}"
        );
        for statement in update.iter().chain([&upsert, &delete]) {
            pg_query::parse(statement, 0).unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }

    #[test]
    fn keyless_statements() {
        let t = table(vec![], false);
        let m = TableSql::new(&t, Side::Main);
        let text = [
            m.fingerprints(),
            m.hash_counts(Buckets::for_rows(1000.0), &[1, 5]),
            m.copy_out_hashes(&[-5, 7], &[1, 2]),
            TableSql::new(&t, Side::Standin).delete_hashes("pgsyncer_surplus_1"),
        ]
        .join(";\n");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn array_literals_escape() {
        assert_eq!(
            text_array_literal(["a", "b\"c", "d\\e", "it's"]),
            r#"E'{"a","b\\"c","d\\\\e","it''s"}'::text[]"#
        );
        assert_eq!(int8_array_literal(&[1, -2]), "'{1,-2}'::int8[]");
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use crate::data::tables::Key;

    /// Every catalog query and every generated statement is valid SQL.
    #[test]
    fn statements_parse() {
        for text in [
            include_str!("../../sql/data/tables.sql"),
            include_str!("../../sql/data/sequences.sql"),
        ] {
            pg_query::parse(text, 0).expect("catalog query parses");
        }
        let col = |name: &str, ty: &str| Column {
            name: name.into(),
            main_type: ty.into(),
            standin_type: ty.into(),
            collatable: ty == "text",
            identity_always: false,
            exact: !ty.starts_with("numeric"),
        };
        let t = TablePair {
            schema: "public".into(),
            name: "t".into(),
            main_kind: "p".into(),
            standin_kind: "r".into(),
            columns: vec![col("k", "text"), col("v", "jsonb")],
            key: Some(Key {
                name: "t_pkey".into(),
                primary: true,
                columns: vec![0],
                arbiter: false,
            }),
            binary: false,
            estimated_rows: 0.0,
            parents: vec![],
            standin_user_triggers: 0,
        };
        let m = TableSql::new(&t, Side::Main);
        let s = TableSql::new(&t, Side::Standin);
        let keys = vec![vec!["x".to_string()]];
        let mut all = vec![
            m.copy_out_all(),
            m.copy_out_keys(&keys),
            s.copy_in("st"),
            s.create_stage("st"),
            s.create_key_table("dk"),
            s.insert_keys("dk"),
            s.delete_keys("dk"),
            m.fingerprints(),
            m.hash_counts(Buckets::for_rows(100.0), &[0]),
            m.copy_out_hashes(&[1], &[2]),
            s.delete_hashes("sp"),
            s.exists_any_row(),
            s.count_rows(),
        ];
        all.extend(s.upsert("st"));
        for statement in all {
            pg_query::parse(&statement, 0).unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }
}
