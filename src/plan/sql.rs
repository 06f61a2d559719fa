//! The SQL of each change: creates from [`crate::ddl::create`] (main's model), drops from
//! the standin's model, alterations from both. Each statement is a [`Step`] keyed on the
//! object [`super::order`] sorts it by.

use std::collections::BTreeSet;

use super::{Action, HazardKind, Statement};
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, EnumPosition};
use crate::model::{
    ConstraintKind, ObjectId, QualifiedName, ReplicaIdentity, Schema, SequenceOptions, TableChild,
    TriggerEnabled,
};
use crate::quote::{ident, literal, qualified};

/// Drops run first (dependents before what they depend on), then everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    Drop,
    Build,
}

/// A statement with what orders it.
#[derive(Debug, Clone)]
pub struct Step {
    pub statement: Statement,
    /// The object whose dependencies order this step (not always the one it names: a
    /// `REPLICA IDENTITY USING INDEX` waits for its index).
    pub key: ObjectId,
    pub phase: Phase,
    /// Tie-break among steps ready together: lower first.
    pub rank: u8,
}

struct Ctx<'a> {
    main: &'a Schema,
    standin: &'a Schema,
    /// Relations created by this plan (so adding to them needs no hazard).
    created: BTreeSet<ObjectId>,
    steps: Vec<Step>,
}

impl Ctx<'_> {
    fn push(&mut self, key: &ObjectId, phase: Phase, rank: u8, statement: Statement) {
        self.steps.push(Step {
            statement,
            key: key.clone(),
            phase,
            rank,
        });
    }

    fn build(&mut self, key: &ObjectId, rank: u8, action: Action, sql: String) -> &mut Statement {
        self.push(
            key,
            Phase::Build,
            rank,
            Statement::new(key.to_string(), action, sql),
        );
        let last = self.steps.len() - 1;
        &mut self.steps[last].statement
    }

    /// `ALTER TABLE t ALTER COLUMN c <clause>` as a step of the column `id`.
    fn column_step(&mut self, id: &ObjectId, c: &TableChild, clause: &str) -> &mut Statement {
        self.build(
            id,
            16,
            Action::Alter,
            format!("{} {clause}", alter_column(c)),
        )
    }

    fn existing_table(&self, table: &QualifiedName) -> bool {
        self.standin.tables.contains_key(table)
            && !self.created.contains(&ObjectId::Table(table.clone()))
    }
}

/// Build-phase rank of an object kind: schemas and types first, comments last.
fn build_rank(schema: &Schema, id: &ObjectId) -> u8 {
    match id {
        ObjectId::Schema(_) => 0,
        ObjectId::Extension(_) => 2,
        ObjectId::Collation(_) => 4,
        ObjectId::Enum(_) | ObjectId::Composite(_) | ObjectId::Range(_) => 6,
        ObjectId::Domain(_) | ObjectId::DomainConstraint(_) => 8,
        ObjectId::Function { .. } => 10,
        ObjectId::Sequence(_) => 12,
        ObjectId::Table(_) => 14,
        ObjectId::Column(_) => 16,
        ObjectId::Constraint(c) => match schema.constraints.get(c).map(|c| c.kind) {
            Some(ConstraintKind::ForeignKey) => 20,
            _ => 18,
        },
        ObjectId::Index(_) => 18,
        ObjectId::View(_) => 22,
        ObjectId::MaterializedView(_) => 24,
        ObjectId::Trigger(_) | ObjectId::Policy(_) => 26,
    }
}

/// Drop-phase rank: what depends on others first.
fn drop_rank(schema: &Schema, id: &ObjectId) -> u8 {
    match id {
        ObjectId::Trigger(_) | ObjectId::Policy(_) => 0,
        ObjectId::View(_) | ObjectId::MaterializedView(_) => 2,
        ObjectId::Constraint(c) => match schema.constraints.get(c).map(|c| c.kind) {
            Some(ConstraintKind::ForeignKey) => 4,
            _ => 6,
        },
        ObjectId::Index(_) => 6,
        ObjectId::Column(_) => 8,
        ObjectId::Table(_) => 10,
        ObjectId::Function { .. } => 12,
        ObjectId::Sequence(_) => 14,
        ObjectId::DomainConstraint(_) => 15,
        ObjectId::Domain(_) => 16,
        ObjectId::Enum(_) | ObjectId::Composite(_) | ObjectId::Range(_) => 18,
        ObjectId::Collation(_) => 20,
        ObjectId::Extension(_) => 22,
        ObjectId::Schema(_) => 24,
    }
}

