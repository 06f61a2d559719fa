//! Schemas (namespaces): created and dropped, nothing to alter.

use super::Kind;
use crate::catalog::{CatalogError, OidMap, Query, Rows};
use crate::diff::{ChangeKind, Changes};
use crate::model::*;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Namespaces;

impl Kind for Namespaces {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Schema(_))
    }

    fn queries(&self) -> &'static [Query] {
        // Schemas are read before every kind: their oids select what the others read.
        &[]
    }

    fn load(
        &self,
        _rows: &[Rows],
        _schema: &mut Schema,
        _oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Schema(n) = id else {
            return Vec::new();
        };
        schema.namespaces.get(n).map(schema_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        0
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for name in main.namespaces.keys() {
            if !standin.namespaces.contains_key(name) {
                changes.push(ObjectId::Schema(name.clone()), ChangeKind::Create);
            }
        }
        super::extras(
            &main.namespaces,
            &standin.namespaces,
            changes,
            ObjectId::Schema,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Schema(n) => format!("DROP SCHEMA {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        24
    }
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE SCHEMA`; `public` (present in every new database) gets `IF NOT EXISTS`.
pub(crate) fn schema_sql(ns: &Namespace) -> Vec<String> {
    if ns.name == "public" {
        vec!["CREATE SCHEMA IF NOT EXISTS public".to_string()]
    } else {
        vec![format!("CREATE SCHEMA {}", ident(&ns.name))]
    }
}
