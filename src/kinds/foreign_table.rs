//! Foreign tables: created (a partition of a partitioned table with `PARTITION OF`),
//! dropped, and altered in place where `ALTER FOREIGN TABLE` can: table and column
//! options, `CHECK` constraints, and, on a table with no parent, columns added, dropped,
//! retyped, their defaults and NOT NULL. Anything else (server, partition bound, parent,
//! a column order that in-place changes cannot reach, a generated expression, a column
//! something depends on) builds the table anew, with its dependents: it holds no rows, so
//! that loses nothing.

use serde::Deserialize;

use super::foreign_data_wrapper::{alter_options, options_clause};
use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{
    ForeignColumn, ForeignTable, Generated, GeneratedKind, GenericOptions, ObjectId, PartitionOf,
    QualifiedName, Schema, TableChild,
};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote;
use crate::quote::ident;

pub(crate) struct ForeignTables;

impl Kind for ForeignTables {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::ForeignTable(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("foreign_tables")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let name = r.qname("schema", "name")?;
            oids.insert_relation(&r, ObjectId::ForeignTable(name.clone()))?;
            let columns: Vec<ColumnRow> = r.json("columns")?;
            let checks: Vec<CheckRow> = r.json("checks")?;
            let inherits: Vec<(String, String)> = r.json("inherits")?;
            let partition_of = match r.opt_qname("parent_schema", "parent_name")? {
                Some(parent) => Some(PartitionOf {
                    parent,
                    bound: r.get("partition_bound")?,
                }),
                None => None,
            };
            let is_partition = partition_of.is_some();
            schema.foreign_tables.insert(
                name.clone(),
                ForeignTable {
                    name,
                    server: r.get("server")?,
                    options: r.json("options")?,
                    columns: columns
                        .into_iter()
                        .map(|c| (c.name.clone(), c.into_column(is_partition)))
                        .collect(),
                    checks: checks.into_iter().map(|c| (c.name, c.definition)).collect(),
                    inherits: inherits
                        .into_iter()
                        .map(|(s, n)| QualifiedName::new(s, n))
                        .collect(),
                    partition_of,
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::ForeignTable(q) = id else {
            return Vec::new();
        };
        schema
            .foreign_tables
            .get(q)
            .map(|t| create_sql(schema, t))
            .unwrap_or_default()
    }

    /// With the tables.
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        8
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.foreign_tables {
            let id = ObjectId::ForeignTable(name.clone());
            let Some(s) = standin.foreign_tables.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            match alterations(s, m, standin) {
                None => changes.recreate(id),
                Some(sqls) if !sqls.is_empty() => changes.push(id, ChangeKind::AlterInPlace),
                Some(_) => {}
            }
        }
        super::extras(
            &main.foreign_tables,
            &standin.foreign_tables,
            changes,
            ObjectId::ForeignTable,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::ForeignTable(q) => format!("DROP FOREIGN TABLE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let ObjectId::ForeignTable(q) = &change.id else {
            return;
        };
        let (Some(m), Some(s)) = (
            ctx.main.foreign_tables.get(q),
            ctx.standin.foreign_tables.get(q),
        ) else {
            return;
        };
        for sql in alterations(s, m, ctx.standin).unwrap_or_default() {
            ctx.build(&change.id, 15, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        15
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        9
    }

    /// A partition's partitioned table, a child's first parent.
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::ForeignTable(q) = id else {
            return None;
        };
        let t = schema.foreign_tables.get(q)?;
        parent_name(t).map(|p| relation(schema, p))
    }
}

// Reading: catalog rows into the model.

/// A column as `sql/foreign_tables.sql` lists it.
#[derive(Deserialize)]
struct ColumnRow {
    name: String,
    data_type: String,
    collation_schema: Option<String>,
    collation_name: Option<String>,
    not_null: bool,
    default: Option<String>,
    generated: Option<String>,
    generated_kind: String,
    is_local: bool,
    options: GenericOptions,
}

impl ColumnRow {
    fn into_column(self, in_partition: bool) -> ForeignColumn {
        let collation = match (&self.collation_schema, &self.collation_name) {
            (Some(s), Some(n)) => Some(quote::qualified(s, n)),
            _ => None,
        };
        ForeignColumn {
            name: self.name,
            data_type: self.data_type,
            collation,
            not_null: self.not_null,
            default: self.default,
            generated: self.generated.map(|expression| Generated {
                expression,
                kind: if self.generated_kind == "v" {
                    GeneratedKind::Virtual
                } else {
                    GeneratedKind::Stored
                },
            }),
            // A partition has no columns of its own: attislocal only says whether it was
            // attached or made PARTITION OF.
            is_local: self.is_local && !in_partition,
            options: self.options,
        }
    }
}

#[derive(Deserialize)]
struct CheckRow {
    name: String,
    definition: String,
}

/// The table a partition or inheritance child takes its columns from.
fn parent_name(t: &ForeignTable) -> Option<&QualifiedName> {
    t.partition_of
        .as_ref()
        .map(|p| &p.parent)
        .or(t.inherits.first())
}

/// `q` as the model holds it: a table or a foreign table.
fn relation(schema: &Schema, q: &QualifiedName) -> ObjectId {
    if schema.foreign_tables.contains_key(q) {
        ObjectId::ForeignTable(q.clone())
    } else {
        ObjectId::Table(q.clone())
    }
}

/// One column as `CREATE FOREIGN TABLE` and `ADD COLUMN` write it.
fn column_sql(c: &ForeignColumn) -> String {
    let mut s = format!("{} {}", ident(&c.name), c.data_type);
    s.push_str(&options_clause(&c.options));
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if let Some(g) = &c.generated {
        let kind = match g.kind {
            GeneratedKind::Stored => "STORED",
            GeneratedKind::Virtual => "VIRTUAL",
        };
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {kind}", g.expression));
    }
    s
}

fn check_sql(name: &str, definition: &str) -> String {
    format!("CONSTRAINT {} {definition}", ident(name))
}

/// `CREATE FOREIGN TABLE` with its own columns and checks, `INHERITS` or `PARTITION OF`,
/// `SERVER` and options; then what the columns it takes from its parent have of their own
/// (options, NOT NULL, a default), which that statement cannot say. `schema` holds the
/// parent.
pub(crate) fn create_sql(schema: &Schema, t: &ForeignTable) -> Vec<String> {
    let name = t.name.sql();
    let checks = t.checks.iter().map(|(n, d)| check_sql(n, d));
    let listed = |c: &&ForeignColumn| t.partition_of.is_none() && c.is_local;
    let mut sql = format!("CREATE FOREIGN TABLE {name}");
    if let Some(p) = &t.partition_of {
        sql.push_str(&format!(" PARTITION OF {}", p.parent.sql()));
        let items: Vec<String> = checks.collect();
        if !items.is_empty() {
            sql.push_str(&format!(" (\n    {}\n)", items.join(",\n    ")));
        }
        sql.push_str(&format!(" {}", p.bound));
    } else {
        let items: Vec<String> = t
            .columns
            .values()
            .filter(listed)
            .map(column_sql)
            .chain(checks)
            .collect();
        if items.is_empty() {
            sql.push_str(" (\n)");
        } else {
            sql.push_str(&format!(" (\n    {}\n)", items.join(",\n    ")));
        }
        if !t.inherits.is_empty() {
            let parents: Vec<String> = t.inherits.iter().map(|p| p.sql()).collect();
            sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
        }
    }
    sql.push_str(&format!(" SERVER {}", ident(&t.server)));
    sql.push_str(&options_clause(&t.options));
    let mut out = vec![sql];
    // Columns taken from the parent: as the parent has them, plus what is their own.
    let parent = parent_name(t).and_then(|p| parent_columns(schema, p));
    for c in t.columns.values().filter(|c| !listed(c)) {
        let inherited = parent
            .as_ref()
            .and_then(|cols| cols.iter().find(|(n, _, _)| n == &c.name));
        let (parent_not_null, parent_default) = inherited
            .map(|(_, nn, d)| (*nn, d.clone()))
            .unwrap_or((false, None));
        let column = format!("ALTER FOREIGN TABLE {name} ALTER COLUMN {}", ident(&c.name));
        if c.not_null && !parent_not_null {
            out.push(format!("{column} SET NOT NULL"));
        }
        if c.generated.is_none() && c.default != parent_default {
            out.push(match &c.default {
                Some(d) => format!("{column} SET DEFAULT {d}"),
                None => format!("{column} DROP DEFAULT"),
            });
        }
        if !c.options.is_empty() {
            if let Some(options) = alter_options(&Vec::new(), &c.options) {
                out.push(format!("{column} {options}"));
            }
        }
    }
    out
}

/// A parent's columns as `(name, not null, default)`: a table's or a foreign table's.
fn parent_columns(
    schema: &Schema,
    parent: &QualifiedName,
) -> Option<Vec<(String, bool, Option<String>)>> {
    if let Some(t) = schema.tables.get(parent) {
        return Some(
            t.columns
                .values()
                .map(|c| (c.name.clone(), c.not_null, c.default.clone()))
                .collect(),
        );
    }
    schema.foreign_tables.get(parent).map(|t| {
        t.columns
            .values()
            .map(|c| (c.name.clone(), c.not_null, c.default.clone()))
            .collect()
    })
}

/// The `ALTER FOREIGN TABLE` statements that turn the standin's `s` into main's `m` (empty
/// when they match), or `None` when it must be built anew (see the module comment).
/// `standin` says what depends on a column that would be dropped or retyped.
fn alterations(s: &ForeignTable, m: &ForeignTable, standin: &Schema) -> Option<Vec<String>> {
    if s.server != m.server || s.partition_of != m.partition_of || s.inherits != m.inherits {
        return None;
    }
    let name = m.name.sql();
    let has_parent = parent_name(m).is_some();
    let used = |column: &str| {
        let col = ObjectId::Column(TableChild::new(m.name.clone(), column));
        standin
            .dependencies
            .iter()
            .any(|(dependent, referenced)| referenced == &col && dependent != &col)
    };
    let dropped: Vec<&ForeignColumn> = s
        .columns
        .values()
        .filter(|c| !m.columns.contains_key(&c.name))
        .collect();
    let added: Vec<&ForeignColumn> = m
        .columns
        .values()
        .filter(|c| !s.columns.contains_key(&c.name))
        .collect();
    // In-place changes keep the standin's order and append: main's must be that.
    let order: Vec<&String> = s
        .columns
        .keys()
        .filter(|n| m.columns.contains_key(*n))
        .chain(added.iter().map(|c| &c.name))
        .collect();
    if !order.iter().copied().eq(m.columns.keys()) {
        return None;
    }
    // A parent's columns come and change with the parent; anything but options differing
    // on them is rebuilt rather than fought over.
    let retyped = |sc: &ForeignColumn, mc: &ForeignColumn| {
        sc.data_type != mc.data_type || sc.collation != mc.collation
    };
    for mc in m.columns.values() {
        let Some(sc) = s.columns.get(&mc.name) else {
            continue;
        };
        let same_but_options = ForeignColumn {
            options: mc.options.clone(),
            ..sc.clone()
        } == *mc;
        if (has_parent && !same_but_options)
            || sc.generated != mc.generated
            || sc.is_local != mc.is_local
            || (retyped(sc, mc) && used(&mc.name))
        {
            return None;
        }
    }
    if (has_parent && !(dropped.is_empty() && added.is_empty()))
        || dropped.iter().any(|c| used(&c.name))
    {
        return None;
    }
    let mut out = Vec::new();
    let table = format!("ALTER FOREIGN TABLE {name}");
    for (n, d) in &s.checks {
        if m.checks.get(n) != Some(d) {
            out.push(format!("{table} DROP CONSTRAINT {}", ident(n)));
        }
    }
    for c in &dropped {
        out.push(format!("{table} DROP COLUMN {}", ident(&c.name)));
    }
    for c in &added {
        out.push(format!("{table} ADD COLUMN {}", column_sql(c)));
    }
    for mc in m.columns.values() {
        let Some(sc) = s.columns.get(&mc.name) else {
            continue;
        };
        let column = format!("{table} ALTER COLUMN {}", ident(&mc.name));
        if retyped(sc, mc) {
            let collate = mc
                .collation
                .as_ref()
                .map(|c| format!(" COLLATE {c}"))
                .unwrap_or_default();
            out.push(format!("{column} TYPE {}{collate}", mc.data_type));
        }
        if sc.default != mc.default && mc.generated.is_none() {
            out.push(match &mc.default {
                Some(d) => format!("{column} SET DEFAULT {d}"),
                None => format!("{column} DROP DEFAULT"),
            });
        }
        if sc.not_null != mc.not_null {
            let what = if mc.not_null { "SET" } else { "DROP" };
            out.push(format!("{column} {what} NOT NULL"));
        }
        if let Some(options) = alter_options(&sc.options, &mc.options) {
            out.push(format!("{column} {options}"));
        }
    }
    for (n, d) in &m.checks {
        if s.checks.get(n) != Some(d) {
            out.push(format!("{table} ADD {}", check_sql(n, d)));
        }
    }
    if let Some(options) = alter_options(&s.options, &m.options) {
        out.push(format!("{table} {options}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartitionOf;

    fn col(name: &str, ty: &str) -> ForeignColumn {
        ForeignColumn {
            name: name.into(),
            data_type: ty.into(),
            collation: None,
            not_null: false,
            default: None,
            generated: None,
            is_local: true,
            options: vec![],
        }
    }

    fn table(columns: Vec<ForeignColumn>) -> ForeignTable {
        ForeignTable {
            name: QualifiedName::new("public", "ft"),
            server: "s".into(),
            options: vec![("table_name".into(), "t".into())],
            columns: columns.into_iter().map(|c| (c.name.clone(), c)).collect(),
            checks: Default::default(),
            inherits: vec![],
            partition_of: None,
        }
    }

    #[test]
    fn columns_and_options_are_altered_in_place() {
        let s = table(vec![col("a", "integer"), col("b", "text")]);
        let mut m = table(vec![
            ForeignColumn {
                not_null: true,
                default: Some("1".into()),
                options: vec![("column_name".into(), "A".into())],
                ..col("a", "bigint")
            },
            col("c", "text"),
        ]);
        m.options = vec![];
        m.checks.insert("pos".into(), "CHECK ((a > 0))".into());
        let sqls = alterations(&s, &m, &Schema::default()).expect("in place");
        assert_eq!(
            sqls,
            vec![
                "ALTER FOREIGN TABLE public.ft DROP COLUMN b",
                "ALTER FOREIGN TABLE public.ft ADD COLUMN c text",
                "ALTER FOREIGN TABLE public.ft ALTER COLUMN a TYPE bigint",
                "ALTER FOREIGN TABLE public.ft ALTER COLUMN a SET DEFAULT 1",
                "ALTER FOREIGN TABLE public.ft ALTER COLUMN a SET NOT NULL",
                "ALTER FOREIGN TABLE public.ft ALTER COLUMN a OPTIONS (ADD column_name 'A')",
                "ALTER FOREIGN TABLE public.ft ADD CONSTRAINT pos CHECK ((a > 0))",
                "ALTER FOREIGN TABLE public.ft OPTIONS (DROP table_name)",
            ]
        );
        assert_eq!(alterations(&m, &m, &Schema::default()), Some(vec![]));
    }

    #[test]
    fn a_new_column_order_or_server_builds_it_anew() {
        let s = table(vec![col("a", "integer"), col("b", "text")]);
        let m = table(vec![col("b", "text"), col("a", "integer")]);
        assert_eq!(alterations(&s, &m, &Schema::default()), None);
        let other = ForeignTable {
            server: "t".into(),
            ..s.clone()
        };
        assert_eq!(alterations(&s, &other, &Schema::default()), None);
    }

    #[test]
    fn a_partition_is_created_with_partition_of_and_its_own_column_settings() {
        let mut t = table(vec![
            ForeignColumn {
                is_local: false,
                options: vec![("column_name".into(), "x".into())],
                ..col("a", "integer")
            },
            ForeignColumn {
                is_local: false,
                ..col("b", "text")
            },
        ]);
        t.partition_of = Some(PartitionOf {
            parent: QualifiedName::new("public", "parted"),
            bound: "FOR VALUES IN (1)".into(),
        });
        t.checks.insert("c".into(), "CHECK ((a > 0))".into());
        assert_eq!(
            create_sql(&Schema::default(), &t),
            vec![
                "CREATE FOREIGN TABLE public.ft PARTITION OF public.parted (\n    CONSTRAINT c CHECK ((a > 0))\n) FOR VALUES IN (1) SERVER s OPTIONS (table_name 't')",
                "ALTER FOREIGN TABLE public.ft ALTER COLUMN a OPTIONS (ADD column_name 'x')",
            ]
        );
    }
}
