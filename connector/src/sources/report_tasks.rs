//! TikTok's async report tasks (`report/task/create`, `check`, `download`): the fallback for a
//! report window the synchronous API truncated to 20k ads.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::api::{id_string, ApiRequest, Scope};
use crate::error::{Error, Result};
use crate::read::SyncContext;
use crate::report::{self, DateWindow};
use crate::scheduler::sleep;
use crate::streams::ReportSpec;

/// TikTok asks for at most one status check a second; the wait between checks grows from
/// there, up to this.
const LONGEST_CHECK_INTERVAL: Duration = Duration::from_secs(15);
/// A task not done after this long fails its window.
const TASK_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Create a task for the window, wait for it, and return its rows in the synchronous shape.
pub async fn read(sync: &SyncContext, spec: &ReportSpec, advertiser: &str, window: Option<DateWindow>) -> Result<Vec<Value>> {
    sync.api.scheduler.count_task(advertiser).map_err(Error::transient)?;
    let body = report::task_body(spec, advertiser, window);
    let create = ApiRequest::post("report/task/create", body).scoped(Scope::TaskCreate).concerning(advertiser);
    let created = sync.call(&create).await?.into_data()?;
    let task_id = created.get("task_id").and_then(id_string).ok_or_else(|| Error::transient("report/task/create/ answered without a task_id"))?;
    let started = Instant::now();
    let mut interval = Duration::from_secs(1);
    loop {
        let check = ApiRequest::for_advertiser("report/task/check", advertiser).param("task_id", task_id.clone());
        let status = sync.call(&check).await?.into_data()?;
        match status.get("status").and_then(Value::as_str) {
            Some("SUCCESS") => break,
            Some(ended @ ("FAILED" | "CANCELED")) => {
                let why = status.get("message").and_then(Value::as_str).unwrap_or("no reason given");
                return Err(Error::transient(format!("report task {task_id} ended as {ended}: {why}")));
            }
            _ if started.elapsed() > TASK_DEADLINE => {
                return Err(Error::transient(format!(
                    "report task {task_id} was not done after {} minutes",
                    TASK_DEADLINE.as_secs() / 60
                )))
            }
            _ => {
                sleep(interval).await;
                interval = interval.mul_f64(1.5).min(LONGEST_CHECK_INTERVAL);
            }
        }
    }
    let mut download = ApiRequest::for_advertiser("report/task/download", advertiser).param("task_id", task_id);
    download.file_answer = true;
    let csv = sync.call(&download).await?.into_data()?;
    let csv = csv.as_str().ok_or_else(|| Error::transient("report/task/download/ did not answer with a CSV file"))?;
    report::rows_from_csv(csv, spec).map_err(|why| Error::transient(format!("report/task/download/: {why}")))
}