const COMMENT_RANK: u8 = 30;

/// Statements for `changes`, unordered.
pub fn statements(changes: &[Change], main: &Schema, standin: &Schema) -> Vec<Step> {
    let created = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Create)
        .map(|c| c.id.clone())
        .collect();
    let mut ctx = Ctx {
        main,
        standin,
        created,
        steps: Vec::new(),
    };
    for change in changes {
        step(&mut ctx, change);
    }
    ctx.steps
}

fn column_of<'a>(schema: &'a Schema, c: &TableChild) -> Option<&'a crate::model::Column> {
    schema
        .tables
        .get(&c.parent)
        .and_then(|t| t.columns.get(&c.name))
}

fn alter_column(c: &TableChild) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        c.parent.sql(),
        ident(&c.name)
    )
}

fn step(ctx: &mut Ctx, change: &Change) {
    let id = &change.id;
    let (main, standin) = (ctx.main, ctx.standin);
    match &change.kind {
        ChangeKind::Create => create_object(ctx, id),
        ChangeKind::Drop { implied: true, .. } => {}
        ChangeKind::Drop { because, .. } => drop_object(ctx, id, because.as_ref()),
        ChangeKind::Replace => {
            let sql = match id {
                ObjectId::View(q) => main.views.get(q).and_then(|v| {
                    create::view(v)
                        .into_iter()
                        .next()
                        .map(|s| s.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
                }),
                _ => main
                    .functions
                    .get(id)
                    .and_then(|f| create::function(f).into_iter().next()),
            };
            if let Some(sql) = sql {
                let rank = build_rank(main, id);
                ctx.build(id, rank, Action::Replace, sql);
            }
        }
        ChangeKind::AddColumn => {
            let ObjectId::Column(c) = id else { return };
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
                    st.hazards.push(super::Hazard::new(
                        HazardKind::MayFailOnData,
                        "a NOT NULL column without a default cannot be added to a table that has rows",
                    ));
                }
                if col.generated.is_some() || col.identity.is_some() {
                    st.hazards.push(super::Hazard::new(
                        HazardKind::RewritesTable,
                        "computing the new column's values rewrites the table under an ACCESS EXCLUSIVE lock",
                    ));
                }
            }
        }
        ChangeKind::AlterColumnType => {
            let ObjectId::Column(c) = id else { return };
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
            ctx.column_step(id, c, &clause).hazards.extend([
                super::Hazard::new(
                    HazardKind::RewritesTable,
                    format!(
                        "changing the type from {} to {} rewrites the table and its indexes",
                        s.data_type, m.data_type
                    ),
                ),
                super::Hazard::new(
                    HazardKind::LongLock,
                    "holds an ACCESS EXCLUSIVE lock while the table is rewritten",
                ),
                super::Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if an existing value does not convert",
                ),
            ]);
        }
        ChangeKind::SetDefault(d) => {
            let ObjectId::Column(c) = id else { return };
            ctx.column_step(id, c, &format!("SET DEFAULT {d}"));
        }
        ChangeKind::DropDefault => {
            let ObjectId::Column(c) = id else { return };
            ctx.column_step(id, c, "DROP DEFAULT");
        }
        ChangeKind::SetNotNull => {
            let ObjectId::Column(c) = id else { return };
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
                None => format!("{} SET NOT NULL", alter_column(c)),
            };
            ctx.build(id, 16, Action::Alter, sql).hazards.extend([
                super::Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if a row holds NULL in this column",
                ),
                super::Hazard::new(
                    HazardKind::LongLock,
                    "scans the whole table under an ACCESS EXCLUSIVE lock",
                ),
            ]);
        }
        ChangeKind::DropNotNull => {
            let ObjectId::Column(c) = id else { return };
            ctx.column_step(id, c, "DROP NOT NULL");
        }
        ChangeKind::RenameNotNull => {
            let ObjectId::Column(c) = id else { return };
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
            let ObjectId::Column(c) = id else { return };
            let Some(identity) = column_of(main, c).and_then(|m| m.identity.as_ref()) else {
                return;
            };
            let clause = format!(
                "ADD GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})",
                create::identity_kind(identity.kind),
                qualified(&c.parent.schema, &identity.sequence_name),
                create::sequence_options(&identity.options, false)
            );
            ctx.column_step(id, c, &clause);
        }
        ChangeKind::DropIdentity => {
            let ObjectId::Column(c) = id else { return };
            ctx.column_step(id, c, "DROP IDENTITY");
        }
        ChangeKind::AlterIdentity => {
            let ObjectId::Column(c) = id else { return };
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
                ctx.column_step(id, c, &parts.join(" "));
            }
        }
        ChangeKind::AlterColumnStorage => {
            let ObjectId::Column(c) = id else { return };
            let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
                return;
            };
            if m.storage != s.storage {
                if let Some(st) = &m.storage {
                    let clause = format!("SET STORAGE {}", create::storage_keyword(st));
                    ctx.column_step(id, c, &clause);
                }
            }
            if m.compression != s.compression {
                let method = m
                    .compression
                    .as_deref()
                    .map(ident)
                    .unwrap_or_else(|| "DEFAULT".into());
                ctx.column_step(id, c, &format!("SET COMPRESSION {method}"));
            }
            if m.statistics != s.statistics {
                let n = m.statistics.unwrap_or(-1);
                ctx.column_step(id, c, &format!("SET STATISTICS {n}"));
            }
        }
        ChangeKind::SetLogged(logged) => {
            let ObjectId::Table(q) = id else { return };
            let what = if *logged { "LOGGED" } else { "UNLOGGED" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} SET {what}", q.sql()),
            )
            .hazards
            .push(super::Hazard::new(
                HazardKind::RewritesTable,
                format!("SET {what} rewrites the table under an ACCESS EXCLUSIVE lock"),
            ));
        }
        ChangeKind::SetOptions { set, reset } => {
            let ObjectId::Table(q) = id else { return };
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
            let ObjectId::Table(q) = id else { return };
            let Some(t) = main.tables.get(q) else { return };
            let sql = create::replica_identity(t).unwrap_or_else(|| {
                format!("ALTER TABLE ONLY {} REPLICA IDENTITY DEFAULT", q.sql())
            });
            // USING INDEX waits for the index.
            let key = match &t.replica_identity {
                ReplicaIdentity::Index(i) => {
                    ObjectId::Index(QualifiedName::new(q.schema.clone(), i.clone()))
                }
                _ => id.clone(),
            };
            ctx.push(
                &key,
                Phase::Build,
                19,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        ChangeKind::RowSecurity(on) => {
            let ObjectId::Table(q) = id else { return };
            let what = if *on { "ENABLE" } else { "DISABLE" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} {what} ROW LEVEL SECURITY", q.sql()),
            );
        }
        ChangeKind::ForceRowSecurity(on) => {
            let ObjectId::Table(q) = id else { return };
            let what = if *on { "FORCE" } else { "NO FORCE" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} {what} ROW LEVEL SECURITY", q.sql()),
            );
        }
        ChangeKind::AttachPartition => {
            let ObjectId::Table(q) = id else { return };
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
                .push(super::Hazard::new(
                    HazardKind::LongLock,
                    "scans the partition to check its rows fit the bound",
                ));
        }
        ChangeKind::DetachPartition => {
            let ObjectId::Table(q) = id else { return };
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
        ChangeKind::ValidateConstraint => {
            let sql = match id {
                ObjectId::Constraint(c) => format!(
                    "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                    c.parent.sql(),
                    ident(&c.name)
                ),
                ObjectId::DomainConstraint(c) => format!(
                    "ALTER DOMAIN {} VALIDATE CONSTRAINT {}",
                    c.parent.sql(),
                    ident(&c.name)
                ),
                _ => return,
            };
            let rank = build_rank(main, id);
            ctx.build(id, rank, Action::Alter, sql)
                .hazards
                .push(super::Hazard::new(
                    HazardKind::MayFailOnData,
                    "checks every existing row; fails if one violates the constraint",
                ));
        }
        ChangeKind::EnumAddValue { label, position } => {
            let ObjectId::Enum(q) = id else { return };
            let at = match position {
                EnumPosition::End => String::new(),
                EnumPosition::Before(x) => format!(" BEFORE {}", literal(x)),
                EnumPosition::After(x) => format!(" AFTER {}", literal(x)),
            };
            ctx.build(
                id,
                6,
                Action::Alter,
                format!("ALTER TYPE {} ADD VALUE {}{at}", q.sql(), literal(label)),
            );
        }
        ChangeKind::EnumRecreate { columns } => enum_recreate(ctx, id, columns),
        ChangeKind::DomainSetDefault(d) => {
            let ObjectId::Domain(q) = id else { return };
            let sql = match d {
                Some(d) => format!("ALTER DOMAIN {} SET DEFAULT {d}", q.sql()),
                None => format!("ALTER DOMAIN {} DROP DEFAULT", q.sql()),
            };
            ctx.build(id, 8, Action::Alter, sql);
        }
        ChangeKind::DomainNotNull(on) => {
            let ObjectId::Domain(q) = id else { return };
            if *on {
                ctx.build(
                    id,
                    8,
                    Action::Alter,
                    format!("ALTER DOMAIN {} SET NOT NULL", q.sql()),
                )
                .hazards
                .push(super::Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if a column of this domain holds NULL",
                ));
            } else {
                ctx.build(
                    id,
                    8,
                    Action::Alter,
                    format!("ALTER DOMAIN {} DROP NOT NULL", q.sql()),
                );
            }
        }
        ChangeKind::CompositeAddAttribute(a) | ChangeKind::CompositeAlterAttribute(a) => {
            let ObjectId::Composite(q) = id else { return };
            let Some(attr) = main.composites.get(q).and_then(|t| t.attributes.get(a)) else {
                return;
            };
            let collate = attr
                .collation
                .as_ref()
                .map(|c| format!(" COLLATE {c}"))
                .unwrap_or_default();
            let sql = if matches!(change.kind, ChangeKind::CompositeAddAttribute(_)) {
                format!(
                    "ALTER TYPE {} ADD ATTRIBUTE {} {}{collate}",
                    q.sql(),
                    ident(a),
                    attr.data_type
                )
            } else {
                format!(
                    "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{collate}",
                    q.sql(),
                    ident(a),
                    attr.data_type
                )
            };
            ctx.build(id, 6, Action::Alter, sql);
        }
        ChangeKind::CompositeDropAttribute(a) => {
            let ObjectId::Composite(q) = id else { return };
            ctx.build(
                id,
                6,
                Action::Alter,
                format!("ALTER TYPE {} DROP ATTRIBUTE {}", q.sql(), ident(a)),
            );
        }
        ChangeKind::AlterSequence(options) => {
            let ObjectId::Sequence(q) = id else { return };
            let (from, to) = options.as_ref();
            let mut parts = Vec::new();
            if from.data_type != to.data_type {
                parts.push(format!("AS {}", to.data_type));
            }
            parts.extend(sequence_option_changes(from, to));
            // A raised minimum is above a fresh sequence's current value (PostgreSQL
            // refuses that): start again. A lowered maximum is left to the server.
            let restart = to.min > from.min;
            if restart {
                parts.push("RESTART".to_string());
            }
            if !parts.is_empty() {
                let st = ctx.build(
                    id,
                    12,
                    Action::Alter,
                    format!("ALTER SEQUENCE {} {}", q.sql(), parts.join(" ")),
                );
                if restart {
                    st.hazards.push(super::Hazard::new(
                        HazardKind::DeletesData,
                        "the minimum rises, so the sequence restarts at its START value (its current value is lost)",
                    ));
                }
            }
        }
        ChangeKind::SequenceOwnedBy => {
            let ObjectId::Sequence(q) = id else { return };
            let Some(seq) = main.sequences.get(q) else {
                return;
            };
            match &seq.owned_by {
                Some((t, c)) => {
                    let key = ObjectId::Column(TableChild::new(t.clone(), c));
                    let sql = create::sequence_owned_by(seq).unwrap_or_default();
                    ctx.push(
                        &key,
                        Phase::Build,
                        28,
                        Statement::new(id.to_string(), Action::Alter, sql),
                    );
                }
                None => {
                    ctx.build(
                        id,
                        12,
                        Action::Alter,
                        format!("ALTER SEQUENCE {} OWNED BY NONE", q.sql()),
                    );
                }
            }
        }
        ChangeKind::UpdateExtension => {
            let ObjectId::Extension(n) = id else { return };
            let Some(e) = main.extensions.get(n) else {
                return;
            };
            ctx.build(
                id,
                2,
                Action::Alter,
                format!(
                    "ALTER EXTENSION {} UPDATE TO {}",
                    ident(n),
                    literal(&e.version)
                ),
            );
        }
        ChangeKind::ExtensionSchema => {
            let ObjectId::Extension(n) = id else { return };
            let Some(e) = main.extensions.get(n) else {
                return;
            };
            ctx.build(
                id,
                2,
                Action::Alter,
                format!(
                    "ALTER EXTENSION {} SET SCHEMA {}",
                    ident(n),
                    ident(&e.schema)
                ),
            );
        }
        ChangeKind::Comment(text) => {
            let sql = match text {
                Some(t) => create::comment(main, id, t),
                None => {
                    let with_empty = create::comment(standin, id, "");
                    format!("{} NULL", with_empty.trim_end_matches("''").trim_end())
                }
            };
            ctx.build(id, COMMENT_RANK, Action::Alter, sql);
        }
        ChangeKind::TriggerEnabled => {
            let ObjectId::Trigger(c) = id else { return };
            let Some(t) = main.triggers.get(c) else {
                return;
            };
            let state = match t.enabled {
                TriggerEnabled::Origin => "ENABLE TRIGGER",
                TriggerEnabled::Disabled => "DISABLE TRIGGER",
                TriggerEnabled::Replica => "ENABLE REPLICA TRIGGER",
                TriggerEnabled::Always => "ENABLE ALWAYS TRIGGER",
            };
            ctx.build(
                id,
                26,
                Action::Alter,
                format!("ALTER TABLE {} {state} {}", c.parent.sql(), ident(&c.name)),
            );
        }
    }
}

