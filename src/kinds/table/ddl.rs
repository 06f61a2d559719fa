//! `CREATE TABLE` from the model, with its columns, partition bound, inheritance and
//! options; what a dump adds after (inherited column overrides, replica identity).

use super::*;

/// `ALWAYS` or `BY DEFAULT`.
pub(crate) fn identity_kind(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    }
}

/// The `SET STORAGE` keyword of an `attstorage` letter.
pub(crate) fn storage_keyword(letter: &str) -> &'static str {
    match letter {
        "p" => "PLAIN",
        "e" => "EXTERNAL",
        "m" => "MAIN",
        _ => "EXTENDED",
    }
}

/// One column definition inside `CREATE TABLE`.
pub(crate) fn column_definition(table: &QualifiedName, c: &Column) -> String {
    let mut s = format!("{} {}", ident(&c.name), c.data_type);
    if let Some(m) = &c.compression {
        s.push_str(&format!(" COMPRESSION {}", ident(m)));
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(id) = &c.identity {
        s.push_str(&format!(
            " GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})",
            identity_kind(id.kind),
            qualified(&table.schema, &id.sequence_name),
            create::sequence_options(&id.options, false)
        ));
    }
    if let Some(g) = &c.generated {
        let kind = match g.kind {
            GeneratedKind::Stored => "STORED",
            GeneratedKind::Virtual => "VIRTUAL",
        };
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {kind}", g.expression));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if c.not_null {
        if let Some(n) = c.custom_not_null_name(&table.name) {
            s.push_str(&format!(" CONSTRAINT {}", ident(n)));
        }
        s.push_str(" NOT NULL");
    }
    s
}

/// The name to write for a partition column's NOT NULL constraint in `PARTITION OF …
/// (column CONSTRAINT name NOT NULL)`, when it is not the one the partition gets by
/// itself: its parent's constraint name, or the default one when the parent's column may
/// be NULL (18+; names are unknown before).
fn partition_not_null_name<'a>(t: &Table, parent: &Table, c: &'a Column) -> Option<&'a str> {
    let name = c.not_null_name.as_deref().filter(|_| c.not_null)?;
    let pc = parent.columns.get(&c.name)?;
    if pc.not_null {
        (pc.not_null_name.as_deref()? != name).then_some(name)
    } else {
        c.custom_not_null_name(&t.name.name)
    }
}

