//! Event triggers: database-wide, in no schema. Created after every other step of a plan
//! and dropped before any (pg_dump, too, creates them last): one may fire on, or forbid,
//! the very DDL the plan runs. Enable state altered in place; rebuilt when the event, the
//! tags or the function differ.

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{EventTrigger, ObjectId, Schema, TriggerEnabled};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::{ident, literal, qualified};

pub(crate) struct EventTriggers;

/// Build rank: last of all, after comments, owners and privileges (30–32); its own
/// comment and owner come right after it (`plan::sql`).
const RANK: u8 = 250;

/// `CREATE EVENT TRIGGER`, then the enable state when not the default.
pub(crate) fn event_trigger_sql(e: &EventTrigger) -> Vec<String> {
    let mut sql = format!(
        "CREATE EVENT TRIGGER {} ON {}",
        ident(&e.name),
        ident(&e.event)
    );
    if let Some(tags) = &e.tags {
        let tags: Vec<String> = tags.iter().map(|t| literal(t)).collect();
        sql.push_str(&format!(" WHEN TAG IN ({})", tags.join(", ")));
    }
    if let ObjectId::Function { schema, name, .. } = &e.function {
        sql.push_str(&format!(" EXECUTE FUNCTION {}()", qualified(schema, name)));
    }
    let mut out = vec![sql];
    if e.enabled != TriggerEnabled::Origin {
        out.push(enabled_sql(e));
    }
    out
}

/// `ALTER EVENT TRIGGER … ENABLE [REPLICA | ALWAYS]` / `DISABLE`.
fn enabled_sql(e: &EventTrigger) -> String {
    let state = match e.enabled {
        TriggerEnabled::Origin => "ENABLE",
        TriggerEnabled::Disabled => "DISABLE",
        TriggerEnabled::Replica => "ENABLE REPLICA",
        TriggerEnabled::Always => "ENABLE ALWAYS",
    };
    format!("ALTER EVENT TRIGGER {} {state}", ident(&e.name))
}

