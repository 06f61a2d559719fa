//! `pgsyncer snapshot`.

use super::ExitStatus;
use crate::cli::SnapshotArgs;
use crate::Error;

pub async fn run(_args: SnapshotArgs) -> Result<ExitStatus, Error> {
    Err(Error::NotImplemented("pgsyncer snapshot"))
}
