//! Tables and their columns from the catalog (`sql/tables.sql`, `sql/columns.sql`).

use super::*;

pub(super) fn load_tables(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert_relation(&r, ObjectId::Table(name.clone()))?;
        let replica: String = r.get("replica_identity")?;
        let replica_identity = match replica.as_str() {
            "n" => ReplicaIdentity::Nothing,
            "f" => ReplicaIdentity::Full,
            "i" => match r.get::<Option<String>>("replica_index")? {
                Some(index) => ReplicaIdentity::Index(index),
                None => ReplicaIdentity::Default,
            },
            _ => ReplicaIdentity::Default,
        };
        let inherits: Vec<(String, String)> = r.json("inherits")?;
        let partition_of = match r.opt_qname("parent_schema", "parent_name")? {
            Some(parent) => Some(PartitionOf {
                parent,
                bound: r.get("partition_bound")?,
            }),
            None => None,
        };
        let options: Vec<String> = r.get("options")?;
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                columns: IndexMap::new(),
                unlogged: r.get("unlogged")?,
                options,
                access_method: r.get("access_method")?,
                replica_identity,
                rls_enabled: r.get("rls_enabled")?,
                rls_forced: r.get("rls_forced")?,
                inherits: inherits
                    .into_iter()
                    .map(|(s, n)| QualifiedName::new(s, n))
                    .collect(),
                partition_by: r.get("partition_by")?,
                partition_of,
                owner: r.get("owner")?,
            },
        );
    }
    Ok(())
}

/// Columns, each found its table through the oid [`load_tables`] registered.
pub(super) fn load_columns(
    rows: &Rows,
    schema: &mut Schema,
    oids: &OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let Some(ObjectId::Table(table_name)) = oids.get("pg_class", r.get("table_oid")?) else {
            continue;
        };
        let Some(table) = schema.tables.get_mut(table_name) else {
            continue;
        };
        let name: String = r.get("name")?;
        let identity_kind: String = r.get("identity")?;
        let identity = match identity_kind.as_str() {
            "a" | "d" => Some(Identity {
                kind: if identity_kind == "a" {
                    IdentityKind::Always
                } else {
                    IdentityKind::ByDefault
                },
                sequence_name: r.get("identity_sequence")?,
                options: r.sequence_options("seq_")?,
            }),
            _ => None,
        };
        let generated_kind: String = r.get("generated")?;
        let generated = match generated_kind.as_str() {
            "s" | "v" => Some(Generated {
                expression: r.get("generated_expr")?,
                kind: if generated_kind == "s" {
                    GeneratedKind::Stored
                } else {
                    GeneratedKind::Virtual
                },
            }),
            _ => None,
        };
        table.columns.insert(
            name.clone(),
            Column {
                name,
                data_type: r.get("data_type")?,
                collation: r.opt_qualified("collation_schema", "collation_name")?,
                not_null: r.get("not_null")?,
                not_null_name: r.get("not_null_name")?,
                default: r.get("default_expr")?,
                identity,
                generated,
                is_local: r.get("is_local")?,
                storage: r.get("storage")?,
                type_storage: r.get("type_storage")?,
                compression: r
                    .get::<Option<String>>("compression")?
                    .map(|c| match c.as_str() {
                        "p" => "pglz".to_string(),
                        "l" => "lz4".to_string(),
                        _ => c,
                    }),
                statistics: r.get("statistics")?,
                options: r.get("options")?,
            },
        );
    }
    Ok(())
}
