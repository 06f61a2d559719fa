//! Tables, columns, constraints and indexes.

use super::types::strip_not_valid;
use super::{ChangeKind, Changes};
use crate::model::{Column, ObjectId, Schema, Table, TableChild};

pub(super) fn tables(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.tables {
        let id = ObjectId::Table(name.clone());
        let Some(s) = standin.tables.get(name) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        // What ALTER TABLE cannot change: the table is built anew.
        if s.partition_by != m.partition_by
            || s.access_method != m.access_method
            || s.inherits != m.inherits
        {
            changes.recreate(id);
            continue;
        }
        table(m, s, changes);
    }
    for name in standin.tables.keys() {
        if !main.tables.contains_key(name) {
            changes.extra(ObjectId::Table(name.clone()));
        }
    }
}

fn table(m: &Table, s: &Table, changes: &mut Changes) {
    let id = ObjectId::Table(m.name.clone());
    let same_parent = match (&m.partition_of, &s.partition_of) {
        (Some(mp), Some(sp)) => mp.parent == sp.parent,
        _ => false,
    };
    let renamed = not_null_renames(m, s);
    match (&m.partition_of, &s.partition_of) {
        // An inherited constraint cannot be renamed: a partition whose NOT NULL name
        // differs is detached for the rename and attached again.
        (Some(mp), Some(sp)) if mp == sp && renamed.is_empty() => {}
        (Some(_), Some(_)) => {
            changes.push(id.clone(), ChangeKind::DetachPartition);
            changes.push(id.clone(), ChangeKind::AttachPartition);
        }
        (Some(_), None) => changes.push(id.clone(), ChangeKind::AttachPartition),
        (None, Some(_)) => changes.push(id.clone(), ChangeKind::DetachPartition),
        (None, None) => {}
    }
    // A partition's columns follow its parent's: altering them on the parent is enough.
    if !(same_parent || m.partition_of.is_some()) {
        columns(m, s, changes);
    }
    for column in renamed {
        let col = ObjectId::Column(TableChild::new(m.name.clone(), column));
        changes.push(col, ChangeKind::RenameNotNull);
    }
    if s.unlogged != m.unlogged {
        changes.push(id.clone(), ChangeKind::SetLogged(!m.unlogged));
    }
    if s.options != m.options {
        let key = |o: &String| o.split('=').next().unwrap_or_default().to_string();
        let set: Vec<String> = m
            .options
            .iter()
            .filter(|o| !s.options.contains(o))
            .cloned()
            .collect();
        let reset: Vec<String> = s
            .options
            .iter()
            .map(key)
            .filter(|k| !m.options.iter().any(|o| key(o) == *k))
            .collect();
        changes.push(id.clone(), ChangeKind::SetOptions { set, reset });
    }
    if s.replica_identity != m.replica_identity {
        changes.push(id.clone(), ChangeKind::ReplicaIdentity);
    }
    if s.rls_enabled != m.rls_enabled {
        changes.push(id.clone(), ChangeKind::RowSecurity(m.rls_enabled));
    }
    if s.rls_forced != m.rls_forced {
        changes.push(id, ChangeKind::ForceRowSecurity(m.rls_forced));
    }
}

/// Columns NOT NULL on both sides whose constraints are named differently (18+: both
/// names known).
fn not_null_renames(m: &Table, s: &Table) -> Vec<String> {
    m.columns
        .values()
        .filter(|mc| {
            s.columns.get(&mc.name).is_some_and(|sc| {
                mc.not_null
                    && sc.not_null
                    && matches!((&mc.not_null_name, &sc.not_null_name), (Some(a), Some(b)) if a != b)
            })
        })
        .map(|mc| mc.name.clone())
        .collect()
}

