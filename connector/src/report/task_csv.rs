//! Rows of a downloaded async-task CSV, in the synchronous report's row shape.

use serde_json::{json, Map, Value};

use crate::streams::ReportSpec;

/// Rows of a downloaded task CSV in the synchronous report's shape: the report's dimensions
/// go to `dimensions` (labels turned back into the synchronous API's codes), every other
/// column to `metrics`. A label the map does not know fails the whole file: a wrong key would
/// be silent data corruption.
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
            if spec.dimensions.contains(&name.as_str()) {
                let code = code_of(name, &cell).ok_or_else(|| format!("CSV row {}: {name} {cell:?} is not a value this connector knows", n + 2))?;
                dims.insert(name.clone(), Value::String(code));
            } else {
                mets.insert(name.clone(), Value::String(cell));
            }
        }
        rows.push(json!({"dimensions": dims, "metrics": mets}));
    }
    Ok(rows)
}

/// The synchronous API's code for a dimension value as a task file writes it: countries as
/// names ("United States", a known TikTok bug: tiktok-api.md §4.9), ages as `13-17`, genders
/// as `female`. Codes pass through as they are.
fn code_of(dimension: &str, value: &str) -> Option<String> {
    let label = value.trim();
    let code = match dimension {
        "country_code" if label.len() == 2 && label.bytes().all(|b| b.is_ascii_uppercase()) => label,
        "country_code" => COUNTRIES.iter().find(|(name, _)| name.eq_ignore_ascii_case(label))?.1,
        "age" if label.starts_with("AGE_") => label,
        "age" => AGES.iter().find(|(name, _)| *name == label)?.1,
        "gender" => match label.to_ascii_lowercase().as_str() {
            "male" => "MALE",
            "female" => "FEMALE",
            "none" | "unknown" | "other" => "NONE",
            _ => return None,
        },
        _ => label,
    };
    Some(code.to_string())
}

const AGES: &[(&str, &str)] = &[
    ("13-17", "AGE_13_17"), ("18-24", "AGE_18_24"), ("25-34", "AGE_25_34"), ("35-44", "AGE_35_44"),
    ("45-54", "AGE_45_54"), ("55+", "AGE_55_100"), ("55-100", "AGE_55_100"),
];

/// Country names as TikTok's task files write them, with their ISO 3166 codes.
const COUNTRIES: &[(&str, &str)] = &[
    ("United States", "US"), ("United Kingdom", "GB"), ("Germany", "DE"), ("France", "FR"), ("Japan", "JP"),
    ("Canada", "CA"), ("Australia", "AU"), ("New Zealand", "NZ"), ("Ireland", "IE"), ("Italy", "IT"), ("Spain", "ES"),
    ("Portugal", "PT"), ("Netherlands", "NL"), ("Belgium", "BE"), ("Switzerland", "CH"), ("Austria", "AT"),
    ("Sweden", "SE"), ("Norway", "NO"), ("Denmark", "DK"), ("Finland", "FI"), ("Poland", "PL"), ("Czechia", "CZ"),
    ("Czech Republic", "CZ"), ("Romania", "RO"), ("Hungary", "HU"), ("Greece", "GR"), ("Turkey", "TR"), ("Türkiye", "TR"),
    ("Israel", "IL"), ("Saudi Arabia", "SA"), ("United Arab Emirates", "AE"), ("Qatar", "QA"), ("Kuwait", "KW"),
    ("Egypt", "EG"), ("Morocco", "MA"), ("South Africa", "ZA"), ("Nigeria", "NG"), ("Kenya", "KE"), ("India", "IN"),
    ("Pakistan", "PK"), ("Bangladesh", "BD"), ("Indonesia", "ID"), ("Malaysia", "MY"), ("Singapore", "SG"),
    ("Thailand", "TH"), ("Vietnam", "VN"), ("Viet Nam", "VN"), ("Philippines", "PH"), ("South Korea", "KR"),
    ("Korea", "KR"), ("Taiwan", "TW"), ("Hong Kong", "HK"), ("China", "CN"), ("Mexico", "MX"), ("Brazil", "BR"),
    ("Argentina", "AR"), ("Chile", "CL"), ("Colombia", "CO"), ("Peru", "PE"), ("Ecuador", "EC"), ("Ukraine", "UA"),
    ("Russia", "RU"), ("Kazakhstan", "KZ"), ("Iraq", "IQ"), ("Jordan", "JO"), ("Lebanon", "LB"), ("Oman", "OM"),
    ("Bahrain", "BH"), ("Algeria", "DZ"), ("Tunisia", "TN"), ("Cambodia", "KH"), ("Sri Lanka", "LK"),
    ("Luxembourg", "LU"), ("Iceland", "IS"), ("Croatia", "HR"), ("Serbia", "RS"), ("Bulgaria", "BG"), ("Slovakia", "SK"),
    ("Slovenia", "SI"), ("Estonia", "EE"), ("Latvia", "LV"), ("Lithuania", "LT"), ("Cyprus", "CY"), ("Malta", "MT"),
];

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
        let spec = crate::streams::report_spec("ads_reports_daily");
        let csv = "\u{feff}ad_id,stat_time_day,ad_name,spend\r\n1,2024-01-01 00:00:00,\"Sale, \"\"big\"\"\",20.00\r\n";
        let rows = rows_from_csv(csv, spec).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["dimensions"]["ad_id"], "1");
        assert_eq!(rows[0]["metrics"]["ad_name"], "Sale, \"big\"");
        assert_eq!(rows[0]["metrics"]["spend"], "20.00");
        assert!(rows_from_csv("a,b\n1\n", spec).is_err());
        let audience = crate::streams::report_spec("ads_audience_reports_daily");
        let labels = "ad_id,stat_time_day,gender,age,spend\n1,2024-01-01 00:00:00,female,55+,1.00\n";
        let rows = rows_from_csv(labels, audience).unwrap();
        assert_eq!(rows[0]["dimensions"]["gender"], "FEMALE");
        assert_eq!(rows[0]["dimensions"]["age"], "AGE_55_100");
        let unknown = rows_from_csv("ad_id,stat_time_day,gender,age,spend\n1,2024-01-01 00:00:00,robot,55+,1.00\n", audience);
        assert!(unknown.unwrap_err().contains("\"robot\""));
        assert_eq!(code_of("country_code", "United States").as_deref(), Some("US"));
        assert_eq!(code_of("country_code", "Atlantis"), None);
    }
}
