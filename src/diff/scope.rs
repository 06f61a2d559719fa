//! `--include` / `--exclude` in the schema phase. An excluded table is out of scope: it is
//! neither created, altered nor dropped, and neither is what belongs to it (its columns,
//! constraints, indexes, triggers, policies, rules, statistics, comments and the sequences
//! it owns). Objects
//! of other kinds are compared as usual, except that a standin-only object an excluded
//! table still needs (a type of one of its columns, its schema, …) is kept rather than
//! dropped, since dropping it would fail or take the table with it.
//!
//! `--schema` bounds the schema phase before it gets here: only the selected schemas are
//! read from either side, so nothing outside them is created, altered or dropped.

use std::collections::{BTreeSet, VecDeque};

use super::{ChangeKind, Changes};
use crate::data::TableFilter;
use crate::model::{ObjectId, QualifiedName, Schema};

/// Every object of `main` or `standin` that belongs to a table `filter` does not select.
/// A partition goes with its root table (`--include orders` keeps `orders_2024` in scope,
/// `--exclude orders` takes it out), unless an exclude pattern names it.
pub(super) fn out_of_scope(
    main: &Schema,
    standin: &Schema,
    filter: &TableFilter,
) -> BTreeSet<ObjectId> {
    let excluded = |q: &QualifiedName| {
        let root = partition_root(main, standin, q);
        !filter.selects(&root.schema, &root.name) || filter.excludes(&q.schema, &q.name)
    };
    let mut out = BTreeSet::new();
    for schema in [main, standin] {
        for (name, table) in schema.tables.iter().filter(|(q, _)| excluded(q)) {
            out.insert(ObjectId::Table(name.clone()));
            out.extend(
                table
                    .columns
                    .keys()
                    .map(|c| ObjectId::Column(crate::model::TableChild::new(name.clone(), c))),
            );
        }
        let on_excluded = |q: &QualifiedName| schema.tables.contains_key(q) && excluded(q);
        out.extend(
            schema
                .constraints
                .keys()
                .filter(|k| on_excluded(&k.parent))
                .map(|k| ObjectId::Constraint(k.clone())),
        );
        out.extend(
            schema
                .triggers
                .keys()
                .filter(|k| on_excluded(&k.parent))
                .map(|k| ObjectId::Trigger(k.clone())),
        );
        out.extend(
            schema
                .policies
                .keys()
                .filter(|k| on_excluded(&k.parent))
                .map(|k| ObjectId::Policy(k.clone())),
        );
        out.extend(
            schema
                .indexes
                .values()
                .filter(|i| on_excluded(&i.table))
                .map(|i| ObjectId::Index(i.name.clone())),
        );
        out.extend(
            schema
                .rules
                .keys()
                .filter(|k| on_excluded(&k.parent))
                .map(|k| ObjectId::Rule(k.clone())),
        );
        out.extend(
            schema
                .statistics
                .values()
                .filter(|s| on_excluded(&s.table))
                .map(|s| ObjectId::Statistics(s.name.clone())),
        );
        out.extend(
            schema
                .sequences
                .values()
                .filter(|s| s.owned_by.as_ref().is_some_and(|(t, _)| on_excluded(t)))
                .map(|s| ObjectId::Sequence(s.name.clone())),
        );
    }
    out
}

/// The table at the top of `table`'s partition tree (itself when it is no partition), as
/// either side has it; the walk is bounded in case two models disagree into a cycle.
fn partition_root<'a>(
    main: &'a Schema,
    standin: &'a Schema,
    table: &'a QualifiedName,
) -> &'a QualifiedName {
    let parent = |q: &QualifiedName| {
        [main, standin]
            .into_iter()
            .find_map(|s| s.tables.get(q).and_then(|t| t.partition_of.as_ref()))
            .map(|p| &p.parent)
    };
    let mut current = table;
    for _ in 0..64 {
        match parent(current) {
            Some(p) => current = p,
            None => break,
        }
    }
    current
}

