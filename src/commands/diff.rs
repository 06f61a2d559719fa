//! `pgsyncer diff`: the data sync's comparison only: per-table counts of rows that would be
//! inserted, updated and deleted. No row is written (the standin is read in read-only
//! transactions); only what a killed `--fdw-mode` run left is dropped (it holds main's
//! password, see [`crate::data::fdw::clean_leftovers_if_idle`]).

use super::ExitStatus;
use crate::cli::DiffArgs;
use crate::Error;

/// Exit status of `diff --check` when rows differ, as for `plan --check`.
const DIFFERENCES_FOUND: ExitStatus = 3;

pub async fn run(args: DiffArgs) -> Result<ExitStatus, Error> {
    let access = &args.sync.access;
    if access.privileges || access.owners || !access.role_map.is_empty() || args.sync.create_roles {
        return Err(Error::Usage(
            "diff compares rows only: --owners, --privileges, --role-map and --create-roles \
             apply to sync, plan and dump"
                .into(),
        ));
    }
    let summary = super::sync::run_with(args.sync, true).await?;
    let differs = summary.as_ref().is_some_and(|s| s.total_changes() > 0);
    Ok(if args.check && differs {
        DIFFERENCES_FOUND
    } else {
        0
    })
}
