//! Main's objects of kinds pgsyncer does not model ([`crate::model::Unmodelled`]): a plan
//! cannot create or compare them, so it says they exist rather than pass over them.

use serde::Serialize;

use crate::model::{unmodelled, Schema};

pub use crate::model::unmodelled::NAMES_SHOWN;

/// One of main's objects that the plan neither compares nor syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotSynced {
    pub kind: String,
    pub name: String,
    /// The standin has an object of the same kind and name; it may still differ.
    pub on_standin: bool,
}

/// Main's unmodelled objects, each marked with whether the standin has one of the same
/// kind and name. The standin's own unmodelled objects do not matter: making the standin
/// match main never needs them gone.
pub fn not_synced(main: &Schema, standin: &Schema) -> Vec<NotSynced> {
    main.unmodelled
        .iter()
        .map(|u| NotSynced {
            kind: u.kind.clone(),
            name: u.name.clone(),
            on_standin: standin.unmodelled.contains(u),
        })
        .collect()
}

/// The report, one line per kind under two headings (missing from the standin, on both
/// sides), `limit` names per kind at most; no lines when there is nothing to say.
pub fn summary(items: &[NotSynced], limit: Option<usize>) -> Vec<String> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "main holds {} object(s) of kinds pgsyncer does not model; they are neither compared nor synced:",
        items.len()
    )];
    for (on_standin, heading) in [
        (false, "missing from the standin (create them by hand):"),
        (true, "on both sides, not compared (they may differ):"),
    ] {
        let group: Vec<&NotSynced> = items
            .iter()
            .filter(|i| i.on_standin == on_standin)
            .collect();
        if group.is_empty() {
            continue;
        }
        lines.push(format!("  {heading}"));
        let by_kind = unmodelled::lines_by_kind(
            group.iter().map(|i| (i.kind.as_str(), i.name.as_str())),
            limit,
        );
        lines.extend(by_kind.into_iter().map(|line| format!("    {line}")));
    }
    lines
}

/// The text `plan` and `sync` log as a warning, or `None` when there is nothing to say.
/// Each line [`crate::quote::inert`]: main's names reach the terminal.
pub fn warning(items: &[NotSynced]) -> Option<String> {
    let lines = summary(items, Some(NAMES_SHOWN));
    (!lines.is_empty()).then(|| crate::quote::inert_lines(&lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unmodelled;

    fn schema(objects: &[(&str, &str)]) -> Schema {
        Schema {
            unmodelled: objects
                .iter()
                .map(|(k, n)| Unmodelled::new(*k, *n))
                .collect(),
            ..Schema::default()
        }
    }

    #[test]
    fn only_mains_objects_count_and_shared_ones_are_marked() {
        let main = schema(&[
            ("operator", "public.===(integer,integer)"),
            ("rule", "r ON public.t"),
        ]);
        let standin = schema(&[
            ("rule", "r ON public.t"),
            ("statistics", "public.only_here"),
        ]);
        let items = not_synced(&main, &standin);
        assert_eq!(
            items,
            vec![
                NotSynced {
                    kind: "operator".into(),
                    name: "public.===(integer,integer)".into(),
                    on_standin: false
                },
                NotSynced {
                    kind: "rule".into(),
                    name: "r ON public.t".into(),
                    on_standin: true
                },
            ]
        );
        assert!(not_synced(&Schema::default(), &standin).is_empty());
        assert_eq!(warning(&[]), None);
    }

    #[test]
    fn the_warning_groups_by_kind_and_cuts_long_lists() {
        let mut objects: Vec<(String, String)> = (1..=7)
            .map(|i| ("statistics".to_string(), format!("public.s{i}")))
            .collect();
        objects.push(("operator".into(), "public.===(integer,integer)".into()));
        objects.push(("rule".into(), "r ON public.t".into()));
        let refs: Vec<(&str, &str)> = objects
            .iter()
            .map(|(k, n)| (k.as_str(), n.as_str()))
            .collect();
        let main = schema(&refs);
        let standin = schema(&[("rule", "r ON public.t")]);
        let items = not_synced(&main, &standin);
        insta::assert_snapshot!(warning(&items).unwrap_or_default());
        let all = summary(&items, None).join("\n");
        assert!(all.contains("public.s7") && !all.contains("more"), "{all}");
    }
}