/// `CREATE TABLE` with its local columns, then column-level settings and row security.
/// Constraints, indexes, triggers and policies are separate objects. `schema` holds a
/// partition's parent, whose NOT NULL constraint names the partition's follow.
pub(crate) fn table_sql(schema: &Schema, t: &Table) -> Vec<String> {
    let name = t.name.sql();
    let mut sql = format!(
        "CREATE {}TABLE {name}",
        if t.unlogged { "UNLOGGED " } else { "" }
    );
    if let Some(p) = &t.partition_of {
        sql.push_str(&format!(" PARTITION OF {}", p.parent.sql()));
        let named: Vec<String> = schema
            .tables
            .get(&p.parent)
            .map(|parent| {
                t.columns
                    .values()
                    .filter_map(|c| {
                        let n = partition_not_null_name(t, parent, c)?;
                        Some(format!(
                            "{} CONSTRAINT {} NOT NULL",
                            ident(&c.name),
                            ident(n)
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !named.is_empty() {
            sql.push_str(&format!(" (\n    {}\n)", named.join(",\n    ")));
        }
        sql.push_str(&format!(" {}", p.bound));
    } else {
        // A column a child declares as its own but whose parent generates it inherits the
        // generation expression: PostgreSQL rejects it written again in the child.
        let parent_generates = |name: &str| {
            t.inherits.iter().any(|p| {
                schema
                    .tables
                    .get(p)
                    .and_then(|p| p.columns.get(name))
                    .is_some_and(|pc| pc.generated.is_some())
            })
        };
        let cols: Vec<String> = t
            .columns
            .values()
            .filter(|c| c.is_local)
            .map(|c| {
                if c.generated.is_some() && parent_generates(&c.name) {
                    let plain = Column {
                        generated: None,
                        ..c.clone()
                    };
                    column_definition(&t.name, &plain)
                } else {
                    column_definition(&t.name, c)
                }
            })
            .collect();
        if cols.is_empty() {
            sql.push_str(" (\n)");
        } else {
            sql.push_str(&format!(" (\n    {}\n)", cols.join(",\n    ")));
        }
        if !t.inherits.is_empty() {
            let parents: Vec<String> = t.inherits.iter().map(|p| p.sql()).collect();
            sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
        }
    }
    if let Some(key) = &t.partition_by {
        sql.push_str(&format!(" PARTITION BY {key}"));
    }
    if let Some(am) = &t.access_method {
        sql.push_str(&format!(" USING {}", ident(am)));
    }
    sql.push_str(&create::with_options(&t.options));
    let mut out = vec![sql];
    for c in t.columns.values() {
        if let Some(st) = &c.storage {
            out.push(format!(
                "ALTER TABLE ONLY {name} ALTER COLUMN {} SET STORAGE {}",
                ident(&c.name),
                storage_keyword(st)
            ));
        }
        if let Some(n) = c.statistics {
            out.push(format!(
                "ALTER TABLE ONLY {name} ALTER COLUMN {} SET STATISTICS {n}",
                ident(&c.name)
            ));
        }
        if !c.options.is_empty() {
            out.push(format!(
                "ALTER TABLE ONLY {name} ALTER COLUMN {} SET ({})",
                ident(&c.name),
                create::option_list(&c.options)
            ));
        }
    }
    if t.rls_enabled {
        out.push(format!("ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"));
    }
    if t.rls_forced {
        out.push(format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY"));
    }
    out
}

/// Column settings a partition or inheritance child has on columns it takes from its
/// parent but that differ from the parent's (`CREATE TABLE … PARTITION OF` / `INHERITS`
/// copy the parent's NOT NULL and defaults; anything else is set here).
pub(crate) fn inherited_column_overrides(schema: &Schema, t: &Table) -> Vec<String> {
    let parent = t
        .partition_of
        .as_ref()
        .map(|p| &p.parent)
        .or(t.inherits.first())
        .and_then(|p| schema.tables.get(p));
    let Some(parent) = parent else {
        return Vec::new();
    };
    let name = t.name.sql();
    let mut out = Vec::new();
    for c in t.columns.values() {
        if c.is_local && t.partition_of.is_none() {
            continue;
        }
        let Some(pc) = parent.columns.get(&c.name) else {
            continue;
        };
        if c.generated.is_some() || c.identity.is_some() {
            continue;
        }
        if c.not_null && !pc.not_null {
            match c.custom_not_null_name(&t.name.name) {
                // A partition's is written in its CREATE TABLE (partition_not_null_name).
                Some(_) if t.partition_of.is_some() => {}
                Some(n) => out.push(format!(
                    "ALTER TABLE ONLY {name} ADD CONSTRAINT {} NOT NULL {}",
                    ident(n),
                    ident(&c.name)
                )),
                None => out.push(format!(
                    "ALTER TABLE ONLY {name} ALTER COLUMN {} SET NOT NULL",
                    ident(&c.name)
                )),
            }
        }
        if c.default != pc.default {
            out.push(match &c.default {
                Some(d) => format!(
                    "ALTER TABLE ONLY {name} ALTER COLUMN {} SET DEFAULT {d}",
                    ident(&c.name)
                ),
                None => format!(
                    "ALTER TABLE ONLY {name} ALTER COLUMN {} DROP DEFAULT",
                    ident(&c.name)
                ),
            });
        }
    }
    out
}

/// `REPLICA IDENTITY`, once its index exists; `None` for the default.
pub(crate) fn replica_identity_sql(t: &Table) -> Option<String> {
    let what = match &t.replica_identity {
        ReplicaIdentity::Default => return None,
        ReplicaIdentity::Nothing => "NOTHING".to_string(),
        ReplicaIdentity::Full => "FULL".to_string(),
        ReplicaIdentity::Index(i) => format!("USING INDEX {}", ident(i)),
    };
    Some(format!(
        "ALTER TABLE ONLY {} REPLICA IDENTITY {what}",
        t.name.sql()
    ))
}