fn columns(m: &Table, s: &Table, changes: &mut Changes) {
    let col_id = |name: &str| ObjectId::Column(TableChild::new(m.name.clone(), name));
    for (name, mc) in &m.columns {
        let id = col_id(name);
        let Some(sc) = s.columns.get(name) else {
            changes.push(id, ChangeKind::AddColumn);
            continue;
        };
        column(id, mc, sc, changes);
    }
    for name in s.columns.keys() {
        if !m.columns.contains_key(name) {
            changes.extra(col_id(name));
        }
    }
}

fn column(id: ObjectId, m: &Column, s: &Column, changes: &mut Changes) {
    if m.generated != s.generated {
        // A generation expression cannot be altered in place (before 17): drop and add.
        changes.drop(id.clone());
        changes.push(id, ChangeKind::AddColumn);
        return;
    }
    let type_changed = m.data_type != s.data_type || m.collation != s.collation;
    // A default is dropped around a type change (it may not cast) and when the column
    // becomes an identity (which cannot have one).
    let clear_default =
        s.default.is_some() && s.identity.is_none() && (type_changed || m.identity.is_some());
    if clear_default {
        changes.push(id.clone(), ChangeKind::DropDefault);
    }
    if type_changed {
        changes.push(id.clone(), ChangeKind::AlterColumnType);
    }
    if m.identity.is_none() {
        match &m.default {
            Some(d) if clear_default || s.default.as_ref() != Some(d) => {
                changes.push(id.clone(), ChangeKind::SetDefault(d.clone()))
            }
            None if s.default.is_some() && !clear_default => {
                changes.push(id.clone(), ChangeKind::DropDefault)
            }
            _ => {}
        }
    }
    match (&m.identity, &s.identity) {
        (Some(_), None) => {
            if !s.not_null {
                changes.push(id.clone(), ChangeKind::SetNotNull);
            }
            changes.push(id.clone(), ChangeKind::AddIdentity);
        }
        (None, Some(_)) => changes.push(id.clone(), ChangeKind::DropIdentity),
        (Some(mi), Some(si)) if mi.kind != si.kind || mi.options != si.options => {
            changes.push(id.clone(), ChangeKind::AlterIdentity)
        }
        _ => {}
    }
    let identity_sets_not_null = m.identity.is_some() && s.identity.is_none() && !s.not_null;
    if m.not_null != s.not_null && !identity_sets_not_null {
        // Dropping an identity keeps NOT NULL; the model then says whether to drop it.
        changes.push(
            id.clone(),
            if m.not_null {
                ChangeKind::SetNotNull
            } else {
                ChangeKind::DropNotNull
            },
        );
    }
    if m.storage != s.storage || m.compression != s.compression || m.statistics != s.statistics {
        changes.push(id, ChangeKind::AlterColumnStorage);
    }
}

pub(super) fn constraints(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (key, m) in &main.constraints {
        let id = ObjectId::Constraint(key.clone());
        let Some(s) = standin.constraints.get(key) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        if s.definition == m.definition && s.validated == m.validated {
            continue;
        }
        if strip_not_valid(&s.definition) == strip_not_valid(&m.definition)
            && m.validated
            && !s.validated
        {
            changes.push(id, ChangeKind::ValidateConstraint);
        } else {
            changes.recreate(id);
        }
    }
    for key in standin.constraints.keys() {
        if !main.constraints.contains_key(key) {
            changes.extra(ObjectId::Constraint(key.clone()));
        }
    }
}

pub(super) fn indexes(main: &Schema, standin: &Schema, changes: &mut Changes) {
    // A partition's index attached to its parent's comes with the parent's index.
    for (name, m) in main
        .indexes
        .iter()
        .filter(|(_, i)| i.parent_index.is_none())
    {
        let id = ObjectId::Index(name.clone());
        match standin.indexes.get(name) {
            None => changes.push(id, ChangeKind::Create),
            Some(s) if s.definition != m.definition => changes.recreate(id),
            Some(_) => {}
        }
    }
    for (name, _) in standin
        .indexes
        .iter()
        .filter(|(_, i)| i.parent_index.is_none())
    {
        if !main.indexes.contains_key(name) {
            changes.extra(ObjectId::Index(name.clone()));
        }
    }
}
