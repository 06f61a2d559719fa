//! Schema × Schema → changes: what must be created, altered, replaced or dropped so the
//! standin's model equals main's. Pure and synchronous; [`crate::plan`] orders the changes
//! and renders their SQL.
//!
//! A rename is seen as a drop and a create: identities are names, never OIDs.
//!
//! # Layout
//! - each object kind's comparison: [`crate::kinds`]`::<kind>` ([`Kind::diff`]), asked in
//!   [`crate::kinds::ALL`]'s order.
//! - [`dependents`]: the objects to drop and recreate around a change.
//! - `scope`: `--include` / `--exclude`.
//! - [`comments`]: comments on objects of every kind.
//! - [`access`]: owners and privileges of objects of every kind.
//! - [`same_sql`]: the semantic comparison of definitions.
//!
//! [`Kind::diff`]: crate::kinds::Kind::diff

mod access;
mod comments;
mod dependents;
mod same_sql;
mod scope;

pub use access::{
    default_privileges, from_defaults as access_from_defaults, AccessOptions,
    DefaultPrivilegeChange, PrivilegeAction, PrivilegeChange, RoleSpec,
};
pub use same_sql::{normalize_sql, same_sql};

use std::collections::BTreeSet;

use crate::data::TableFilter;
use crate::model::{Column, ObjectId, QualifiedName, Schema, SequenceOptions};

/// One difference, as what to do to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The object acted on (a column for column changes).
    pub id: ObjectId,
    pub kind: ChangeKind,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Create the object as main has it.
    Create,
    /// Drop the object as the standin has it. `extra`: it exists only in the standin.
    /// `implied`: something it belongs to is dropped too, which drops it (no statement).
    /// `because`: it is dropped (and created again) only because this object changes.
    Drop {
        extra: bool,
        implied: bool,
        because: Option<ObjectId>,
    },
    /// `CREATE OR REPLACE` the view, function or rule with main's definition.
    Replace,
    /// Add a column (the id is the column) as main has it.
    AddColumn,
    /// Change a column's type (and collation).
    AlterColumnType,
    SetDefault(String),
    /// A partition's own column default, set after its parent's (which reaches it).
    PartitionSetDefault(String),
    /// A partition's column default dropped, after its parent's change.
    PartitionDropDefault,
    /// Drop a column's default; runs with the drops, before what the default uses goes.
    DropDefault,
    /// `ALTER COLUMN … TYPE` the standin's type without `COLLATE`: back to the type's
    /// default collation, with the drops, so the column's collation can be dropped.
    ResetCollation,
    /// `ALTER COLUMN … TYPE text`, with the drops, so the column's old type can be dropped
    /// before [`ChangeKind::AlterColumnType`] converts it to main's.
    ColumnToText,
    SetNotNull,
    DropNotNull,
    /// `RENAME CONSTRAINT` of a column's NOT NULL constraint to main's name (18+).
    RenameNotNull,
    AddIdentity,
    DropIdentity,
    /// Identity kind or sequence options changed.
    AlterIdentity,
    /// `SET STORAGE`, `SET COMPRESSION`, `SET STATISTICS` as main has them.
    AlterColumnStorage,
    /// `SET LOGGED` / `SET UNLOGGED`.
    SetLogged(bool),
    /// Storage parameters to set (`name=value`) and to reset (`name`).
    SetOptions {
        set: Vec<String>,
        reset: Vec<String>,
    },
    ReplicaIdentity,
    /// `ENABLE`/`DISABLE ROW LEVEL SECURITY`.
    RowSecurity(bool),
    /// `FORCE`/`NO FORCE ROW LEVEL SECURITY`.
    ForceRowSecurity(bool),
    /// `ATTACH PARTITION` with main's bound.
    AttachPartition,
    /// `DETACH PARTITION` from the standin's parent.
    DetachPartition,
    /// `VALIDATE CONSTRAINT` (table or domain constraint).
    ValidateConstraint,
    /// `ALTER TYPE … ADD VALUE label [BEFORE|AFTER neighbour]`.
    EnumAddValue {
        label: String,
        position: EnumPosition,
    },
    /// Values removed or reordered: build the type anew and convert its columns.
    EnumRecreate {
        columns: Vec<(QualifiedName, String)>,
    },
    DomainSetDefault(Option<String>),
    DomainNotNull(bool),
    CompositeAddAttribute(String),
    CompositeDropAttribute(String),
    CompositeAlterAttribute(String),
    /// `ALTER SEQUENCE` options (standin's, main's).
    AlterSequence(Box<(SequenceOptions, SequenceOptions)>),
    /// `ALTER SEQUENCE … OWNED BY` main's owner (or `NONE`).
    SequenceOwnedBy,
    /// `ALTER EXTENSION … UPDATE TO` main's version.
    UpdateExtension,
    /// `ALTER EXTENSION … SET SCHEMA` main's schema.
    ExtensionSchema,
    /// `COMMENT ON … IS` main's text, or `NULL`.
    Comment(Option<String>),
    /// `ALTER … OWNER TO` this standin role (`--owners`).
    Owner(String),
    /// GRANTs and REVOKEs that make the standin's privileges main's (`--privileges`).
    Privileges(Vec<PrivilegeChange>),
    /// `ALTER TABLE … ENABLE/DISABLE TRIGGER` to main's state.
    TriggerEnabled,
    /// `ALTER VIEW … ALTER COLUMN … SET/DROP DEFAULT` to main's defaults.
    ViewDefaults,
    /// `ALTER INDEX … ALTER COLUMN n SET STATISTICS` to main's targets.
    IndexStatistics,
    /// `ALTER TABLE … CLUSTER ON` the index (the id), which may be a constraint's.
    ClusterOn,
    /// `ALTER TABLE … SET WITHOUT CLUSTER` on the table of the standin's clustered index
    /// (the id).
    SetWithoutCluster,
    /// An in-place change its kind works out again from both models when it renders it
    /// (`Kind::alter`): the options, version, handler or validator of a SQL/MED object,
    /// a foreign table's columns, options and checks.
    AlterInPlace,
    /// `ALTER TEXT SEARCH DICTIONARY` to main's options.
    TsDictionaryOptions,
    /// `ALTER TEXT SEARCH CONFIGURATION … ADD/ALTER/DROP MAPPING` to main's mappings.
    TsConfigMappings,
    /// `ALTER OPERATOR … SET (RESTRICT = …, JOIN = …)` to main's estimators.
    OperatorEstimators,
    /// `ALTER STATISTICS … SET STATISTICS` to main's target.
    StatisticsTarget,
    /// `ALTER TABLE … ENABLE/DISABLE RULE` to main's state.
    RuleEnabled,
    /// `ALTER EVENT TRIGGER … ENABLE/DISABLE` to main's state.
    EventTriggerEnabled,
}