impl Kind for EventTriggers {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::EventTrigger(_))
    }

    /// Read whatever `$1` is, like extensions, but only those whose function is in a
    /// selected schema (the query says why).
    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("event_triggers")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let name: String = r.get("name")?;
            oids.insert(
                "pg_event_trigger",
                r.get("oid")?,
                ObjectId::EventTrigger(name.clone()),
            );
            schema.event_triggers.insert(
                name.clone(),
                EventTrigger {
                    name,
                    event: r.get("event")?,
                    tags: r.get("tags")?,
                    function: ObjectId::Function {
                        schema: r.get("function_schema")?,
                        name: r.get("function_name")?,
                        args: r.get("function_args")?,
                    },
                    enabled: super::trigger::enabled_state(&r.get::<String>("enabled")?),
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::EventTrigger(n) = id else {
            return Vec::new();
        };
        schema
            .event_triggers
            .get(n)
            .map(event_trigger_sql)
            .unwrap_or_default()
    }

    /// Last (and `ddl::schema_statements` puts them after the comments too).
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        18
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.event_triggers {
            let id = ObjectId::EventTrigger(name.clone());
            match standin.event_triggers.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) if s.event != m.event || s.tags != m.tags || s.function != m.function => {
                    changes.recreate(id)
                }
                Some(s) if s.enabled != m.enabled => {
                    changes.push(id, ChangeKind::EventTriggerEnabled)
                }
                Some(_) => {}
            }
        }
        super::extras(
            &main.event_triggers,
            &standin.event_triggers,
            changes,
            ObjectId::EventTrigger,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::EventTrigger(n) => format!("DROP EVENT TRIGGER {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let (ObjectId::EventTrigger(n), ChangeKind::EventTriggerEnabled) = (id, &change.kind)
        else {
            return;
        };
        let Some(e) = ctx.main.event_triggers.get(n) else {
            return;
        };
        let sql = enabled_sql(e);
        ctx.build(id, RANK, Action::Alter, sql);
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }

    /// First of all drops.
    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    /// Its function (also in `pg_depend`; said here so a snapshot without it orders right).
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::EventTrigger(n) = id else {
            return None;
        };
        schema.event_triggers.get(n).map(|e| e.function.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger(name: &str, tags: Option<Vec<&str>>, enabled: TriggerEnabled) -> EventTrigger {
        EventTrigger {
            name: name.into(),
            event: "ddl_command_start".into(),
            tags: tags.map(|t| t.into_iter().map(String::from).collect()),
            function: ObjectId::Function {
                schema: "my schema".into(),
                name: "f".into(),
                args: String::new(),
            },
            enabled,
        }
    }

    #[test]
    fn create_quotes_names_and_tags_and_sets_the_state() {
        let e = trigger(
            "it's\nodd",
            Some(vec!["CREATE TABLE", "DROP TABLE"]),
            TriggerEnabled::Replica,
        );
        let sql = event_trigger_sql(&e);
        assert_eq!(
            sql,
            vec![
                "CREATE EVENT TRIGGER \"it's\nodd\" ON ddl_command_start WHEN TAG IN ('CREATE TABLE', 'DROP TABLE') EXECUTE FUNCTION \"my schema\".f()",
                "ALTER EVENT TRIGGER \"it's\nodd\" ENABLE REPLICA",
            ]
        );
        for s in &sql {
            crate::ddl::validate(&ObjectId::EventTrigger(e.name.clone()), s).expect("parses");
        }
        let plain = event_trigger_sql(&trigger("e", None, TriggerEnabled::Origin));
        assert_eq!(
            plain,
            vec!["CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION \"my schema\".f()"]
        );
    }

    #[test]
    fn comment_and_owner_follow_the_create() {
        let mut main = Schema::default();
        main.event_triggers
            .insert("e".into(), trigger("e", None, TriggerEnabled::Origin));
        let id = ObjectId::EventTrigger("e".into());
        main.comments.insert(id.clone(), "note".into());
        main.access.insert(
            id,
            crate::model::Access {
                owner: "boss".into(),
                privileges: Default::default(),
                defaults: Default::default(),
            },
        );
        let standin = Schema {
            roles: vec!["boss".into()],
            ..Schema::default()
        };
        let options = crate::plan::PlanOptions {
            access: crate::diff::AccessOptions {
                owners: true,
                ..Default::default()
            },
            ..Default::default()
        };
        let plan = crate::plan::build(&main, &standin, options, Default::default()).expect("plan");
        let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec![
                "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION \"my schema\".f()",
                "COMMENT ON EVENT TRIGGER e IS 'note'",
                "ALTER EVENT TRIGGER e OWNER TO boss",
            ]
        );
    }

    #[test]
    fn a_state_alone_is_altered_in_place_and_tags_rebuild() {
        let mut main = Schema::default();
        let mut standin = Schema::default();
        main.event_triggers
            .insert("e".into(), trigger("e", None, TriggerEnabled::Disabled));
        standin
            .event_triggers
            .insert("e".into(), trigger("e", None, TriggerEnabled::Origin));
        let d = crate::diff::diff(&main, &standin, Default::default());
        let kinds: Vec<&ChangeKind> = d.changes.iter().map(|c| &c.kind).collect();
        assert_eq!(kinds, vec![&ChangeKind::EventTriggerEnabled]);
        standin.event_triggers.insert(
            "e".into(),
            trigger("e", Some(vec!["DROP TABLE"]), TriggerEnabled::Disabled),
        );
        let d = crate::diff::diff(&main, &standin, Default::default());
        assert!(
            matches!(d.changes[0].kind, ChangeKind::Drop { .. })
                && d.changes[1].kind == ChangeKind::Create,
            "{:?}",
            d.changes
        );
    }
}
