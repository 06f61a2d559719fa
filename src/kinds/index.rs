//! Indexes no constraint owns: created as the server rendered them (without `ONLY` on a
//! partitioned table, so PostgreSQL builds the partitions' own), `CLUSTER ON`, rebuilt
//! when the definition differs. A partition's index attached to its parent's comes with
//! the parent's.

use super::{relation_of, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::{Ctx, Phase};
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::ident;

pub(crate) struct Indexes;

impl Kind for Indexes {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Index(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("indexes")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_indexes(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Index(q) = id else {
            return Vec::new();
        };
        schema.indexes.get(q).map(index_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        12
    }

    fn needs(&self, schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
        let ObjectId::Index(q) = id else {
            return Vec::new();
        };
        let Some(i) = schema.indexes.get(q) else {
            return Vec::new();
        };
        let mut out = vec![relation_of(schema, &i.table)];
        out.extend(i.parent_index.iter().map(|p| ObjectId::Index(p.clone())));
        out
    }

    fn after_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Index(q) = id else {
            return Vec::new();
        };
        schema
            .indexes
            .get(q)
            .and_then(cluster_sql)
            .into_iter()
            .collect()
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in main
            .indexes
            .iter()
            .filter(|(_, i)| i.parent_index.is_none())
        {
            let id = ObjectId::Index(name.clone());
            match standin.indexes.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) if s.definition != m.definition => {
                    if only_options_differ(main, m, s) {
                        let (set, reset) = super::table::option_changes(&s.options, &m.options);
                        changes.push(id, ChangeKind::SetOptions { set, reset });
                    } else {
                        changes.recreate(id);
                    }
                }
                Some(s) if s.statistics != m.statistics => {
                    changes.push(id, ChangeKind::IndexStatistics)
                }
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
        // CLUSTER ON, per table or materialized view both sides have: an index or a
        // constraint's index marks it.
        let relations = main
            .tables
            .keys()
            .filter(|q| standin.tables.contains_key(*q))
            .chain(
                main.materialized_views
                    .keys()
                    .filter(|q| standin.materialized_views.contains_key(*q)),
            );
        for q in relations {
            let (m, s) = (clustered_on(main, q), clustered_on(standin, q));
            match (m, s) {
                (m, s) if m == s => {}
                (Some(m), _) => changes.push(
                    ObjectId::Index(QualifiedName::new(&q.schema, &m)),
                    ChangeKind::ClusterOn,
                ),
                (None, Some(s)) => changes.push(
                    ObjectId::Index(QualifiedName::new(&q.schema, &s)),
                    ChangeKind::SetWithoutCluster,
                ),
                (None, None) => {}
            }
        }
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let ObjectId::Index(q) = &change.id else {
            return;
        };
        match change.kind {
            ChangeKind::ClusterOn => {
                let Some((key, table)) = index_owner(ctx.main, q) else {
                    return;
                };
                // A plan that creates the index clusters on it as it creates it.
                if ctx.created.contains(&key) {
                    return;
                }
                let sql = format!(
                    "ALTER TABLE ONLY {} CLUSTER ON {}",
                    table.sql(),
                    ident(&q.name)
                );
                ctx.push(
                    &key,
                    Phase::Build,
                    19,
                    Statement::new(key.to_string(), Action::Alter, sql),
                );
            }
            ChangeKind::SetOptions { ref set, ref reset } => {
                let alter = format!("ALTER INDEX {}", q.sql());
                if !reset.is_empty() {
                    let names: Vec<String> = reset.iter().map(|r| create::option_name(r)).collect();
                    let sql = format!("{alter} RESET ({})", names.join(", "));
                    ctx.build(&change.id, 18, Action::Alter, sql);
                }
                if !set.is_empty() {
                    let sql = format!("{alter} SET ({})", create::option_list(set));
                    ctx.build(&change.id, 18, Action::Alter, sql);
                }
            }
            ChangeKind::IndexStatistics => {
                let (Some(m), Some(s)) = (ctx.main.indexes.get(q), ctx.standin.indexes.get(q))
                else {
                    return;
                };
                let reset = s
                    .statistics
                    .iter()
                    .filter(|(c, _)| !m.statistics.iter().any(|(mc, _)| mc == c))
                    .map(|(c, _)| (*c, -1));
                let set = m
                    .statistics
                    .iter()
                    .filter(|st| !s.statistics.contains(st))
                    .copied();
                for (column, target) in reset.chain(set).collect::<Vec<_>>() {
                    let sql = statistics_sql(q, column, target);
                    ctx.build(&change.id, 19, Action::Alter, sql);
                }
            }
            ChangeKind::SetWithoutCluster => {
                let Some((_, table)) = index_owner(ctx.standin, q) else {
                    return;
                };
                let sql = format!("ALTER TABLE ONLY {} SET WITHOUT CLUSTER", table.sql());
                let key = relation_of(ctx.main, &table);
                ctx.push(
                    &key,
                    Phase::Build,
                    19,
                    Statement::new(key.to_string(), Action::Alter, sql),
                );
            }
            _ => {}
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let main = ctx.main;
        let ObjectId::Index(q) = id else { return };
        let Some(i) = main.indexes.get(q) else { return };
        let rank = self.build_rank(main, id);
        // Built on a table that already has rows.
        let on_existing = ctx.existing_table(&i.table);
        // On a partitioned table, without ONLY: PostgreSQL builds and attaches the
        // partitions' indexes itself.
        for sql in index_sql(i) {
            let st = ctx.build(
                id,
                rank,
                Action::Create,
                sql.replacen(" ON ONLY ", " ON ", 1),
            );
            if on_existing {
                st.hazards.push(Hazard::new(
                    HazardKind::LongLock,
                    "blocks writes to the table while the index builds (CREATE INDEX CONCURRENTLY would not, outside a transaction)",
                ));
            }
        }
        if let Some(sql) = cluster_sql(i) {
            ctx.push(
                id,
                Phase::Build,
                19,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Index(q) => format!("DROP INDEX {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        18
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        6
    }

    /// The table or materialized view it is on.
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::Index(q) = id else { return None };
        schema.indexes.get(q).map(|i| {
            if schema.materialized_views.contains_key(&i.table) {
                ObjectId::MaterializedView(i.table.clone())
            } else {
                ObjectId::Table(i.table.clone())
            }
        })
    }
}

// Reading: catalog rows into the model.

fn load_indexes(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert("pg_class", r.get("oid")?, ObjectId::Index(name.clone()));
        let parent_index = r.opt_qname("parent_schema", "parent_name")?;
        schema.indexes.insert(
            name.clone(),
            Index {
                table: r.qname("schema", "table_name")?,
                name,
                definition: r.get("definition")?,
                unique: r.get("is_unique")?,
                method: r.get("method")?,
                parent_index,
                options: r.get("options")?,
                statistics: {
                    let columns: Vec<i32> = r.get("stat_columns")?;
                    let targets: Vec<i32> = r.get("stat_targets")?;
                    columns.into_iter().zip(targets).collect()
                },
                clustered: r.get("clustered")?,
                valid: r.get("valid")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE INDEX` as the server rendered it; a partition's index is then attached to its
/// parent's (`pg_get_indexdef` renders the parent's as `ON ONLY`).
pub(crate) fn index_sql(i: &Index) -> Vec<String> {
    let mut out = vec![i.definition.clone()];
    if let Some(parent) = &i.parent_index {
        out.push(format!(
            "ALTER INDEX {} ATTACH PARTITION {}",
            parent.sql(),
            i.name.sql()
        ));
    }
    out.extend(
        i.statistics
            .iter()
            .map(|(column, target)| statistics_sql(&i.name, *column, *target)),
    );
    out
}

/// `ALTER INDEX … ALTER COLUMN n SET STATISTICS target` (-1: back to the default).
fn statistics_sql(index: &QualifiedName, column: i32, target: i32) -> String {
    format!(
        "ALTER INDEX {} ALTER COLUMN {column} SET STATISTICS {target}",
        index.sql()
    )
}

/// Whether two definitions of an index differ only in their storage parameters, which
/// ALTER INDEX … SET / RESET changes in place (not on a partitioned table's index, which
/// takes no storage parameters of its own).
fn only_options_differ(main: &Schema, m: &Index, s: &Index) -> bool {
    let partitioned = main
        .tables
        .get(&m.table)
        .is_some_and(|t| t.partition_by.is_some());
    !partitioned
        && m.options != s.options
        && without_options(&m.definition, &m.options) == without_options(&s.definition, &s.options)
}

/// `pg_get_indexdef` text without its ` WITH (…)` clause, which it renders from
/// `reloptions` as `name=value, …`, a value quoted unless it is a plain identifier (which
/// keywords are not: both forms are tried for those); `None` when the clause is not found.
fn without_options(definition: &str, options: &[String]) -> Option<String> {
    if options.is_empty() {
        return Some(definition.to_string());
    }
    let plain = |v: &str| {
        v.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let clause = |bare: bool| {
        let rendered: Vec<String> = options
            .iter()
            .map(|o| match o.split_once('=') {
                Some((k, v)) if bare && plain(v) => format!("{k}={v}"),
                Some((k, v)) => format!("{k}={}", crate::quote::literal(v)),
                None => o.clone(),
            })
            .collect();
        format!(" WITH ({})", rendered.join(", "))
    };
    [clause(true), clause(false)]
        .into_iter()
        .find(|c| definition.contains(c.as_str()))
        .map(|c| definition.replacen(&c, "", 1))
}

/// The name of the index `table` is clustered on: one no constraint owns, or a primary
/// key's, unique or exclusion constraint's.
fn clustered_on(schema: &Schema, table: &QualifiedName) -> Option<String> {
    let index = schema
        .indexes
        .values()
        .find(|i| &i.table == table && i.clustered)
        .map(|i| i.name.name.clone());
    index.or_else(|| {
        schema
            .constraints
            .values()
            .find(|c| &c.table == table && c.clustered)
            .and_then(|c| c.index.clone())
    })
}

/// The object an index name stands for (the index, or the constraint whose index it is)
/// and its table.
fn index_owner(schema: &Schema, q: &QualifiedName) -> Option<(ObjectId, QualifiedName)> {
    if let Some(i) = schema.indexes.get(q) {
        return Some((ObjectId::Index(q.clone()), i.table.clone()));
    }
    schema
        .constraints
        .iter()
        .find(|(_, c)| c.table.schema == q.schema && c.index.as_deref() == Some(&q.name))
        .map(|(k, c)| (ObjectId::Constraint(k.clone()), c.table.clone()))
}

/// `ALTER TABLE … CLUSTER ON`, if the index was clustered on.
pub(crate) fn cluster_sql(i: &Index) -> Option<String> {
    i.clustered.then(|| {
        format!(
            "ALTER TABLE ONLY {} CLUSTER ON {}",
            i.table.sql(),
            ident(&i.name.name)
        )
    })
}
