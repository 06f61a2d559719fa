//! Tables and their columns: create, drop, and in place their columns (add, type,
//! default, NOT NULL and its name, identity, storage), settings (logged, storage
//! parameters, replica identity, row security) and partition attachment. A partitioning,
//! access method or inheritance change rebuilds the table.
//!
//! Here the kind and its diff; `alter.rs` the SQL of each in-place change, `load.rs` the
//! catalog rows, `ddl.rs` the `CREATE TABLE`.

mod alter;
mod convert;
mod ddl;
mod load;

use indexmap::IndexMap;

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::{Ctx, Phase};
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::{ident, qualified};
use alter::{alter_column, alter_table};
pub(crate) use convert::{conversion, Conversion};
pub(crate) use ddl::{
    column_definition, identity_kind, inherited_column_overrides, replica_identity_sql,
    storage_keyword, table_sql,
};
use load::{load_columns, load_tables};

pub(crate) struct Tables;

impl Kind for Tables {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Table(_) | ObjectId::Column(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("tables"), catalog_query!("columns")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [tables, columns] = rows_of::<2>(rows)?;
        load_tables(tables, schema, oids)?;
        load_columns(columns, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Table(q) = id else {
            return Vec::new();
        };
        schema
            .tables
            .get(q)
            .map(|t| {
                let mut out = table_sql(schema, t);
                out.extend(inherited_column_overrides(schema, t));
                out
            })
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        // A column default set apart to break a cycle: right after functions allow.
        8
    }

    fn needs(&self, schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
        let ObjectId::Table(q) = id else {
            return Vec::new();
        };
        let Some(t) = schema.tables.get(q) else {
            return Vec::new();
        };
        let parents = t
            .inherits
            .iter()
            .chain(t.partition_of.as_ref().map(|p| &p.parent));
        parents.map(|p| ObjectId::Table(p.clone())).collect()
    }

    fn after_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Table(q) = id else {
            return Vec::new();
        };
        schema
            .tables
            .get(q)
            .and_then(replica_identity_sql)
            .into_iter()
            .collect()
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
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
            partition_local(main, standin, m, s, changes);
        }
        crate::kinds::extras(&main.tables, &standin.tables, changes, ObjectId::Table);
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let main = ctx.main;
        let ObjectId::Table(q) = id else { return };
        let Some(t) = main.tables.get(q) else { return };
        let rank = self.build_rank(main, id);
        // A partition's or child's own DEFAULT and NOT NULL too, as a dump writes them.
        for sql in table_sql(main, t)
            .into_iter()
            .chain(inherited_column_overrides(main, t))
        {
            ctx.build(id, rank, Action::Create, sql);
        }
        if let Some(sql) = replica_identity_sql(t) {
            let key = replica_identity_key(q, t).unwrap_or_else(|| id.clone());
            ctx.push(
                &key,
                Phase::Build,
                19,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        match id {
            ObjectId::Column(c) => Statement::new(
                id.to_string(),
                Action::Drop,
                format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    c.parent.sql(),
                    ident(&c.name)
                ),
            )
            .hazard(
                HazardKind::DeletesData,
                format!("drops {id} and its values"),
            ),
            ObjectId::Table(q) => Statement::new(
                id.to_string(),
                Action::Drop,
                format!("DROP TABLE {}", q.sql()),
            )
            .hazard(
                HazardKind::DeletesData,
                format!("drops {id} and all its rows"),
            ),
            _ => Statement::new(id.to_string(), Action::Drop, String::new()),
        }
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        match &change.id {
            ObjectId::Column(c) => alter_column(ctx, &change.id, c, &change.kind),
            ObjectId::Table(q) => alter_table(ctx, &change.id, q, &change.kind),
            _ => {}
        }
    }

    fn build_rank(&self, _schema: &Schema, id: &ObjectId) -> u8 {
        match id {
            ObjectId::Column(_) => 16,
            _ => 14,
        }
    }

    fn drop_rank(&self, _schema: &Schema, id: &ObjectId) -> u8 {
        match id {
            ObjectId::Column(_) => 8,
            _ => 10,
        }
    }

    /// A partition's partitioned table.
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::Table(q) = id else { return None };
        schema
            .tables
            .get(q)
            .and_then(|t| t.partition_of.as_ref())
            .map(|p| ObjectId::Table(p.parent.clone()))
    }
}

