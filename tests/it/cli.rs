//! The command line: the Go tool's flags with their defaults, both boolean forms, repeated
//! and comma-separated schemas, the default subcommand, usage errors (exit 2, naming the flag
//! and the accepted form), the refused --pgdump / --force-psql, and the help text.

use crate::support;

use std::process::{Command as Process, Output};

use clap::{CommandFactory, Parser};
use pgsyncer::cli::{Cli, Command, SyncArgs};

fn run(args: &[&str]) -> Output {
    Process::new(support::pgsyncer_bin())
        .args(args)
        .env_remove("PGSYNCER_MAINDSN")
        .env_remove("PGSYNCER_STANDINDSN")
        .output()
        .expect("run pgsyncer")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Parse `args` (after the program name) as `sync` flags, with or without the subcommand.
fn sync_args(args: &[&str]) -> SyncArgs {
    let mut argv = vec!["pgsyncer"];
    argv.extend_from_slice(args);
    match Cli::try_parse_from(&argv).unwrap().into_command() {
        Command::Sync(a) => a,
        other => panic!("expected sync, got {other:?}"),
    }
}

#[test]
fn seed_flags_have_the_go_tool_defaults() {
    let a = sync_args(&[]);
    assert_eq!(a.maindsn, None);
    assert_eq!(a.standindsn, None);
    assert!(a.sync_schema);
    assert!(a.sync_data);
    assert!(!a.clean_extra);
    assert!(!a.fdw_mode);
    assert!(!a.use_updated_at);
    assert_eq!(a.chunk_size, 10000);
    assert_eq!(a.schema.schemas, vec!["public"]);
    assert_eq!(a.workers, 4);
    assert_eq!(a.last_sync_time, None);
    assert_eq!(a.connect.connect_timeout.as_secs(), 10);
}

#[test]
fn every_seed_flag_parses_with_a_value() {
    let a = sync_args(&[
        "--maindsn",
        "postgres://m/db",
        "--standindsn=host=s dbname=db",
        "--chunk-size",
        "500",
        "--workers=8",
        "--schema",
        "app",
        "--last-sync-time",
        "2024-05-01 12:30:00",
        "--connect-timeout",
        "3",
    ]);
    assert_eq!(a.maindsn.as_deref(), Some("postgres://m/db"));
    assert_eq!(a.standindsn.as_deref(), Some("host=s dbname=db"));
    assert_eq!(a.chunk_size, 500);
    assert_eq!(a.workers, 8);
    assert_eq!(a.schema.schemas, vec!["app"]);
    assert_eq!(a.last_sync_time.unwrap().unix_timestamp(), 1714566600);
    assert_eq!(a.connect.connect_timeout.as_secs(), 3);
}

#[test]
fn booleans_accept_bare_true_and_false_forms() {
    type Get = fn(&SyncArgs) -> bool;
    let flags: [(&str, Get, bool); 5] = [
        ("--sync-schema", |a| a.sync_schema, true),
        ("--sync-data", |a| a.sync_data, true),
        ("--clean-extra", |a| a.clean_extra, false),
        ("--fdw-mode", |a| a.fdw_mode, false),
        ("--use-updated-at", |a| a.use_updated_at, false),
    ];
    for (flag, get, default) in flags {
        assert_eq!(get(&sync_args(&[])), default, "{flag} default");
        assert!(get(&sync_args(&[flag])), "{flag}");
        assert!(get(&sync_args(&[&format!("{flag}=true")])), "{flag}=true");
        assert!(
            !get(&sync_args(&[&format!("{flag}=false")])),
            "{flag}=false"
        );
        // The same under the explicit subcommand.
        assert!(
            !get(&sync_args(&["sync", &format!("{flag}=false")])),
            "sync {flag}=false"
        );
    }
}

#[test]
fn schemas_repeat_and_split_on_commas() {
    let a = sync_args(&["--schema", "a,b", "--schema", "c"]);
    assert_eq!(a.schema.schemas, vec!["a", "b", "c"]);
    let a = sync_args(&["sync", "--schema=x"]);
    assert_eq!(a.schema.schemas, vec!["x"]);
}

#[test]
fn no_subcommand_means_sync_and_every_subcommand_exists() {
    let cli = Cli::try_parse_from(["pgsyncer", "--workers", "2"]).unwrap();
    assert!(cli.command.is_none());
    assert!(matches!(cli.into_command(), Command::Sync(a) if a.workers == 2));
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in ["sync", "plan", "dump", "diff", "demo"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    assert!(matches!(
        Cli::try_parse_from(["pgsyncer", "plan", "--maindsn", "m", "--standindsn", "s"])
            .unwrap()
            .into_command(),
        Command::Plan(_)
    ));
    assert!(matches!(
        Cli::try_parse_from(["pgsyncer", "dump", "--dsn", "d"])
            .unwrap()
            .into_command(),
        Command::Dump(_)
    ));
    assert!(matches!(
        Cli::try_parse_from(["pgsyncer", "diff"])
            .unwrap()
            .into_command(),
        Command::Diff(_)
    ));
    assert!(matches!(
        Cli::try_parse_from(["pgsyncer", "demo"])
            .unwrap()
            .into_command(),
        Command::Demo(_)
    ));
}

#[test]
fn bad_values_exit_2_naming_the_flag_and_the_accepted_form() {
    let cases: [(&[&str], &str, &str); 8] = [
        (&["--chunk-size", "0"], "--chunk-size", "1 or more"),
        (&["--chunk-size", "many"], "--chunk-size", "1 or more"),
        (&["--workers", "0"], "--workers", "1..=256"),
        (
            &["--last-sync-time", "yesterday"],
            "--last-sync-time",
            "YYYY-MM-DD HH:MM:SS",
        ),
        (
            &["--connect-timeout", "soon"],
            "--connect-timeout",
            "0 or more",
        ),
        (&["--sync-data=maybe"], "--sync-data", "true, false"),
        (&["--no-such-flag"], "--no-such-flag", "Usage"),
        (&["sync", "--workers", "-3"], "--workers", "1..=256"),
    ];
    for (args, flag, form) in cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?} should name {flag}: {err}");
        assert!(err.contains(form), "{args:?} should show {form}: {err}");
    }
}

