//! Async report tasks: create, check, download (a CSV file with labels), cancel. A task goes
//! QUEUING → PROCESSING → SUCCESS over checks (FAILED in the failing scenario), and its file
//! holds every row (no 20k-ads truncation).

use serde_json::{json, Value};

use super::query::parse;
use super::rows::compute_rows;
use crate::config::UnknownLabel;
use crate::data::mix;
use crate::memory::Task;
use crate::refusals::{refuse, Refusal};
use crate::wire::{param_error, ApiError, Call, Query, Served};

/// `report/task/create/`.
pub fn create(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, config, memory, quotas, .. } = *call;
    let advertiser = q.required("advertiser_id")?.to_string();
    if !config.scenarios.task_access {
        return refuse(Refusal::NoTaskAccess(config.readings.task_access_refusal));
    }
    let rq = parse(q, config, true)?;
    let days = rq.dates.map_or(0, |(start, end)| (end - start).num_days() + 1);
    if let Some(max) = config.limits.task_span_days_max.filter(|max| days > *max as i64) {
        // invented wording: no message found (tiktok-api.md §13 point 1); the connector reads "time span" and
        // "days" here (connector api/refusal.rs `names_the_span`), words that are this simulator's.
        return Err(param_error(format!(
            "The time span between start_date and end_date must not exceed {max} days for this task."
        )));
    }
    match q.get("output_format").unwrap_or("CSV_STRING") {
        "CSV_STRING" | "CSV_DOWNLOAD" | "XLSX_DOWNLOAD" => {}
        // invented wording
        other => return Err(param_error(format!("output_format: Invalid enum value {other}."))),
    }
    quotas.admit_task(config, &advertiser)?;
    let mut tasks = memory.tasks.lock().unwrap();
    let id = format!("{}", 7_800_000_000_000_000u64 + tasks.len() as u64 + mix(config.account.seed) % 1000 * 1000);
    tasks.push(Task { id: id.clone(), advertiser, query: q.0.clone(), checks: 0, canceled: false });
    Ok(json!({"task_id": id}).into())
}

/// `report/task/check/`: each check moves the task one status on.
pub fn check(call: &Call) -> Result<Served, ApiError> {
    if call.config.scenarios.task_check_fails {
        return Err(Refusal::SystemError("The task status service is unavailable.".into()).into());
        // invented wording
    }
    with_task(call, |task, done| {
        let now = status(task, done);
        task.checks += 1;
        let message = if now == "FAILED" { "The report could not be generated." } else { "" };
        Ok(json!({"status": now, "message": message}).into())
    })
}

/// `report/task/cancel/`: only a task still QUEUING or PROCESSING (DOC-TASK-CANCEL).
pub fn cancel(call: &Call) -> Result<Served, ApiError> {
    with_task(call, |task, done| match status(task, done) {
        "QUEUING" | "PROCESSING" => {
            task.canceled = true;
            Ok(json!({"status": "CANCELED"}).into())
        }
        // invented wording
        other => Err(param_error(format!("Only a QUEUING or PROCESSING task can be canceled; the task is {other}."))),
    })
}

/// `report/task/download/`: the task's rows as TikTok's CSV file.
pub fn download(call: &Call) -> Result<Served, ApiError> {
    let Call { account, config, .. } = *call;
    let (advertiser, query) = with_task(call, |task, done| match status(task, done) {
        "SUCCESS" => Ok((task.advertiser.clone(), Query(task.query.clone()))),
        _ => refuse(Refusal::TaskNotReady),
    })?;
    let rq = parse(&query, config, true)?;
    let translate = query.get("enable_report_title_translation") != Some("false");
    let rows = compute_rows(&rq, &advertiser, account, config, None);
    let csv = task_file(&rows, translate, config.readings.unknown_label)
        .map_err(|e| ApiError::from(Refusal::SystemError(e.to_string())))?;
    Ok(Served { data: Value::Null, headers: Vec::new(), raw: Some(("text/csv", csv)) })
}

