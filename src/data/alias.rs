//! Names pgsyncer introduces into a statement about a user's table: relation aliases,
//! computed columns beside the table's own (`SELECT *, hash AS pgsyncer_h`), columns of its
//! temporary tables. Each is one of the base names below, turned by [`Aliases::of`] into a
//! name no column of that table has (`pgsyncer_h`, or `pgsyncer_h_1` when a column is named
//! `pgsyncer_h`, …): a user's column can never be taken for one of ours, or make a
//! reference to one ambiguous, whatever it is called. No base ends in `_<digits>`, so two
//! bases never turn into the same name.

use crate::data::tables::TablePair;

/// The table written or compared (`DELETE … AS pgsyncer_t`, `INSERT … AS pgsyncer_t`).
pub const TARGET: &str = "pgsyncer_t";
/// The rows read from main (a stage, a foreign table).
pub const SOURCE: &str = "pgsyncer_s";
/// Keys to delete.
pub const DELETED: &str = "pgsyncer_d";
/// Keys main has (`--fdw-mode`).
pub const KEYS: &str = "pgsyncer_k";
/// The merge's written rows (a CTE).
pub const WRITTEN: &str = "pgsyncer_w";
/// A written row was inserted (the merge's count).
pub const INSERTED: &str = "pgsyncer_ins";
/// The table before the merge's writes (partitioned tables' count).
pub const OLD: &str = "pgsyncer_old";
/// A row's fingerprint beside its columns.
pub const ROW_HASH: &str = "pgsyncer_h";
/// A key's fingerprint beside the row's columns.
pub const KEY_HASH: &str = "pgsyncer_keyhash";
/// The copy number among equal rows.
pub const COPY_NUMBER: &str = "pgsyncer_rn";
/// A subquery (derived table) of the table's rows.
pub const ROWS: &str = "s";
/// Rows numbered by copy.
pub const NUMBERED: &str = "x";
/// Rows with their fingerprint.
pub const HASHED: &str = "y";
/// Unnested parameters (keys, hashes and counts).
pub const UNNESTED: &str = "u";
/// Copies to delete per fingerprint.
pub const SURPLUS: &str = "d";
/// Main's `(hash, copies)` (`--fdw-mode`, keyless).
pub const MAIN_ROWS: &str = "m";
/// A fingerprint column of pgsyncer's tables.
pub const HASH: &str = "h";
/// A count of copies.
pub const COPIES: &str = "n";
/// A bucket's key fingerprint, value and number (server-side bucket sums).
pub const BUCKET_KEY: &str = "k";
pub const BUCKET_VALUE: &str = "v";
pub const BUCKET: &str = "b";
/// Key columns as unnested text arrays: `c0`, `c1`, … one per key column ([`Aliases::key_part`]).
pub const KEY_PART: &str = "c";

/// Every base name. A test names a table's columns like each of them.
pub const INTERNAL: [&str; 24] = [
    TARGET,
    SOURCE,
    DELETED,
    KEYS,
    WRITTEN,
    INSERTED,
    OLD,
    ROW_HASH,
    KEY_HASH,
    COPY_NUMBER,
    ROWS,
    NUMBERED,
    HASHED,
    UNNESTED,
    SURPLUS,
    MAIN_ROWS,
    HASH,
    COPIES,
    BUCKET_KEY,
    BUCKET_VALUE,
    BUCKET,
    KEY_PART,
    // The first key parts, as a key has them.
    "c0",
    "c1",
];

/// The internal names for statements about one table.
#[derive(Debug, Clone)]
pub struct Aliases {
    columns: Vec<String>,
}