/// Drops of standin-only objects that an out-of-scope object of the standin needs,
/// directly or through other objects (`pg_depend`), taken back and listed as kept: the
/// excluded table stays, so they must too. So are the schemas such objects live in.
pub(super) fn keep_what_excluded_tables_need(standin: &Schema, changes: &mut Changes) {
    if changes.out_of_scope.is_empty() {
        return;
    }
    let kept: BTreeSet<&ObjectId> = changes
        .out_of_scope
        .iter()
        .filter(|id| standin.contains(id))
        .collect();
    let mut needed: BTreeSet<ObjectId> = BTreeSet::new();
    let mut queue: VecDeque<&ObjectId> = kept.iter().copied().collect();
    while let Some(id) = queue.pop_front() {
        for (_, referenced) in standin.dependencies.iter().filter(|(d, _)| d == id) {
            if needed.insert(referenced.clone()) {
                queue.push_back(referenced);
            }
        }
    }
    let schemas: BTreeSet<String> = kept
        .iter()
        .copied()
        .chain(needed.iter())
        .filter_map(|id| id.schema().map(str::to_string))
        .collect();
    let keep = |id: &ObjectId| {
        needed.contains(id) || matches!(id, ObjectId::Schema(n) if schemas.contains(n))
    };
    let mut taken_back = Vec::new();
    changes.list.retain(|c| {
        let extra_drop = matches!(c.kind, ChangeKind::Drop { extra: true, .. });
        if extra_drop && keep(&c.id) {
            taken_back.push(c.id.clone());
            return false;
        }
        true
    });
    changes.extras.extend(taken_back);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{diff, DiffOptions};
    use crate::model::{Namespace, Table};

    fn table(schema: &str, name: &str) -> Table {
        Table {
            name: QualifiedName::new(schema, name),
            columns: Default::default(),
            unlogged: false,
            options: vec![],
            access_method: None,
            replica_identity: crate::model::ReplicaIdentity::Default,
            rls_enabled: false,
            rls_forced: false,
            inherits: vec![],
            partition_by: None,
            partition_of: None,
            owner: "x".into(),
        }
    }

    fn with(schemas: &[&str], tables: &[(&str, &str)]) -> Schema {
        let mut s = Schema::default();
        for n in schemas {
            s.namespaces.insert(
                n.to_string(),
                Namespace {
                    name: n.to_string(),
                    owner: "x".into(),
                },
            );
        }
        for (sc, t) in tables {
            s.tables.insert(QualifiedName::new(*sc, *t), table(sc, t));
        }
        s
    }

    fn ids(d: &crate::diff::Diff) -> Vec<String> {
        d.changes
            .iter()
            .map(|c| format!("{:?} {}", c.kind, c.id))
            .collect()
    }

    #[test]
    fn an_excluded_table_is_neither_dropped_created_nor_altered() {
        let main = with(
            &["public"],
            &[("public", "new_kept_out"), ("public", "both")],
        );
        let mut standin = with(
            &["public", "scratch"],
            &[("public", "extra"), ("public", "both"), ("scratch", "keep")],
        );
        standin
            .tables
            .get_mut(&QualifiedName::new("public", "both"))
            .unwrap()
            .unlogged = true;
        let options = DiffOptions {
            clean_extra: true,
            tables: TableFilter::new(
                &[],
                &["new_kept_out".into(), "both".into(), "scratch.*".into()],
            ),
            ..DiffOptions::default()
        };
        let d = diff(&main, &standin, options);
        let all = ids(&d).join("\n");
        assert!(all.contains("table public.extra"), "{all}");
        assert!(!all.contains("new_kept_out"), "{all}");
        assert!(!all.contains("public.both"), "{all}");
        assert!(!all.contains("scratch.keep"), "{all}");
        // The schema holding the excluded table stays, listed as kept.
        assert!(!all.contains("schema scratch"), "{all}");
        assert_eq!(d.extras, vec![ObjectId::Schema("scratch".into())]);
        // Without the filter the same diff drops both and creates the new table.
        let d = diff(
            &main,
            &standin,
            DiffOptions {
                clean_extra: true,
                ..DiffOptions::default()
            },
        );
        let all = ids(&d).join("\n");
        assert!(
            all.contains("scratch.keep") && all.contains("schema scratch"),
            "{all}"
        );
        assert!(all.contains("new_kept_out"), "{all}");
    }

    #[test]
    fn a_partition_goes_with_its_root_unless_excluded_by_name() {
        let names = [
            ("public", "p"),
            ("public", "p_1"),
            ("public", "p_1_a"),
            ("public", "p_2"),
        ];
        let mut main = with(&["public"], &names);
        for (child, parent) in [("p_1", "p"), ("p_1_a", "p_1"), ("p_2", "p")] {
            main.tables
                .get_mut(&QualifiedName::new("public", child))
                .unwrap()
                .partition_of = Some(crate::model::PartitionOf {
                parent: QualifiedName::new("public", parent),
                bound: "DEFAULT".into(),
            });
        }
        let standin = Schema::default();
        let created = |include: &[&str], exclude: &[&str]| {
            let strings = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            let options = DiffOptions {
                clean_extra: true,
                tables: TableFilter::new(&strings(include), &strings(exclude)),
                ..DiffOptions::default()
            };
            let mut names: Vec<String> = diff(&main, &standin, options)
                .changes
                .iter()
                .filter_map(|c| match &c.id {
                    ObjectId::Table(q) => Some(q.name.clone()),
                    _ => None,
                })
                .collect();
            names.sort();
            names
        };
        assert_eq!(created(&["p"], &[]), ["p", "p_1", "p_1_a", "p_2"]);
        assert_eq!(created(&["p"], &["p_2"]), ["p", "p_1", "p_1_a"]);
        assert!(created(&[], &["p"]).is_empty());
    }

    #[test]
    fn what_an_excluded_table_needs_is_kept() {
        let main = with(&["public"], &[]);
        let mut standin = with(&["public"], &[("public", "keep")]);
        let ty = QualifiedName::new("public", "mood");
        standin.enums.insert(
            ty.clone(),
            crate::model::EnumType {
                name: ty.clone(),
                labels: vec!["a".into()],
            },
        );
        standin.dependencies.push((
            ObjectId::Table(QualifiedName::new("public", "keep")),
            ObjectId::Enum(ty.clone()),
        ));
        let options = DiffOptions {
            clean_extra: true,
            tables: TableFilter::new(&["other".into()], &[]),
            ..DiffOptions::default()
        };
        let d = diff(&main, &standin, options);
        assert!(d.changes.is_empty(), "{:?}", ids(&d));
        assert_eq!(d.extras, vec![ObjectId::Enum(ty)]);
    }
}
