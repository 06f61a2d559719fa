//! Turning catalog rows into the model. Each `load_*` takes one query's rows.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Deserialize;
use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::queries::Query;
use super::CatalogError;
use crate::conn::Side;
use crate::model::*;
use crate::quote;

/// One query's rows, with what errors need to name.
pub(super) struct Rows {
    pub query: Query,
    pub side: Side,
    pub rows: Vec<Row>,
}

/// One row of a query, with typed, error-reporting column access.
pub(super) struct R<'a> {
    row: &'a Row,
    query: Query,
    side: Side,
}

impl Rows {
    pub fn iter(&self) -> impl Iterator<Item = R<'_>> {
        self.rows.iter().map(move |row| R {
            row,
            query: self.query,
            side: self.side,
        })
    }
}

impl<'a> R<'a> {
    pub fn get<T: FromSql<'a>>(&self, column: &str) -> Result<T, CatalogError> {
        self.row
            .try_get(column)
            .map_err(|e| self.bad(format!("column {column}: {e}")))
    }

    fn bad(&self, reason: String) -> CatalogError {
        CatalogError::Row {
            side: self.side,
            query: self.query.name,
            reason,
        }
    }

    fn qname(&self, schema: &str, name: &str) -> Result<QualifiedName, CatalogError> {
        Ok(QualifiedName::new(
            self.get::<String>(schema)?,
            self.get::<String>(name)?,
        ))
    }

    /// A `schema.name` pair of nullable columns: `None` when either is NULL.
    fn opt_qname(&self, schema: &str, name: &str) -> Result<Option<QualifiedName>, CatalogError> {
        let s: Option<String> = self.get(schema)?;
        let n: Option<String> = self.get(name)?;
        Ok(s.zip(n).map(|(s, n)| QualifiedName::new(s, n)))
    }

    /// A `schema.name` pair of nullable columns as quoted SQL.
    fn opt_qualified(&self, schema: &str, name: &str) -> Result<Option<String>, CatalogError> {
        Ok(self.opt_qname(schema, name)?.map(|q| q.sql()))
    }

    /// The `schema`, `table_name` and `name` columns of an object that belongs to a table.
    fn table_child(&self) -> Result<TableChild, CatalogError> {
        Ok(TableChild::new(
            self.qname("schema", "table_name")?,
            self.get::<String>("name")?,
        ))
    }

    /// Sequence options from the columns `<prefix>data_type`, `<prefix>start`, ….
    fn sequence_options(&self, prefix: &str) -> Result<SequenceOptions, CatalogError> {
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

    fn json<T: for<'de> Deserialize<'de>>(&self, column: &str) -> Result<T, CatalogError> {
        let value: serde_json::Value = self.get(column)?;
        serde_json::from_value(value).map_err(|e| self.bad(format!("column {column}: {e}")))
    }
}

/// Catalog (class name, oid) to identity, for comments and dependencies.
#[derive(Default)]
pub(super) struct OidMap {
    map: HashMap<(&'static str, u32), ObjectId>,
}

impl OidMap {
    fn insert(&mut self, class: &'static str, oid: u32, id: ObjectId) {
        self.map.insert((class, oid), id);
    }

    fn get(&self, class: &str, oid: u32) -> Option<&ObjectId> {
        let class: &'static str = match class {
            "pg_namespace" => "pg_namespace",
            "pg_extension" => "pg_extension",
            "pg_collation" => "pg_collation",
            "pg_type" => "pg_type",
            "pg_class" => "pg_class",
            "pg_proc" => "pg_proc",
            "pg_constraint" => "pg_constraint",
            "pg_trigger" => "pg_trigger",
            "pg_policy" => "pg_policy",
            _ => return None,
        };
        self.map.get(&(class, oid))
    }

    /// The identity of `(class, oid)`, or of its column when `column` is given and the
    /// object is a relation or composite type.
    fn resolve(&self, class: &str, oid: u32, column: Option<String>) -> Option<ObjectId> {
        let id = self.get(class, oid)?;
        match (column, id) {
            (None, id) => Some(id.clone()),
            (
                Some(col),
                ObjectId::Table(q)
                | ObjectId::View(q)
                | ObjectId::MaterializedView(q)
                | ObjectId::Composite(q),
            ) => Some(ObjectId::Column(TableChild::new(q.clone(), col))),
            (Some(_), id) => Some(id.clone()),
        }
    }
}

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

pub(super) fn extensions(
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

pub(super) fn collations(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_collation",
            r.get("oid")?,
            ObjectId::Collation(name.clone()),
        );
        schema.collations.insert(
            name.clone(),
            Collation {
                name,
                provider: r.get("provider")?,
                collate: r.get("collate")?,
                ctype: r.get("ctype")?,
                deterministic: r.get("deterministic")?,
                rules: r.get("rules")?,
            },
        );
    }
    Ok(())
}

