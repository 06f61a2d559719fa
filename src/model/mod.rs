//! The schema model: plain data read from one database's catalogs, no I/O.
//!
//! Every object is keyed by a stable identity ([`ObjectId`], [`QualifiedName`]): kind,
//! schema, name (and the table for table-scoped objects, the identity argument types for
//! functions), never an OID, since OIDs differ between two databases. Maps are
//! [`IndexMap`]s filled in a deterministic order (schema, name, `COLLATE "C"`), so anything
//! rendered from a model is byte-for-byte reproducible. Definitions the server renders
//! exactly (`pg_get_*def`, `pg_get_expr`, `format_type`) are kept as the server's text.
//!
//! Maps are serialized as sequences of `[key, value]` pairs (keys are structs, which JSON
//! object keys cannot be); see [`crate::catalog::load_snapshot`], which reads what `pgsyncer snapshot` writes.
//!
//! # Layout
//! - [`id`]: [`ObjectId`] and [`QualifiedName`], the identities.
//! - one module per kind: [`namespace`], [`extension`], [`collation`], [`enum_type`],
//!   [`domain`], [`composite`], [`range`], [`sequence`], [`table`], [`constraint`],
//!   [`index`], [`view`], [`function`], [`trigger`], [`policy`], [`text_search`],
//!   [`cast`] (casts and conversions), [`operator`].
//! - [`unmodelled`]: objects of every other kind (operators, rules, …), by name only.
//!   [`index`], [`view`], [`function`], [`trigger`], [`policy`], [`statistics`], [`rule`],
//!   [`event_trigger`].
//! - [`unmodelled`]: objects of every other kind (operators, casts, …), by name only.
//! - [`access`]: owners and privileges of objects of every kind.

pub mod access;
pub mod cast;
pub mod collation;
pub mod composite;
pub mod constraint;
pub mod domain;
pub mod enum_type;
pub mod event_trigger;
pub mod extension;
pub mod foreign_data_wrapper;
pub mod foreign_server;
pub mod foreign_table;
pub mod function;
pub mod id;
pub mod index;
pub mod namespace;
pub mod operator;
pub mod policy;
pub mod publication;
pub mod range;
pub mod rule;
pub mod sequence;
pub mod statistics;
pub mod table;
pub mod text_search;
pub mod trigger;
pub mod unmodelled;
pub mod user_mapping;
pub mod view;

