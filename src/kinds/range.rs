//! Range types: created, dropped, rebuilt when anything differs.

use super::{diff_whole, Kind};
use crate::ddl::create;
use crate::diff::{Change, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

pub(crate) struct Ranges;

impl Kind for Ranges {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Range(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(main, standin, changes, |s| &s.ranges, ObjectId::Range);
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Range(q) = id else { return };
        let sqls = ctx.main.ranges.get(q).map(create::range);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 6, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Range(q) => format!("DROP TYPE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        6
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        18
    }
}
