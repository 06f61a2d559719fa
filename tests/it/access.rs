//! `--owners`, `--privileges`, `--role-map`, `--create-roles` against real PostgreSQL: a
//! plan makes the standin's owners and effective ACLs main's (grants added, extra ones
//! revoked, PUBLIC's defaults included), the next plan is empty, and `pg_dump`'s GRANT,
//! REVOKE, OWNER and ALTER DEFAULT PRIVILEGES lines (the test-only oracle) are the same on
//! both sides. Without the
//! flags nothing about them is planned. Roles are cluster-wide, so each test names its own.
use crate::support;

use std::time::Duration;

use pgsyncer::catalog::{introspect, SchemaFilter};
use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::diff::AccessOptions;
use pgsyncer::model::Schema;
use pgsyncer::plan::{self, Plan, PlanHeader, PlanOptions};

/// Role names unique to one test (the cluster is shared by concurrent tests).
fn role(test: &str, name: &str) -> String {
    format!("pgs_{test}_{name}_{}", std::process::id())
}

async fn create_roles(url: &str, roles: &[&str]) {
    let client = support::raw_client(url).await;
    for r in roles {
        client
            .batch_execute(&format!(
                "DO $$ BEGIN CREATE ROLE \"{r}\" NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ))
            .await
            .expect("create role");
    }
}

async fn load(url: &str, sql: &str) {
    support::raw_client(url)
        .await
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("loading fixture: {e:?}\n{sql}"));
}

async fn model(url: &str, side: Side) -> Schema {
    let endpoint = Endpoint::parse(side, url, Duration::from_secs(10)).expect("endpoint");
    let session = endpoint.connect().await.expect("connect");
    introspect(&session, &SchemaFilter::All)
        .await
        .expect("introspect")
}

fn options(
    privileges: bool,
    owners: bool,
    map: &[(&str, &str)],
    create_roles: bool,
) -> PlanOptions {
    PlanOptions {
        access: AccessOptions {
            privileges,
            owners,
            role_map: map
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        },
        create_roles,
        ..PlanOptions::default()
    }
}

async fn plan_between(main: &str, standin: &str, options: PlanOptions) -> Result<Plan, String> {
    let (m, s) = (
        model(main, Side::Main).await,
        model(standin, Side::Standin).await,
    );
    plan::build(&m, &s, options, PlanHeader::default()).map_err(|e| e.to_string())
}

async fn apply(url: &str, plan: &Plan) {
    let client = pgsyncer::conn::LoggedClient::new(support::raw_client(url).await, Side::Standin);
    pgsyncer::apply::apply(&client, plan)
        .await
        .unwrap_or_else(|e| panic!("apply failed: {e}\n{}", plan::render_body(plan)));
}

/// `pg_dump`'s owner and privilege statements, sorted: the oracle.
fn dumped_access(url: &str) -> Vec<String> {
    let out = std::process::Command::new(support::pg_program("pg_dump"))
        .args(["--schema-only", "--dbname", url])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            l.starts_with("GRANT ")
                || l.starts_with("REVOKE ")
                || l.starts_with("ALTER DEFAULT PRIVILEGES ")
                || (l.starts_with("ALTER ") && l.contains(" OWNER TO "))
        })
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

