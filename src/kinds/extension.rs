//! Extensions: created, dropped, updated to main's version (forward only: an older version
//! is dropped and created again) and moved to main's schema.

use super::Kind;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::{ident, literal};

pub(crate) struct Extensions;

impl Kind for Extensions {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Extension(_))
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.extensions {
            let id = ObjectId::Extension(name.clone());
            match standin.extensions.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) => {
                    if s.schema != m.schema {
                        changes.push(id.clone(), ChangeKind::ExtensionSchema);
                    }
                    if s.version != m.version {
                        // Extensions ship update scripts forward only: going back means
                        // dropping and creating it again.
                        if version_key(&m.version) < version_key(&s.version) {
                            changes.recreate(id);
                        } else {
                            changes.push(id, ChangeKind::UpdateExtension);
                        }
                    }
                }
            }
        }
        for name in standin.extensions.keys() {
            if !main.extensions.contains_key(name) {
                changes.extra(ObjectId::Extension(name.clone()));
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let ObjectId::Extension(n) = id else { return };
        let sqls = ctx.main.extensions.get(n).map(create::extension);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 2, Action::Create, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Extension(n) => format!("DROP EXTENSION {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let ObjectId::Extension(n) = id else { return };
        let Some(e) = ctx.main.extensions.get(n) else {
            return;
        };
        let sql = match change.kind {
            ChangeKind::UpdateExtension => format!(
                "ALTER EXTENSION {} UPDATE TO {}",
                ident(n),
                literal(&e.version)
            ),
            ChangeKind::ExtensionSchema => format!(
                "ALTER EXTENSION {} SET SCHEMA {}",
                ident(n),
                ident(&e.schema)
            ),
            _ => return,
        };
        ctx.build(id, 2, Action::Alter, sql);
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        2
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        22
    }
}

/// `1.10` > `1.9`: version parts compared as numbers where they are numbers.
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-'])
        .map(|p| (p.parse::<u64>().unwrap_or(0), p.to_string()))
        .collect()
}
