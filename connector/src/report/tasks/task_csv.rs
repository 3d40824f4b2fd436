//! Rows of a downloaded async-task CSV, in the synchronous report's row shape.

mod labels;

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Map, Value};

use crate::output;
use crate::streams::{is_breakdown, ReportSpec};

/// Headers TikTok may write for a requested dimension besides its own name: its country bug
/// can translate the column too (tiktok-api.md §4.9). Only these are taken.
const HEADER_ALIASES: &[(&str, &[&str])] = &[("country_code", &["Country Code", "Country"])];

/// Rows of a downloaded task CSV in the synchronous report's shape: the report's dimensions
/// go to `dimensions` (labels turned back into the synchronous API's codes), every other
/// column to `metrics`. A missing dimension column, a time that does not parse or an id that is
/// not one fails the whole file: a wrong or merged key would be silent data corruption. A label
/// no table knows keeps its row with the label as written (distinct labels stay distinct keys),
/// said once per label (tiktok-api.md §15 R10: TikTok's files write unknown buckets variously).
pub fn read_file(csv: &str, spec: &ReportSpec) -> Result<TaskFile, String> {
    // TikTok's files may start with a UTF-8 byte order mark.
    let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| format!("CSV header: {e}"))?.clone();
    let mut records = reader.into_records().peekable();
    // A task with no rows may come back as an empty file.
    if header.iter().all(str::is_empty) && records.peek().is_none() {
        return Ok(TaskFile::default());
    }
    let columns = columns(&header, spec)?;
    let mut rows = Vec::new();
    let mut unknown_labels = BTreeSet::new();
    for record in records {
        let record = record.map_err(|e| format!("CSV: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let (mut dims, mut mets) = (Map::new(), Map::new());
        for (column, cell) in columns.iter().zip(record.iter()) {
            match column {
                Column::Dimension(name) => {
                    let code =
                        match dimension_code(name, cell, spec).map_err(|why| format!("CSV line {line}: {why}"))? {
                            Code::Known(code) => code,
                            Code::Unknown(label) => {
                                unknown_labels.insert((*name, label.clone()));
                                label
                            }
                        };
                    dims.insert(name.to_string(), Value::String(code));
                }
                Column::Metric(name) => {
                    mets.insert(name.clone(), Value::String(cell.to_string()));
                }
            }
        }
        rows.push(json!({"dimensions": dims, "metrics": mets}));
    }
    Ok(TaskFile { rows, unknown_labels })
}

/// A task file's rows, and the labels of it no table knows (kept as written).
#[derive(Default)]
pub struct TaskFile {
    pub rows: Vec<Value>,
    pub unknown_labels: BTreeSet<(&'static str, String)>,
}

impl TaskFile {
    /// Say once per label which ones the rows keep as written.
    pub fn warn_unknown_labels(&self) {
        for (dimension, label) in &self.unknown_labels {
            output::log_warn(&format!(
                "an async report file writes {dimension} {label:?}, neither a code nor a label this connector knows: its rows keep it as written"
            ));
        }
    }
}

/// A breakdown cell: the synchronous API's code for it, or a label no table knows.
enum Code {
    Known(String),
    Unknown(String),
}

/// What a CSV column holds: one of the report's dimensions, or a metric by its header.
enum Column {
    Dimension(&'static str),
    Metric(String),
}

/// The columns of a header; every dimension the report requests must have one.
fn columns(header: &csv::StringRecord, spec: &ReportSpec) -> Result<Vec<Column>, String> {
    let dimension_of = |name: &str| {
        spec.dimensions
            .iter()
            .copied()
            .find(|d| *d == name || HEADER_ALIASES.iter().any(|(dim, aliases)| dim == d && aliases.contains(&name)))
    };
    let columns: Vec<Column> = header
        .iter()
        .map(|name| match dimension_of(name.trim()) {
            Some(dimension) => Column::Dimension(dimension),
            None => Column::Metric(name.to_string()),
        })
        .collect();
    let has = |d: &str| columns.iter().any(|c| matches!(c, Column::Dimension(found) if *found == d));
    match spec.dimensions.iter().find(|d| !has(d)) {
        Some(missing) => {
            Err(format!("the CSV has no {missing} column, which the report requests (header: {header:?})"))
        }
        None => Ok(columns),
    }
}

/// The synchronous API's value of a dimension cell: ids as they are (digits), times in the
/// synchronous form, breakdown labels turned into codes.
fn dimension_code(dimension: &str, cell: &str, spec: &ReportSpec) -> Result<Code, String> {
    let value = cell.trim();
    if spec.granularity.time_dimension() == Some(dimension) {
        return time_value(dimension, value).map(Code::Known);
    }
    if !is_breakdown(dimension) || dimension == "province_id" {
        return match !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            true => Ok(Code::Known(value.to_string())),
            false => Err(format!("{dimension} {cell:?} is not an id (digits)")),
        };
    }
    Ok(labels::code(dimension, value).map_or_else(|| Code::Unknown(value.to_string()), Code::Known))
}

/// `stat_time_day` and `stat_time_hour` as the synchronous API writes them,
/// `YYYY-MM-DD HH:MM:SS`; a day may come as `YYYY-MM-DD`. A day that is not at midnight, or an
/// hour given as a bare date, would make keys the synchronous rows do not have.
fn time_value(dimension: &str, value: &str) -> Result<String, String> {
    let bad = || format!("{dimension} {value:?} is not a time of the form YYYY-MM-DD HH:MM:SS");
    let time = match NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S") {
        Ok(time) => time,
        Err(_) if dimension == "stat_time_day" => {
            NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?.into()
        }
        Err(_) => return Err(bad()),
    };
    if dimension == "stat_time_day" && time.time() != chrono::NaiveTime::MIN {
        return Err(format!("{dimension} {value:?} is not a day (its time is not 00:00:00)"));
    }
    Ok(time.format("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_from_csv(csv: &str, spec: &ReportSpec) -> Result<Vec<Value>, String> {
        read_file(csv, spec).map(|file| file.rows)
    }
    use crate::streams::report_spec;

    /// One row of the report `stream` with `cells` for its breakdown, after id and time.
    fn one_row(stream: &str, header: &str, cells: &str) -> Result<Value, String> {
        let csv = format!("{header},spend\n7,2024-01-01 00:00:00,{cells},1.00\n");
        rows_from_csv(&csv, report_spec(stream)).map(|rows| rows[0]["dimensions"].clone())
    }

    #[test]
    fn every_code_the_simulator_writes_comes_back_from_its_label_and_as_itself() {
        // tests/sim/src/reports/: its breakdown values, and how its task_label writes them.
        /// A report stream, its breakdown's column, and (code, label) pairs of the breakdown.
        type Case = (&'static str, &'static str, &'static [(&'static str, &'static str)]);
        let cases: &[Case] = &[
            (
                "ads_audience_reports_by_country_daily",
                "country_code",
                &[
                    ("US", "United States"),
                    ("GB", "United Kingdom"),
                    ("DE", "Germany"),
                    ("FR", "France"),
                    ("JP", "Japan"),
                ],
            ),
            (
                "ads_audience_reports_by_platform_daily",
                "platform",
                &[("ANDROID", "Android"), ("IOS", "iOS"), ("PC", "PC")],
            ),
            (
                "ads_audience_reports_by_province_daily",
                "province_id",
                &[("6254926", "6254926"), ("5332921", "5332921"), ("5128638", "5128638"), ("4155751", "4155751")],
            ),
        ];
        for (stream, dimension, values) in cases {
            for (code, label) in *values {
                for written in [code, label] {
                    let dims = one_row(stream, &format!("ad_id,stat_time_day,{dimension}"), written).unwrap();
                    assert_eq!(dims[*dimension], *code, "{dimension} {written}");
                }
            }
        }
        let genders = [("MALE", "male"), ("FEMALE", "female"), ("NONE", "unknown")];
        let ages = [
            ("AGE_13_17", "13-17"),
            ("AGE_18_24", "18-24"),
            ("AGE_25_34", "25-34"),
            ("AGE_35_44", "35-44"),
            ("AGE_45_54", "45-54"),
            ("AGE_55_100", "55+"),
        ];
        for ((gender, gender_label), (age, age_label)) in genders.iter().cycle().zip(ages) {
            for cells in [format!("{gender_label},{age_label}"), format!("{gender},{age}")] {
                let dims = one_row("ads_audience_reports_daily", "ad_id,stat_time_day,gender,age", &cells).unwrap();
                assert_eq!((dims["gender"].as_str(), dims["age"].as_str()), (Some(*gender), Some(age)), "{cells}");
            }
        }
        // The simulator breaks custom reports down by language, placement and ac as UNKNOWN.
        for dimension in ["language", "placement", "ac"] {
            for written in ["UNKNOWN", "Unknown"] {
                assert_eq!(labels::code(dimension, written).as_deref(), Some("UNKNOWN"), "{dimension} {written}");
            }
        }
        assert_eq!(labels::code("placement", "Global App Bundle").as_deref(), Some("PLACEMENT_GLOBAL_APP_BUNDLE"));
        assert_eq!(labels::code("language", "zh-Hant").as_deref(), Some("zh-Hant"));
    }

    #[test]
    fn a_label_no_table_knows_keeps_its_row_as_written_and_an_id_that_is_none_fails_the_file() {
        let kept = [
            ("ads_audience_reports_daily", "ad_id,stat_time_day,gender,age", "robot,55+", "gender", "robot"),
            ("ads_audience_reports_daily", "ad_id,stat_time_day,gender,age", "male,55-64", "age", "55-64"),
            (
                "ads_audience_reports_by_country_daily",
                "ad_id,stat_time_day,country_code",
                "Atlantis",
                "country_code",
                "Atlantis",
            ),
            (
                "ads_audience_reports_by_platform_daily",
                "ad_id,stat_time_day,platform",
                "Windows Phone",
                "platform",
                "Windows Phone",
            ),
        ];
        for (stream, header, cells, dimension, label) in kept {
            let row = one_row(stream, header, cells).unwrap();
            assert_eq!(row[dimension], label, "{stream}");
        }
        let err = one_row("ads_audience_reports_by_province_daily", "ad_id,stat_time_day,province_id", "California")
            .unwrap_err();
        assert!(err.contains("province_id \"California\"") && err.contains("line 2"), "{err}");
        assert!(labels::code("language", "English").is_none(), "a language name has no table");
        let err = rows_from_csv("ad_id,stat_time_day,spend\nx7,2024-01-01,1\n", report_spec("ads_reports_daily"))
            .unwrap_err();
        assert!(err.contains("ad_id \"x7\""), "{err}");
    }

    #[test]
    fn a_requested_dimension_without_its_column_fails_unless_its_header_is_a_known_translation() {
        let spec = report_spec("ads_reports_by_country_daily");
        let err = rows_from_csv("ad_id,stat_time_day,spend\n1,2024-01-01 00:00:00,1.00\n", spec).unwrap_err();
        assert!(err.contains("no country_code column"), "{err}");
        let err = rows_from_csv("ad_id,country_code,spend\n1,US,1.00\n", spec).unwrap_err();
        assert!(err.contains("no stat_time_day column"), "{err}");
        for header in ["Country Code", "Country"] {
            let rows =
                rows_from_csv(&format!("ad_id,stat_time_day,{header},spend\n1,2024-01-01,United States,1.00\n"), spec)
                    .unwrap();
            assert_eq!(
                rows[0],
                json!({"dimensions": {"ad_id": "1", "stat_time_day": "2024-01-01 00:00:00", "country_code": "US"}, "metrics": {"spend": "1.00"}})
            );
        }
        assert!(rows_from_csv("ad_id,stat_time_day,Region,spend\n1,2024-01-01,US,1.00\n", spec).is_err());
        // An empty file is a task without rows; a header alone too.
        assert_eq!(rows_from_csv("\u{feff}", spec).unwrap(), Vec::<Value>::new());
        assert_eq!(rows_from_csv("ad_id,stat_time_day,country_code,spend\r\n", spec).unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn times_take_the_synchronous_form_and_a_time_that_does_not_parse_fails_the_file() {
        let daily = report_spec("ads_reports_daily");
        let day = |cell: &str| {
            rows_from_csv(&format!("ad_id,stat_time_day,spend\n1,{cell},1.00\n"), daily)
                .map(|r| r[0]["dimensions"]["stat_time_day"].clone())
        };
        assert_eq!(day("2024-01-05").unwrap(), "2024-01-05 00:00:00");
        assert_eq!(day("2024-01-05 00:00:00").unwrap(), "2024-01-05 00:00:00");
        for bad in ["01/05/2024", "2024-01-05 07:00:00", "2024-02-30", "", "2024-01-05T00:00:00"] {
            assert!(day(bad).is_err(), "{bad}");
        }
        let hourly = report_spec("ads_reports_hourly");
        let hour = |cell: &str| {
            rows_from_csv(&format!("ad_id,stat_time_hour,spend\n1,{cell},1.00\n"), hourly)
                .map(|r| r[0]["dimensions"]["stat_time_hour"].clone())
        };
        assert_eq!(hour("2024-01-05 13:00:00").unwrap(), "2024-01-05 13:00:00");
        assert!(hour("2024-01-05").unwrap_err().contains("stat_time_hour \"2024-01-05\""));
        assert!(hour("2024-01-05 25:00:00").is_err());
        // One bad row fails the whole file, not just itself.
        let csv = "ad_id,stat_time_hour,spend\n1,2024-01-05 13:00:00,1\n2,soon,1\n";
        assert!(rows_from_csv(csv, hourly).unwrap_err().contains("line 3"));
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks_after_a_byte_order_mark() {
        let spec = report_spec("ads_reports_daily");
        let csv = "\u{feff}ad_id,stat_time_day,ad_name,ad_text,spend\r\n1,2024-01-01 00:00:00,\"Sale, \"\"big\"\"\",\"two\r\nlines\",20.00\r\n\r\n2,2024-01-02 00:00:00,plain,,0.50";
        let rows = rows_from_csv(csv, spec).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["dimensions"], json!({"ad_id": "1", "stat_time_day": "2024-01-01 00:00:00"}));
        assert_eq!(
            rows[0]["metrics"],
            json!({"ad_name": "Sale, \"big\"", "ad_text": "two\r\nlines", "spend": "20.00"})
        );
        assert_eq!(rows[1]["metrics"], json!({"ad_name": "plain", "ad_text": "", "spend": "0.50"}));
        // A row with a cell too few or too many is not guessed at.
        assert!(rows_from_csv("ad_id,stat_time_day,spend\n1,2024-01-01\n", spec).is_err());
        assert!(rows_from_csv("ad_id,stat_time_day,spend\n1,2024-01-01,1,2\n", spec).is_err());
    }
}
