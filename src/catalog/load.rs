//! What the catalog reads for no single kind: the schemas (read first: their oids select
//! everything else), comments and `pg_depend` rows (resolved to any kind's objects through
//! the [`OidMap`]), and the objects of kinds the model does not hold. Each kind loads its
//! own objects (`Kind::load`, in `src/kinds/<kind>.rs`).

use std::collections::BTreeSet;

use super::rows::{OidMap, Rows, R};
use super::CatalogError;
use crate::model::*;

pub(super) fn namespaces(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<Vec<u32>, CatalogError> {
    let mut selected = Vec::new();
    for r in rows.iter() {
        let oid: u32 = r.get("oid")?;
        let name: String = r.get("name")?;
        oids.insert("pg_namespace", oid, ObjectId::Schema(name.clone()));
        selected.push(oid);
        schema.namespaces.insert(
            name.clone(),
            Namespace {
                name,
                owner: r.get("owner")?,
            },
        );
    }
    Ok(selected)
}

pub(super) fn comments(
    rows: &Rows,
    schema: &mut Schema,
    oids: &OidMap,
) -> Result<(), CatalogError> {
    let mut comments = Vec::new();
    for r in rows.iter() {
        let class: String = r.get("class")?;
        let column: Option<String> = r.get("column_name")?;
        if let Some(id) = oids.resolve(&class, r.get("oid")?, column) {
            if schema.contains(&id) {
                comments.push((id, r.get::<String>("description")?));
            }
        }
    }
    comments.sort();
    schema.comments = comments.into_iter().collect();
    Ok(())
}

pub(super) fn dependencies(
    rows: &Rows,
    schema: &mut Schema,
    oids: &OidMap,
) -> Result<(), CatalogError> {
    let mut deps = Vec::new();
    for r in rows.iter() {
        let class: String = r.get("class")?;
        let ref_class: String = r.get("ref_class")?;
        let Some(from) = oids.resolve(&class, r.get("oid")?, r.get("column_name")?) else {
            continue;
        };
        let Some(to) = oids.resolve(&ref_class, r.get("ref_oid")?, r.get("ref_column_name")?)
        else {
            continue;
        };
        if from != to {
            deps.push((from, to));
        }
    }
    deps.sort();
    deps.dedup();
    schema.dependencies = deps;
    Ok(())
}

/// Objects of kinds the model does not hold, kept by kind and name (the query sorts them).
pub(super) fn unmodelled(rows: &Rows, schema: &mut Schema) -> Result<(), CatalogError> {
    for r in rows.iter() {
        schema.unmodelled.push(Unmodelled::new(
            r.get::<String>("kind")?,
            r.get::<String>("name")?,
        ));
    }
    // Secret options the SQL/MED kinds reported (kinds::foreign_data_wrapper::
    // report_secrets) are in the list already: keep it sorted as the query sorts.
    schema.unmodelled.sort();
    Ok(())
}

/// Owners and effective privileges of the objects read (rows of other objects are left).
pub(super) fn access(rows: &Rows, schema: &mut Schema, oids: &OidMap) -> Result<(), CatalogError> {
    let mut access = Vec::new();
    for r in rows.iter() {
        let class: String = r.get("class")?;
        let Some(id) = oids.resolve(&class, r.get("oid")?, r.get("column_name")?) else {
            continue;
        };
        if !schema.contains(&id) {
            continue;
        }
        let owner: String = r.get("owner")?;
        let entry = Access {
            privileges: grants(&r, "acl", &owner)?,
            defaults: grants(&r, "default_acl", &owner)?,
            owner,
        };
        access.push((id, entry));
    }
    access.sort_by(|a, b| a.0.cmp(&b.0));
    schema.access = access.into_iter().collect();
    Ok(())
}

/// An exploded ACL column (`[grantee, privilege, grantable]` triples, NULL when there is
/// nothing to explode), `owner`'s entries as [`Grantee::Owner`].
fn grants(r: &R<'_>, column: &str, owner: &str) -> Result<BTreeSet<Grant>, CatalogError> {
    let value: Option<serde_json::Value> = r.get(column)?;
    let exploded: Vec<(String, String, bool)> = match value {
        Some(v) => serde_json::from_value(v).map_err(|e| r.bad(format!("column {column}: {e}")))?,
        None => Vec::new(),
    };
    Ok(exploded
        .into_iter()
        .map(|(grantee, privilege, grantable)| Grant {
            grantee: match grantee {
                g if g.is_empty() => Grantee::Public,
                g if g == owner => Grantee::Owner,
                g => Grantee::Role(g),
            },
            privilege,
            grantable,
        })
        .collect())
}

/// Default privileges, as what they add to and remove from the built-in ones.
pub(super) fn default_privileges(rows: &Rows, schema: &mut Schema) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let role: String = r.get("role")?;
        let acl = grants(&r, "acl", &role)?;
        let builtin = grants(&r, "builtin", &role)?;
        schema.default_privileges.push(DefaultPrivileges {
            schema: r.get("schema")?,
            object_type: r.get("object_type")?,
            added: acl.difference(&builtin).cloned().collect(),
            removed: builtin.difference(&acl).cloned().collect(),
            role,
        });
    }
    Ok(())
}

/// The cluster's role names.
pub(super) fn roles(rows: &Rows, schema: &mut Schema) -> Result<(), CatalogError> {
    schema.roles = rows
        .iter()
        .map(|r| r.get::<String>("name"))
        .collect::<Result<_, _>>()?;
    Ok(())
}