/// Where an enum value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumPosition {
    End,
    Before(String),
    After(String),
}

/// Options of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Drop objects that exist only in the standin.
    pub clean_extra: bool,
    /// `--include` / `--exclude`: tables it does not select are out of scope ([`scope`]).
    pub tables: TableFilter,
    /// `--owners`, `--privileges`, `--role-map` ([`access`]).
    pub access: AccessOptions,
}

/// The result of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Objects only in the standin that are kept (without `clean_extra`).
    pub extras: Vec<ObjectId>,
}

/// Collects changes while diffing; each kind ([`crate::kinds::Kind::diff`]) pushes into it.
#[derive(Default)]
pub(crate) struct Changes {
    list: Vec<Change>,
    extras: Vec<ObjectId>,
    clean_extra: bool,
    /// Objects of excluded tables ([`scope::out_of_scope`]): no change is made to them.
    out_of_scope: BTreeSet<ObjectId>,
}

impl Changes {
    pub(crate) fn push(&mut self, id: ObjectId, kind: ChangeKind) {
        if self.out_of_scope.contains(&id) {
            return;
        }
        self.list.push(Change { id, kind });
    }

    /// An object only in the standin: dropped with `clean_extra`, listed otherwise
    /// (neither when it belongs to an excluded table).
    pub(crate) fn extra(&mut self, id: ObjectId) {
        if self.out_of_scope.contains(&id) {
            return;
        }
        if self.clean_extra {
            self.push(
                id,
                ChangeKind::Drop {
                    extra: true,
                    implied: false,
                    because: None,
                },
            );
        } else {
            self.extras.push(id);
        }
    }

    pub(crate) fn drop(&mut self, id: ObjectId) {
        self.push(
            id,
            ChangeKind::Drop {
                extra: false,
                implied: false,
                because: None,
            },
        );
    }

    /// Drop as the standin has it, create as main has it.
    pub(crate) fn recreate(&mut self, id: ObjectId) {
        self.drop(id.clone());
        self.push(id, ChangeKind::Create);
    }

    fn dropped(&self) -> BTreeSet<ObjectId> {
        self.list
            .iter()
            .filter(|c| matches!(c.kind, ChangeKind::Drop { .. }))
            .map(|c| c.id.clone())
            .collect()
    }

    fn created(&self) -> BTreeSet<ObjectId> {
        self.list
            .iter()
            .filter(|c| matches!(c.kind, ChangeKind::Create | ChangeKind::AddColumn))
            .map(|c| c.id.clone())
            .collect()
    }
}

/// What differs between `main` (the target) and `standin` (the current state).
pub fn diff(main: &Schema, standin: &Schema, options: DiffOptions) -> Diff {
    let mut changes = Changes {
        clean_extra: options.clean_extra,
        out_of_scope: scope::out_of_scope(main, standin, &options.tables),
        ..Changes::default()
    };
    for kind in crate::kinds::ALL {
        kind.diff(main, standin, &mut changes);
    }
    scope::keep_what_excluded_tables_need(standin, &mut changes);
    dependents::recreate_dependents(main, standin, &mut changes);
    dependents::mark_implied_drops(standin, &mut changes);
    comments::comments(main, standin, &mut changes);
    access::access(main, standin, &options.access, &mut changes);
    Diff {
        changes: changes.list,
        extras: changes.extras,
    }
}

/// A column's type as written in a model, without array brackets or quotes, for matching
/// columns to the type they use.
pub(crate) fn column_uses_type(column: &Column, ty: &QualifiedName) -> bool {
    type_text_names(&column.data_type, ty)
}

/// Whether `format_type` text names `ty` (bare when in `public`/search path, qualified
/// otherwise), with or without array brackets.
pub(crate) fn type_text_names(text: &str, ty: &QualifiedName) -> bool {
    let base = text.trim_end_matches("[]");
    base == ty.sql() || base == crate::quote::ident(&ty.name)
}
