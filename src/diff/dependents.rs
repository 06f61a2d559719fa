//! Objects dropped and recreated around a change: a view over a column whose type changes,
//! a function that returns a type that is rebuilt, the indexes of a rebuilt table, the
//! foreign keys that reference a rebuilt primary key. And drops that happen by themselves
//! (a table's indexes when it is dropped) so that no statement drops them twice.

use std::collections::{BTreeSet, VecDeque};

use super::{Change, ChangeKind, Changes};
use crate::model::{ConstraintKind, ObjectId, QualifiedName, Schema};

impl Seed {
    fn id(&self) -> &ObjectId {
        match self {
            Seed::Dropped(id) | Seed::EnumRebuilt(id) | Seed::TypeChanged(id) => id,
        }
    }
}

/// Why an object must be rebuilt: it is dropped, or (a column) its type changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seed {
    Dropped(ObjectId),
    /// An enum built anew: its columns are converted in place, the rest is rebuilt.
    EnumRebuilt(ObjectId),
    TypeChanged(ObjectId),
}

pub(super) fn recreate_dependents(main: &Schema, standin: &Schema, changes: &mut Changes) {
    let mut queue: VecDeque<Seed> = VecDeque::new();
    for change in &changes.list {
        match &change.kind {
            ChangeKind::Drop { .. } => queue.push_back(Seed::Dropped(change.id.clone())),
            ChangeKind::AlterColumnType => queue.push_back(Seed::TypeChanged(change.id.clone())),
            ChangeKind::EnumRecreate { columns } => {
                queue.push_back(Seed::EnumRebuilt(change.id.clone()));
                for (table, column) in columns {
                    queue.push_back(Seed::TypeChanged(ObjectId::Column(
                        crate::model::TableChild::new(table.clone(), column),
                    )));
                }
            }
            _ => {}
        }
    }
    let mut seen: BTreeSet<Seed> = queue.iter().cloned().collect();
    let mut rebuilt: BTreeSet<ObjectId> = changes.dropped();
    let mut added: Vec<Change> = Vec::new();
    while let Some(seed) = queue.pop_front() {
        for dependent in dependents_of(&seed, standin) {
            // A foreign table's column is rebuilt with its table: it holds no rows.
            let dependent = match dependent {
                ObjectId::Column(c) if main.foreign_tables.contains_key(&c.parent) => {
                    ObjectId::ForeignTable(c.parent)
                }
                other => other,
            };
            if rebuilt.contains(&dependent) || !main.contains(&dependent) {
                continue;
            }
            // A column of a rebuilt table comes back with its table.
            if let ObjectId::Column(c) = &dependent {
                if rebuilt.contains(&ObjectId::Table(c.parent.clone())) {
                    continue;
                }
            }
            // A column that only uses the dropped object through its default or its
            // collation is altered in place: dropping it would lose its values.
            if let Some(steps) = in_place(&seed, &dependent, main, standin) {
                for step in steps {
                    if !changes.list.contains(&step) && !added.contains(&step) {
                        added.push(step);
                    }
                }
                continue;
            }
            rebuilt.insert(dependent.clone());
            // Dropped, then created again: a column by ADD COLUMN, anything else as a whole.
            let recreate = if let ObjectId::Column(_) = dependent {
                ChangeKind::AddColumn
            } else {
                ChangeKind::Create
            };
            added.push(Change {
                id: dependent.clone(),
                kind: ChangeKind::Drop {
                    extra: false,
                    implied: false,
                    because: Some(seed.id().clone()),
                },
            });
            added.push(Change {
                id: dependent.clone(),
                kind: recreate,
            });
            // A sequence's OWNED BY is its own step, which a create does not include.
            if let ObjectId::Sequence(q) = &dependent {
                if main.sequences.get(q).is_some_and(|m| m.owned_by.is_some()) {
                    added.push(Change {
                        id: dependent.clone(),
                        kind: ChangeKind::SequenceOwnedBy,
                    });
                }
            }
            let next = Seed::Dropped(dependent);
            if seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }
    // A rebuilt object needs no in-place change any more; a column whose collation is
    // reset to its type's default before the collation is dropped needs no type change
    // when that is what main has.
    let reset: Vec<ObjectId> = added
        .iter()
        .filter(|c| c.kind == ChangeKind::ResetCollation)
        .map(|c| c.id.clone())
        .filter(|id| !needs_type_change_after_reset(id, main, standin))
        .collect();
    changes
        .list
        .retain(|c| !(c.kind == ChangeKind::AlterColumnType && reset.contains(&c.id)));
    added.retain(|c| !(c.kind == ChangeKind::AlterColumnType && reset.contains(&c.id)));
    changes.list.retain(|c| {
        !rebuilt.contains(&c.id)
            || matches!(
                c.kind,
                ChangeKind::Drop { .. }
                    | ChangeKind::Create
                    | ChangeKind::AddColumn
                    | ChangeKind::Comment(_)
            )
    });
    added.retain(|c| !(c.kind == ChangeKind::SequenceOwnedBy && changes.list.contains(c)));
    changes.list.extend(added);
}

/// The in-place changes that free a column from a dropped sequence, function or collation
/// it uses only through its default or its collation, or from a dropped enum or domain
/// main's column no longer has; `None` when the column itself must be dropped and added
/// again (a generated column's expression, a type dropped and created again).
///
/// A default is dropped (in the drop phase, before what it uses) and set again to main's;
/// a collation is reset to the type's default (also before the drop) and changed to main's
/// afterwards when main has another one.
fn in_place(
    seed: &Seed,
    dependent: &ObjectId,
    main: &Schema,
    standin: &Schema,
) -> Option<Vec<Change>> {
    let (Seed::Dropped(dropped), ObjectId::Column(c)) = (seed, dependent) else {
        return None;
    };
    let s = standin.tables.get(&c.parent)?.columns.get(&c.name)?;
    let m = main.tables.get(&c.parent)?.columns.get(&c.name)?;
    let step = |kind| Change {
        id: dependent.clone(),
        kind,
    };
    match dropped {
        ObjectId::Sequence(_) | ObjectId::Function { .. }
            if s.generated.is_none() && s.default.is_some() =>
        {
            let mut out = vec![step(ChangeKind::DropDefault)];
            if let (Some(d), None) = (&m.default, &m.identity) {
                out.push(step(ChangeKind::SetDefault(d.clone())));
            }
            Some(out)
        }
        ObjectId::Collation(q) if s.collation.as_deref() == Some(q.sql().as_str()) => {
            let mut out = vec![step(ChangeKind::ResetCollation)];
            if needs_type_change_after_reset(dependent, main, standin) {
                out.push(step(ChangeKind::AlterColumnType));
            }
            Some(out)
        }
        // A column that leaves a dropped enum or domain for another type: its values wait
        // as text while the type is dropped, then convert to main's type.
        ObjectId::Enum(q) | ObjectId::Domain(q)
            if crate::diff::type_text_names(&s.data_type, q) && m.data_type != s.data_type =>
        {
            Some(vec![
                step(ChangeKind::ColumnToText),
                step(ChangeKind::AlterColumnType),
            ])
        }
        _ => None,
    }
}

/// Whether main's column differs from the standin's once its collation is reset to its
/// type's default.
fn needs_type_change_after_reset(id: &ObjectId, main: &Schema, standin: &Schema) -> bool {
    let ObjectId::Column(c) = id else {
        return false;
    };
    let column = |schema: &Schema| {
        schema
            .tables
            .get(&c.parent)
            .and_then(|t| t.columns.get(&c.name))
            .map(|col| (col.data_type.clone(), col.collation.clone()))
    };
    match (column(main), column(standin)) {
        (Some((mt, mc)), Some((st, _))) => mt != st || mc.is_some(),
        _ => false,
    }
}

/// The standin's objects that must go when `seed` happens.
fn dependents_of(seed: &Seed, standin: &Schema) -> Vec<ObjectId> {
    let mut out = Vec::new();
    match seed {
        Seed::TypeChanged(column) => {
            // ALTER COLUMN TYPE rebuilds indexes and constraints itself; views, rules,
            // policies and triggers that use the column block it. It rebuilds extended
            // statistics too, but forgets their target: they are rebuilt here instead.
            for (dependent, referenced) in &standin.dependencies {
                if referenced == column
                    && matches!(
                        dependent,
                        ObjectId::View(_)
                            | ObjectId::MaterializedView(_)
                            | ObjectId::Policy(_)
                            | ObjectId::Trigger(_)
                            | ObjectId::Function { .. }
                            | ObjectId::Rule(_)
                            | ObjectId::Statistics(_)
                    )
                {
                    out.push(dependent.clone());
                }
            }
        }
        Seed::EnumRebuilt(id) => {
            for (dependent, referenced) in &standin.dependencies {
                if referenced == id && !matches!(dependent, ObjectId::Column(_)) {
                    out.push(dependent.clone());
                }
            }
        }
        Seed::Dropped(id) => {
            let table = match id {
                ObjectId::Table(q)
                | ObjectId::MaterializedView(q)
                | ObjectId::View(q)
                | ObjectId::ForeignTable(q) => Some(q),
                _ => None,
            };
            for (dependent, referenced) in &standin.dependencies {
                let on_column =
                    matches!((referenced, table), (ObjectId::Column(c), Some(q)) if &c.parent == q);
                if (referenced == id || on_column) && dependent != id {
                    out.push(dependent.clone());
                }
            }
            out.extend(children(standin, id));
            if let ObjectId::Constraint(c) = id {
                out.extend(referencing_foreign_keys(standin, c));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What belongs to a table or materialized view and goes with it.
fn children(schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
    let table = match id {
        ObjectId::Table(q) | ObjectId::MaterializedView(q) => q,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    out.extend(
        schema
            .constraints
            .keys()
            .filter(|k| &k.parent == table)
            .cloned()
            .map(ObjectId::Constraint),
    );
    out.extend(
        schema
            .indexes
            .values()
            .filter(|i| &i.table == table && i.parent_index.is_none())
            .map(|i| ObjectId::Index(i.name.clone())),
    );
    out.extend(
        schema
            .triggers
            .keys()
            .filter(|k| &k.parent == table)
            .cloned()
            .map(ObjectId::Trigger),
    );
    out.extend(
        schema
            .policies
            .keys()
            .filter(|k| &k.parent == table)
            .cloned()
            .map(ObjectId::Policy),
    );
    out.extend(
        schema
            .rules
            .keys()
            .filter(|k| &k.parent == table)
            .cloned()
            .map(ObjectId::Rule),
    );
    out.extend(
        schema
            .tables
            .values()
            .filter(|t| t.partition_of.as_ref().is_some_and(|p| &p.parent == table))
            .map(|t| ObjectId::Table(t.name.clone())),
    );
    out
}

/// Foreign keys that rely on a primary key or unique constraint.
fn referencing_foreign_keys(schema: &Schema, key: &crate::model::TableChild) -> Vec<ObjectId> {
    let Some(target) = schema.constraints.get(key) else {
        return Vec::new();
    };
    if !matches!(
        target.kind,
        ConstraintKind::PrimaryKey | ConstraintKind::Unique
    ) {
        return Vec::new();
    }
    let mut wanted = target.columns.clone();
    wanted.sort();
    schema
        .constraints
        .iter()
        .filter(|(_, c)| {
            c.kind == ConstraintKind::ForeignKey
                && c.referenced_table.as_ref() == Some(&key.parent)
                && {
                    let mut cols = c.referenced_columns.clone();
                    cols.sort();
                    cols == wanted
                }
        })
        .map(|(k, _)| ObjectId::Constraint(k.clone()))
        .collect()
}

/// Mark drops that another drop performs by itself (a table's indexes, constraints,
/// triggers, policies, statistics and partitions; a domain's constraints; an owned
/// sequence; indexes, constraints and statistics on a dropped column), so that no
/// statement drops them twice.
pub(super) fn mark_implied_drops(standin: &Schema, changes: &mut Changes) {
    let dropped = changes.dropped();
    let relation_dropped = |q: &QualifiedName| {
        dropped.contains(&ObjectId::Table(q.clone()))
            || dropped.contains(&ObjectId::MaterializedView(q.clone()))
    };
    // DROP COLUMN takes the indexes and constraints of its own table with it; a foreign
    // key of another table that references the column blocks it and is dropped on its own.
    let column_dropped = |id: &ObjectId, table: &QualifiedName| {
        standin.dependencies.iter().any(|(dependent, referenced)| {
            dependent == id
                && matches!(referenced, ObjectId::Column(c) if &c.parent == table)
                && dropped.contains(referenced)
        })
    };
    for change in &mut changes.list {
        let ChangeKind::Drop { implied, .. } = &mut change.kind else {
            continue;
        };
        *implied = match &change.id {
            // A foreign key to another table that is dropped too is dropped on its own
            // first: otherwise the two tables could only go in one order (or none, when
            // they reference each other).
            ObjectId::Constraint(c)
                if standin.constraints.get(c).is_some_and(|k| {
                    k.referenced_table
                        .as_ref()
                        .is_some_and(|r| r != &c.parent && relation_dropped(r))
                }) =>
            {
                false
            }
            ObjectId::Column(c)
            | ObjectId::Constraint(c)
            | ObjectId::Trigger(c)
            | ObjectId::Policy(c) => {
                relation_dropped(&c.parent)
                    || (matches!(change.id, ObjectId::Constraint(_))
                        && column_dropped(&change.id, &c.parent))
            }
            ObjectId::Index(q) => standin.indexes.get(q).is_some_and(|i| {
                relation_dropped(&i.table) || column_dropped(&change.id, &i.table)
            }),
            // A rule goes with its relation, but may use another relation dropped too
            // (`DO ALSO INSERT INTO log …`), which its own DROP RULE must come before.
            ObjectId::Rule(_) => false,
            // Statistics go with their relation and with any of their columns.
            ObjectId::Statistics(q) => standin.statistics.get(q).is_some_and(|s| {
                relation_dropped(&s.table) || column_dropped(&change.id, &s.table)
            }),
            ObjectId::DomainConstraint(c) => dropped.contains(&ObjectId::Domain(c.parent.clone())),
            ObjectId::Sequence(q) => standin.sequences.get(q).is_some_and(|s| {
                s.owned_by.as_ref().is_some_and(|(t, c)| {
                    relation_dropped(t)
                        || dropped.contains(&ObjectId::Column(crate::model::TableChild::new(
                            t.clone(),
                            c,
                        )))
                })
            }),
            ObjectId::Table(q) => standin
                .tables
                .get(q)
                .and_then(|t| t.partition_of.as_ref())
                .is_some_and(|p| relation_dropped(&p.parent)),
            _ => false,
        };
    }
}
