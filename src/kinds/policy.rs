//! Row-level security policies: created, dropped, rebuilt when anything differs.

use super::{diff_whole, Kind};
use crate::ddl::create;
use crate::diff::{Change, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Policies;

impl Kind for Policies {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Policy(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(main, standin, changes, |s| &s.policies, ObjectId::Policy);
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Policy(c) = id else { return };
        let sqls = ctx.main.policies.get(c).map(create::policy);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 26, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Policy(c) => format!("DROP POLICY {} ON {}", ident(&c.name), c.parent.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        26
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    fn parent(&self, _schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        match id {
            ObjectId::Policy(c) => Some(ObjectId::Table(c.parent.clone())),
            _ => None,
        }
    }
}
