//! Views (`CREATE OR REPLACE` while the existing columns stay, otherwise rebuilt) and
//! materialized views (rebuilt when anything differs). Definitions are compared after a
//! `pg_query` parse → deparse ([`crate::diff::same_sql`]).

use super::Kind;
use crate::ddl::create;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

pub(crate) struct Views;

impl Kind for Views {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::View(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.views {
            let id = ObjectId::View(name.clone());
            let Some(s) = standin.views.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if same_sql(&s.definition, &m.definition) && s.options == m.options {
                continue;
            }
            // CREATE OR REPLACE VIEW keeps the existing columns (names, types, collations)
            // and may only add new ones last.
            let keeps_columns =
                m.columns.starts_with(&s.columns) && m.column_types.starts_with(&s.column_types);
            if keeps_columns {
                changes.push(id, ChangeKind::Replace);
            } else {
                changes.recreate(id);
            }
        }
        for name in standin.views.keys() {
            if !main.views.contains_key(name) {
                changes.extra(ObjectId::View(name.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::View(q) = id else { return };
        let sqls = ctx.main.views.get(q).map(create::view);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 22, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::View(q) => format!("DROP VIEW {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let (ObjectId::View(q), ChangeKind::Replace) = (id, &change.kind) else {
            return;
        };
        let sql = ctx.main.views.get(q).and_then(|v| {
            create::view(v)
                .into_iter()
                .next()
                .map(|s| s.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
        });
        if let Some(sql) = sql {
            ctx.build(id, 22, Action::Replace, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        22
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        2
    }
}

pub(crate) struct MaterializedViews;

impl Kind for MaterializedViews {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::MaterializedView(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.materialized_views {
            let id = ObjectId::MaterializedView(name.clone());
            let Some(s) = standin.materialized_views.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            let same = same_sql(&s.definition, &m.definition)
                && s.options == m.options
                && s.access_method == m.access_method
                && s.populated == m.populated
                && s.columns == m.columns;
            if !same {
                changes.recreate(id);
            }
        }
        for name in standin.materialized_views.keys() {
            if !main.materialized_views.contains_key(name) {
                changes.extra(ObjectId::MaterializedView(name.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::MaterializedView(q) = id else {
            return;
        };
        let sqls = ctx
            .main
            .materialized_views
            .get(q)
            .map(create::materialized_view);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 24, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::MaterializedView(q) => format!("DROP MATERIALIZED VIEW {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        24
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        2
    }
}
