//! The catalog queries, one file per object kind under `sql/`, compiled in.
//!
//! The queries no kind owns are here; each kind names its own in `Kind::queries`. All but
//! `namespaces` take `$1 oid[]`: the selected schemas' oids, so the number of queries per
//! database is fixed (one or two per kind) whatever the number of objects.

/// A named catalog query.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    /// File stem under `sql/`, used in errors.
    pub name: &'static str,
    /// The SQL text.
    pub sql: &'static str,
}

/// A [`Query`] from `sql/<name>.sql`, compiled in (usable in any module: each kind names
/// its own).
#[macro_export]
macro_rules! catalog_query {
    ($name:literal) => {
        $crate::catalog::Query {
            name: $name,
            sql: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/", $name, ".sql")),
        }
    };
}

/// The schemas; `$1 bool` = all of them, `$2 text[]` = these names.
pub const NAMESPACES: Query = catalog_query!("namespaces");
/// Comments on any object of the selected schemas.
pub const COMMENTS: Query = catalog_query!("comments");
/// `pg_depend` rows between objects of the selected schemas.
pub const DEPEND: Query = catalog_query!("depend");
/// The objects of kinds the model does not hold.
pub const UNMODELLED: Query = catalog_query!("unmodelled");
/// Owners and privileges of objects of every kind.
pub const ACCESS: Query = catalog_query!("access");
/// Default privileges.
pub const DEFAULT_ACL: Query = catalog_query!("default_acl");
/// The cluster's roles.
pub const ROLES: Query = catalog_query!("roles");

/// Every query: the shared ones and each kind's, for the tests.
pub fn all() -> Vec<Query> {
    let mut out = vec![
        NAMESPACES,
        COMMENTS,
        DEPEND,
        UNMODELLED,
        ACCESS,
        DEFAULT_ACL,
        ROLES,
    ];
    for kind in crate::kinds::ALL {
        out.extend(kind.queries().iter().copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_query_parses() {
        for q in all() {
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
        let mut listed: Vec<String> = all().iter().map(|q| format!("{}.sql", q.name)).collect();
        listed.sort();
        assert_eq!(files, listed);
    }
}
