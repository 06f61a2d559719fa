//! The order of a plan's statements: every drop first, dependents before what they depend
//! on (the standin's dependencies); then creates and alterations, what is depended on
//! first (main's dependencies). Ties are broken by a rank per kind, then by the order the
//! diff produced, so a plan is deterministic. A cycle is an error naming its objects.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::sql::{Phase, Step};
use super::{PlanError, Statement};
use crate::model::{ObjectId, Schema};

/// `step` ids grouped by the object they are keyed on.
fn index(steps: &[Step], phase: Phase) -> HashMap<&ObjectId, Vec<usize>> {
    let mut map: HashMap<&ObjectId, Vec<usize>> = HashMap::new();
    for (i, step) in steps.iter().enumerate() {
        if step.phase == phase {
            map.entry(&step.key).or_default().push(i);
        }
    }
    map
}

/// An id and, for a column, its table (creating a table creates its columns).
fn expand(id: &ObjectId) -> Vec<ObjectId> {
    match id {
        ObjectId::Column(c) => vec![
            id.clone(),
            ObjectId::Table(c.parent.clone()),
            ObjectId::View(c.parent.clone()),
            ObjectId::MaterializedView(c.parent.clone()),
            ObjectId::ForeignTable(c.parent.clone()),
        ],
        _ => vec![id.clone()],
    }
}

/// `(dependent, referenced)` pairs of a model, plus those the catalog does not record as
/// such: an object needs its schema, and what its kind says it needs
/// ([`crate::kinds::Kind::parent`]: a table's parts need the table).
fn dependencies(schema: &Schema) -> Vec<(ObjectId, ObjectId)> {
    let mut deps: Vec<(ObjectId, ObjectId)> = schema
        .dependencies
        .iter()
        // A sequence OWNED BY a column points at the column while the column's default
        // points at the sequence: ownership is set by its own step, keyed on the column.
        .filter(|(a, b)| !matches!((a, b), (ObjectId::Sequence(_), ObjectId::Column(_))))
        .cloned()
        .collect();
    for id in schema.object_ids() {
        if let Some(s) = id.schema() {
            if !matches!(id, ObjectId::Schema(_)) {
                deps.push((id.clone(), ObjectId::Schema(s.to_string())));
            }
        }
        let parent = crate::kinds::of(&id).and_then(|k| k.parent(schema, &id));
        if let Some(parent) = parent {
            deps.push((id, parent));
        }
    }
    // A foreign table's column (its comment's step) needs the table; pg_depend has no row
    // saying so.
    for (q, t) in &schema.foreign_tables {
        for c in t.columns.keys() {
            deps.push((
                ObjectId::Column(crate::model::TableChild::new(q.clone(), c)),
                ObjectId::ForeignTable(q.clone()),
            ));
        }
    }
    // An inheritance child is created after the columns its parents gain: CREATE TABLE …
    // INHERITS copies (and merges with) the parent's columns as they are then.
    for t in schema.tables.values() {
        for parent in t.inherits.iter().filter_map(|p| schema.tables.get(p)) {
            for column in parent.columns.keys() {
                deps.push((
                    ObjectId::Table(t.name.clone()),
                    ObjectId::Column(crate::model::TableChild::new(parent.name.clone(), column)),
                ));
            }
        }
    }
    for ext in schema.extensions.values() {
        deps.push((
            ObjectId::Extension(ext.name.clone()),
            ObjectId::Schema(ext.schema.clone()),
        ));
    }
    deps
}

/// The drop steps that drop `id`: its own, or, when it has none, those of the object whose
/// drop takes it along (a table's trigger, index or constraint, a partition, a domain's
/// constraint). A trigger's function must wait for the `DROP TABLE` that drops the trigger.
fn dropped_by<'a>(
    drops: &'a HashMap<&ObjectId, Vec<usize>>,
    standin: &Schema,
    id: &ObjectId,
) -> Option<&'a Vec<usize>> {
    let mut id = id.clone();
    loop {
        if let Some(steps) = drops.get(&id) {
            return Some(steps);
        }
        id = crate::kinds::of(&id)?.parent(standin, &id)?;
    }
}

/// Order `steps` (see the module comment).
pub fn order(
    steps: Vec<Step>,
    main: &Schema,
    standin: &Schema,
) -> Result<Vec<Statement>, PlanError> {
    let n = steps.len();
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    let edge = |from: usize, to: usize, after: &mut Vec<Vec<usize>>| {
        if from != to {
            after[from].push(to);
        }
    };
    // Build phase: what is depended on first.
    let build = index(&steps, Phase::Build);
    for (dependent, referenced) in dependencies(main) {
        for d in expand(&dependent) {
            let Some(ds) = build.get(&d) else { continue };
            for r in expand(&referenced) {
                if r == d {
                    continue;
                }
                let Some(rs) = build.get(&r) else { continue };
                for &a in rs {
                    for &b in ds {
                        edge(a, b, &mut after);
                    }
                }
            }
        }
    }
    // Drop phase: dependents first.
    let drops = index(&steps, Phase::Drop);
    for (dependent, referenced) in dependencies(standin) {
        for d in expand(&dependent) {
            let Some(ds) = dropped_by(&drops, standin, &d) else {
                continue;
            };
            for r in expand(&referenced) {
                if r == d {
                    continue;
                }
                let Some(rs) = drops.get(&r) else { continue };
                for &a in ds {
                    for &b in rs {
                        edge(a, b, &mut after);
                    }
                }
            }
        }
    }
    // Steps on the same object run by rank, then in the diff's order.
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_by_key(|&i| (steps[i].rank, i));
    let mut last: HashMap<(&ObjectId, Phase), usize> = HashMap::new();
    for i in by_rank {
        let step = &steps[i];
        if let Some(prev) = last.insert((&step.key, step.phase), i) {
            edge(prev, i, &mut after);
        }
    }
    for list in &mut after {
        list.sort_unstable();
        list.dedup();
    }
    let mut incoming = vec![0usize; n];
    for list in &after {
        for &b in list {
            incoming[b] += 1;
        }
    }
    let priority = |i: usize| Reverse((steps[i].phase, steps[i].rank, i));
    let mut ready: BinaryHeap<Reverse<(Phase, u8, usize)>> =
        (0..n).filter(|&i| incoming[i] == 0).map(priority).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &b in &after[i] {
            incoming[b] -= 1;
            if incoming[b] == 0 {
                ready.push(priority(b));
            }
        }
    }
    if order.len() < n {
        let mut stuck: Vec<String> = (0..n)
            .filter(|&i| incoming[i] > 0)
            .map(|i| format!("{} ({})", steps[i].statement.object, steps[i].statement.sql))
            .collect();
        stuck.dedup();
        return Err(PlanError::Cycle(stuck.join("; ")));
    }
    let mut slots: Vec<Option<Step>> = steps.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .filter_map(|i| slots[i].take().map(|s| s.statement))
        .collect())
}