impl Aliases {
    pub fn of(table: &TablePair) -> Aliases {
        Aliases {
            columns: table.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }

    /// `base`, or `base_1`, `base_2`, … the first that is no column's name. Bare lowercase
    /// identifiers: they need no quoting.
    pub fn get(&self, base: &str) -> String {
        let taken = |name: &str| self.columns.iter().any(|c| c == name);
        if !taken(base) {
            return base.to_string();
        }
        (1..)
            .map(|n| format!("{base}_{n}"))
            .find(|name| !taken(name))
            .unwrap_or_default()
    }

    /// The alias of the `i`-th key column in an unnested list of keys.
    pub fn key_part(&self, i: usize) -> String {
        self.get(&format!("{KEY_PART}{i}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tables::Column;
    use crate::quote::ident;

    #[test]
    fn bases_are_bare_distinct_and_never_end_in_a_number_suffix() {
        let mut seen = std::collections::HashSet::new();
        for base in INTERNAL {
            assert_eq!(ident(base), base, "{base} must need no quoting");
            assert!(seen.insert(base), "{base} listed twice");
            let tail = base.rsplit('_').next().unwrap_or_default();
            assert!(
                !(base.contains('_') && tail.chars().all(|c| c.is_ascii_digit())),
                "{base} ends in _<digits>: it could be another base's turned name"
            );
        }
    }

    /// Every name a statement introduces with `AS` (relation, column and CTE aliases, output
    /// names, `AS u(a, b)` column lists); not `AS SELECT` nor `AS (` of a CTE body.
    fn introduced(statement: &str) -> Vec<String> {
        let word = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut out = Vec::new();
        for (i, _) in statement.match_indices(" AS ") {
            let rest = &statement[i + 4..];
            let name = word(rest);
            if name.is_empty() || name == "SELECT" {
                continue;
            }
            if let Some(list) = rest[name.len()..].strip_prefix('(') {
                let list = &list[..list.find(')').unwrap_or(0)];
                out.extend(list.split(", ").map(word));
            }
            out.push(name);
        }
        for (i, _) in statement.match_indices("WITH ") {
            out.push(word(&statement[i + 5..]));
        }
        out
    }

    /// A table whose columns are named like every internal name, and every statement the
    /// data sync builds for it, in every mode: none introduces a name a column has, and every
    /// name introduced comes from [`INTERNAL`] (a name added without going through
    /// [`Aliases`] fails here).
    fn merge_statements(merge: crate::data::write::merge::Merge) -> Vec<String> {
        use crate::data::write::merge::Merge;
        match merge {
            Merge::Upsert(sql) | Merge::InsertMissing(sql) => vec![sql],
            Merge::UpdateThenInsert { update, insert } => {
                update.into_iter().chain([insert]).collect()
            }
        }
    }

    #[test]
    fn no_statement_introduces_a_column_name() {
        use crate::conn::Side;
        use crate::data::compare::buckets::Buckets;
        use crate::data::compare::keydiff::{listing_sql, Values};
        use crate::data::sql::TableSql;
        use crate::data::strategy::fdw;
        use crate::data::tables::{Key, TablePair};
        use crate::data::write::merge;
        let column = |name: &str, ty: &str| Column {
            name: name.into(),
            main_type: ty.into(),
            standin_type: ty.into(),
            collatable: ty == "text",
            identity_always: false,
            // One inexact key column, so the statements that match keys by text run here too.
            exact: name != "c0",
        };
        let mut columns = vec![column("pgsyncer_t", "bigint"), column("c0", "integer")];
        columns.extend(
            INTERNAL
                .iter()
                .filter(|n| !["pgsyncer_t", "c0"].contains(n))
                .map(|n| column(n, "text")),
        );
        let keyed = |kind: &str, arbiter: bool| TablePair {
            schema: "public".into(),
            name: "t".into(),
            main_kind: kind.into(),
            standin_kind: kind.into(),
            columns: columns.clone(),
            key: Some(Key {
                name: "t_pkey".into(),
                primary: true,
                columns: vec![0, 1],
                arbiter,
            }),
            binary: true,
            estimated_rows: 100.0,
            parents: vec![],
            standin_user_triggers: 0,
        };
        let keyless = TablePair {
            key: None,
            ..keyed("r", false)
        };
        let foreign = "pgsyncer_fdw_0.t";
        let b = Buckets::for_rows(1000.0);
        let mut all: Vec<(String, &TablePair)> = Vec::new();
        let tables = [keyed("r", true), keyed("p", true), keyed("r", false)];
        for t in &tables {
            let (m, s) = (
                TableSql::new(t, Side::Main),
                TableSql::new(t, Side::Standin),
            );
            let keys = vec![vec!["1".to_string(), "2".to_string()]];
            let mut statements = vec![
                m.copy_out_keys(&keys),
                s.insert_keys("dk"),
                s.delete_keys("dk"),
                listing_sql(t, Side::Main, Values::Rows, b, &[1]),
                b.aggregate_sql(&s.aliases(), foreign, "k_hash", Some("v_hash")),
                b.aggregate_sql(&s.aliases(), foreign, "k_hash", None),
                fdw::gone_statement(t, "st", "g", "TRUE"),
                fdw::missing_keys_statement(t, "k"),
            ];
            statements.extend(s.upsert("st"));
            let (respell, prune) = fdw::respell_statements(t, foreign, "g");
            statements.push(prune);
            statements.extend(merge_statements(respell));
            statements.extend(fdw::bucket_key_statements(t, foreign, "k", "g", "TRUE"));
            for filter in [None, Some("TRUE")] {
                statements.extend(merge_statements(merge::merge(t, foreign, filter)));
            }
            all.extend(statements.into_iter().map(|sql| (sql, t)));
        }
        let s = TableSql::new(&keyless, Side::Standin);
        let m = TableSql::new(&keyless, Side::Main);
        let mut statements = vec![
            m.hash_counts(b, &[1]),
            m.copy_out_hashes(&[1], &[2]),
            s.delete_hashes("sp"),
        ];
        statements.extend(fdw::keyless_statements(
            &keyless,
            foreign,
            ["fm", "sm", "sur", "lack"],
            Some("TRUE"),
        ));
        all.extend(statements.into_iter().map(|sql| (sql, &keyless)));

        let mut seen = std::collections::HashSet::new();
        for (sql, table) in all {
            pg_query::parse(&sql, 0).unwrap_or_else(|e| panic!("{sql}: {e}"));
            for name in introduced(&sql) {
                seen.insert(name.clone());
                assert!(
                    !table.columns.iter().any(|c| c.name == name),
                    "{name} is a column of the table: {sql}"
                );
                let base = match name.rsplit_once('_') {
                    Some((base, n)) if n.chars().all(|c| c.is_ascii_digit()) => base,
                    _ => name.as_str(),
                };
                let numbered = base
                    .strip_prefix(KEY_PART)
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                assert!(
                    INTERNAL.contains(&base) || numbered,
                    "{name} is not an internal name (alias::INTERNAL): {sql}"
                );
            }
        }
        for turned in [
            "pgsyncer_t_1",
            "pgsyncer_keyhash_1",
            "pgsyncer_h_1",
            "u_1",
            "c0_1",
        ] {
            assert!(seen.contains(turned), "{turned} not seen: {seen:?}");
        }
    }

    #[test]
    fn names_avoid_every_column() {
        let column = |name: &str| Column {
            name: name.into(),
            main_type: "text".into(),
            standin_type: "text".into(),
            collatable: true,
            identity_always: false,
            exact: true,
        };
        let mut table = crate::data::write::merge::tests::table(true);
        table.columns = ["pgsyncer_h", "pgsyncer_h_1", "c0", "s"]
            .into_iter()
            .map(column)
            .collect();
        let a = Aliases::of(&table);
        assert_eq!(a.get(ROW_HASH), "pgsyncer_h_2");
        assert_eq!(a.get(KEY_HASH), "pgsyncer_keyhash");
        assert_eq!(a.get(ROWS), "s_1");
        assert_eq!(a.key_part(0), "c0_1");
        assert_eq!(a.key_part(1), "c1");
    }
}