pub use access::{Access, DefaultPrivileges, Grant, Grantee};
pub use cast::{Cast, CastContext, CastMethod, Conversion};
pub use collation::Collation;
pub use composite::{CompositeAttribute, CompositeType};
pub use constraint::{Constraint, ConstraintKind};
pub use domain::{Domain, DomainConstraint};
pub use enum_type::EnumType;
pub use event_trigger::EventTrigger;
pub use extension::Extension;
pub use foreign_data_wrapper::{is_secret_option, ForeignDataWrapper, GenericOptions};
pub use foreign_server::ForeignServer;
pub use foreign_table::{ForeignColumn, ForeignTable};
pub use function::{Aggregate, Function, FunctionKind, ParallelSafety, Volatility};
pub use id::{ObjectId, QualifiedName, TableChild};
pub use index::Index;
pub use namespace::Namespace;
pub use operator::Operator;
pub use policy::{Policy, PolicyCommand};
pub use publication::{Publication, PublishActions, PublishedTable};
pub use range::RangeType;
pub use rule::Rule;
pub use sequence::{Sequence, SequenceOptions};
pub use statistics::Statistics;
pub use table::{
    Column, Generated, GeneratedKind, Identity, IdentityKind, PartitionOf, ReplicaIdentity, Table,
};
pub use text_search::{TsConfig, TsDictionary, TsMapping, TsOption, TsParser, TsTemplate};
pub use trigger::{Trigger, TriggerEnabled};
pub use unmodelled::Unmodelled;
pub use user_mapping::UserMapping;
pub use view::{MaterializedView, View};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One database's schema, restricted to the selected schemas.
///
/// Objects that belong to an extension (pg_depend `deptype = 'e'`) are not in these maps:
/// `CREATE EXTENSION` brings them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Schema {
    /// `server_version_num` of the database this was read from (e.g. 150004); 0 if unknown.
    pub server_version_num: i32,
    /// Schemas (namespaces) selected, by name.
    #[serde(with = "indexmap::map::serde_seq")]
    pub namespaces: IndexMap<String, Namespace>,
    /// Installed extensions, by extension name (extension names are database-wide).
    #[serde(with = "indexmap::map::serde_seq")]
    pub extensions: IndexMap<String, Extension>,
    /// Collations created in the selected schemas (not the built-in ones).
    #[serde(with = "indexmap::map::serde_seq")]
    pub collations: IndexMap<QualifiedName, Collation>,
    /// Enum types.
    #[serde(with = "indexmap::map::serde_seq")]
    pub enums: IndexMap<QualifiedName, EnumType>,
    /// Domains.
    #[serde(with = "indexmap::map::serde_seq")]
    pub domains: IndexMap<QualifiedName, Domain>,
    /// Free-standing composite types (`CREATE TYPE … AS (…)`), not tables' row types.
    #[serde(with = "indexmap::map::serde_seq")]
    pub composites: IndexMap<QualifiedName, CompositeType>,
    /// Range types (their multirange types come with them).
    #[serde(with = "indexmap::map::serde_seq")]
    pub ranges: IndexMap<QualifiedName, RangeType>,
    /// Sequences that are not identity sequences (those live in [`Column::identity`]).
    #[serde(with = "indexmap::map::serde_seq")]
    pub sequences: IndexMap<QualifiedName, Sequence>,
    /// Tables: ordinary, partitioned and partitions (see [`Table::partition_of`]).
    #[serde(with = "indexmap::map::serde_seq")]
    pub tables: IndexMap<QualifiedName, Table>,
    /// Table constraints, keyed by table and constraint name. Constraints that a partition
    /// or child table inherits from its parent are not listed (the parent's brings them).
    #[serde(with = "indexmap::map::serde_seq")]
    pub constraints: IndexMap<TableChild, Constraint>,
    /// Indexes that no constraint owns, on tables and materialized views.
    #[serde(with = "indexmap::map::serde_seq")]
    pub indexes: IndexMap<QualifiedName, Index>,
    /// Views.
    #[serde(with = "indexmap::map::serde_seq")]
    pub views: IndexMap<QualifiedName, View>,
    /// Materialized views.
    #[serde(with = "indexmap::map::serde_seq")]
    pub materialized_views: IndexMap<QualifiedName, MaterializedView>,
    /// Functions, procedures and aggregates, keyed by [`ObjectId::Function`].
    #[serde(with = "indexmap::map::serde_seq")]
    pub functions: IndexMap<ObjectId, Function>,
    /// Triggers (not internal ones, not clones on partitions), keyed by table and name.
    #[serde(with = "indexmap::map::serde_seq")]
    pub triggers: IndexMap<TableChild, Trigger>,
    /// Row-level security policies, keyed by table and name.
    #[serde(with = "indexmap::map::serde_seq")]
    pub policies: IndexMap<TableChild, Policy>,
    /// Foreign-data wrappers no extension owns, by name (database-wide).
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub foreign_data_wrappers: IndexMap<String, ForeignDataWrapper>,
    /// Foreign servers no extension owns, by name (database-wide), but pgsyncer's own.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub foreign_servers: IndexMap<String, ForeignServer>,
    /// User mappings, keyed by [`ObjectId::UserMapping`] (database-wide), secrets left out.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub user_mappings: IndexMap<ObjectId, UserMapping>,
    /// Foreign tables, partitions of partitioned tables included.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub foreign_tables: IndexMap<QualifiedName, ForeignTable>,
    /// Publications, by name (database-wide); members in the selected schemas only.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub publications: IndexMap<String, Publication>,
    /// Text search parsers.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub ts_parsers: IndexMap<QualifiedName, TsParser>,
    /// Text search templates.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub ts_templates: IndexMap<QualifiedName, TsTemplate>,
    /// Text search dictionaries.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub ts_dictionaries: IndexMap<QualifiedName, TsDictionary>,
    /// Text search configurations.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub ts_configs: IndexMap<QualifiedName, TsConfig>,
    /// Casts, keyed by (source, target) type text.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub casts: IndexMap<(String, String), Cast>,
    /// Encoding conversions.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub conversions: IndexMap<QualifiedName, Conversion>,
    /// Operators, keyed by [`ObjectId::Operator`].
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub operators: IndexMap<ObjectId, Operator>,
    /// Extended statistics, keyed by their own schema and name. Absent from snapshots
    /// written before they were modelled, hence the default.
    #[serde(with = "indexmap::map::serde_seq", default)]
    pub statistics: IndexMap<QualifiedName, Statistics>,
    /// Rewrite rules (not views' `_RETURN` rules), keyed by table or view and name.
    #[serde(with = "indexmap::map::serde_seq", default)]
    pub rules: IndexMap<TableChild, Rule>,
    /// Event triggers (database-wide) whose function is in a selected schema, by name.
    #[serde(with = "indexmap::map::serde_seq", default)]
    pub event_triggers: IndexMap<String, EventTrigger>,
    /// `COMMENT ON` text, keyed by the object (or [`ObjectId::Column`]) it is on.
    #[serde(with = "indexmap::map::serde_seq")]
    pub comments: IndexMap<ObjectId, String>,
    /// `(dependent, referenced)`: the first object needs the second to exist. From
    /// `pg_depend` (normal and automatic dependencies between objects in the model),
    /// mapped to identities; sorted and without duplicates.
    pub dependencies: Vec<(ObjectId, ObjectId)>,
    /// Objects of kinds not modelled above (operators, rules, …), sorted
    /// Objects of kinds not modelled above (operators, casts, foreign tables, …), sorted
    /// by kind and name: never compared nor synced, only reported. Absent from snapshots
    /// written before it existed, hence the default.
    #[serde(default)]
    pub unmodelled: Vec<Unmodelled>,
    /// Owners and privileges, keyed by the object (or [`ObjectId::Column`] with privileges
    /// of its own); compared only with `--owners` / `--privileges`.
    #[serde(default, with = "indexmap::map::serde_seq")]
    pub access: IndexMap<ObjectId, Access>,
    /// Default privileges of every role, database-wide and in the selected schemas;
    /// compared only with `--privileges`.
    #[serde(default)]
    pub default_privileges: Vec<DefaultPrivileges>,
    /// The cluster's role names (roles are cluster-wide: read to check that every role a
    /// plan grants to or gives ownership to exists).
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Schema {
    /// Every object identity in the model, kind by kind (not columns, not comments).
    pub fn object_ids(&self) -> Vec<ObjectId> {
        let mut ids = Vec::new();
        ids.extend(self.namespaces.keys().map(|n| ObjectId::Schema(n.clone())));
        ids.extend(
            self.extensions
                .keys()
                .map(|n| ObjectId::Extension(n.clone())),
        );
        ids.extend(self.collations.keys().cloned().map(ObjectId::Collation));
        ids.extend(self.enums.keys().cloned().map(ObjectId::Enum));
        ids.extend(self.domains.keys().cloned().map(ObjectId::Domain));
        ids.extend(self.composites.keys().cloned().map(ObjectId::Composite));
        ids.extend(self.ranges.keys().cloned().map(ObjectId::Range));
        ids.extend(self.sequences.keys().cloned().map(ObjectId::Sequence));
        ids.extend(self.tables.keys().cloned().map(ObjectId::Table));
        ids.extend(self.constraints.keys().cloned().map(ObjectId::Constraint));
        ids.extend(self.indexes.keys().cloned().map(ObjectId::Index));
        ids.extend(self.views.keys().cloned().map(ObjectId::View));
        ids.extend(
            self.materialized_views
                .keys()
                .cloned()
                .map(ObjectId::MaterializedView),
        );
        ids.extend(self.functions.keys().cloned());
        ids.extend(self.triggers.keys().cloned().map(ObjectId::Trigger));
        ids.extend(self.policies.keys().cloned().map(ObjectId::Policy));
        ids.extend(
            self.foreign_data_wrappers
                .keys()
                .cloned()
                .map(ObjectId::ForeignDataWrapper),
        );
        ids.extend(
            self.foreign_servers
                .keys()
                .cloned()
                .map(ObjectId::ForeignServer),
        );
        ids.extend(self.user_mappings.keys().cloned());
        ids.extend(
            self.foreign_tables
                .keys()
                .cloned()
                .map(ObjectId::ForeignTable),
        );
        ids.extend(self.publications.keys().cloned().map(ObjectId::Publication));
        ids.extend(self.ts_parsers.keys().cloned().map(ObjectId::TsParser));
        ids.extend(self.ts_templates.keys().cloned().map(ObjectId::TsTemplate));
        ids.extend(
            self.ts_dictionaries
                .keys()
                .cloned()
                .map(ObjectId::TsDictionary),
        );
        ids.extend(self.ts_configs.keys().cloned().map(ObjectId::TsConfig));
        ids.extend(
            self.casts
                .keys()
                .cloned()
                .map(|(source, target)| ObjectId::Cast { source, target }),
        );
        ids.extend(self.conversions.keys().cloned().map(ObjectId::Conversion));
        ids.extend(self.operators.keys().cloned());
        ids.extend(self.statistics.keys().cloned().map(ObjectId::Statistics));
        ids.extend(self.rules.keys().cloned().map(ObjectId::Rule));
        ids.extend(
            self.event_triggers
                .keys()
                .map(|n| ObjectId::EventTrigger(n.clone())),
        );
        ids
    }

    /// Whether the model holds this object (columns count when their table has them).
    pub fn contains(&self, id: &ObjectId) -> bool {
        match id {
            ObjectId::Schema(n) => self.namespaces.contains_key(n),
            ObjectId::Extension(n) => self.extensions.contains_key(n),
            ObjectId::Collation(q) => self.collations.contains_key(q),
            ObjectId::Enum(q) => self.enums.contains_key(q),
            ObjectId::Domain(q) => self.domains.contains_key(q),
            ObjectId::DomainConstraint(c) => self
                .domains
                .get(&c.parent)
                .is_some_and(|d| d.constraints.contains_key(&c.name)),
            ObjectId::Composite(q) => self.composites.contains_key(q),
            ObjectId::Range(q) => self.ranges.contains_key(q),
            ObjectId::Sequence(q) => self.sequences.contains_key(q),
            ObjectId::Table(q) => self.tables.contains_key(q),
            ObjectId::Column(c) => {
                self.tables
                    .get(&c.parent)
                    .is_some_and(|t| t.columns.contains_key(&c.name))
                    || self
                        .views
                        .get(&c.parent)
                        .is_some_and(|v| v.columns.contains(&c.name))
                    || self
                        .materialized_views
                        .get(&c.parent)
                        .is_some_and(|v| v.columns.contains(&c.name))
                    || self
                        .composites
                        .get(&c.parent)
                        .is_some_and(|t| t.attributes.contains_key(&c.name))
                    || self
                        .foreign_tables
                        .get(&c.parent)
                        .is_some_and(|t| t.columns.contains_key(&c.name))
            }
            ObjectId::Constraint(c) => self.constraints.contains_key(c),
            ObjectId::Index(q) => self.indexes.contains_key(q),
            ObjectId::View(q) => self.views.contains_key(q),
            ObjectId::MaterializedView(q) => self.materialized_views.contains_key(q),
            ObjectId::Function { .. } => self.functions.contains_key(id),
            ObjectId::Trigger(c) => self.triggers.contains_key(c),
            ObjectId::Policy(c) => self.policies.contains_key(c),
            ObjectId::ForeignDataWrapper(n) => self.foreign_data_wrappers.contains_key(n),
            ObjectId::ForeignServer(n) => self.foreign_servers.contains_key(n),
            ObjectId::UserMapping { .. } => self.user_mappings.contains_key(id),
            ObjectId::ForeignTable(q) => self.foreign_tables.contains_key(q),
            ObjectId::Publication(n) => self.publications.contains_key(n),
            ObjectId::TsParser(q) => self.ts_parsers.contains_key(q),
            ObjectId::TsTemplate(q) => self.ts_templates.contains_key(q),
            ObjectId::TsDictionary(q) => self.ts_dictionaries.contains_key(q),
            ObjectId::TsConfig(q) => self.ts_configs.contains_key(q),
            ObjectId::Cast { source, target } => {
                self.casts.contains_key(&(source.clone(), target.clone()))
            }
            ObjectId::Conversion(q) => self.conversions.contains_key(q),
            ObjectId::Operator { .. } => self.operators.contains_key(id),
            ObjectId::Statistics(q) => self.statistics.contains_key(q),
            ObjectId::Rule(c) => self.rules.contains_key(c),
            ObjectId::EventTrigger(n) => self.event_triggers.contains_key(n),
        }
    }
}
