//! Tables and their columns: create, drop, and in place their columns (add, type,
//! default, NOT NULL and its name, identity, storage), settings (logged, storage
//! parameters, replica identity, row security) and partition attachment. A partitioning,
//! access method or inheritance change rebuilds the table.

use super::Kind;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{
    Column, ObjectId, QualifiedName, ReplicaIdentity, Schema, SequenceOptions, Table, TableChild,
};
use crate::plan::sql::{Ctx, Phase};
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::{ident, qualified};

pub(crate) struct Tables;

impl Kind for Tables {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Table(_) | ObjectId::Column(_))
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
        }
        for name in standin.tables.keys() {
            if !main.tables.contains_key(name) {
                changes.extra(ObjectId::Table(name.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let main = ctx.main;
        let ObjectId::Table(q) = id else { return };
        let Some(t) = main.tables.get(q) else { return };
        let rank = self.build_rank(main, id);
        for sql in create::table(main, t) {
            ctx.build(id, rank, Action::Create, sql);
        }
        if let Some(sql) = create::replica_identity(t) {
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

fn alter_column(ctx: &mut Ctx, id: &ObjectId, c: &TableChild, kind: &ChangeKind) {
    let (main, standin) = (ctx.main, ctx.standin);
    match kind {
        ChangeKind::AddColumn => {
            let Some(col) = column_of(main, c) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} ADD COLUMN {}",
                c.parent.sql(),
                create::column_definition(&c.parent, col)
            );
            let existing = ctx.existing_table(&c.parent);
            let st = ctx.build(id, 16, Action::Alter, sql);
            if existing {
                if col.not_null
                    && col.default.is_none()
                    && col.identity.is_none()
                    && col.generated.is_none()
                {
                    st.hazards.push(Hazard::new(
                        HazardKind::MayFailOnData,
                        "a NOT NULL column without a default cannot be added to a table that has rows",
                    ));
                }
                if col.generated.is_some() || col.identity.is_some() {
                    st.hazards.push(Hazard::new(
                        HazardKind::RewritesTable,
                        "computing the new column's values rewrites the table under an ACCESS EXCLUSIVE lock",
                    ));
                }
            }
        }
        ChangeKind::AlterColumnType => {
            let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
                return;
            };
            let collate = m
                .collation
                .as_ref()
                .map(|c| format!(" COLLATE {c}"))
                .unwrap_or_default();
            let clause = format!(
                "TYPE {}{collate} USING {}::{}",
                m.data_type,
                ident(&c.name),
                m.data_type
            );
            column_step(ctx, id, c, &clause).hazards.extend([
                Hazard::new(
                    HazardKind::RewritesTable,
                    format!(
                        "changing the type from {} to {} rewrites the table and its indexes",
                        s.data_type, m.data_type
                    ),
                ),
                Hazard::new(
                    HazardKind::LongLock,
                    "holds an ACCESS EXCLUSIVE lock while the table is rewritten",
                ),
                Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if an existing value does not convert",
                ),
            ]);
        }
        ChangeKind::SetDefault(d) => {
            column_step(ctx, id, c, &format!("SET DEFAULT {d}"));
        }
        ChangeKind::DropDefault => {
            column_step(ctx, id, c, "DROP DEFAULT");
        }
        ChangeKind::SetNotNull => {
            // SET NOT NULL names the constraint `<table>_<column>_not_null`; main's other
            // name is given with ADD CONSTRAINT … NOT NULL (18+ syntax; names are known
            // only from 18 on).
            let named = column_of(main, c)
                .and_then(|m| m.custom_not_null_name(&c.parent.name))
                .filter(|_| standin.server_version_num >= 180_000);
            let sql = match named {
                Some(n) => format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} NOT NULL {}",
                    c.parent.sql(),
                    ident(n),
                    ident(&c.name)
                ),
                None => format!("{} SET NOT NULL", alter_column_sql(c)),
            };
            ctx.build(id, 16, Action::Alter, sql).hazards.extend([
                Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if a row holds NULL in this column",
                ),
                Hazard::new(
                    HazardKind::LongLock,
                    "scans the whole table under an ACCESS EXCLUSIVE lock",
                ),
            ]);
        }
        ChangeKind::DropNotNull => {
            column_step(ctx, id, c, "DROP NOT NULL");
        }
        ChangeKind::RenameNotNull => {
            let (Some(to), Some(from)) = (
                column_of(main, c).and_then(|m| m.not_null_name.as_ref()),
                column_of(standin, c).and_then(|s| s.not_null_name.as_ref()),
            ) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                c.parent.sql(),
                ident(from),
                ident(to)
            );
            // Keyed on the table: after a DETACH PARTITION, before an ATTACH PARTITION
            // (rank 17), since an inherited constraint cannot be renamed.
            let table = ObjectId::Table(c.parent.clone());
            ctx.push(
                &table,
                Phase::Build,
                15,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        ChangeKind::AddIdentity => {
            let Some(identity) = column_of(main, c).and_then(|m| m.identity.as_ref()) else {
                return;
            };
            let clause = format!(
                "ADD GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})",
                create::identity_kind(identity.kind),
                qualified(&c.parent.schema, &identity.sequence_name),
                create::sequence_options(&identity.options, false)
            );
            column_step(ctx, id, c, &clause);
        }
        ChangeKind::DropIdentity => {
            column_step(ctx, id, c, "DROP IDENTITY");
        }
        ChangeKind::AlterIdentity => {
            let (Some(m), Some(s)) = (
                column_of(main, c).and_then(|m| m.identity.as_ref()),
                column_of(standin, c).and_then(|s| s.identity.as_ref()),
            ) else {
                return;
            };
            let mut parts = Vec::new();
            if m.kind != s.kind {
                parts.push(format!("SET GENERATED {}", create::identity_kind(m.kind)));
            }
            for option in sequence_option_changes(&s.options, &m.options) {
                parts.push(format!("SET {option}"));
            }
            if !parts.is_empty() {
                column_step(ctx, id, c, &parts.join(" "));
            }
        }
        ChangeKind::AlterColumnStorage => {
            let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
                return;
            };
            if m.storage != s.storage {
                if let Some(st) = &m.storage {
                    let clause = format!("SET STORAGE {}", create::storage_keyword(st));
                    column_step(ctx, id, c, &clause);
                }
            }
            if m.compression != s.compression {
                let method = m
                    .compression
                    .as_deref()
                    .map(ident)
                    .unwrap_or_else(|| "DEFAULT".into());
                column_step(ctx, id, c, &format!("SET COMPRESSION {method}"));
            }
            if m.statistics != s.statistics {
                let n = m.statistics.unwrap_or(-1);
                column_step(ctx, id, c, &format!("SET STATISTICS {n}"));
            }
        }
        _ => {}
    }
}