/// The sequence options that differ, as `ALTER SEQUENCE` clauses (type excluded).
fn sequence_option_changes(from: &SequenceOptions, to: &SequenceOptions) -> Vec<String> {
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

/// The statements that create `id` as main has it.
fn create_object(ctx: &mut Ctx, id: &ObjectId) {
    let main = ctx.main;
    let rank = build_rank(main, id);
    let mut extra: Vec<(ObjectId, u8, String)> = Vec::new();
    let sqls: Vec<String> = match id {
        ObjectId::Schema(n) => main
            .namespaces
            .get(n)
            .map(create::schema)
            .unwrap_or_default(),
        ObjectId::Extension(n) => main
            .extensions
            .get(n)
            .map(create::extension)
            .unwrap_or_default(),
        ObjectId::Collation(q) => main
            .collations
            .get(q)
            .map(create::collation)
            .unwrap_or_default(),
        ObjectId::Enum(q) => main.enums.get(q).map(create::enum_type).unwrap_or_default(),
        ObjectId::Domain(q) => main.domains.get(q).map(create::domain).unwrap_or_default(),
        ObjectId::DomainConstraint(c) => main
            .domains
            .get(&c.parent)
            .and_then(|d| d.constraints.get(&c.name))
            .map(|dc| {
                vec![format!(
                    "ALTER DOMAIN {} ADD CONSTRAINT {} {}",
                    c.parent.sql(),
                    ident(&c.name),
                    dc.definition
                )]
            })
            .unwrap_or_default(),
        ObjectId::Composite(q) => main
            .composites
            .get(q)
            .map(create::composite)
            .unwrap_or_default(),
        ObjectId::Range(q) => main.ranges.get(q).map(create::range).unwrap_or_default(),
        ObjectId::Sequence(q) => main
            .sequences
            .get(q)
            .map(create::sequence)
            .unwrap_or_default(),
        ObjectId::Table(q) => match main.tables.get(q) {
            Some(t) => {
                if let Some(sql) = create::replica_identity(t) {
                    let key = match &t.replica_identity {
                        ReplicaIdentity::Index(i) => {
                            ObjectId::Index(QualifiedName::new(q.schema.clone(), i.clone()))
                        }
                        _ => id.clone(),
                    };
                    extra.push((key, 19, sql));
                }
                create::table(main, t)
            }
            None => Vec::new(),
        },
        ObjectId::Column(_) => Vec::new(),
        ObjectId::Constraint(c) => main
            .constraints
            .get(c)
            .map(create::constraint)
            .unwrap_or_default(),
        ObjectId::Index(q) => match main.indexes.get(q) {
            Some(i) => {
                if let Some(sql) = create::index_cluster(i) {
                    extra.push((id.clone(), 19, sql));
                }
                // On a partitioned table, without ONLY: PostgreSQL builds and attaches the
                // partitions' indexes itself.
                create::index(i)
                    .into_iter()
                    .map(|s| s.replacen(" ON ONLY ", " ON ", 1))
                    .collect()
            }
            None => Vec::new(),
        },
        ObjectId::View(q) => main.views.get(q).map(create::view).unwrap_or_default(),
        ObjectId::MaterializedView(q) => main
            .materialized_views
            .get(q)
            .map(create::materialized_view)
            .unwrap_or_default(),
        ObjectId::Function { .. } => main
            .functions
            .get(id)
            .map(create::function)
            .unwrap_or_default(),
        ObjectId::Trigger(c) => main
            .triggers
            .get(c)
            .map(create::trigger)
            .unwrap_or_default(),
        ObjectId::Policy(c) => main.policies.get(c).map(create::policy).unwrap_or_default(),
    };
    // Constraints and indexes added to a table that already has rows.
    let on_existing = match id {
        ObjectId::Constraint(c) => ctx.existing_table(&c.parent).then_some(&c.parent),
        ObjectId::Index(q) => main
            .indexes
            .get(q)
            .map(|i| &i.table)
            .filter(|t| ctx.existing_table(t)),
        ObjectId::DomainConstraint(c) => (ctx.standin.domains.contains_key(&c.parent)
            && !ctx.created.contains(&ObjectId::Domain(c.parent.clone())))
        .then_some(&c.parent),
        _ => None,
    };
    for sql in sqls {
        let st = ctx.build(id, rank, Action::Create, sql);
        match (id, on_existing) {
            (ObjectId::Constraint(c), Some(_)) => {
                let kind = main.constraints.get(c).map(|c| c.kind);
                if !st.sql.ends_with("NOT VALID") {
                    st.hazards.push(super::Hazard::new(
                        HazardKind::MayFailOnData,
                        match kind {
                            Some(ConstraintKind::PrimaryKey | ConstraintKind::Unique) => "fails if existing rows hold duplicates (or NULLs for a primary key)",
                            Some(ConstraintKind::ForeignKey) => "fails if an existing row references a missing key",
                            _ => "fails if an existing row violates it",
                        },
                    ));
                }
                st.hazards.push(super::Hazard::new(
                    HazardKind::LongLock,
                    "checks every existing row while holding a lock that blocks writes",
                ));
            }
            (ObjectId::DomainConstraint(_), Some(_)) if !st.sql.ends_with("NOT VALID") => {
                st.hazards.push(super::Hazard::new(
                    HazardKind::MayFailOnData,
                    "checks every value of the domain's columns; fails if one violates it",
                ));
            }
            (ObjectId::Index(_), Some(_)) => {
                st.hazards.push(super::Hazard::new(
                    HazardKind::LongLock,
                    "blocks writes to the table while the index builds (CREATE INDEX CONCURRENTLY would not, outside a transaction)",
                ));
            }
            _ => {}
        }
    }
    for (key, rank, sql) in extra {
        ctx.push(
            &key,
            Phase::Build,
            rank,
            Statement::new(id.to_string(), Action::Alter, sql),
        );
    }
}

/// The statement that drops `id` as the standin has it.
fn drop_object(ctx: &mut Ctx, id: &ObjectId, because: Option<&ObjectId>) {
    let standin = ctx.standin;
    let sql = match id {
        ObjectId::Schema(n) => format!("DROP SCHEMA {}", ident(n)),
        ObjectId::Extension(n) => format!("DROP EXTENSION {}", ident(n)),
        ObjectId::Collation(q) => format!("DROP COLLATION {}", q.sql()),
        ObjectId::Enum(q) | ObjectId::Composite(q) | ObjectId::Range(q) => {
            format!("DROP TYPE {}", q.sql())
        }
        ObjectId::Domain(q) => format!("DROP DOMAIN {}", q.sql()),
        ObjectId::DomainConstraint(c) => format!(
            "ALTER DOMAIN {} DROP CONSTRAINT {}",
            c.parent.sql(),
            ident(&c.name)
        ),
        ObjectId::Sequence(q) => format!("DROP SEQUENCE {}", q.sql()),
        ObjectId::Table(q) => format!("DROP TABLE {}", q.sql()),
        ObjectId::Column(c) => format!(
            "ALTER TABLE {} DROP COLUMN {}",
            c.parent.sql(),
            ident(&c.name)
        ),
        ObjectId::Constraint(c) => format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            c.parent.sql(),
            ident(&c.name)
        ),
        ObjectId::Index(q) => format!("DROP INDEX {}", q.sql()),
        ObjectId::View(q) => format!("DROP VIEW {}", q.sql()),
        ObjectId::MaterializedView(q) => format!("DROP MATERIALIZED VIEW {}", q.sql()),
        ObjectId::Function { .. } => {
            format!("DROP {}", create::routine(standin, id).unwrap_or_default())
        }
        ObjectId::Trigger(c) => format!("DROP TRIGGER {} ON {}", ident(&c.name), c.parent.sql()),
        ObjectId::Policy(c) => format!("DROP POLICY {} ON {}", ident(&c.name), c.parent.sql()),
    };
    let mut statement = Statement::new(id.to_string(), Action::Drop, sql);
    match id {
        ObjectId::Table(_) => {
            statement = statement.hazard(
                HazardKind::DeletesData,
                format!("drops {id} and all its rows"),
            )
        }
        ObjectId::Column(_) => {
            statement = statement.hazard(
                HazardKind::DeletesData,
                format!("drops {id} and its values"),
            )
        }
        ObjectId::Sequence(_) => {
            statement = statement.hazard(
                HazardKind::DeletesData,
                format!("drops {id} and its current value"),
            )
        }
        _ => {}
    }
    if let Some(cause) = because {
        statement = statement.hazard(
            HazardKind::RecreatesDependents,
            format!("dropped and created again below because {cause} changes"),
        );
    }
    let rank = drop_rank(standin, id);
    ctx.push(id, Phase::Drop, rank, statement);
}