fn main_sql(owner: &str, reader: &str) -> String {
    format!(
        r#"
CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY, secret text, "odd
name" text);
CREATE VIEW app.v AS SELECT id FROM app.t;
CREATE SEQUENCE app.s;
CREATE TYPE app.mood AS ENUM ('ok', 'meh');
CREATE DOMAIN app.pos AS int CHECK (VALUE > 0);
CREATE FUNCTION app.f(i int) RETURNS int LANGUAGE sql AS 'SELECT i';
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int);
ALTER TABLE app.t OWNER TO "{owner}";
ALTER VIEW app.v OWNER TO "{owner}";
GRANT USAGE ON SCHEMA app TO "{reader}" WITH GRANT OPTION;
GRANT SELECT (id), UPDATE ("odd
name") ON app.t TO "{reader}";
GRANT SELECT ON app.v TO PUBLIC;
GRANT USAGE ON SEQUENCE app.s TO "{reader}";
REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
GRANT USAGE ON DOMAIN app.pos TO "{reader}";
REVOKE EXECUTE ON FUNCTION app.f(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.f(int) TO "{reader}";
REVOKE EXECUTE ON FUNCTION app.total(int) FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA app GRANT SELECT ON TABLES TO "{reader}";
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" GRANT USAGE ON SEQUENCES TO "{reader}" WITH GRANT OPTION;
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_and_privileges_converge_from_empty_and_from_other_grants() {
    let owner = role("conv", "owner");
    let reader = role("conv", "reader");
    let main = support::fresh_db("acc_conv_main").await;
    create_roles(&main, &[&owner, &reader]).await;
    load(&main, &main_sql(&owner, &reader)).await;

    // From empty, and from the same objects with other grants and owners.
    let empty = support::fresh_db("acc_conv_empty").await;
    let other = support::fresh_db("acc_conv_other").await;
    load(&other, &main_sql(&reader, &owner)).await;
    load(
        &other,
        &format!(
            "GRANT DELETE ON app.t TO \"{reader}\"; GRANT ALL ON SCHEMA app TO PUBLIC; \
             GRANT EXECUTE ON FUNCTION app.total(int) TO PUBLIC; REVOKE SELECT ON app.v FROM PUBLIC;"
        ),
    )
    .await;
    assert_ne!(
        dumped_access(&main),
        dumped_access(&other),
        "the fixture must differ"
    );
    for standin in [&empty, &other] {
        let plan = plan_between(&main, standin, options(true, true, &[], false))
            .await
            .expect("plan");
        let body = plan::render_body(&plan);
        apply(standin, &plan).await;
        let again = plan_between(&main, standin, options(true, true, &[], false))
            .await
            .expect("plan");
        assert!(
            again.is_empty(),
            "second plan:\n{}\nfirst:\n{body}",
            plan::render_body(&again)
        );
        assert_eq!(
            dumped_access(&main),
            dumped_access(standin),
            "plan:\n{body}"
        );
    }
    let snap = support::fresh_db("acc_conv_snap").await;
    let plan = plan_between(&main, &snap, options(true, true, &[], false))
        .await
        .expect("plan");
    let text = plan::render_body(&plan)
        .replace(&owner, "owner_role")
        .replace(&reader, "reader_role");
    insta::with_settings!({snapshot_path => "snapshots"}, {
        insta::assert_snapshot!("access_from_empty", text);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flags_owners_and_privileges_are_left_alone() {
    let owner = role("off", "owner");
    let reader = role("off", "reader");
    let main = support::fresh_db("acc_off_main").await;
    create_roles(&main, &[&owner, &reader]).await;
    load(&main, &main_sql(&owner, &reader)).await;
    let standin = support::fresh_db("acc_off_standin").await;
    load(&standin, &main_sql(&reader, &owner)).await;
    let plan = plan_between(&main, &standin, PlanOptions::default())
        .await
        .expect("plan");
    assert!(plan.is_empty(), "{}", plan::render_body(&plan));
    // Each flag alone plans only its own statements.
    let owners = plan_between(&main, &standin, options(false, true, &[], false))
        .await
        .expect("plan");
    let text = plan::render_body(&owners);
    assert!(
        text.contains(" OWNER TO ") && !text.contains("GRANT ") && !text.contains("REVOKE "),
        "{text}"
    );
    let privileges = plan_between(&main, &standin, options(true, false, &[], false))
        .await
        .expect("plan");
    let text = plan::render_body(&privileges);
    assert!(
        !text.contains(" OWNER TO ") && text.contains("REVOKE "),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_role_is_named_unless_mapped_or_created() {
    let owner = role("miss", "owner");
    let reader = role("miss", "reader");
    let ghost = role("miss", "ghost");
    let main = support::fresh_db("acc_miss_main").await;
    create_roles(&main, &[&owner, &reader]).await;
    load(&main, &main_sql(&owner, &reader)).await;
    let standin = support::fresh_db("acc_miss_standin").await;
    // Main's reader is called ghost on the standin, and ghost does not exist.
    let map = [(reader.as_str(), ghost.as_str())];
    let err = plan_between(&main, &standin, options(true, true, &map, false))
        .await
        .expect_err("a missing role must fail the plan");
    assert!(
        err.contains(&ghost) && err.contains("--create-roles"),
        "{err}"
    );

    let plan = plan_between(&main, &standin, options(true, true, &map, true))
        .await
        .expect("plan");
    let body = plan::render_body(&plan);
    assert!(
        body.contains(&format!("CREATE ROLE {ghost} NOLOGIN")),
        "{body}"
    );
    apply(&standin, &plan).await;
    let client = support::raw_client(&standin).await;
    let can_login: bool = client
        .query_one(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1",
            &[&ghost],
        )
        .await
        .expect("the role exists")
        .get(0);
    assert!(!can_login);
    let granted: bool = client
        .query_one(
            "SELECT has_function_privilege($1, 'app.f(int)', 'EXECUTE')",
            &[&ghost],
        )
        .await
        .expect("privilege check")
        .get(0);
    assert!(granted, "ghost stands for main's reader");
    let again = plan_between(&main, &standin, options(true, true, &map, false))
        .await
        .expect("plan");
    assert!(again.is_empty(), "{}", plan::render_body(&again));
    client
        .batch_execute(&format!("DROP OWNED BY \"{ghost}\"; DROP ROLE \"{ghost}\""))
        .await
        .expect("clean up the role");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dump_with_owners_and_privileges_rebuilds_them() {
    let owner = role("dump", "owner");
    let reader = role("dump", "reader");
    let main = support::fresh_db("acc_dump_main").await;
    create_roles(&main, &[&owner, &reader]).await;
    load(&main, &main_sql(&owner, &reader)).await;
    let out = support::run_pgsyncer(&[
        "dump",
        "--dsn",
        &main,
        "--all-schemas",
        "--owners",
        "--privileges",
    ]);
    assert!(out.status.success(), "{}", support::output_text(&out));
    let script = String::from_utf8(out.stdout).expect("utf-8");
    let copy = support::fresh_db("acc_dump_copy").await;
    load(&copy, &script).await;
    assert_eq!(
        dumped_access(&main),
        dumped_access(&copy),
        "dump:\n{script}"
    );
    // Without the flags the dump holds none of it.
    let out = support::run_pgsyncer(&["dump", "--dsn", &main, "--all-schemas"]);
    let plain = String::from_utf8_lossy(&out.stdout);
    assert!(
        !plain.contains("GRANT ") && !plain.contains(" OWNER TO "),
        "{plain}"
    );
}

#[test]
fn a_role_map_needs_both_names() {
    let out = support::run_pgsyncer(&[
        "plan",
        "--maindsn",
        "postgres://x/y",
        "--standindsn",
        "postgres://x/z",
        "--role-map",
        "alice",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", support::output_text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MAIN_ROLE=STANDIN_ROLE"));
}

#[test]
fn diff_refuses_the_schema_only_flags() {
    let out = support::run_pgsyncer(&[
        "diff",
        "--maindsn",
        "postgres://x/y",
        "--standindsn",
        "postgres://x/z",
        "--privileges",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", support::output_text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("diff compares rows only"));
}
