//! Catalog rows as the kinds' loaders read them: typed, error-naming column access
//! ([`R`]) and the `(catalog, oid)` → identity map ([`OidMap`]) that comments and
//! `pg_depend` rows are resolved through.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::queries::Query;
use super::CatalogError;
use crate::conn::Side;
use crate::model::*;

/// One query's rows, with what errors need to name.
pub(crate) struct Rows {
    pub query: Query,
    pub side: Side,
    pub rows: Vec<Row>,
}

/// One row of a query, with typed, error-reporting column access.
pub(crate) struct R<'a> {
    row: &'a Row,
    query: Query,
    side: Side,
}

impl Rows {
    pub(crate) fn iter(&self) -> impl Iterator<Item = R<'_>> {
        self.rows.iter().map(move |row| R {
            row,
            query: self.query,
            side: self.side,
        })
    }
}

impl<'a> R<'a> {
    pub(crate) fn get<T: FromSql<'a>>(&self, column: &str) -> Result<T, CatalogError> {
        self.row
            .try_get(column)
            .map_err(|e| self.bad(format!("column {column}: {e}")))
    }

    pub(crate) fn bad(&self, reason: String) -> CatalogError {
        CatalogError::Row {
            side: self.side,
            query: self.query.name,
            reason,
        }
    }

    pub(crate) fn qname(&self, schema: &str, name: &str) -> Result<QualifiedName, CatalogError> {
        Ok(QualifiedName::new(
            self.get::<String>(schema)?,
            self.get::<String>(name)?,
        ))
    }

    /// A `schema.name` pair of nullable columns: `None` when either is NULL.
    pub(crate) fn opt_qname(
        &self,
        schema: &str,
        name: &str,
    ) -> Result<Option<QualifiedName>, CatalogError> {
        let s: Option<String> = self.get(schema)?;
        let n: Option<String> = self.get(name)?;
        Ok(s.zip(n).map(|(s, n)| QualifiedName::new(s, n)))
    }

    /// A `schema.name` pair of nullable columns as quoted SQL.
    pub(crate) fn opt_qualified(
        &self,
        schema: &str,
        name: &str,
    ) -> Result<Option<String>, CatalogError> {
        Ok(self.opt_qname(schema, name)?.map(|q| q.sql()))
    }

    /// The `schema`, `table_name` and `name` columns of an object that belongs to a table.
    pub(crate) fn table_child(&self) -> Result<TableChild, CatalogError> {
        Ok(TableChild::new(
            self.qname("schema", "table_name")?,
            self.get::<String>("name")?,
        ))
    }

    /// Sequence options from the columns `<prefix>data_type`, `<prefix>start`, ….
    pub(crate) fn sequence_options(&self, prefix: &str) -> Result<SequenceOptions, CatalogError> {
        let col = |name: &str| format!("{prefix}{name}");
        Ok(SequenceOptions {
            data_type: self.get(&col("data_type"))?,
            start: self.get(&col("start"))?,
            increment: self.get(&col("increment"))?,
            min: self.get(&col("min"))?,
            max: self.get(&col("max"))?,
            cache: self.get(&col("cache"))?,
            cycle: self.get(&col("cycle"))?,
        })
    }

    pub(crate) fn json<T: for<'de> Deserialize<'de>>(
        &self,
        column: &str,
    ) -> Result<T, CatalogError> {
        let value: serde_json::Value = self.get(column)?;
        serde_json::from_value(value).map_err(|e| self.bad(format!("column {column}: {e}")))
    }
}

/// Catalog (class name, oid) to identity, for comments and dependencies.
#[derive(Default)]
pub(crate) struct OidMap {
    map: HashMap<(&'static str, u32), ObjectId>,
    /// The catalogs registered so far: a row naming any other cannot match.
    classes: HashSet<&'static str>,
}

impl OidMap {
    /// Register `(class, oid)` (`class` as `pg_depend` and `pg_description` name it:
    /// `pg_class`, `pg_type`, `pg_proc`, …).
    pub(crate) fn insert(&mut self, class: &'static str, oid: u32, id: ObjectId) {
        self.classes.insert(class);
        self.map.insert((class, oid), id);
    }

    /// A relation's oid (`oid`) and its row type's oid (`type_oid`) both map to it.
    pub(crate) fn insert_relation(&mut self, r: &R<'_>, id: ObjectId) -> Result<(), CatalogError> {
        self.insert("pg_class", r.get("oid")?, id.clone());
        self.insert("pg_type", r.get("type_oid")?, id);
        Ok(())
    }

    /// A type's own oid (`oid`) and its array type's oid (`array_oid`) both map to it.
    pub(crate) fn insert_type(&mut self, r: &R<'_>, id: &ObjectId) -> Result<(), CatalogError> {
        self.insert("pg_type", r.get("oid")?, id.clone());
        let array: u32 = r.get("array_oid")?;
        if array != 0 {
            self.insert("pg_type", array, id.clone());
        }
        Ok(())
    }

    /// The identity registered for `(class, oid)`.
    pub(crate) fn get(&self, class: &str, oid: u32) -> Option<&ObjectId> {
        let class: &'static str = self.classes.get(class).copied()?;
        self.map.get(&(class, oid))
    }

    /// The identity of `(class, oid)`, or of its column when `column` is given and the
    /// object is a relation or composite type.
    pub(crate) fn resolve(
        &self,
        class: &str,
        oid: u32,
        column: Option<String>,
    ) -> Option<ObjectId> {
        let id = self.get(class, oid)?;
        match (column, id) {
            (None, id) => Some(id.clone()),
            (
                Some(col),
                ObjectId::Table(q)
                | ObjectId::View(q)
                | ObjectId::MaterializedView(q)
                | ObjectId::Composite(q)
                | ObjectId::ForeignTable(q),
            ) => Some(ObjectId::Column(TableChild::new(q.clone(), col))),
            (Some(_), id) => Some(id.clone()),
        }
    }
}
