//! Extensions: created, dropped, updated to main's version (forward only: an older version
//! is dropped and created again) and moved to main's schema.

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::{ident, literal};

pub(crate) struct Extensions;

impl Kind for Extensions {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Extension(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("extensions")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_extensions(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Extension(n) = id else {
            return Vec::new();
        };
        schema
            .extensions
            .get(n)
            .map(extension_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        1
    }

    fn needs(&self, schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
        let ObjectId::Extension(n) = id else {
            return Vec::new();
        };
        schema
            .extensions
            .get(n)
            .map(|e| ObjectId::Schema(e.schema.clone()))
            .into_iter()
            .collect()
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
        super::extras(
            &main.extensions,
            &standin.extensions,
            changes,
            ObjectId::Extension,
        );
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

// Reading: catalog rows into the model.

fn load_extensions(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name: String = r.get("name")?;
        oids.insert(
            "pg_extension",
            r.get("oid")?,
            ObjectId::Extension(name.clone()),
        );
        schema.extensions.insert(
            name.clone(),
            Extension {
                name,
                schema: r.get("schema")?,
                version: r.get("version")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE EXTENSION … WITH SCHEMA … VERSION …`.
pub(crate) fn extension_sql(e: &Extension) -> Vec<String> {
    vec![format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {}",
        ident(&e.name),
        ident(&e.schema),
        literal(&e.version)
    )]
}
