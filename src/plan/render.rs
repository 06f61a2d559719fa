//! A plan as a SQL file (`psql -v ON_ERROR_STOP=1 -f` runs it) or as JSON.

use std::fmt::Write as _;

use super::{Plan, Statement};
use crate::quote::comment;

/// Settings every plan runs with, inside its transaction: function bodies are checked when
/// called, not when created, so functions and the tables they read can come in any order
/// (as pg_dump does).
pub const SESSION_SETTINGS: &[&str] = &["SET LOCAL check_function_bodies = false"];

/// Heading of the standin-only objects a `--clean-extra` plan keeps.
const KEPT_FOR_SCOPE: &str =
    "Only in the standin, kept (out of the --include/--exclude scope, or needed by a table that is):";

/// `150004` → `15.4`; `90624` → `9.6.24`; 0 → `unknown`.
pub fn version_text(num: i32) -> String {
    match num {
        n if n <= 0 => "unknown".to_string(),
        n if n >= 100000 => format!("{}.{}", n / 10000, n % 10000),
        n => format!("{}.{}.{}", n / 10000, (n / 100) % 100, n % 100),
    }
}

/// The whole file: header comment, then [`render_body`]. Empty when the plan is empty and
/// there are no unmodelled objects to mention.
pub fn render_sql(plan: &Plan) -> String {
    if plan.is_empty() && plan.not_synced.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let h = &plan.header;
    let hazardous = plan
        .statements
        .iter()
        .filter(|s| !s.hazards.is_empty())
        .count();
    let mut lines = vec![
        "pgsyncer plan: makes the standin's schema match main's.".to_string(),
        format!(
            "main:    PostgreSQL {} ({})",
            version_text(h.main_version),
            h.main_source
        ),
        format!(
            "standin: PostgreSQL {} ({})",
            version_text(h.standin_version),
            h.standin_source
        ),
        format!("generated: {}", h.generated_at),
        format!("schemas: {}", h.schemas),
    ];
    if !h.tables.is_empty() {
        lines.push(format!(
            "tables: {} (the others are neither created, altered nor dropped)",
            h.tables
        ));
    }
    lines.push(format!(
        "statements: {} ({} with hazards)",
        plan.statements.len(),
        hazardous
    ));
    // Every line through quote::comment: a source, a schema name, a pattern or a path may
    // hold a newline that would otherwise end the comment.
    for line in &lines {
        out.push_str(&comment(line));
    }
    out.push('\n');
    out.push_str(&render_body(plan));
    out
}

/// Everything after the header: the not-synced and extra-objects comments, `BEGIN; …
/// COMMIT;`, then the statements that cannot run in a transaction. Stable (no times, no
/// versions), so tests snapshot it.
pub fn render_body(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str(&crate::model::unmodelled::comment_block(
        "not synced",
        &super::unsynced::summary(&plan.not_synced, None),
    ));
    if !plan.extra_objects.is_empty() {
        out.push_str(&comment(if plan.clean_extra {
            KEPT_FOR_SCOPE
        } else {
            "Only in the standin, kept (pass --clean-extra to drop them):"
        }));
        for object in &plan.extra_objects {
            out.push_str(&comment(&format!("  {object}")));
        }
        out.push('\n');
    }
    let before: Vec<&Statement> = plan.before_transaction().collect();
    let inside: Vec<&Statement> = plan.transactional().collect();
    let outside: Vec<&Statement> = plan.non_transactional().collect();
    if !before.is_empty() {
        out.push_str(&comment(
            "The statements below run before the transaction; each commits on its own.",
        ));
        for statement in before {
            if let Some(why) = &statement.before_transaction {
                out.push_str(&comment(&format!("before the transaction: {why}")));
            }
            write_statement(&mut out, statement);
            out.push('\n');
        }
    }
    if !inside.is_empty() {
        out.push_str("BEGIN;\n");
        for setting in SESSION_SETTINGS {
            let _ = writeln!(out, "{setting};");
        }
        for statement in inside {
            out.push('\n');
            write_statement(&mut out, statement);
        }
        out.push_str("\nCOMMIT;\n");
    }
    if !outside.is_empty() {
        out.push('\n');
        out.push_str(&comment(
            "The statements below cannot run inside a transaction block; each commits on its own.",
        ));
        for statement in outside {
            out.push('\n');
            if let Some(why) = &statement.outside_transaction {
                out.push_str(&comment(&format!("outside the transaction: {why}")));
            }
            write_statement(&mut out, statement);
        }
    }
    out
}

