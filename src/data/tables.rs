//! Table metadata for the data sync, read with one catalog query per side
//! (`sql/data/tables.sql`), and the pairing of a main table with its standin twin: the
//! columns both have (by name), the key both sides can use, whether binary COPY is safe.

use serde::Deserialize;

use crate::conn::{Session, Side};
use crate::data::error::{DataError, QueryContext};

const TABLES_SQL: &str = include_str!("../../sql/data/tables.sql");
const SEQUENCES_SQL: &str = include_str!("../../sql/data/sequences.sql");

/// One table as the catalog describes it on one side.
#[derive(Debug, Clone)]
pub struct TableMeta {
    pub schema: String,
    pub name: String,
    /// `r` (ordinary) or `p` (partitioned).
    pub kind: String,
    /// `reltuples`: -1 when never analyzed.
    pub estimated_rows: f64,
    pub columns: Vec<ColumnMeta>,
    /// Candidate keys, primary key first.
    pub keys: Vec<KeyMeta>,
    pub foreign_keys: Vec<ForeignKeyMeta>,
    pub user_triggers: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ColumnMeta {
    pub name: String,
    /// `format_type` text, schema-qualified where the search path needs it.
    #[serde(rename = "type")]
    pub type_name: String,
    /// A built-in type (OID below 16384), safe for binary COPY between two servers.
    pub builtin: bool,
    pub generated: bool,
    /// `a` (ALWAYS), `d` (BY DEFAULT) or empty.
    pub identity: String,
    pub collatable: bool,
    /// Values its equality calls equal have the same text (see `sql/data/tables.sql`).
    pub exact: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KeyMeta {
    pub name: String,
    pub primary: bool,
    /// Not DEFERRABLE: usable as an `ON CONFLICT` arbiter.
    pub immediate: bool,
    /// No nondeterministic collation of the index's own.
    pub deterministic: bool,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForeignKeyMeta {
    pub name: String,
    pub ref_schema: String,
    pub ref_table: String,
    pub deferrable: bool,
}

impl TableMeta {
    /// `schema.name` as SQL writes it (`public."Orders"`), for messages and the summary.
    pub fn qualified_name(&self) -> String {
        crate::quote::qualified(&self.schema, &self.name)
    }

    fn column(&self, name: &str) -> Option<&ColumnMeta> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Read every table of `schemas` (`None`: all non-system schemas) in one query.
pub async fn load_tables(
    session: &Session,
    schemas: Option<&[String]>,
) -> Result<Vec<TableMeta>, DataError> {
    let side = session.side;
    let schemas: Option<Vec<String>> = schemas.map(<[String]>::to_vec);
    let rows = session
        .query(TABLES_SQL, &[&schemas])
        .await
        .ctx(side, || "reading tables".to_string())?;
    rows.iter()
        .map(|row| {
            let schema: String = row.get("schema_name");
            let name: String = row.get("table_name");
            let parse = |column: &str| -> Result<serde_json::Value, DataError> {
                Ok(row.get::<_, serde_json::Value>(column))
            };
            let bad = |what: &str, e: serde_json::Error| DataError::Metadata {
                side,
                message: format!("{schema}.{name}: {what}: {e}"),
            };
            Ok(TableMeta {
                kind: row.get("kind"),
                estimated_rows: row.get("estimated_rows"),
                columns: serde_json::from_value(parse("columns")?)
                    .map_err(|e| bad("columns", e))?,
                keys: serde_json::from_value(parse("keys")?).map_err(|e| bad("keys", e))?,
                foreign_keys: serde_json::from_value(parse("foreign_keys")?)
                    .map_err(|e| bad("foreign keys", e))?,
                user_triggers: row.get("user_triggers"),
                schema,
                name,
            })
        })
        .collect()
}

/// A sequence and the table that owns it, if any.
#[derive(Debug, Clone)]
pub struct SequenceMeta {
    pub schema: String,
    pub name: String,
    pub owner: Option<(String, String)>,
}

/// Every sequence in `schemas`.
pub async fn load_sequences(
    session: &Session,
    schemas: Option<&[String]>,
) -> Result<Vec<SequenceMeta>, DataError> {
    let schemas: Option<Vec<String>> = schemas.map(<[String]>::to_vec);
    let rows = session
        .query(SEQUENCES_SQL, &[&schemas])
        .await
        .ctx(session.side, || "reading sequences".to_string())?;
    Ok(rows
        .iter()
        .map(|r| SequenceMeta {
            schema: r.get(0),
            name: r.get(1),
            owner: match (r.get::<_, Option<String>>(2), r.get::<_, Option<String>>(3)) {
                (Some(s), Some(t)) => Some((s, t)),
                _ => None,
            },
        })
        .collect())
}

/// A column written and compared: present on both sides, not generated on the standin.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub main_type: String,
    pub standin_type: String,
    pub collatable: bool,
    /// GENERATED ALWAYS AS IDENTITY on the standin: INSERT needs OVERRIDING SYSTEM VALUE
    /// and UPDATE may not set it.
    pub identity_always: bool,
    /// On both sides (and in the key's unique indexes), values its equality calls equal
    /// have the same text. Not so for citext (`'abc' = 'ABC'`), numeric (`1.0 = 1.00`),
    /// floats (`-0 = 0`), nondeterministic collations and types not known to be exact: such
    /// a key column is matched by its text wherever a match decides what main's row is.
    pub exact: bool,
}

impl Column {
    pub fn type_on(&self, side: Side) -> &str {
        match side {
            Side::Main | Side::Source => &self.main_type,
            Side::Standin => &self.standin_type,
        }
    }
}

/// The key rows are matched by.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Index name on main (the primary key's or the unique index's).
    pub name: String,
    pub primary: bool,
    /// Positions in [`TablePair::columns`].
    pub columns: Vec<usize>,
    /// The standin's matching unique index is not deferrable: `ON CONFLICT` may use it.
    pub arbiter: bool,
}

/// A table present on both sides, with what the sync needs to know about it.
#[derive(Debug, Clone)]
pub struct TablePair {
    pub schema: String,
    pub name: String,
    pub main_kind: String,
    pub standin_kind: String,
    pub columns: Vec<Column>,
    /// `None`: no usable key, rows are compared as a multiset.
    pub key: Option<Key>,
    /// Every column is the same built-in type on both sides: binary COPY is safe.
    pub binary: bool,
    pub estimated_rows: f64,
    /// Tables this one references (from both sides' foreign keys): `(schema, name, deferrable
    /// on the standin)`.
    pub parents: Vec<(String, String, bool)>,
    pub standin_user_triggers: i64,
}

impl TablePair {
    /// `schema.name` as SQL writes it (`public."Orders"`), for messages and the summary.
    pub fn qualified_name(&self) -> String {
        crate::quote::qualified(&self.schema, &self.name)
    }

    /// The summary's description of the key.
    pub fn key_description(&self) -> String {
        match &self.key {
            Some(key) => {
                let cols: Vec<&str> = key
                    .columns
                    .iter()
                    .map(|&i| self.columns[i].name.as_str())
                    .collect();
                if key.primary {
                    format!("primary key ({})", cols.join(", "))
                } else {
                    format!("unique {} ({})", key.name, cols.join(", "))
                }
            }
            None => "whole row".to_string(),
        }
    }

    pub fn key_columns(&self) -> Vec<&Column> {
        self.key
            .iter()
            .flat_map(|k| k.columns.iter().map(|&i| &self.columns[i]))
            .collect()
    }

    pub fn has_identity_always(&self) -> bool {
        self.columns.iter().any(|c| c.identity_always)
    }

    /// Columns an update of a matched row sets: every non-key column, and the key columns
    /// that are not [`Column::exact`] (a conflict on the standin's `'abc'` must leave main's
    /// `'ABC'`); never a GENERATED ALWAYS AS IDENTITY column.
    pub fn updated_columns(&self) -> Vec<&Column> {
        let key: &[usize] = self.key.as_ref().map_or(&[], |k| &k.columns);
        self.columns
            .iter()
            .enumerate()
            .filter(|(i, c)| (!key.contains(i) || !c.exact) && !c.identity_always)
            .map(|(_, c)| c)
            .collect()
    }
}

/// Pair a main table with its standin twin. `binary_ok` is false when the servers' encodings
/// differ (binary COPY does not convert text).
pub fn pair(main: &TableMeta, standin: &TableMeta, binary_ok: bool) -> TablePair {
    let columns: Vec<Column> = main
        .columns
        .iter()
        .filter_map(|m| {
            let s = standin.column(&m.name)?;
            if s.generated {
                return None;
            }
            Some(Column {
                name: m.name.clone(),
                main_type: m.type_name.clone(),
                standin_type: s.type_name.clone(),
                collatable: m.collatable || s.collatable,
                identity_always: s.identity == "a",
                exact: m.exact && s.exact,
            })
        })
        .collect();
    let binary = binary_ok
        && main.columns.iter().all(|m| match standin.column(&m.name) {
            Some(s) if !s.generated => m.builtin && s.builtin && m.type_name == s.type_name,
            _ => true,
        });
    let position = |name: &str| columns.iter().position(|c| c.name == name);
    // The first candidate key of main that is also unique on the standin (same column set),
    // so neither side can hold two rows with one key.
    let key = main.keys.iter().find_map(|k| {
        let cols: Option<Vec<usize>> = k.columns.iter().map(|c| position(c)).collect();
        let cols = cols?;
        let mut wanted: Vec<&str> = k.columns.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        let twin = standin.keys.iter().find(|sk| {
            let mut have: Vec<&str> = sk.columns.iter().map(String::as_str).collect();
            have.sort_unstable();
            have == wanted
        })?;
        // Any standin index over these columns may be the one a conflict or a match uses.
        let deterministic = k.deterministic
            && standin.keys.iter().all(|sk| {
                let mut have: Vec<&str> = sk.columns.iter().map(String::as_str).collect();
                have.sort_unstable();
                sk.deterministic || have != wanted
            });
        let key = Key {
            name: k.name.clone(),
            primary: k.primary,
            columns: cols,
            arbiter: twin.immediate
                || standin.keys.iter().any(|sk| {
                    let mut have: Vec<&str> = sk.columns.iter().map(String::as_str).collect();
                    have.sort_unstable();
                    sk.immediate && have == wanted
                }),
        };
        Some((key, deterministic))
    });
    let mut columns = columns;
    let key = key.map(|(key, deterministic)| {
        if !deterministic {
            // The index's own collation calls 'abc' and 'ABC' equal.
            for &i in &key.columns {
                columns[i].exact = false;
            }
        }
        key
    });
    let mut parents: Vec<(String, String, bool)> = Vec::new();
    for fk in &standin.foreign_keys {
        parents.push((fk.ref_schema.clone(), fk.ref_table.clone(), fk.deferrable));
    }
    for fk in &main.foreign_keys {
        if !parents
            .iter()
            .any(|(s, t, _)| *s == fk.ref_schema && *t == fk.ref_table)
        {
            // Not enforced on the standin: order by it anyway, nothing needs deferring.
            parents.push((fk.ref_schema.clone(), fk.ref_table.clone(), true));
        }
    }
    TablePair {
        schema: main.schema.clone(),
        name: main.name.clone(),
        main_kind: main.kind.clone(),
        standin_kind: standin.kind.clone(),
        columns,
        key,
        binary,
        estimated_rows: main.estimated_rows,
        parents,
        standin_user_triggers: standin.user_triggers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str) -> ColumnMeta {
        ColumnMeta {
            name: name.into(),
            type_name: ty.into(),
            builtin: true,
            generated: false,
            identity: String::new(),
            collatable: ty == "text",
            exact: ty != "numeric",
        }
    }

    fn table(columns: Vec<ColumnMeta>, keys: Vec<KeyMeta>) -> TableMeta {
        TableMeta {
            schema: "public".into(),
            name: "t".into(),
            kind: "r".into(),
            estimated_rows: -1.0,
            columns,
            keys,
            foreign_keys: vec![],
            user_triggers: 0,
        }
    }

    fn key(name: &str, primary: bool, cols: &[&str]) -> KeyMeta {
        KeyMeta {
            name: name.into(),
            primary,
            immediate: true,
            deterministic: true,
            columns: cols.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn common_columns_by_name_and_generated_skipped() {
        let mut g = col("g", "int4");
        g.generated = true;
        let main = table(
            vec![
                col("id", "int8"),
                col("a", "text"),
                col("only_main", "int4"),
                col("g", "int4"),
            ],
            vec![key("t_pkey", true, &["id"])],
        );
        let standin = table(
            vec![
                col("a", "text"),
                col("id", "int8"),
                g,
                col("only_standin", "int4"),
            ],
            vec![key("t_pkey", true, &["id"])],
        );
        let p = pair(&main, &standin, true);
        let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "a"]);
        assert_eq!(p.key_description(), "primary key (id)");
        assert!(p.binary);
    }

    #[test]
    fn key_must_be_unique_on_both_sides() {
        let main = table(
            vec![col("id", "int8"), col("email", "text")],
            vec![
                key("t_pkey", true, &["id"]),
                key("t_email_key", false, &["email"]),
            ],
        );
        let standin = table(
            vec![col("id", "int8"), col("email", "text")],
            vec![key("t_email_key", false, &["email"])],
        );
        let p = pair(&main, &standin, true);
        assert_eq!(p.key_description(), "unique t_email_key (email)");
        let bare = table(vec![col("id", "int8"), col("email", "text")], vec![]);
        assert_eq!(pair(&main, &bare, true).key_description(), "whole row");
    }

    #[test]
    fn key_columns_inexact_by_type_or_index_collation() {
        let table_with = |ty: &str, deterministic: bool| {
            let mut k = key("t_pkey", true, &["k"]);
            k.deterministic = deterministic;
            table(vec![col("k", ty), col("v", "text")], vec![k])
        };
        let exact = |main: &TableMeta, standin: &TableMeta| {
            let p = pair(main, standin, true);
            let written: Vec<&str> = p
                .updated_columns()
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            (p.columns[0].exact, written.join(","))
        };
        let text = table_with("text", true);
        assert_eq!(exact(&text, &text), (true, "v".to_string()));
        let numeric = table_with("numeric", true);
        assert_eq!(
            exact(&text, &numeric),
            (false, "k,v".to_string()),
            "either side"
        );
        let ci_index = table_with("text", false);
        assert_eq!(
            exact(&text, &ci_index),
            (false, "k,v".to_string()),
            "index collation"
        );
    }

    #[test]
    fn binary_only_for_same_builtin_types() {
        let main = table(vec![col("id", "int8")], vec![]);
        let standin = table(vec![col("id", "int4")], vec![]);
        assert!(!pair(&main, &standin, true).binary);
        let mut e = col("id", "mood");
        e.builtin = false;
        let enum_side = table(vec![e.clone()], vec![]);
        assert!(!pair(&enum_side, &enum_side, true).binary);
        assert!(!pair(&main, &main, false).binary);
    }
}
