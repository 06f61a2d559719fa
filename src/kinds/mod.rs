//! One module per object kind: what differs between main's and the standin's objects of
//! that kind (its diff) and the SQL of each difference (its steps), behind one small
//! interface, [`Kind`]. A kind's catalog query is `sql/<kind>.sql`, its model
//! `src/model/<kind>.rs`, its loader a function in `catalog/load.rs`, its `CREATE` DDL
//! `ddl::create::<kind>`; everything a plan does to it is here, in `kinds/<kind>.rs`.
//!
//! [`crate::diff::diff`] asks every registered kind, in [`ALL`]'s order, for its changes;
//! [`crate::plan::sql`] asks the kind that owns a change's object ([`of`]) for its steps.
//! What no kind owns stays there: comments (any object), dependents to rebuild and drops
//! implied by other drops (`diff::dependents`), `--include`/`--exclude` (`diff::scope`).
//!
//! # Layout
//! - [`namespace`], [`extension`], [`collation`], [`enum_type`], [`domain`] (and its
//!   constraints), [`composite`], [`range`], [`sequence`], [`table`] (and its columns,
//!   partitions, row security), [`constraint`], [`index`], [`view`] (views and
//!   materialized views), [`function`] (functions, procedures, aggregates), [`trigger`],
//!   [`policy`].

pub mod collation;
pub mod composite;
pub mod constraint;
pub mod domain;
pub mod enum_type;
pub mod extension;
pub mod function;
pub mod index;
pub mod namespace;
pub mod policy;
pub mod range;
pub mod sequence;
pub mod table;
pub mod trigger;
pub mod view;

use crate::diff::{Change, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::Statement;

/// An object kind's diff and SQL generator.
///
/// Ranks break ties between steps the dependency order leaves free (lower first): in the
/// build phase what others are built on goes first (schemas, types, …, comments last), in
/// the drop phase what depends on others (triggers, views, …, schemas last).
pub(crate) trait Kind: Sync {
    /// Whether `id` is one of this kind's objects (or parts, such as a table's columns).
    fn owns(&self, id: &ObjectId) -> bool;
    /// Push what must be created, altered or dropped so the standin's objects of this
    /// kind equal main's.
    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes);
    /// The steps that create `id` as main has it.
    fn create(&self, ctx: &mut Ctx, id: &ObjectId);
    /// The statement that drops `id` as the standin has it, with the hazards of dropping
    /// it (the plan adds why it is dropped, and orders it).
    fn drop(&self, standin: &Schema, id: &ObjectId) -> Statement;
    /// The steps of an in-place change (any [`crate::diff::ChangeKind`] but create, drop
    /// and comment).
    fn alter(&self, ctx: &mut Ctx, change: &Change);
    /// Build-phase rank.
    fn build_rank(&self, schema: &Schema, id: &ObjectId) -> u8;
    /// Drop-phase rank.
    fn drop_rank(&self, schema: &Schema, id: &ObjectId) -> u8;
    /// What `id` needs besides its schema and the catalog's `pg_depend` rows (a table's
    /// constraint needs the table): the plan orders its steps after that object's.
    fn parent(&self, _schema: &Schema, _id: &ObjectId) -> Option<ObjectId> {
        None
    }
}

/// Every kind, in the order the diff visits them (which is also the tie-break order of
/// the steps): a new kind is registered by one line here.
pub(crate) const ALL: &[&dyn Kind] = &[
    &namespace::Namespaces,
    &extension::Extensions,
    &collation::Collations,
    &enum_type::Enums,
    &domain::Domains,
    &composite::Composites,
    &range::Ranges,
    &sequence::Sequences,
    &table::Tables,
    &constraint::Constraints,
    &index::Indexes,
    &view::Views,
    &view::MaterializedViews,
    &function::Functions,
    &trigger::Triggers,
    &policy::Policies,
];

/// The kind that owns `id`.
pub(crate) fn of(id: &ObjectId) -> Option<&'static dyn Kind> {
    ALL.iter().copied().find(|k| k.owns(id))
}

/// Kinds that are created, dropped, or recreated when anything differs.
pub(crate) fn diff_whole<K, V, F, I>(
    main: &Schema,
    standin: &Schema,
    changes: &mut Changes,
    map: F,
    id: I,
) where
    K: Clone + std::hash::Hash + Eq,
    V: PartialEq,
    F: Fn(&Schema) -> &indexmap::IndexMap<K, V>,
    I: Fn(K) -> ObjectId,
{
    use crate::diff::ChangeKind;
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

/// A constraint definition without its trailing `NOT VALID`.
pub(crate) fn strip_not_valid(definition: &str) -> &str {
    definition.trim().trim_end_matches(" NOT VALID")
}