fn write_statement(out: &mut String, statement: &Statement) {
    for hazard in &statement.hazards {
        out.push_str(&comment(&format!(
            "HAZARD ({}): {}",
            hazard.kind.label(),
            hazard.message
        )));
    }
    out.push_str(&statement.sql);
    out.push_str(";\n");
}

/// `--json`: the header, the statements with their kinds and hazards, the extra objects,
/// main's unmodelled objects.
pub fn render_json(plan: &Plan) -> serde_json::Value {
    serde_json::json!({
        "main_version": version_text(plan.header.main_version),
        "standin_version": version_text(plan.header.standin_version),
        "schemas": plan.header.schemas,
        "generated_at": plan.header.generated_at,
        "changes": plan.statements,
        "extra_objects": plan.extra_objects,
        "not_synced": plan.not_synced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, HazardKind, PlanHeader};

    #[test]
    fn versions() {
        assert_eq!(version_text(150004), "15.4");
        assert_eq!(version_text(180000), "18.0");
        assert_eq!(version_text(90624), "9.6.24");
        assert_eq!(version_text(0), "unknown");
    }

    #[test]
    fn empty_plan_renders_nothing() {
        let plan = Plan::new(PlanHeader::default(), Vec::new(), Vec::new());
        assert_eq!(render_sql(&plan), "");
    }

    #[test]
    fn body_has_transaction_hazards_and_tail() {
        let statements = vec![
            Statement::new("table public.t", Action::Drop, "DROP TABLE public.t")
                .hazard(HazardKind::DeletesData, "drops table public.t and its rows"),
            Statement::new(
                "index public.i",
                Action::Create,
                "CREATE INDEX CONCURRENTLY i ON t (a)",
            )
            .outside_transaction("CREATE INDEX CONCURRENTLY cannot run in a transaction"),
        ];
        let plan = Plan::new(
            PlanHeader::default(),
            statements,
            vec!["view public.v".into()],
        );
        let body = render_body(&plan);
        assert!(body.contains("BEGIN;\nSET LOCAL check_function_bodies = false;\n\n-- HAZARD (deletes data): drops table public.t and its rows\nDROP TABLE public.t;\n\nCOMMIT;\n"), "{body}");
        let tail = body.find("CREATE INDEX CONCURRENTLY").unwrap();
        assert!(tail > body.find("COMMIT;").unwrap(), "{body}");
        assert!(body.contains("--   view public.v"), "{body}");
        let sql = render_sql(&plan);
        assert!(sql.starts_with("-- pgsyncer plan"), "{sql}");
        assert!(sql.contains("(1 with hazards)"), "{sql}");
        assert!(!sql.contains("-- tables:"), "{sql}");
        let mut scoped = plan.clone();
        scoped.clean_extra = true;
        let body = render_body(&scoped);
        assert!(
            body.contains(&format!("-- {KEPT_FOR_SCOPE}\n--   view public.v\n")),
            "{body}"
        );
        let mut filtered = plan.clone();
        filtered.header.schemas = "public".into();
        filtered.header.tables = "--exclude x\ndrop table victim; --".into();
        let sql = render_sql(&filtered);
        assert!(
            sql.contains("-- schemas: public\n-- tables: --exclude x\\ndrop table victim; -- (the others are neither created, altered nor dropped)\n-- statements: 2"),
            "{sql}"
        );
    }
}
