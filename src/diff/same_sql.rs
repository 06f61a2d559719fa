//! The semantic comparison of SQL definitions (views, functions, triggers).

/// The canonical text of a SQL statement or query: `pg_query` parse then deparse, so layout,
/// keyword case and redundant parentheses never count as a difference while aliases and
/// constants still do (unlike `fingerprint`/`normalize`). `None` when it does not parse or
/// the deparser does not support a node (it can panic; the panic is caught).
pub fn normalize_sql(sql: &str) -> Option<String> {
    let text = sql.trim().trim_end_matches(';').to_string();
    std::panic::catch_unwind(move || {
        let parsed = pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).ok()?;
        parsed.deparse(Default::default()).ok()
    })
    .ok()
    .flatten()
}

/// Whether two definitions mean the same: equal text, or equal canonical forms.
pub fn same_sql(a: &str, b: &str) -> bool {
    if a.trim() == b.trim() {
        return true;
    }
    match (normalize_sql(a), normalize_sql(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_not_a_difference() {
        assert!(same_sql(
            " SELECT t.id,\n    t.v\n   FROM t\n  WHERE (t.id > 10);",
            "select t.id, t.v from t where t.id > 10"
        ));
    }

    #[test]
    fn aliases_and_constants_are_differences() {
        assert!(!same_sql(
            "SELECT id FROM t WHERE id > 10",
            "SELECT id FROM t WHERE id > 11"
        ));
        assert!(!same_sql("SELECT id AS a FROM t", "SELECT id AS b FROM t"));
    }

    #[test]
    fn unparsable_text_compares_as_text() {
        assert!(same_sql("not sql", "not sql"));
        assert!(!same_sql("not sql", "not  sql at all"));
    }
}
