//! Triggers: created as the server rendered them, enabled state altered in place, rebuilt
//! when the definition differs.

use super::Kind;
use crate::ddl::create;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema, TriggerEnabled};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Triggers;

impl Kind for Triggers {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Trigger(_))
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
                Some(s) if s.enabled != m.enabled => changes.push(id, ChangeKind::TriggerEnabled),
                Some(_) => {}
            }
        }
        for key in standin.triggers.keys() {
            if !main.triggers.contains_key(key) {
                changes.extra(ObjectId::Trigger(key.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Trigger(c) = id else { return };
        let sqls = ctx.main.triggers.get(c).map(create::trigger);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 26, Action::Create, sql);
        }
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
        let Some(t) = ctx.main.triggers.get(c) else {
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