/// `USING INDEX` waits for its index: the key of a replica identity step on it.
fn replica_identity_key(q: &QualifiedName, t: &Table) -> Option<ObjectId> {
    match &t.replica_identity {
        ReplicaIdentity::Index(i) => Some(ObjectId::Index(QualifiedName::new(
            q.schema.clone(),
            i.clone(),
        ))),
        _ => None,
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
        let (set, reset) = option_changes(&s.options, &m.options);
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

/// From the standin's `name=value` options to main's: those to set (`name=value`) and the
/// names to reset.
pub(crate) fn option_changes(standin: &[String], main: &[String]) -> (Vec<String>, Vec<String>) {
    let key = |o: &String| o.split('=').next().unwrap_or_default().to_string();
    let set: Vec<String> = main
        .iter()
        .filter(|o| !standin.contains(o))
        .cloned()
        .collect();
    let reset: Vec<String> = standin
        .iter()
        .map(key)
        .filter(|k| !main.iter().any(|o| key(o) == *k))
        .collect();
    (set, reset)
}

/// A partition's own column DEFAULT and NOT NULL (those its parent lacks), for a partition
/// that stays attached to the same parent: its other column settings follow the parent's.
/// A change on the parent reaches its partitions (ALTER TABLE without ONLY), so the
/// partition is compared as it will be after its parent's change; its own step runs after
/// (rank 18).
fn partition_local(main: &Schema, standin: &Schema, m: &Table, s: &Table, changes: &mut Changes) {
    let (Some(mp), Some(sp)) = (&m.partition_of, &s.partition_of) else {
        return;
    };
    if mp.parent != sp.parent {
        return;
    }
    let (Some(mparent), Some(sparent)) =
        (main.tables.get(&mp.parent), standin.tables.get(&sp.parent))
    else {
        return;
    };
    for (name, mc) in &m.columns {
        let (Some(sc), Some(mpc), Some(spc)) = (
            s.columns.get(name),
            mparent.columns.get(name),
            sparent.columns.get(name),
        ) else {
            continue;
        };
        if mc.generated.is_some() || mc.identity.is_some() || sc.identity.is_some() {
            continue;
        }
        let id = ObjectId::Column(TableChild::new(m.name.clone(), name));
        let default_after = if mpc.default != spc.default {
            &mpc.default
        } else {
            &sc.default
        };
        if &mc.default != default_after {
            changes.push(
                id.clone(),
                match &mc.default {
                    Some(d) => ChangeKind::PartitionSetDefault(d.clone()),
                    None => ChangeKind::PartitionDropDefault,
                },
            );
        }
        let not_null_after = if mpc.not_null != spc.not_null {
            mpc.not_null
        } else {
            sc.not_null
        };
        if mc.not_null != not_null_after {
            changes.push(
                id,
                if mc.not_null {
                    ChangeKind::SetNotNull
                } else {
                    ChangeKind::DropNotNull
                },
            );
        }
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
    if m.storage != s.storage
        || m.compression != s.compression
        || m.statistics != s.statistics
        || m.options != s.options
    {
        changes.push(id, ChangeKind::AlterColumnStorage);
    }
}

/// A column of a table in `schema`.
pub(crate) fn column_of<'a>(schema: &'a Schema, c: &TableChild) -> Option<&'a Column> {
    schema
        .tables
        .get(&c.parent)
        .and_then(|t| t.columns.get(&c.name))
}

/// `ALTER TABLE t ALTER COLUMN c`.
pub(crate) fn alter_column_sql(c: &TableChild) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        c.parent.sql(),
        ident(&c.name)
    )
}

/// `ALTER TABLE t ALTER COLUMN c <clause>` as a step of the column `id`.
fn column_step<'a>(
    ctx: &'a mut Ctx,
    id: &ObjectId,
    c: &TableChild,
    clause: &str,
) -> &'a mut Statement {
    ctx.build(
        id,
        16,
        Action::Alter,
        format!("{} {clause}", alter_column_sql(c)),
    )
}

/// The sequence options that differ, as `ALTER SEQUENCE` clauses (type excluded).
pub(crate) fn sequence_option_changes(from: &SequenceOptions, to: &SequenceOptions) -> Vec<String> {
    let mut parts = Vec::new();
    if from.increment != to.increment {
        parts.push(format!("INCREMENT BY {}", to.increment));
    }
    if from.min != to.min {
        parts.push(format!("MINVALUE {}", to.min));
    }
    if from.max != to.max {
        parts.push(format!("MAXVALUE {}", to.max));
    }
    if from.start != to.start {
        parts.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        parts.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        parts.push(if to.cycle {
            "CYCLE".into()
        } else {
            "NO CYCLE".into()
        });
    }
    parts
}
