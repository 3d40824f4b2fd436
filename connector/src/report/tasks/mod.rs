//! TikTok's async report tasks (`report/task/create`, `check`, `download`): the fallback for a
//! report window the synchronous API truncated to 20k ads.
//!
//! - `access`: whether the app may create tasks (an allowlist), learned from the first creation;
//! - `quotas`: TikTok's task quotas, each number once;
//! - `task_csv`: a task's file, into the synchronous API's row shape;
//! - `promote`: the task's rows of Promote ads, which synchronous reports leave out, dropped;
//! - `window`: the window reader's side: one task serves the truncated window and the days after.

pub mod access;
pub mod promote;
pub mod quotas;
mod task_csv;
mod window;

use std::time::{Duration, Instant};

use serde_json::Value;

use super::dates::DateWindow;
use super::query::task_body;
use super::ReportSync;
use crate::api::{ApiRequest, Scope};
use crate::context::SyncContext;
use crate::error::{Action, Error};
use crate::integer_ids::id_text;
use crate::output;
use crate::scheduler::sleep;
use crate::streams::ReportSpec;
use task_csv::read_file;

/// The endpoint that creates a task, which has a pace of its own (`quotas::CREATION_INTERVAL`).
pub const CREATE_PATH: &str = "report/task/create";

/// TikTok asks for at most one status check a second; the wait between checks grows from
/// there, up to this.
const LONGEST_CHECK_INTERVAL: Duration = Duration::from_secs(15);
/// A task not done after this long fails its window.
const TASK_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Why a task gave no rows.
#[derive(Debug, Clone)]
pub enum TaskFailure {
    /// A quota of tasks is spent (`quotas`: per advertiser an hour, per app a day).
    QuotaSpent(String),
    /// TikTok refused, failed or did not finish the task.
    Failed(String),
}

impl From<Error> for TaskFailure {
    fn from(e: Error) -> Self {
        // Only a task creation is decided as a spent task quota.
        match e.decided() {
            Some(Action::TaskQuotaSpent) => TaskFailure::QuotaSpent(e.message),
            _ => TaskFailure::Failed(e.message),
        }
    }
}

impl TaskFailure {
    pub fn why(&self) -> &str {
        match self {
            TaskFailure::QuotaSpent(why) | TaskFailure::Failed(why) => why,
        }
    }

    /// The same failure, saying which task it was.
    pub fn context(self, what: &str) -> Self {
        match self {
            TaskFailure::QuotaSpent(why) => TaskFailure::QuotaSpent(format!("{what}: {why}")),
            TaskFailure::Failed(why) => TaskFailure::Failed(format!("{what}: {why}")),
        }
    }
}

/// How waiting for a task ended, when it did not succeed.
enum Waited {
    /// TikTok ended it (FAILED, CANCELED).
    Ended(TaskFailure),
    /// It was still running when the connector gave up on it (deadline, or its status could not
    /// be read): it is cancelled, so it does not run on at TikTok.
    GaveUp(TaskFailure),
}

/// Check the task until it succeeds, TikTok ends it, or it is given up.
async fn wait(sync: &SyncContext, advertiser: &str, task_id: &str) -> std::result::Result<(), Waited> {
    let started = Instant::now();
    let mut interval = Duration::from_secs(1);
    loop {
        let check = ApiRequest::for_advertiser("report/task/check", advertiser).param("task_id", task_id.to_string());
        let status = match sync.call(&check).await.and_then(|answer| answer.into_data()) {
            Ok(status) => status,
            Err(e) => return Err(Waited::GaveUp(e.into())),
        };
        match status.get("status").and_then(Value::as_str) {
            Some("SUCCESS") => return Ok(()),
            Some(ended @ ("FAILED" | "CANCELED")) => {
                let why = status.get("message").and_then(Value::as_str).unwrap_or("no reason given");
                return Err(Waited::Ended(TaskFailure::Failed(format!(
                    "report task {task_id} ended as {ended}: {why}"
                ))));
            }
            _ if started.elapsed() > TASK_DEADLINE => {
                return Err(Waited::GaveUp(TaskFailure::Failed(format!(
                    "report task {task_id} was not done after {} minutes",
                    TASK_DEADLINE.as_secs() / 60
                ))))
            }
            _ => {
                sleep(interval).await;
                interval = interval.mul_f64(1.5).min(LONGEST_CHECK_INTERVAL);
            }
        }
    }
}

/// Cancel a task given up on (DOC-TASK-CANCEL: a QUEUING or PROCESSING one), so it takes no more
/// of TikTok's work; whatever the answer, the window is read another way.
async fn cancel(sync: &SyncContext, advertiser: &str, task_id: &str) {
    let body = serde_json::json!({"advertiser_id": advertiser, "task_id": task_id});
    let request = ApiRequest::post("report/task/cancel", body).concerning(advertiser);
    match sync.call(&request).await {
        Ok(_) => output::log_info(&format!("report task {task_id} of advertiser {advertiser} given up and cancelled")),
        Err(e) => output::log_info(&format!(
            "report task {task_id} of advertiser {advertiser} given up; cancelling it failed too ({})",
            e.message
        )),
    }
}

/// Create a task for the window, wait for it, and return its rows in the synchronous shape.
pub async fn read(
    sync: &SyncContext,
    reports: &ReportSync,
    spec: &ReportSpec,
    advertiser: &str,
    window: Option<DateWindow>,
) -> std::result::Result<Vec<Value>, TaskFailure> {
    let body = task_body(spec, advertiser, window);
    let create = ApiRequest::post(CREATE_PATH, body).scoped(Scope::TaskCreate).concerning(advertiser);
    let access = &reports.facts.task_access;
    if !access.may_create().await {
        return Err(TaskFailure::Failed("TikTok does not let this app create async report tasks".into()));
    }
    let counted = reports.task_quotas.borrow_mut().count(advertiser);
    if let Err(spent) = counted {
        access.answered(None);
        return Err(TaskFailure::QuotaSpent(spent.to_string()));
    }
    let answer = sync.call(&create).await;
    let refused = answer.as_ref().err().and_then(Error::decided) == Some(Action::NoTaskAccess);
    access.answered(if refused { Some(false) } else { answer.is_ok().then_some(true) });
    let created = match answer {
        Ok(answer) => answer.into_data()?,
        Err(e) if refused => {
            output::log_info(&format!(
                "TikTok does not let this app create async report tasks ({}); reports it truncates to 20,000 ads are read in narrower queries instead",
                e.message
            ));
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    let task_id = created
        .get("task_id")
        .and_then(id_text)
        .ok_or_else(|| TaskFailure::Failed("report/task/create/ answered without a task_id".into()))?;
    match wait(sync, advertiser, &task_id).await {
        Ok(()) => {}
        Err(Waited::Ended(failure)) => return Err(failure),
        Err(Waited::GaveUp(failure)) => {
            cancel(sync, advertiser, &task_id).await;
            return Err(failure);
        }
    }
    let mut download = ApiRequest::for_advertiser("report/task/download", advertiser).param("task_id", task_id);
    download.file_answer = true;
    let csv = sync.call(&download).await?.into_data()?;
    let csv = csv
        .as_str()
        .ok_or_else(|| TaskFailure::Failed("report/task/download/ did not answer with a CSV file".into()))?;
    let file = read_file(csv, spec).map_err(|why| TaskFailure::Failed(format!("report/task/download/: {why}")))?;
    file.warn_unknown_labels();
    Ok(file.rows)
}