fn alter_table(ctx: &mut Ctx, id: &ObjectId, q: &QualifiedName, kind: &ChangeKind) {
    let (main, standin) = (ctx.main, ctx.standin);
    match kind {
        ChangeKind::SetLogged(logged) => {
            let what = if *logged { "LOGGED" } else { "UNLOGGED" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} SET {what}", q.sql()),
            )
            .hazards
            .push(Hazard::new(
                HazardKind::RewritesTable,
                format!("SET {what} rewrites the table under an ACCESS EXCLUSIVE lock"),
            ));
        }
        ChangeKind::SetOptions { set, reset } => {
            if !reset.is_empty() {
                let names: Vec<String> = reset.iter().map(|r| ident(r)).collect();
                ctx.build(
                    id,
                    14,
                    Action::Alter,
                    format!("ALTER TABLE {} RESET ({})", q.sql(), names.join(", ")),
                );
            }
            if !set.is_empty() {
                ctx.build(
                    id,
                    14,
                    Action::Alter,
                    format!("ALTER TABLE {} SET ({})", q.sql(), create::option_list(set)),
                );
            }
        }
        ChangeKind::ReplicaIdentity => {
            let Some(t) = main.tables.get(q) else { return };
            let sql = create::replica_identity(t).unwrap_or_else(|| {
                format!("ALTER TABLE ONLY {} REPLICA IDENTITY DEFAULT", q.sql())
            });
            let key = replica_identity_key(q, t).unwrap_or_else(|| id.clone());
            ctx.push(
                &key,
                Phase::Build,
                19,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        ChangeKind::RowSecurity(on) => {
            let what = if *on { "ENABLE" } else { "DISABLE" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} {what} ROW LEVEL SECURITY", q.sql()),
            );
        }
        ChangeKind::ForceRowSecurity(on) => {
            let what = if *on { "FORCE" } else { "NO FORCE" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} {what} ROW LEVEL SECURITY", q.sql()),
            );
        }
        ChangeKind::AttachPartition => {
            let Some(p) = main.tables.get(q).and_then(|t| t.partition_of.as_ref()) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} ATTACH PARTITION {} {}",
                p.parent.sql(),
                q.sql(),
                p.bound
            );
            ctx.build(id, 17, Action::Alter, sql)
                .hazards
                .push(Hazard::new(
                    HazardKind::LongLock,
                    "scans the partition to check its rows fit the bound",
                ));
        }
        ChangeKind::DetachPartition => {
            let Some(p) = standin.tables.get(q).and_then(|t| t.partition_of.as_ref()) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} DETACH PARTITION {}",
                p.parent.sql(),
                q.sql()
            );
            ctx.push(
                id,
                Phase::Drop,
                9,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        _ => {}
    }
}
