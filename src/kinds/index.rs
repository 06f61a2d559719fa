//! Indexes no constraint owns: created as the server rendered them (without `ONLY` on a
//! partitioned table, so PostgreSQL builds the partitions' own), `CLUSTER ON`, rebuilt
//! when the definition differs. A partition's index attached to its parent's comes with
//! the parent's.

use super::Kind;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::{Ctx, Phase};
use crate::plan::{Action, Hazard, HazardKind, Statement};

pub(crate) struct Indexes;

impl Kind for Indexes {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Index(_))
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
                Some(s) if s.definition != m.definition => changes.recreate(id),
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
        for sql in create::index(i) {
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
        if let Some(sql) = create::index_cluster(i) {
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

    fn alter(&self, _ctx: &mut Ctx, _change: &Change) {}

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
