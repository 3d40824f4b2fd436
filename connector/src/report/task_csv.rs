//! Rows of a downloaded async-task CSV, in the synchronous report's row shape.

use serde_json::{json, Map, Value};

use crate::streams::ReportSpec;

/// Rows of a downloaded task CSV in the synchronous report's shape: the report's dimensions
/// go to `dimensions`, every other column to `metrics`.
pub fn rows_from_csv(csv: &str, spec: &ReportSpec) -> Result<Vec<Value>, String> {
    // TikTok's files may start with a UTF-8 byte order mark.
    let mut lines = parse_csv(csv.strip_prefix('\u{feff}').unwrap_or(csv)).into_iter();
    let Some(header) = lines.next() else { return Ok(Vec::new()) };
    let mut rows = Vec::new();
    for (n, cells) in lines.enumerate() {
        if cells.len() == 1 && cells[0].is_empty() {
            continue;
        }
        if cells.len() != header.len() {
            return Err(format!("CSV row {} has {} cells for {} columns", n + 2, cells.len(), header.len()));
        }
        let (mut dims, mut mets) = (Map::new(), Map::new());
        for (name, cell) in header.iter().zip(cells) {
            let target = if spec.dimensions.contains(&name.as_str()) { &mut dims } else { &mut mets };
            target.insert(name.clone(), Value::String(cell));
        }
        rows.push(json!({"dimensions": dims, "metrics": mets}));
    }
    Ok(rows)
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_csv_becomes_report_rows() {
        let spec = crate::streams::find("ads_reports_daily").map(|d| match &d.source {
            crate::streams::Source::Report(r) => r,
            _ => unreachable!(),
        }).unwrap();
        let csv = "\u{feff}ad_id,stat_time_day,ad_name,spend\r\n1,2024-01-01 00:00:00,\"Sale, \"\"big\"\"\",20.00\r\n";
        let rows = rows_from_csv(csv, spec).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["dimensions"]["ad_id"], "1");
        assert_eq!(rows[0]["metrics"]["ad_name"], "Sale, \"big\"");
        assert_eq!(rows[0]["metrics"]["spend"], "20.00");
        assert!(rows_from_csv("a,b\n1\n", spec).is_err());
    }
}
