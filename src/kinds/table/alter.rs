//! A table's and its columns' in-place changes: the SQL of each alteration the diff
//! found (`ALTER TABLE … ALTER COLUMN …`, options, row security, replica identity, …).

use super::*;

pub(super) fn alter_column(ctx: &mut Ctx, id: &ObjectId, c: &TableChild, kind: &ChangeKind) {
    let (main, standin) = (ctx.main, ctx.standin);
    match kind {
        ChangeKind::AddColumn => {
            let Some(col) = column_of(main, c) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} ADD COLUMN {}",
                c.parent.sql(),
                column_definition(&c.parent, col)
            );
            let existing = ctx.existing_table(&c.parent);
            let st = ctx.build(id, 16, Action::Alter, sql);
            if existing {
                if col.not_null
                    && col.default.is_none()
                    && col.identity.is_none()
                    && col.generated.is_none()
                {
                    st.hazards.push(Hazard::new(
                        HazardKind::MayFailOnData,
                        "a NOT NULL column without a default cannot be added to a table that has rows",
                    ));
                }
                if col.generated.is_some() || col.identity.is_some() {
                    st.hazards.push(Hazard::new(
                        HazardKind::RewritesTable,
                        "computing the new column's values rewrites the table under an ACCESS EXCLUSIVE lock",
                    ));
                }
            }
        }
        ChangeKind::AlterColumnType => {
            let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
                return;
            };
            let collate = m
                .collation
                .as_ref()
                .map(|c| format!(" COLLATE {c}"))
                .unwrap_or_default();
            if m.data_type == s.data_type {
                // Only the collation changes: the values stay, the column's indexes are
                // rebuilt.
                let clause = format!("TYPE {}{collate}", m.data_type);
                column_step(ctx, id, c, &clause).hazards.push(Hazard::new(
                    HazardKind::LongLock,
                    "changing the collation rebuilds the column's indexes under an ACCESS EXCLUSIVE lock",
                ));
                return;
            }
            // A conversion PostgreSQL lacks fails the plan before this renders
            // (`plan::build`); what is left casts directly or through text.
            let through = match conversion(main, standin, c) {
                Conversion::ThroughText => "::text",
                Conversion::Cast | Conversion::None => "",
            };
            let clause = format!(
                "TYPE {}{collate} USING {}{through}::{}",
                m.data_type,
                ident(&c.name),
                m.data_type
            );
            column_step(ctx, id, c, &clause).hazards.extend([
                Hazard::new(
                    HazardKind::RewritesTable,
                    format!(
                        "changing the type from {} to {} rewrites the table and its indexes",
                        s.data_type, m.data_type
                    ),
                ),
                Hazard::new(
                    HazardKind::LongLock,
                    "holds an ACCESS EXCLUSIVE lock while the table is rewritten",
                ),
                Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if an existing value does not convert",
                ),
            ]);
        }
        ChangeKind::SetDefault(d) => {
            column_step(ctx, id, c, &format!("SET DEFAULT {d}"));
        }
        ChangeKind::DropDefault => {
            // With the drops: removing a default needs nothing, and a sequence or function
            // the default uses can only be dropped after it.
            let sql = format!("{} DROP DEFAULT", alter_column_sql(c));
            ctx.push(
                id,
                Phase::Drop,
                8,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        ChangeKind::PartitionSetDefault(d) => {
            let sql = format!("{} SET DEFAULT {d}", alter_column_sql(c));
            ctx.build(id, 18, Action::Alter, sql);
        }
        ChangeKind::PartitionDropDefault => {
            let sql = format!("{} DROP DEFAULT", alter_column_sql(c));
            ctx.build(id, 18, Action::Alter, sql);
        }
        ChangeKind::ResetCollation => {
            let Some(s) = column_of(standin, c) else {
                return;
            };
            // Without COLLATE the column takes its type's default collation; the same type
            // keeps the values, only the column's indexes are rebuilt.
            let sql = format!("{} TYPE {}", alter_column_sql(c), s.data_type);
            let statement = Statement::new(id.to_string(), Action::Alter, sql).hazard(
                HazardKind::LongLock,
                "rebuilds the column's indexes under an ACCESS EXCLUSIVE lock, so that its collation can be dropped",
            );
            ctx.push(id, Phase::Drop, 8, statement);
        }
        ChangeKind::ColumnToText => {
            let Some(s) = column_of(standin, c) else {
                return;
            };
            let dims = "[]".repeat(s.data_type.matches("[]").count());
            let sql = format!(
                "{} TYPE text{dims} USING {}::text{dims}",
                alter_column_sql(c),
                ident(&c.name)
            );
            let statement = Statement::new(id.to_string(), Action::Alter, sql).hazard(
                HazardKind::RewritesTable,
                format!(
                    "the values wait as text while {} is dropped, then convert to {}: the table is rewritten twice",
                    s.data_type.trim_end_matches("[]"),
                    column_of(main, c)
                        .map(|m| m.data_type.as_str())
                        .unwrap_or("main's type")
                ),
            );
            ctx.push(id, Phase::Drop, 8, statement);
        }
        ChangeKind::SetNotNull => {
            // SET NOT NULL names the constraint `<table>_<column>_not_null`; main's other
            // name is given with ADD CONSTRAINT … NOT NULL (18+ syntax; names are known
            // only from 18 on).
            let named = column_of(main, c)
                .and_then(|m| m.custom_not_null_name(&c.parent.name))
                .filter(|_| standin.server_version_num >= 180_000);
            let sql = match named {
                Some(n) => format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} NOT NULL {}",
                    c.parent.sql(),
                    ident(n),
                    ident(&c.name)
                ),
                None => format!("{} SET NOT NULL", alter_column_sql(c)),
            };
            ctx.build(id, 16, Action::Alter, sql).hazards.extend([
                Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if a row holds NULL in this column",
                ),
                Hazard::new(
                    HazardKind::LongLock,
                    "scans the whole table under an ACCESS EXCLUSIVE lock",
                ),
            ]);
        }
        ChangeKind::DropNotNull => {
            column_step(ctx, id, c, "DROP NOT NULL");
        }
        ChangeKind::RenameNotNull => {
            let (Some(to), Some(from)) = (
                column_of(main, c).and_then(|m| m.not_null_name.as_ref()),
                column_of(standin, c).and_then(|s| s.not_null_name.as_ref()),
            ) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                c.parent.sql(),
                ident(from),
                ident(to)
            );
            // Keyed on the table: after a DETACH PARTITION, before an ATTACH PARTITION
            // (rank 17), since an inherited constraint cannot be renamed.
            let table = ObjectId::Table(c.parent.clone());
            ctx.push(
                &table,
                Phase::Build,
                15,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        ChangeKind::AddIdentity => {
            let Some(identity) = column_of(main, c).and_then(|m| m.identity.as_ref()) else {
                return;
            };
            let clause = format!(
                "ADD GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})",
                identity_kind(identity.kind),
                qualified(&c.parent.schema, &identity.sequence_name),
                create::sequence_options(&identity.options, false)
            );
            column_step(ctx, id, c, &clause);
        }
        ChangeKind::DropIdentity => {
            column_step(ctx, id, c, "DROP IDENTITY");
        }
        ChangeKind::AlterIdentity => {
            let (Some(m), Some(s)) = (
                column_of(main, c).and_then(|m| m.identity.as_ref()),
                column_of(standin, c).and_then(|s| s.identity.as_ref()),
            ) else {
                return;
            };
            let mut parts = Vec::new();
            if m.kind != s.kind {
                parts.push(format!("SET GENERATED {}", identity_kind(m.kind)));
            }
            for option in sequence_option_changes(&s.options, &m.options) {
                parts.push(format!("SET {option}"));
            }
            if !parts.is_empty() {
                column_step(ctx, id, c, &parts.join(" "));
            }
        }
        ChangeKind::AlterColumnStorage => {
            let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
                return;
            };
            if m.storage != s.storage {
                // Back to the type's own storage when main sets none.
                if let Some(st) = m.storage.as_ref().or(m.type_storage.as_ref()) {
                    let clause = format!("SET STORAGE {}", storage_keyword(st));
                    column_step(ctx, id, c, &clause);
                }
            }
            if m.compression != s.compression {
                let method = m
                    .compression
                    .as_deref()
                    .map(ident)
                    .unwrap_or_else(|| "DEFAULT".into());
                column_step(ctx, id, c, &format!("SET COMPRESSION {method}"));
            }
            if m.statistics != s.statistics {
                let n = m.statistics.unwrap_or(-1);
                column_step(ctx, id, c, &format!("SET STATISTICS {n}"));
            }
            if m.options != s.options {
                let (set, reset) = option_changes(&s.options, &m.options);
                if !reset.is_empty() {
                    let names: Vec<String> = reset.iter().map(|r| create::option_name(r)).collect();
                    column_step(ctx, id, c, &format!("RESET ({})", names.join(", ")));
                }
                if !set.is_empty() {
                    column_step(ctx, id, c, &format!("SET ({})", create::option_list(&set)));
                }
            }
        }
        _ => {}
    }
}

