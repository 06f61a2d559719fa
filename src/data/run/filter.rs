//! `--include` / `--exclude` table patterns: `schema.table` with `*` wildcards; a pattern
//! without a dot matches the table name in any selected schema.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableFilter {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl TableFilter {
    pub fn new(include: &[String], exclude: &[String]) -> TableFilter {
        TableFilter {
            include: include.to_vec(),
            exclude: exclude.to_vec(),
        }
    }

    /// Selected: matches an include pattern (or there are none) and no exclude pattern.
    pub fn selects(&self, schema: &str, table: &str) -> bool {
        let hit = |p: &String| pattern_matches(p, schema, table);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }

    /// `--include a, b; --exclude c` as given, or empty when every table is selected.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.include.is_empty() {
            parts.push(format!("--include {}", self.include.join(", ")));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("--exclude {}", self.exclude.join(", ")));
        }
        parts.join("; ")
    }

    /// Matches an exclude pattern (whatever the include patterns say).
    pub fn excludes(&self, schema: &str, table: &str) -> bool {
        self.exclude
            .iter()
            .any(|p| pattern_matches(p, schema, table))
    }

    /// The `--include` patterns that match none of `tables` (`(schema, table)` pairs): a
    /// misspelt pattern would otherwise leave its tables silently unsynced.
    pub fn unmatched_includes<'a>(
        &self,
        tables: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Vec<String> {
        self.include
            .iter()
            .filter(|p| {
                !tables
                    .clone()
                    .any(|(schema, table)| pattern_matches(p, schema, table))
            })
            .cloned()
            .collect()
    }
}

fn pattern_matches(pattern: &str, schema: &str, table: &str) -> bool {
    match pattern.split_once('.') {
        Some((sp, tp)) => glob(sp, schema) && glob(tp, table),
        None => glob(pattern, table),
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last star.
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_matching_no_table_are_listed() {
        let filter = TableFilter::new(
            &["public.orders".into(), "cust*".into(), "ordrs".into()],
            &[],
        );
        let tables = [("public", "orders"), ("sales", "customers")];
        assert_eq!(
            filter.unmatched_includes(tables.iter().copied()),
            vec!["ordrs".to_string()]
        );
        assert!(TableFilter::default()
            .unmatched_includes(tables.iter().copied())
            .is_empty());
    }

    #[test]
    fn globs() {
        assert!(glob("*", "anything"));
        assert!(glob("order*", "orders"));
        assert!(glob("*_log", "audit_log"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(!glob("orders", "orders2"));
    }

    #[test]
    fn include_and_exclude() {
        let f = TableFilter::new(
            &["public.*".into(), "audit.log".into()],
            &["*.tmp_*".into()],
        );
        assert!(f.selects("public", "orders"));
        assert!(!f.selects("public", "tmp_x"));
        assert!(f.selects("audit", "log"));
        assert!(!f.selects("audit", "other"));
        let all = TableFilter::new(&[], &["orders".into()]);
        assert!(all.selects("x", "customers"));
        assert!(!all.selects("x", "orders"));
        assert!(all.excludes("x", "orders") && !all.excludes("x", "customers"));
        assert!(
            !f.excludes("audit", "other"),
            "not included is not excluded"
        );
    }
}
