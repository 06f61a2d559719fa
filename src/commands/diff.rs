//! `pgsyncer diff`.

use super::ExitStatus;
use crate::cli::SyncArgs;
use crate::Error;

pub async fn run(_args: SyncArgs) -> Result<ExitStatus, Error> {
    Err(Error::NotImplemented("pgsyncer diff"))
}
