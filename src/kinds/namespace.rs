//! Schemas (namespaces): created and dropped, nothing to alter.

use super::Kind;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Namespaces;

impl Kind for Namespaces {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Schema(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for name in main.namespaces.keys() {
            if !standin.namespaces.contains_key(name) {
                changes.push(ObjectId::Schema(name.clone()), ChangeKind::Create);
            }
        }
        for name in standin.namespaces.keys() {
            if !main.namespaces.contains_key(name) {
                changes.extra(ObjectId::Schema(name.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Schema(n) = id else { return };
        let sqls = ctx.main.namespaces.get(n).map(create::schema);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 0, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Schema(n) => format!("DROP SCHEMA {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        24
    }
}