/// The advertiser's task the request names, and the status a finished task ends in.
fn with_task<T>(call: &Call, then: impl FnOnce(&mut Task, &'static str) -> Result<T, ApiError>) -> Result<T, ApiError> {
    let q = call.query;
    let advertiser = q.required("advertiser_id")?;
    let id = q.required("task_id")?;
    let mut tasks = call.memory.tasks.lock().unwrap();
    let Some(task) = tasks.iter_mut().find(|t| t.id == id && t.advertiser == advertiser) else {
        return refuse(Refusal::NotFound { what: "task", id: id.to_string() });
    };
    then(task, if call.config.scenarios.fail_tasks { "FAILED" } else { "SUCCESS" })
}

fn status(task: &Task, done: &'static str) -> &'static str {
    if task.canceled {
        return "CANCELED";
    }
    ["QUEUING", "PROCESSING"].get(task.checks as usize).copied().unwrap_or(done)
}

/// TikTok's task file: a UTF-8 byte order mark, a header (titles, unless translation is off),
/// then one line per row with dimension values as labels.
fn task_file(rows: &[Value], translate: bool, unknown: Option<UnknownLabel>) -> Result<Vec<u8>, csv::Error> {
    let mut columns: Vec<String> = Vec::new();
    if let Some(first) = rows.first() {
        columns.extend(first["dimensions"].as_object().unwrap().keys().cloned());
        columns.extend(first["metrics"].as_object().unwrap().keys().cloned());
    }
    let header: Vec<String> = columns.iter().map(|c| if translate { title_case(c) } else { c.clone() }).collect();
    let cell = |row: &Value, c: &str| match row["dimensions"].get(c).and_then(Value::as_str) {
        Some(value) => task_label(c, value, unknown),
        None => row["metrics"].get(c).and_then(Value::as_str).unwrap_or("").to_string(),
    };
    let mut csv = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut csv);
        for record in
            std::iter::once(header).chain(rows.iter().map(|row| columns.iter().map(|c| cell(row, c)).collect()))
        {
            writer.write_record(&record)?;
        }
        writer.flush()?;
    }
    Ok(csv)
}

pub(super) fn title_case(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a task file writes a dimension value: countries by name (TikTok's known bug), the
/// other breakdowns by their labels (`13-17`, `female`, `Android`), ids and provinces as they are;
/// an unknown bucket as the reading of tiktok-api.md §15 R10 played, if one is.
pub(super) fn task_label(dimension: &str, code: &str, unknown: Option<UnknownLabel>) -> String {
    let label = match (dimension, code, unknown) {
        ("age" | "gender" | "platform", "NONE", Some(UnknownLabel::Word)) => "Unknown",
        ("age" | "gender" | "platform", "NONE", Some(UnknownLabel::Code)) => "NONE",
        ("age" | "gender" | "platform", "NONE", Some(UnknownLabel::Empty)) => "",
        _ => return known_label(dimension, code),
    };
    label.to_string()
}

fn known_label(dimension: &str, code: &str) -> String {
    let label = match (dimension, code) {
        ("country_code", "US") => "United States",
        ("country_code", "GB") => "United Kingdom",
        ("country_code", "DE") => "Germany",
        ("country_code", "FR") => "France",
        ("country_code", "JP") => "Japan",
        ("age", age) => return age.trim_start_matches("AGE_").replacen('_', "-", 1).replace("55-100", "55+"),
        ("gender", "NONE") => "unknown",
        ("gender", gender) => return gender.to_ascii_lowercase(),
        ("platform", "ANDROID") => "Android",
        ("platform", "IOS") => "iOS",
        ("platform", "PC") => "PC",
        ("language" | "placement" | "ac", "UNKNOWN") => "Unknown",
        (_, other) => other,
    };
    label.to_string()
}
