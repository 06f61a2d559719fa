//! Collations: created, dropped, rebuilt when anything differs.

use super::{diff_whole, Kind};
use crate::ddl::create;
use crate::diff::{Change, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

pub(crate) struct Collations;

impl Kind for Collations {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Collation(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(
            main,
            standin,
            changes,
            |s| &s.collations,
            ObjectId::Collation,
        );
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Collation(q) = id else { return };
        let sqls = ctx.main.collations.get(q).map(create::collation);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 4, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Collation(q) => format!("DROP COLLATION {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        4
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        20
    }
}
