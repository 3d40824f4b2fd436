//! Async report tasks: create, check, download (a CSV file with labels), cancel.

use serde_json::{json, Value};

use super::query::parse;
use super::rows::compute_rows;
use crate::data::{mix, Account};
use crate::wire::{api_error, param_error, ApiError, Query};
use crate::SimConfig;

/// Async report tasks: created by POST, QUEUING → PROCESSING → SUCCESS over checks, then
/// downloaded as a CSV file (no 20k-ads truncation).
pub(super) struct Task {
    advertiser: String,
    query: Query,
    checks: u32,
    canceled: bool,
    created: std::time::Instant,
}

/// The tasks one simulator created, by id.
pub(super) type Tasks = std::sync::Mutex<Vec<(String, Task)>>;

pub(super) fn serve_task(endpoint: &str, q: &Query, account: &Account, config: &SimConfig, tasks: &Tasks) -> Result<crate::wire::Served, ApiError> {
    let advertiser = q.required("advertiser_id")?.to_string();
    let data = match endpoint {
        "report/task/create" => {
            if !config.task_access {
                return Err(api_error(40118, "The app is not on the allowlist of asynchronous reports."));
            }
            let rq = parse(q, config, true)?;
            let days = rq.dates.map_or(0, |(start, end)| (end - start).num_days() + 1);
            if let Some(max) = config.task_span_days_max.filter(|max| days > *max as i64) {
                return Err(param_error(format!("The time span between start_date and end_date must not exceed {max} days for this task.")));
            }
            match q.get("output_format").unwrap_or("CSV_STRING") {
                "CSV_STRING" | "CSV_DOWNLOAD" | "XLSX_DOWNLOAD" => {}
                other => return Err(param_error(format!("output_format: Invalid enum value {other}."))),
            }
            let mut tasks = tasks.lock().unwrap();
            let hour_ago = std::time::Instant::now() - std::time::Duration::from_secs(3600);
            let recent = tasks.iter().filter(|(_, t)| t.advertiser == advertiser && t.created > hour_ago).count();
            if recent >= config.tasks_per_advertiser_hour {
                return Err(api_error(40100, format!(
                    "Advertiser {advertiser} reaches the limit of {} asynchronous report tasks per hour; please try again later.",
                    config.tasks_per_advertiser_hour
                )));
            }
            let task_id = format!("{}", 7_800_000_000_000_000u64 + tasks.len() as u64 + mix(config.seed) % 1000 * 1000);
            tasks.push((task_id.clone(), Task { advertiser, query: Query(q.0.clone()), checks: 0, canceled: false, created: std::time::Instant::now() }));
            json!({"task_id": task_id})
        }
        "report/task/check" | "report/task/download" | "report/task/cancel" => {
            let task_id = q.required("task_id")?;
            let mut tasks = tasks.lock().unwrap();
            let Some((_, task)) = tasks.iter_mut().find(|(id, t)| id == task_id && t.advertiser == advertiser) else {
                return Err(api_error(40007, format!("The task {task_id} does not exist.")));
            };
            let done = if config.fail_tasks { "FAILED" } else { "SUCCESS" };
            let status = |t: &Task| if t.canceled { "CANCELED" } else { ["QUEUING", "PROCESSING"].get(t.checks as usize).copied().unwrap_or(done) };
            match endpoint {
                "report/task/check" => {
                    let now = status(task);
                    task.checks += 1;
                    let message = if now == "FAILED" { "The report could not be generated." } else { "" };
                    json!({"status": now, "message": message})
                }
                "report/task/cancel" => {
                    task.canceled = true;
                    json!({"status": "CANCELED"})
                }
                _ => {
                    if status(task) != "SUCCESS" {
                        return Err(api_error(40201, "Task is not ready."));
                    }
                    let rq = parse(&task.query, config, true)?;
                    let translate = task.query.get("enable_report_title_translation") != Some("false");
                    let rows = compute_rows(&rq, &advertiser, account, config, None);
                    let mut columns: Vec<String> = Vec::new();
                    if let Some(first) = rows.first() {
                        columns.extend(first["dimensions"].as_object().unwrap().keys().cloned());
                        columns.extend(first["metrics"].as_object().unwrap().keys().cloned());
                    }
                    let header: Vec<String> = columns.iter().map(|c| if translate { title_case(c) } else { c.clone() }).collect();
                    let cell = |row: &Value, c: &str| match row["dimensions"].get(c).and_then(Value::as_str) {
                        Some(value) => task_label(c, value),
                        None => row["metrics"].get(c).and_then(Value::as_str).unwrap_or("").to_string(),
                    };
                    // TikTok's files start with a UTF-8 byte order mark.
                    let mut csv = "\u{feff}".as_bytes().to_vec();
                    {
                        let mut writer = csv::Writer::from_writer(&mut csv);
                        let written = std::iter::once(header)
                            .chain(rows.iter().map(|row| columns.iter().map(|c| cell(row, c)).collect()))
                            .try_for_each(|record| writer.write_record(&record));
                        written.and_then(|()| writer.flush().map_err(csv::Error::from)).map_err(|e| api_error(50000, format!("System error: {e}")))?;
                    }
                    return Ok(crate::wire::Served { data: Value::Null, headers: Vec::new(), raw: Some(("text/csv", csv)) });
                }
            }
        }
        _ => return Err(api_error(40400, "Route not found")),
    };
    Ok(data.into())
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
/// other breakdowns by their labels (`13-17`, `female`, `Android`), ids and provinces as they are.
pub(super) fn task_label(dimension: &str, code: &str) -> String {
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
