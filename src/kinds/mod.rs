//! One module per object kind: everything pgsyncer knows about that kind, behind one small
//! interface, [`Kind`]: how its objects are read from the catalog (`load`, from its query
//! `sql/<kind>.sql`), the statements that create one (`create_sql`, for dumps and plans),
//! where it goes in a dump (`section`, `needs`), what differs between main's and the
//! standin's (`diff`) and the SQL of each difference (`create`, `drop`, `alter`). Its model
//! is `src/model/<kind>.rs`. A kind with more than one file is a directory
//! (`kinds/table/`).
//!
//! [`crate::catalog::introspect`] runs every registered kind's queries and loads them, in
//! [`ALL`]'s order; [`crate::ddl`] asks each object's kind ([`of`]) for its statements and
//! place; [`crate::diff::diff`] asks every kind for its changes; [`crate::plan::sql`] asks
//! the kind that owns a change's object for its steps. What no kind owns stays there:
//! schemas (read first: their oids select everything else), comments and `pg_depend` rows
//! (any object), dependents to rebuild and drops implied by other drops
//! (`diff::dependents`), `--include`/`--exclude` (`diff::scope`).
//!
//! # Layout
//! - [`namespace`], [`extension`], [`collation`], [`enum_type`], [`domain`] (and its
//!   constraints), [`composite`], [`range`], [`sequence`], [`table`] (and its columns,
//!   partitions, row security), [`constraint`], [`index`], [`view`] (views and
//!   materialized views), [`function`] (functions, procedures, aggregates),
//!   [`text_search`] (parsers, templates, dictionaries, configurations), [`cast`] (casts
//!   and conversions), [`operator`], [`trigger`], [`policy`], [`foreign_data_wrapper`],
//!   [`foreign_server`], [`user_mapping`], [`foreign_table`], [`publication`].
//!   materialized views), [`function`] (functions, procedures, aggregates), [`trigger`],
//!   [`policy`], [`statistics`], [`rule`], [`event_trigger`].

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
pub mod user_mapping;
pub mod view;

use crate::catalog::{CatalogError, OidMap, Query, Rows};
use crate::diff::{Change, Changes};
use crate::model::{ObjectId, QualifiedName, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

/// An object kind: how it is read, dumped, compared and changed.
///
/// Ranks break ties between steps the dependency order leaves free (lower first): in the
/// build phase what others are built on goes first (schemas, types, …, comments last), in
/// the drop phase what depends on others (triggers, views, …, schemas last).
pub(crate) trait Kind: Sync {
    /// Whether `id` is one of this kind's objects (or parts, such as a table's columns).
    fn owns(&self, id: &ObjectId) -> bool;

    /// The catalog queries its objects are read from (`sql/<name>.sql`, made with
    /// [`crate::catalog_query!`]), each run with `$1` = the selected schemas' oids.
    fn queries(&self) -> &'static [Query];
    /// Fill `schema` from `rows` (one per query of [`Kind::queries`], in that order),
    /// registering each object's `(catalog, oid)` in `oids` so comments and `pg_depend`
    /// rows find it.
    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError>;

    /// The statements that create `id` as `schema` has it: a dump's, and a plan's create
    /// step unless [`Kind::create`] says more.
    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String>;
    /// Where `id` goes in a dump when the dependency order leaves it free: the pg_dump-like
    /// section (types, functions, sequences, tables, views, constraints, indexes, foreign
    /// keys, triggers, policies).
    fn section(&self, schema: &Schema, id: &ObjectId) -> i64;
    /// What a dump runs for `id` once every object exists (a sequence's `OWNED BY`, a
    /// table's replica identity, an index's `CLUSTER ON`).
    fn after_sql(&self, _schema: &Schema, _id: &ObjectId) -> Vec<String> {
        Vec::new()
    }
    /// What a dump creates before `id` besides its schema and the `pg_depend` rows.
    fn needs(&self, schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
        self.parent(schema, id).into_iter().collect()
    }

    /// Push what must be created, altered or dropped so the standin's objects of this
    /// kind equal main's.
    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes);
    /// The steps that create `id` as main has it.
    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let rank = self.build_rank(ctx.main, id);
        for sql in self.create_sql(ctx.main, id) {
            ctx.build(id, rank, Action::Create, sql);
        }
    }
    /// The statement that drops `id` as the standin has it, with the hazards of dropping
    /// it (the plan adds why it is dropped, and orders it).
    fn drop(&self, standin: &Schema, id: &ObjectId) -> Statement;
    /// The steps of an in-place change (any [`crate::diff::ChangeKind`] but create, drop
    /// and comment).
    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}
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
    // First: its drops go before any other of the same rank (it may forbid them).
    &event_trigger::EventTriggers,
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
    &text_search::TextSearch,
    &cast::Casts,
    &operator::Operators,
    &trigger::Triggers,
    &policy::Policies,
    &foreign_data_wrapper::ForeignDataWrappers,
    &foreign_server::ForeignServers,
    &user_mapping::UserMappings,
    &foreign_table::ForeignTables,
    &publication::Publications,
    &statistics::StatisticsObjects,
    &rule::Rules,
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
    extras(map(main), map(standin), changes, id);
}

/// The standin's objects of one map that main lacks: dropped with `--clean-extra`, listed
/// otherwise ([`Changes::extra`]).
pub(crate) fn extras<K, V>(
    main: &indexmap::IndexMap<K, V>,
    standin: &indexmap::IndexMap<K, V>,
    changes: &mut Changes,
    id: impl Fn(K) -> ObjectId,
) where
    K: Clone + std::hash::Hash + Eq,
{
    for key in standin.keys().filter(|k| !main.contains_key(*k)) {
        changes.extra(id(key.clone()));
    }
}

/// The relation (table, view or materialized view) named `q` as its identity: what an
/// index or trigger on it is created after.
pub(crate) fn relation_of(schema: &Schema, q: &QualifiedName) -> ObjectId {
    if schema.materialized_views.contains_key(q) {
        ObjectId::MaterializedView(q.clone())
    } else if schema.views.contains_key(q) {
        ObjectId::View(q.clone())
    } else {
        ObjectId::Table(q.clone())
    }
}

/// A constraint definition without its trailing `NOT VALID`.
pub(crate) fn strip_not_valid(definition: &str) -> &str {
    definition.trim().trim_end_matches(" NOT VALID")
}
