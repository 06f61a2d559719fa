//! `pgsyncer diff`: the data sync's comparison only: per-table counts of rows that would be
//! inserted, updated and deleted. Nothing is written (the standin is read in read-only
//! transactions).

use super::ExitStatus;
use crate::cli::SyncArgs;
use crate::Error;

pub async fn run(args: SyncArgs) -> Result<ExitStatus, Error> {
    super::sync::run_with(args, true).await
}
