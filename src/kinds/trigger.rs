//! Triggers: created as the server rendered them, enabled state altered in place, rebuilt
//! when the definition differs.

use super::{relation_of, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Triggers;

impl Kind for Triggers {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Trigger(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("triggers")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_triggers(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Trigger(c) = id else {
            return Vec::new();
        };
        schema.triggers.get(c).map(trigger_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        14
    }

    fn needs(&self, schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
        let ObjectId::Trigger(key) = id else {
            return Vec::new();
        };
        let Some(t) = schema.triggers.get(key) else {
            return Vec::new();
        };
        vec![relation_of(schema, &t.table), t.function.clone()]
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (key, m) in &main.triggers {
            let id = ObjectId::Trigger(key.clone());
            match standin.triggers.get(key) {
                None => changes.push(id, ChangeKind::Create),
                Some(s)
                    if !same_sql(&s.definition, &m.definition)
                        || s.is_constraint != m.is_constraint =>
                {
                    changes.recreate(id)
                }
                Some(s) if s.enabled != m.enabled || s.partition_states != m.partition_states => {
                    changes.push(id, ChangeKind::TriggerEnabled)
                }
                Some(_) => {}
            }
        }
        super::extras(
            &main.triggers,
            &standin.triggers,
            changes,
            ObjectId::Trigger,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Trigger(c) => {
                format!("DROP TRIGGER {} ON {}", ident(&c.name), c.parent.sql())
            }
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let (ObjectId::Trigger(c), ChangeKind::TriggerEnabled) = (id, &change.kind) else {
            return;
        };
        let (Some(m), Some(s)) = (ctx.main.triggers.get(c), ctx.standin.triggers.get(c)) else {
            return;
        };
        // On a partitioned table this sets every partition's clone too.
        let recursed = m.enabled != s.enabled;
        if recursed {
            let sql = enabled_sql(&c.parent, &c.name, m.enabled);
            ctx.build(id, 26, Action::Alter, sql);
        }
        let mut partitions: Vec<&QualifiedName> = m
            .partition_states
            .iter()
            .chain(&s.partition_states)
            .map(|(p, _)| p)
            .collect();
        partitions.sort();
        partitions.dedup();
        for partition in partitions {
            let now = if recursed {
                m.enabled
            } else {
                state_on(s, partition)
            };
            let wanted = state_on(m, partition);
            if now != wanted {
                let sql = enabled_sql(partition, &c.name, wanted);
                ctx.build(id, 27, Action::Alter, sql);
            }
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        26
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    fn parent(&self, _schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        match id {
            ObjectId::Trigger(c) => Some(ObjectId::Table(c.parent.clone())),
            _ => None,
        }
    }
}

// Reading: catalog rows into the model.

fn load_triggers(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let key = r.table_child()?;
        let (table, name) = (key.parent.clone(), key.name.clone());
        oids.insert("pg_trigger", r.get("oid")?, ObjectId::Trigger(key.clone()));
        let enabled = enabled_state(&r.get::<String>("enabled")?);
        let partition_states: Vec<(String, String, String)> = r.json("partition_states")?;
        schema.triggers.insert(
            key,
            Trigger {
                table,
                name,
                definition: r.get("definition")?,
                function: ObjectId::Function {
                    schema: r.get("function_schema")?,
                    name: r.get("function_name")?,
                    args: r.get("function_args")?,
                },
                enabled,
                is_constraint: r.get("is_constraint")?,
                partition_states: partition_states
                    .into_iter()
                    .map(|(s, n, e)| (QualifiedName::new(s, n), enabled_state(&e)))
                    .collect(),
            },
        );
    }
    Ok(())
}

/// `tgenabled`, and the rules' `ev_enabled` and event triggers' `evtenabled`: the same
/// four letters.
pub(crate) fn enabled_state(letter: &str) -> TriggerEnabled {
    match letter {
        "D" => TriggerEnabled::Disabled,
        "R" => TriggerEnabled::Replica,
        "A" => TriggerEnabled::Always,
        _ => TriggerEnabled::Origin,
    }
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE TRIGGER` as the server rendered it, then its enabled state if not the default
/// (which a partitioned table's partitions take too), then the partitions' own.
pub(crate) fn trigger_sql(t: &Trigger) -> Vec<String> {
    let mut out = vec![t.definition.clone()];
    if t.enabled != TriggerEnabled::Origin {
        out.push(enabled_sql(&t.table, &t.name, t.enabled));
    }
    out.extend(
        t.partition_states
            .iter()
            .map(|(partition, state)| enabled_sql(partition, &t.name, *state)),
    );
    out
}

/// `ALTER TABLE … ENABLE / DISABLE / ENABLE REPLICA / ENABLE ALWAYS TRIGGER`.
fn enabled_sql(table: &QualifiedName, trigger: &str, state: TriggerEnabled) -> String {
    let state = match state {
        TriggerEnabled::Origin => "ENABLE TRIGGER",
        TriggerEnabled::Disabled => "DISABLE TRIGGER",
        TriggerEnabled::Replica => "ENABLE REPLICA TRIGGER",
        TriggerEnabled::Always => "ENABLE ALWAYS TRIGGER",
    };
    format!("ALTER TABLE {} {state} {}", table.sql(), ident(trigger))
}

/// The state of `t`'s clone on `partition`.
fn state_on(t: &Trigger, partition: &QualifiedName) -> TriggerEnabled {
    t.partition_states
        .iter()
        .find(|(p, _)| p == partition)
        .map_or(t.enabled, |(_, state)| *state)
}