pub(super) fn alter_table(ctx: &mut Ctx, id: &ObjectId, q: &QualifiedName, kind: &ChangeKind) {
    let (main, standin) = (ctx.main, ctx.standin);
    match kind {
        ChangeKind::SetLogged(logged) => {
            let what = if *logged { "LOGGED" } else { "UNLOGGED" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} SET {what}", q.sql()),
            )
            .hazards
            .push(Hazard::new(
                HazardKind::RewritesTable,
                format!("SET {what} rewrites the table under an ACCESS EXCLUSIVE lock"),
            ));
        }
        ChangeKind::SetOptions { set, reset } => {
            if !reset.is_empty() {
                let names: Vec<String> = reset.iter().map(|r| create::option_name(r)).collect();
                ctx.build(
                    id,
                    14,
                    Action::Alter,
                    format!("ALTER TABLE {} RESET ({})", q.sql(), names.join(", ")),
                );
            }
            if !set.is_empty() {
                ctx.build(
                    id,
                    14,
                    Action::Alter,
                    format!("ALTER TABLE {} SET ({})", q.sql(), create::option_list(set)),
                );
            }
        }
        ChangeKind::ReplicaIdentity => {
            let Some(t) = main.tables.get(q) else { return };
            let sql = replica_identity_sql(t).unwrap_or_else(|| {
                format!("ALTER TABLE ONLY {} REPLICA IDENTITY DEFAULT", q.sql())
            });
            let key = replica_identity_key(q, t).unwrap_or_else(|| id.clone());
            ctx.push(
                &key,
                Phase::Build,
                19,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        ChangeKind::RowSecurity(on) => {
            let what = if *on { "ENABLE" } else { "DISABLE" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} {what} ROW LEVEL SECURITY", q.sql()),
            );
        }
        ChangeKind::ForceRowSecurity(on) => {
            let what = if *on { "FORCE" } else { "NO FORCE" };
            ctx.build(
                id,
                14,
                Action::Alter,
                format!("ALTER TABLE {} {what} ROW LEVEL SECURITY", q.sql()),
            );
        }
        ChangeKind::AttachPartition => {
            let Some(p) = main.tables.get(q).and_then(|t| t.partition_of.as_ref()) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} ATTACH PARTITION {} {}",
                p.parent.sql(),
                q.sql(),
                p.bound
            );
            ctx.build(id, 17, Action::Alter, sql)
                .hazards
                .push(Hazard::new(
                    HazardKind::LongLock,
                    "scans the partition to check its rows fit the bound",
                ));
        }
        ChangeKind::DetachPartition => {
            let Some(p) = standin.tables.get(q).and_then(|t| t.partition_of.as_ref()) else {
                return;
            };
            let sql = format!(
                "ALTER TABLE {} DETACH PARTITION {}",
                p.parent.sql(),
                q.sql()
            );
            ctx.push(
                id,
                Phase::Drop,
                9,
                Statement::new(id.to_string(), Action::Alter, sql),
            );
        }
        _ => {}
    }
}
