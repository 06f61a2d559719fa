//! Schemas, extensions, types, sequences and comments.

use super::{column_uses_type, ChangeKind, Changes, EnumPosition};
use crate::model::{ObjectId, Schema};

pub(super) fn namespaces(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for name in main.namespaces.keys() {
        if !standin.namespaces.contains_key(name) {
            changes.push(ObjectId::Schema(name.clone()), ChangeKind::Create);
        }
    }
    for name in standin.namespaces.keys() {
        if !main.namespaces.contains_key(name) {
            changes.extra(ObjectId::Schema(name.clone()));
        }
    }
}

pub(super) fn extensions(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.extensions {
        let id = ObjectId::Extension(name.clone());
        match standin.extensions.get(name) {
            None => changes.push(id, ChangeKind::Create),
            Some(s) => {
                if s.schema != m.schema {
                    changes.push(id.clone(), ChangeKind::ExtensionSchema);
                }
                if s.version != m.version {
                    // Extensions ship update scripts forward only: going back means
                    // dropping and creating it again.
                    if version_key(&m.version) < version_key(&s.version) {
                        changes.recreate(id);
                    } else {
                        changes.push(id, ChangeKind::UpdateExtension);
                    }
                }
            }
        }
    }
    for name in standin.extensions.keys() {
        if !main.extensions.contains_key(name) {
            changes.extra(ObjectId::Extension(name.clone()));
        }
    }
}

/// `1.10` > `1.9`: version parts compared as numbers where they are numbers.
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-'])
        .map(|p| (p.parse::<u64>().unwrap_or(0), p.to_string()))
        .collect()
}

pub(super) fn collations(main: &Schema, standin: &Schema, changes: &mut Changes) {
    simple(
        main,
        standin,
        changes,
        |s| &s.collations,
        ObjectId::Collation,
    );
}

pub(super) fn ranges(main: &Schema, standin: &Schema, changes: &mut Changes) {
    simple(main, standin, changes, |s| &s.ranges, ObjectId::Range);
}

/// Kinds that are created, dropped, or recreated when anything differs.
fn simple<K, V, F, I>(main: &Schema, standin: &Schema, changes: &mut Changes, map: F, id: I)
where
    K: Clone + std::hash::Hash + Eq,
    V: PartialEq,
    F: Fn(&Schema) -> &indexmap::IndexMap<K, V>,
    I: Fn(K) -> ObjectId,
{
    for (key, m) in map(main) {
        match map(standin).get(key) {
            None => changes.push(id(key.clone()), ChangeKind::Create),
            Some(s) if s != m => changes.recreate(id(key.clone())),
            Some(_) => {}
        }
    }
    for key in map(standin).keys() {
        if !map(main).contains_key(key) {
            changes.extra(id(key.clone()));
        }
    }
}

pub(super) fn enums(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.enums {
        let id = ObjectId::Enum(name.clone());
        let Some(s) = standin.enums.get(name) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        if s.labels == m.labels {
            continue;
        }
        // Values can only be added in place; a removed or reordered value needs a new type.
        let kept: Vec<&String> = m.labels.iter().filter(|l| s.labels.contains(l)).collect();
        let only_added =
            kept.len() == s.labels.len() && kept.iter().zip(&s.labels).all(|(a, b)| *a == b);
        if only_added {
            for (i, label) in m.labels.iter().enumerate() {
                if s.labels.contains(label) {
                    continue;
                }
                let position = if i + 1 == m.labels.len() {
                    EnumPosition::End
                } else if i > 0 {
                    EnumPosition::After(m.labels[i - 1].clone())
                } else {
                    // The first value: before the first value the standin already has.
                    match m.labels.iter().find(|l| s.labels.contains(l)) {
                        Some(next) => EnumPosition::Before(next.clone()),
                        None => EnumPosition::End,
                    }
                };
                changes.push(
                    id.clone(),
                    ChangeKind::EnumAddValue {
                        label: label.clone(),
                        position,
                    },
                );
            }
        } else {
            let columns = standin
                .tables
                .values()
                .filter(|t| t.partition_of.is_none())
                .flat_map(|t| {
                    t.columns
                        .values()
                        .filter(|c| column_uses_type(c, name))
                        .map(|c| (t.name.clone(), c.name.clone()))
                })
                .collect();
            changes.push(id, ChangeKind::EnumRecreate { columns });
        }
    }
    for name in standin.enums.keys() {
        if !main.enums.contains_key(name) {
            changes.extra(ObjectId::Enum(name.clone()));
        }
    }
}

