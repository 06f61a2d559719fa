//! Objects of kinds pgsyncer does not model (operators, rules, statistics, …), read
//! only so that a plan can say they exist and were neither compared nor synced.

use serde::{Deserialize, Serialize};

/// One object pgsyncer does not model: its kind as people say it (`operator`, `rule`,
/// `foreign table`) and its name as SQL would (`public.===(integer,integer)`,
/// `no_delete ON public.t`). Names are whatever identifies the object within its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmodelled {
    pub kind: String,
    pub name: String,
}

impl Unmodelled {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Unmodelled {
        Unmodelled {
            kind: kind.into(),
            name: name.into(),
        }
    }
}

/// How many names per kind a warning on stderr shows before "and N more" (files list
/// them all).
pub const NAMES_SHOWN: usize = 5;

/// One line per kind, `kind (count): name, name` in the order kinds first appear (the
/// catalog query sorts by kind), `limit` names per kind at most then `and N more`. The
/// grouping `plan`, `sync` and `dump` share, each under its own heading.
pub fn lines_by_kind<'a>(
    objects: impl IntoIterator<Item = (&'a str, &'a str)>,
    limit: Option<usize>,
) -> Vec<String> {
    let mut kinds: Vec<(&str, Vec<&str>)> = Vec::new();
    for (kind, name) in objects {
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, names)) => names.push(name),
            None => kinds.push((kind, vec![name])),
        }
    }
    kinds
        .into_iter()
        .map(|(kind, names)| {
            let shown = limit.unwrap_or(names.len()).min(names.len());
            let mut line = format!("{kind} ({}): {}", names.len(), names[..shown].join(", "));
            if shown < names.len() {
                line.push_str(&format!(" and {} more", names.len() - shown));
            }
            line
        })
        .collect()
}

/// `lines` as a SQL comment block headed `-- {label}: {first line}`, the other lines
/// after `--` as they are (they carry their own indentation), then a blank line; empty
/// when there are no lines. The plan file's `-- not synced:` and the dump's
/// `-- not dumped:` headers. The lines hold the database's object names, so each goes
/// through [`crate::quote::inert`]: no name can end its comment.
pub fn comment_block(label: &str, lines: &[String]) -> String {
    let Some((first, rest)) = lines.split_first() else {
        return String::new();
    };
    let mut out = crate::quote::comment(&format!("{label}: {first}"));
    for line in rest {
        out.push_str("--");
        out.push_str(&crate::quote::inert(line));
        out.push('\n');
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_grouped_in_first_seen_order_and_long_lists_cut() {
        let objects = [
            ("rule", "r ON public.t"),
            ("statistics", "public.s1"),
            ("statistics", "public.s2"),
            ("statistics", "public.s3"),
            ("rule", "q ON public.t"),
        ];
        assert_eq!(
            lines_by_kind(objects, Some(2)),
            vec![
                "rule (2): r ON public.t, q ON public.t".to_string(),
                "statistics (3): public.s1, public.s2 and 1 more".to_string(),
            ]
        );
        let all = lines_by_kind(objects, None);
        assert_eq!(all[1], "statistics (3): public.s1, public.s2, public.s3");
        assert!(lines_by_kind([], None).is_empty());
    }

    #[test]
    fn a_comment_block_is_empty_without_lines() {
        assert_eq!(comment_block("not dumped", &[]), "");
        let lines = vec![
            "heading:".to_string(),
            "  rule (1): r ON public.t".to_string(),
        ];
        assert_eq!(
            comment_block("not dumped", &lines),
            "-- not dumped: heading:\n--  rule (1): r ON public.t\n\n"
        );
        let hostile = vec![
            "heading:".to_string(),
            "  rule (1): \"x\ndrop table victim; --\" ON public.t".to_string(),
        ];
        assert_eq!(
            comment_block("not synced", &hostile),
            "-- not synced: heading:\n--  rule (1): \"x\\ndrop table victim; --\" ON public.t\n\n"
        );
        let hostile = vec![
            "heading:".to_string(),
            "  rule (1): \"x\ndrop table victim; --\" ON public.t".to_string(),
        ];
        assert_eq!(
            comment_block("not synced", &hostile),
            "-- not synced: heading:\n--  rule (1): \"x\\ndrop table victim; --\" ON public.t\n\n"
        );
    }
}
