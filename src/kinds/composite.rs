//! Composite types: attributes added, dropped and retyped in place while the kept ones keep
//! their order and new ones come last; otherwise rebuilt.

use super::Kind;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Composites;

impl Kind for Composites {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Composite(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.composites {
            let id = ObjectId::Composite(name.clone());
            let Some(s) = standin.composites.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if s == m {
                continue;
            }
            // In place when the kept attributes keep their order and new ones come last.
            let kept_main: Vec<&String> = m
                .attributes
                .keys()
                .filter(|a| s.attributes.contains_key(*a))
                .collect();
            let kept_standin: Vec<&String> = s
                .attributes
                .keys()
                .filter(|a| m.attributes.contains_key(*a))
                .collect();
            let added_last = m
                .attributes
                .keys()
                .skip(kept_main.len())
                .all(|a| !s.attributes.contains_key(a))
                && m.attributes
                    .keys()
                    .take(kept_main.len())
                    .all(|a| s.attributes.contains_key(a));
            if kept_main != kept_standin || !added_last {
                changes.recreate(id);
                continue;
            }
            for a in s.attributes.keys() {
                if !m.attributes.contains_key(a) {
                    changes.push(id.clone(), ChangeKind::CompositeDropAttribute(a.clone()));
                }
            }
            for (a, ma) in &m.attributes {
                match s.attributes.get(a) {
                    None => changes.push(id.clone(), ChangeKind::CompositeAddAttribute(a.clone())),
                    Some(sa) if sa != ma => {
                        changes.push(id.clone(), ChangeKind::CompositeAlterAttribute(a.clone()))
                    }
                    Some(_) => {}
                }
            }
        }
        for name in standin.composites.keys() {
            if !main.composites.contains_key(name) {
                changes.extra(ObjectId::Composite(name.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Composite(q) = id else { return };
        let sqls = ctx.main.composites.get(q).map(create::composite);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 6, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Composite(q) => format!("DROP TYPE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let ObjectId::Composite(q) = id else { return };
        match &change.kind {
            ChangeKind::CompositeAddAttribute(a) | ChangeKind::CompositeAlterAttribute(a) => {
                let Some(attr) = ctx.main.composites.get(q).and_then(|t| t.attributes.get(a))
                else {
                    return;
                };
                let collate = attr
                    .collation
                    .as_ref()
                    .map(|c| format!(" COLLATE {c}"))
                    .unwrap_or_default();
                let sql = if matches!(change.kind, ChangeKind::CompositeAddAttribute(_)) {
                    format!(
                        "ALTER TYPE {} ADD ATTRIBUTE {} {}{collate}",
                        q.sql(),
                        ident(a),
                        attr.data_type
                    )
                } else {
                    format!(
                        "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{collate}",
                        q.sql(),
                        ident(a),
                        attr.data_type
                    )
                };
                ctx.build(id, 6, Action::Alter, sql);
            }
            ChangeKind::CompositeDropAttribute(a) => {
                ctx.build(
                    id,
                    6,
                    Action::Alter,
                    format!("ALTER TYPE {} DROP ATTRIBUTE {}", q.sql(), ident(a)),
                );
            }
            _ => {}
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        6
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        18
    }
}