/// A relation's oid and its row type's oid (`type_oid`) both map to the relation.
fn insert_relation(oids: &mut OidMap, r: &R<'_>, id: ObjectId) -> Result<(), CatalogError> {
    oids.insert("pg_class", r.get("oid")?, id.clone());
    oids.insert("pg_type", r.get("type_oid")?, id);
    Ok(())
}

/// A type's own oid and its array type's oid both map to the type.
fn insert_type(oids: &mut OidMap, r: &R<'_>, id: &ObjectId) -> Result<(), CatalogError> {
    oids.insert("pg_type", r.get("oid")?, id.clone());
    let array: u32 = r.get("array_oid")?;
    if array != 0 {
        oids.insert("pg_type", array, id.clone());
    }
    Ok(())
}

pub(super) fn enums(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        insert_type(oids, &r, &ObjectId::Enum(name.clone()))?;
        schema.enums.insert(
            name.clone(),
            EnumType {
                name,
                labels: r.get("labels")?,
            },
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct DomainCheckRow {
    oid: u32,
    name: String,
    definition: String,
    validated: bool,
}

pub(super) fn domains(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        insert_type(oids, &r, &ObjectId::Domain(name.clone()))?;
        let checks: Vec<DomainCheckRow> = r.json("constraints")?;
        let mut constraints = IndexMap::new();
        for c in checks {
            oids.insert(
                "pg_constraint",
                c.oid,
                ObjectId::DomainConstraint(TableChild::new(name.clone(), c.name.clone())),
            );
            constraints.insert(
                c.name.clone(),
                DomainConstraint {
                    name: c.name,
                    definition: c.definition,
                    validated: c.validated,
                },
            );
        }
        schema.domains.insert(
            name.clone(),
            Domain {
                name,
                base_type: r.get("base_type")?,
                collation: r.opt_qualified("collation_schema", "collation_name")?,
                default: r.get("default_expr")?,
                not_null: r.get("not_null")?,
                constraints,
            },
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct AttributeRow {
    name: String,
    data_type: String,
    collation_schema: Option<String>,
    collation_name: Option<String>,
}

pub(super) fn composites(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        let id = ObjectId::Composite(name.clone());
        insert_type(oids, &r, &id)?;
        oids.insert("pg_class", r.get("class_oid")?, id);
        let attrs: Vec<AttributeRow> = r.json("attributes")?;
        let attributes = attrs
            .into_iter()
            .map(|a| {
                let collation = match (&a.collation_schema, &a.collation_name) {
                    (Some(s), Some(n)) => Some(quote::qualified(s, n)),
                    _ => None,
                };
                (
                    a.name.clone(),
                    CompositeAttribute {
                        name: a.name,
                        data_type: a.data_type,
                        collation,
                    },
                )
            })
            .collect();
        schema
            .composites
            .insert(name.clone(), CompositeType { name, attributes });
    }
    Ok(())
}

pub(super) fn ranges(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        let id = ObjectId::Range(name.clone());
        insert_type(oids, &r, &id)?;
        let multirange_oid: Option<u32> = r.get("multirange_oid")?;
        if let Some(m) = multirange_oid {
            oids.insert("pg_type", m, id);
        }
        schema.ranges.insert(
            name.clone(),
            RangeType {
                name,
                subtype: r.get("subtype")?,
                subtype_opclass: r.opt_qualified("opclass_schema", "opclass_name")?,
                collation: r.opt_qualified("collation_schema", "collation_name")?,
                canonical: r.get("canonical")?,
                subtype_diff: r.get("subtype_diff")?,
                multirange: r.opt_qualified("multirange_schema", "multirange_name")?,
            },
        );
    }
    Ok(())
}

pub(super) fn sequences(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert("pg_class", r.get("oid")?, ObjectId::Sequence(name.clone()));
        let owner_schema: Option<String> = r.get("table_schema")?;
        let owner_table: Option<String> = r.get("table_name")?;
        let owner_column: Option<String> = r.get("column_name")?;
        let owned_by = match (owner_schema, owner_table, owner_column) {
            (Some(s), Some(t), Some(c)) => Some((QualifiedName::new(s, t), c)),
            _ => None,
        };
        schema.sequences.insert(
            name.clone(),
            Sequence {
                name,
                options: r.sequence_options("")?,
                owned_by,
                unlogged: r.get("unlogged")?,
            },
        );
    }
    Ok(())
}

/// Tables; returns oid → name so columns can find their table.
pub(super) fn tables(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<HashMap<u32, QualifiedName>, CatalogError> {
    let mut by_oid = HashMap::new();
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        insert_relation(oids, &r, ObjectId::Table(name.clone()))?;
        by_oid.insert(r.get("oid")?, name.clone());
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
    Ok(by_oid)
}

pub(super) fn columns(
    rows: &Rows,
    schema: &mut Schema,
    tables: &HashMap<u32, QualifiedName>,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let table_oid: u32 = r.get("table_oid")?;
        let Some(table_name) = tables.get(&table_oid) else {
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
                compression: r
                    .get::<Option<String>>("compression")?
                    .map(|c| match c.as_str() {
                        "p" => "pglz".to_string(),
                        "l" => "lz4".to_string(),
                        _ => c,
                    }),
                statistics: r.get("statistics")?,
            },
        );
    }
    Ok(())
}