/// An enum that lost or reordered values: rename the old type away, create main's, convert
/// every column through text, drop the old type.
fn enum_recreate(ctx: &mut Ctx, id: &ObjectId, columns: &[(QualifiedName, String)]) {
    let ObjectId::Enum(q) = id else { return };
    let (main, standin) = (ctx.main, ctx.standin);
    let Some(m) = main.enums.get(q) else { return };
    let old_name = format!("{}__pgsyncer_old", q.name);
    let old = qualified(&q.schema, &old_name);
    ctx.build(
        id,
        6,
        Action::Alter,
        format!("ALTER TYPE {} RENAME TO {}", q.sql(), ident(&old_name)),
    )
    .hazards
    .push(super::Hazard::new(
        HazardKind::RecreatesDependents,
        "values were removed or reordered: the type is built anew and its columns converted",
    ));
    for sql in create::enum_type(m) {
        ctx.build(id, 6, Action::Create, sql);
    }
    for (table, column) in columns {
        let c = TableChild::new(table.clone(), column);
        let Some(sc) = column_of(standin, &c) else {
            continue;
        };
        let array = sc.data_type.ends_with("[]");
        let target = if array {
            format!("{}[]", q.sql())
        } else {
            q.sql()
        };
        let via = if array { "text[]" } else { "text" };
        if sc.default.is_some() {
            ctx.build(
                id,
                6,
                Action::Alter,
                format!("{} DROP DEFAULT", alter_column(&c)),
            );
        }
        ctx.build(
            id,
            6,
            Action::Alter,
            format!(
                "{} TYPE {target} USING {}::{via}::{target}",
                alter_column(&c),
                ident(column)
            ),
        )
        .hazards
        .extend([
            super::Hazard::new(
                HazardKind::MayFailOnData,
                format!(
                    "fails if {} holds a value {} no longer has",
                    ObjectId::Column(c.clone()),
                    q
                ),
            ),
            super::Hazard::new(
                HazardKind::RewritesTable,
                "rewrites the table under an ACCESS EXCLUSIVE lock",
            ),
        ]);
        if let Some(d) = column_of(main, &c).and_then(|mc| mc.default.clone()) {
            ctx.build(
                id,
                6,
                Action::Alter,
                format!("{} SET DEFAULT {d}", alter_column(&c)),
            );
        }
    }
    ctx.build(id, 6, Action::Drop, format!("DROP TYPE {old}"));
}
