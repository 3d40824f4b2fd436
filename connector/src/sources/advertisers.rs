//! The account-level streams: the advertisers the token may read, and their details. Both were
//! read once for the whole sync (see `context::advertisers::Advertisers`).

use crate::context::StreamRun;
use crate::error::{Error, Result};

/// `advertiser_ids`: `oauth2/advertiser/get/`'s list.
pub fn read_ids(run: &StreamRun) -> Result<()> {
    let list =
        run.sync.advertisers.authorized.as_ref().ok_or_else(|| Error::system("the advertiser list was not read"))?;
    run.emit(list);
    Ok(())
}

/// `advertisers`: `advertiser/info/` of every advertiser of the sync.
pub async fn read_info(run: &StreamRun) -> Result<()> {
    run.emit(&run.sync.advertisers.info().await?);
    Ok(())
}