pub(super) fn constraints(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let key = r.table_child()?;
        let (table, name) = (key.parent.clone(), key.name.clone());
        oids.insert(
            "pg_constraint",
            r.get("oid")?,
            ObjectId::Constraint(key.clone()),
        );
        let kind = match r.get::<String>("kind")?.as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclusion,
            other => return Err(r.bad(format!("unknown constraint type {other:?}"))),
        };
        let referenced_table = r.opt_qname("ref_schema", "ref_table")?;
        let index_options: Vec<String> = r.get("index_options")?;
        let definition = with_index_options(r.get("definition")?, &index_options);
        schema.constraints.insert(
            key,
            Constraint {
                table,
                name,
                kind,
                definition,
                columns: r.get("columns")?,
                referenced_table,
                referenced_columns: r.get("ref_columns")?,
                validated: r.get("validated")?,
                deferrable: r.get("deferrable")?,
                initially_deferred: r.get("deferred")?,
                no_inherit: r.get("no_inherit")?,
                enforced: r.get("enforced")?,
                nulls_not_distinct: r.get("nulls_not_distinct")?,
                index: r.get("index_name")?,
            },
        );
    }
    Ok(())
}

/// `pg_get_constraintdef` does not print the storage parameters of a key's index; put
/// `WITH (…)` where the grammar wants it: before `WHERE` (exclusion) or `DEFERRABLE`.
fn with_index_options(definition: String, options: &[String]) -> String {
    if options.is_empty() {
        return definition;
    }
    let with = format!(" WITH ({})", options.join(", "));
    let at = [" WHERE (", " DEFERRABLE", " NOT DEFERRABLE", " INITIALLY "]
        .iter()
        .filter_map(|m| definition.find(m))
        .min();
    match at {
        Some(i) => format!("{}{with}{}", &definition[..i], &definition[i..]),
        None => format!("{definition}{with}"),
    }
}

pub(super) fn indexes(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert("pg_class", r.get("oid")?, ObjectId::Index(name.clone()));
        let parent_index = r.opt_qname("parent_schema", "parent_name")?;
        schema.indexes.insert(
            name.clone(),
            Index {
                table: r.qname("schema", "table_name")?,
                name,
                definition: r.get("definition")?,
                unique: r.get("is_unique")?,
                method: r.get("method")?,
                parent_index,
                clustered: r.get("clustered")?,
                valid: r.get("valid")?,
            },
        );
    }
    Ok(())
}

pub(super) fn views(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        insert_relation(oids, &r, ObjectId::View(name.clone()))?;
        let options: Vec<String> = r.get("options")?;
        schema.views.insert(
            name.clone(),
            View {
                name,
                definition: r.get("definition")?,
                options,
                columns: r.get("columns")?,
                column_types: r.get("column_types")?,
            },
        );
    }
    Ok(())
}

pub(super) fn matviews(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        insert_relation(oids, &r, ObjectId::MaterializedView(name.clone()))?;
        let options: Vec<String> = r.get("options")?;
        schema.materialized_views.insert(
            name.clone(),
            MaterializedView {
                name,
                definition: r.get("definition")?,
                options,
                access_method: r.get("access_method")?,
                populated: r.get("populated")?,
                columns: r.get("columns")?,
            },
        );
    }
    Ok(())
}

