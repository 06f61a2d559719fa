//! The catalog queries, one file per object kind under `sql/`, compiled in.
//!
//! All but `namespaces` take `$1 oid[]`: the selected schemas' oids, so the number of
//! queries per database is fixed (one per kind) whatever the number of objects.

/// A named catalog query.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    /// File stem under `sql/`, used in errors.
    pub name: &'static str,
    /// The SQL text.
    pub sql: &'static str,
}

macro_rules! query {
    ($name:literal) => {
        Query {
            name: $name,
            sql: include_str!(concat!("../../sql/", $name, ".sql")),
        }
    };
}

pub const NAMESPACES: Query = query!("namespaces");
pub const EXTENSIONS: Query = query!("extensions");
pub const COLLATIONS: Query = query!("collations");
pub const ENUMS: Query = query!("enums");
pub const DOMAINS: Query = query!("domains");
pub const COMPOSITES: Query = query!("composites");
pub const RANGES: Query = query!("ranges");
pub const SEQUENCES: Query = query!("sequences");
pub const TABLES: Query = query!("tables");
pub const COLUMNS: Query = query!("columns");
pub const CONSTRAINTS: Query = query!("constraints");
pub const INDEXES: Query = query!("indexes");
pub const VIEWS: Query = query!("views");
pub const MATVIEWS: Query = query!("matviews");
pub const FUNCTIONS: Query = query!("functions");
pub const TRIGGERS: Query = query!("triggers");
pub const POLICIES: Query = query!("policies");
pub const COMMENTS: Query = query!("comments");
pub const DEPEND: Query = query!("depend");
pub const UNMODELLED: Query = query!("unmodelled");

/// Every query, for the parse test.
pub const ALL: &[Query] = &[
    NAMESPACES,
    EXTENSIONS,
    COLLATIONS,
    ENUMS,
    DOMAINS,
    COMPOSITES,
    RANGES,
    SEQUENCES,
    TABLES,
    COLUMNS,
    CONSTRAINTS,
    INDEXES,
    VIEWS,
    MATVIEWS,
    FUNCTIONS,
    TRIGGERS,
    POLICIES,
    COMMENTS,
    DEPEND,
    UNMODELLED,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_query_parses() {
        for q in ALL {
            if let Err(e) = pg_query::parse(q.sql, pg_query::ParserOptions::DEFAULT) {
                panic!("sql/{}.sql does not parse: {e}", q.name);
            }
        }
    }

    #[test]
    fn every_sql_file_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sql");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("sql dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let mut listed: Vec<String> = ALL.iter().map(|q| format!("{}.sql", q.name)).collect();
        listed.sort();
        assert_eq!(files, listed);
    }
}