pub(super) fn domains(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.domains {
        let id = ObjectId::Domain(name.clone());
        let Some(s) = standin.domains.get(name) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        if s.base_type != m.base_type || s.collation != m.collation {
            changes.recreate(id);
            continue;
        }
        if s.default != m.default {
            changes.push(id.clone(), ChangeKind::DomainSetDefault(m.default.clone()));
        }
        if s.not_null != m.not_null {
            changes.push(id.clone(), ChangeKind::DomainNotNull(m.not_null));
        }
        for (cname, mc) in &m.constraints {
            let cid =
                ObjectId::DomainConstraint(crate::model::TableChild::new(name.clone(), cname));
            match s.constraints.get(cname) {
                None => changes.push(cid, ChangeKind::Create),
                Some(sc) if sc == mc => {}
                Some(sc) => {
                    if strip_not_valid(&sc.definition) == strip_not_valid(&mc.definition)
                        && mc.validated
                        && !sc.validated
                    {
                        changes.push(cid, ChangeKind::ValidateConstraint);
                    } else {
                        changes.recreate(cid);
                    }
                }
            }
        }
        for cname in s.constraints.keys() {
            if !m.constraints.contains_key(cname) {
                let cid =
                    ObjectId::DomainConstraint(crate::model::TableChild::new(name.clone(), cname));
                changes.extra(cid);
            }
        }
    }
    for name in standin.domains.keys() {
        if !main.domains.contains_key(name) {
            changes.extra(ObjectId::Domain(name.clone()));
        }
    }
}

/// A constraint definition without its trailing `NOT VALID`.
pub(super) fn strip_not_valid(definition: &str) -> &str {
    definition.trim().trim_end_matches(" NOT VALID")
}

pub(super) fn composites(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.composites {
        let id = ObjectId::Composite(name.clone());
        let Some(s) = standin.composites.get(name) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        if s == m {
            continue;
        }
        // In place when the kept attributes keep their order and new ones come last.
        let kept_main: Vec<&String> = m
            .attributes
            .keys()
            .filter(|a| s.attributes.contains_key(*a))
            .collect();
        let kept_standin: Vec<&String> = s
            .attributes
            .keys()
            .filter(|a| m.attributes.contains_key(*a))
            .collect();
        let added_last = m
            .attributes
            .keys()
            .skip(kept_main.len())
            .all(|a| !s.attributes.contains_key(a))
            && m.attributes
                .keys()
                .take(kept_main.len())
                .all(|a| s.attributes.contains_key(a));
        if kept_main != kept_standin || !added_last {
            changes.recreate(id);
            continue;
        }
        for a in s.attributes.keys() {
            if !m.attributes.contains_key(a) {
                changes.push(id.clone(), ChangeKind::CompositeDropAttribute(a.clone()));
            }
        }
        for (a, ma) in &m.attributes {
            match s.attributes.get(a) {
                None => changes.push(id.clone(), ChangeKind::CompositeAddAttribute(a.clone())),
                Some(sa) if sa != ma => {
                    changes.push(id.clone(), ChangeKind::CompositeAlterAttribute(a.clone()))
                }
                Some(_) => {}
            }
        }
    }
    for name in standin.composites.keys() {
        if !main.composites.contains_key(name) {
            changes.extra(ObjectId::Composite(name.clone()));
        }
    }
}

pub(super) fn sequences(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.sequences {
        let id = ObjectId::Sequence(name.clone());
        let Some(s) = standin.sequences.get(name) else {
            changes.push(id.clone(), ChangeKind::Create);
            if m.owned_by.is_some() {
                changes.push(id, ChangeKind::SequenceOwnedBy);
            }
            continue;
        };
        if s.options != m.options {
            changes.push(
                id.clone(),
                ChangeKind::AlterSequence(Box::new((s.options.clone(), m.options.clone()))),
            );
        }
        if s.owned_by != m.owned_by {
            changes.push(id.clone(), ChangeKind::SequenceOwnedBy);
        }
        if s.unlogged != m.unlogged {
            changes.recreate(id);
        }
    }
    for name in standin.sequences.keys() {
        if !main.sequences.contains_key(name) {
            changes.extra(ObjectId::Sequence(name.clone()));
        }
    }
}

/// Comments: set where main's differs or the object is (re)created, removed where main has
/// none on an object both keep.
pub(super) fn comments(main: &Schema, standin: &Schema, changes: &mut Changes) {
    let created = changes.created();
    let dropped = changes.dropped();
    let fresh = |id: &ObjectId| {
        created.contains(id)
            || match id {
                // A column is new with its table.
                ObjectId::Column(c) => {
                    created.contains(&ObjectId::Table(c.parent.clone()))
                        || created.contains(&ObjectId::View(c.parent.clone()))
                        || created.contains(&ObjectId::MaterializedView(c.parent.clone()))
                        || created.contains(&ObjectId::Composite(c.parent.clone()))
                }
                _ => false,
            }
    };
    for (id, text) in &main.comments {
        if fresh(id) || standin.comments.get(id) != Some(text) {
            changes.push(id.clone(), ChangeKind::Comment(Some(text.clone())));
        }
    }
    for id in standin.comments.keys() {
        if main.comments.contains_key(id) || !main.contains(id) {
            continue;
        }
        let gone_with_drop = dropped.contains(id)
            || match id {
                ObjectId::Column(c) => {
                    dropped.contains(&ObjectId::Table(c.parent.clone()))
                        || dropped.contains(&ObjectId::View(c.parent.clone()))
                        || dropped.contains(&ObjectId::MaterializedView(c.parent.clone()))
                        || dropped.contains(&ObjectId::Composite(c.parent.clone()))
                }
                _ => false,
            };
        if !gone_with_drop {
            changes.push(id.clone(), ChangeKind::Comment(None));
        }
    }
}