pub(super) fn functions(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        let identity_args: String = r.get("identity_args")?;
        let id = ObjectId::Function {
            schema: name.schema.clone(),
            name: name.name.clone(),
            args: identity_args.clone(),
        };
        oids.insert("pg_proc", r.get("oid")?, id.clone());
        let kind = match r.get::<String>("kind")?.as_str() {
            "f" => FunctionKind::Function,
            "p" => FunctionKind::Procedure,
            "a" => FunctionKind::Aggregate,
            "w" => FunctionKind::Window,
            other => return Err(r.bad(format!("unknown prokind {other:?}"))),
        };
        let volatility = match r.get::<String>("volatility")?.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        };
        let parallel = match r.get::<String>("parallel")?.as_str() {
            "s" => ParallelSafety::Safe,
            "r" => ParallelSafety::Restricted,
            _ => ParallelSafety::Unsafe,
        };
        let aggregate = if kind == FunctionKind::Aggregate {
            Some(Aggregate {
                aggkind: r.get("aggkind")?,
                num_direct_args: r.get("agg_num_direct_args")?,
                sfunc: r.get("agg_sfunc")?,
                stype: r.get("agg_stype")?,
                sspace: r.get("agg_sspace")?,
                finalfunc: r.get("agg_finalfunc")?,
                finalfunc_extra: r.get("agg_finalfunc_extra")?,
                finalfunc_modify: r.get("agg_finalfunc_modify")?,
                combinefunc: r.get("agg_combinefunc")?,
                serialfunc: r.get("agg_serialfunc")?,
                deserialfunc: r.get("agg_deserialfunc")?,
                initcond: r.get("agg_initcond")?,
                msfunc: r.get("agg_msfunc")?,
                minvfunc: r.get("agg_minvfunc")?,
                mstype: r.get("agg_mstype")?,
                msspace: r.get("agg_msspace")?,
                mfinalfunc: r.get("agg_mfinalfunc")?,
                mfinalfunc_extra: r.get("agg_mfinalfunc_extra")?,
                mfinalfunc_modify: r.get("agg_mfinalfunc_modify")?,
                minitcond: r.get("agg_minitcond")?,
                sortop: r.get("agg_sortop")?,
            })
        } else {
            None
        };
        schema.functions.insert(
            id,
            Function {
                name,
                identity_args,
                arguments: r.get("arguments")?,
                result: r.get("result")?,
                kind,
                language: r.get("language")?,
                volatility,
                strict: r.get("strict")?,
                security_definer: r.get("security_definer")?,
                leakproof: r.get("leakproof")?,
                parallel,
                cost: r.get("cost")?,
                rows: r.get("rows")?,
                config: r.get("config")?,
                definition: r.get("definition")?,
                aggregate,
                owner: r.get("owner")?,
            },
        );
    }
    Ok(())
}

pub(super) fn triggers(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let key = r.table_child()?;
        let (table, name) = (key.parent.clone(), key.name.clone());
        oids.insert("pg_trigger", r.get("oid")?, ObjectId::Trigger(key.clone()));
        let enabled = match r.get::<String>("enabled")?.as_str() {
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            _ => TriggerEnabled::Origin,
        };
        schema.triggers.insert(
            key,
            Trigger {
                table,
                name,
                definition: r.get("definition")?,
                function: ObjectId::Function {
                    schema: r.get("function_schema")?,
                    name: r.get("function_name")?,
                    args: r.get("function_args")?,
                },
                enabled,
                is_constraint: r.get("is_constraint")?,
            },
        );
    }
    Ok(())
}

pub(super) fn policies(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let key = r.table_child()?;
        let (table, name) = (key.parent.clone(), key.name.clone());
        oids.insert("pg_policy", r.get("oid")?, ObjectId::Policy(key.clone()));
        let command = match r.get::<String>("command")?.as_str() {
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => PolicyCommand::All,
        };
        schema.policies.insert(
            key,
            Policy {
                table,
                name,
                permissive: r.get("permissive")?,
                command,
                roles: r.get("roles")?,
                using: r.get("using_expr")?,
                with_check: r.get("check_expr")?,
            },
        );
    }
    Ok(())
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_index_options;

    #[test]
    fn index_options_go_where_the_grammar_wants_them() {
        let opts = vec!["fillfactor=90".to_string()];
        assert_eq!(
            with_index_options("PRIMARY KEY (id)".into(), &opts),
            "PRIMARY KEY (id) WITH (fillfactor=90)"
        );
        assert_eq!(
            with_index_options("UNIQUE (a) DEFERRABLE INITIALLY DEFERRED".into(), &opts),
            "UNIQUE (a) WITH (fillfactor=90) DEFERRABLE INITIALLY DEFERRED"
        );
        assert_eq!(
            with_index_options(
                "EXCLUDE USING gist (r WITH &&) WHERE ((a > 0))".into(),
                &opts
            ),
            "EXCLUDE USING gist (r WITH &&) WITH (fillfactor=90) WHERE ((a > 0))"
        );
        assert_eq!(
            with_index_options("CHECK ((a > 0))".into(), &[]),
            "CHECK ((a > 0))"
        );
    }
}