#[test]
fn negative_numbers_are_refused_naming_the_flag_and_the_range() {
    let cases: [(&[&str], &str, &str); 8] = [
        (
            &["--connect-timeout", "-1"],
            "--connect-timeout",
            "0 or more",
        ),
        (&["--chunk-size", "-1"], "--chunk-size", "1 or more"),
        (&["--workers", "-1"], "--workers", "1..=256"),
        (&["--lock-timeout", "-5"], "--lock-timeout", "0 or more"),
        (
            &["--watermark-margin", "-5"],
            "--watermark-margin",
            "0 or more",
        ),
        (&["--show-keys", "-1"], "--show-keys", "0 or more"),
        (&["--fdw-port", "-1"], "--fdw-port", "1..=65535"),
        (&["demo", "--workers", "-2"], "--workers", "1..=256"),
    ];
    for (args, flag, range) in cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?} should name {flag}: {err}");
        assert!(err.contains(range), "{args:?} should show {range}: {err}");
    }
}

#[test]
fn connect_timeout_zero_means_no_limit() {
    let a = sync_args(&["--connect-timeout", "0"]);
    assert!(a.connect.connect_timeout.is_zero());
    let no_env = |_: &str| None;
    let endpoint = pgsyncer::conn::Endpoint::parse_with_env(
        pgsyncer::conn::Side::Main,
        "host=h dbname=d",
        a.connect.connect_timeout,
        &no_env,
    )
    .unwrap();
    assert_eq!(endpoint.timeout(), None);
    let a = sync_args(&["--connect-timeout", "7"]);
    let endpoint = pgsyncer::conn::Endpoint::parse_with_env(
        pgsyncer::conn::Side::Main,
        "host=h dbname=d",
        a.connect.connect_timeout,
        &no_env,
    )
    .unwrap();
    assert_eq!(endpoint.timeout(), Some(std::time::Duration::from_secs(7)));
}

#[test]
fn boolean_with_a_separate_value_is_explained() {
    let out = run(&["--sync-schema", "false"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--sync-schema=false"), "{err}");
}

#[test]
fn removed_go_flags_are_refused_with_the_reason() {
    for (args, flag, reason) in [
        (&["--pgdump", "/usr/bin/pg_dump"][..], "--pgdump", "catalog"),
        (&["--pgdump=/usr/bin/pg_dump"][..], "--pgdump", "catalog"),
        (&["--force-psql"][..], "--force-psql", "psql"),
        (&["sync", "--force-psql=true"][..], "--force-psql", "psql"),
    ] {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(flag) && err.contains(reason),
            "{args:?}: {err}"
        );
        assert!(err.contains("no longer supported"), "{err}");
    }
}

#[test]
fn help_lists_every_seed_flag_with_a_sentence() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--maindsn",
        "--standindsn",
        "--sync-schema",
        "--sync-data",
        "--clean-extra",
        "--fdw-mode",
        "--use-updated-at",
        "--chunk-size",
        "--schema",
        "--workers",
        "--last-sync-time",
        "--connect-timeout",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
    // Every argument of every command has a help sentence.
    fn check(cmd: &clap::Command, path: &str) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let text = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(
                text.split_whitespace().count() >= 3,
                "{path} --{id} has no help sentence: {text:?}"
            );
        }
        for sub in cmd.get_subcommands() {
            check(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    check(&Cli::command(), "pgsyncer");
    Cli::command().debug_assert();
}

#[test]
fn parsed_arguments_never_show_a_password_in_debug() {
    let cli = Cli::try_parse_from([
        "pgsyncer",
        "--maindsn",
        "postgres://u:hunter2@h/d",
        "--standindsn",
        "host=h password=hunter2 dbname=d",
    ])
    .unwrap();
    let text = format!("{cli:?}");
    assert!(text.contains("postgres://u:****@h/d"), "{text}");
    assert!(text.contains("host=h password=**** dbname=d"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    // The value itself is intact for the connection layer.
    let Command::Sync(a) = cli.into_command() else {
        panic!("expected sync")
    };
    assert_eq!(a.maindsn.as_deref(), Some("postgres://u:hunter2@h/d"));
    let dump =
        Cli::try_parse_from(["pgsyncer", "dump", "--dsn", "postgres://u:hunter2@h/d"]).unwrap();
    assert!(!format!("{dump:?}").contains("hunter2"));
}
