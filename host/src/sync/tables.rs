//! From a discovered stream to a table: typed columns from its JSON schema, the primary key,
//! and each record's row. Reports' `dimensions` and `metrics` objects become columns of
//! their own; other nested values are JSON text.

use std::borrow::Cow;
use std::collections::HashMap;

use anyhow::{bail, Context, Result};
use serde_json::value::RawValue;
use serde_json::Value;

/// What a column holds, as the databases store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    /// Integers and decimals, kept exact where the database can (PostgreSQL `numeric`).
    Number,
    Boolean,
    Timestamp,
    /// Nested objects and lists, as JSON text (PostgreSQL `jsonb`).
    Json,
}

/// Where a column's value sits in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Field(String),
    /// A key of a nested object (`dimensions` or `metrics`).
    Nested(String, String),
    /// When the record was read (`emitted_at`).
    ExtractedAt,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
    pub source: Source,
}

/// The column every table has for the time its row was read.
pub const EXTRACTED_AT: &str = "_extracted_at";

/// Objects of report records whose keys become columns.
const SPREAD_OBJECTS: &[&str] = &["dimensions", "metrics"];

#[derive(Debug, Clone)]
pub struct Table {
    pub stream: String,
    pub name: String,
    pub columns: Vec<Column>,
    /// Indexes into `columns`.
    pub key: Vec<usize>,
    /// Replaced as a whole at the end of the sync (full refresh) instead of upserted in place.
    pub replaced: bool,
    /// Column of each top-level field, and of each key of a spread object (by parent).
    by_field: Columns,
    by_nested: HashMap<String, Columns>,
    extracted_at: Option<usize>,
}

/// Column index by field name, looked up once per field of every record: hashed with FNV-1a,
/// several times faster than the default hasher on names this short (no untrusted input
/// chooses them).
type Columns = HashMap<String, usize, std::hash::BuildHasherDefault<Fnv>>;

struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A value bound to one column of one row, borrowed from the record's text where it can be.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue<'a> {
    Null,
    Text(Cow<'a, str>),
    /// The number's exact text, as JSON wrote it.
    Number(Cow<'a, str>),
    Boolean(bool),
    Json(Cow<'a, str>),
}

impl SqlValue<'_> {
    /// The value as text (COPY, and key comparisons); None for NULL.
    pub fn text(&self) -> Option<&str> {
        match self {
            SqlValue::Null => None,
            SqlValue::Text(s) | SqlValue::Number(s) | SqlValue::Json(s) => Some(s),
            SqlValue::Boolean(b) => Some(if *b { "true" } else { "false" }),
        }
    }
}

#[derive(serde::Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// Fills a row from one JSON object in a single pass over the record text: top-level fields
/// into their columns, and the keys of the spread objects (`metrics`) into theirs.
struct RowFiller<'t, 'r, 'a> {
    table: &'t Table,
    /// The columns of this object's keys: the top level's, or a spread object's.
    columns: &'t Columns,
    row: &'r mut Vec<SqlValue<'a>>,
}

impl<'de, 't, 'r> serde::de::DeserializeSeed<'de> for RowFiller<'t, 'r, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        // `any`, so a spread object that is null fills nothing instead of failing.
        deserializer.deserialize_any(self)
    }
}

impl<'de, 't, 'r> serde::de::Visitor<'de> for RowFiller<'t, 'r, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> std::result::Result<(), M::Error> {
        let top_level = std::ptr::eq(self.columns, &self.table.by_field);
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if let Some(&i) = self.columns.get(key.as_ref()) {
                let raw: &'de RawValue = map.next_value()?;
                self.row[i] = value_of(raw, self.table.columns[i].kind);
            } else if let Some(keys) = self.table.by_nested.get(key.as_ref()).filter(|_| top_level) {
                map.next_value_seed(RowFiller { table: self.table, columns: keys, row: &mut *self.row })?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Table names must be valid identifiers for both databases once quoted; names longer than
/// PostgreSQL's 63 bytes are shortened with a hash so two long names stay apart.
pub fn identifier(name: &str) -> String {
    let clean: String = name.chars().map(|c| if c == '\0' { '_' } else { c }).collect();
    if clean.len() <= 63 {
        return clean;
    }
    let mut cut = 54;
    while !clean.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut hash = Fnv::default();
    std::hash::Hasher::write(&mut hash, clean.as_bytes());
    format!("{}_{:08x}", &clean[..cut], std::hash::Hasher::finish(&hash) as u32)
}

/// `"name"`, with embedded quotes doubled: the one way names reach SQL text.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", identifier(name).replace('"', "\"\""))
}

fn column_type(schema: &Value) -> ColumnType {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => vec![],
    };
    let is_time = schema.get("format").and_then(Value::as_str).is_some_and(|f| f.starts_with("date-time"))
        || schema.get("pattern").and_then(Value::as_str).is_some_and(|p| p.contains("[0-9]{2}:[0-9]{2}:[0-9]{2}"));
    match types.as_slice() {
        ["string"] if is_time => ColumnType::Timestamp,
        ["string"] => ColumnType::Text,
        ["integer"] | ["number"] | ["integer", "number"] | ["number", "integer"] => ColumnType::Number,
        ["boolean"] => ColumnType::Boolean,
        _ if types.iter().all(|t| matches!(*t, "object" | "array")) && !types.is_empty() => ColumnType::Json,
        _ => ColumnType::Text,
    }
}

impl Table {
    /// The table of one discovered stream (`name`, `json_schema`, `source_defined_primary_key`).
    pub fn from_stream(stream: &Value, replaced: bool) -> Result<Table> {
        let name = stream["name"].as_str().context("a discovered stream has no name")?.to_string();
        let properties = stream["json_schema"]["properties"]
            .as_object()
            .with_context(|| format!("stream {name} has no schema properties"))?;
        let mut columns: Vec<Column> = Vec::new();
        let spread = |field: &str| SPREAD_OBJECTS.contains(&field) && properties[field]["properties"].is_object();
        for (field, schema) in properties.iter().filter(|(field, _)| !spread(field)) {
            columns.push(Column {
                name: field.clone(),
                kind: column_type(schema),
                source: Source::Field(field.clone()),
            });
        }
        let top_level: std::collections::BTreeSet<String> = columns.iter().map(|c| c.name.clone()).collect();
        for parent in SPREAD_OBJECTS.iter().filter(|p| properties.contains_key(**p) && spread(p)) {
            for (key, schema) in properties[*parent]["properties"].as_object().into_iter().flatten() {
                // A key lifted to the top already (ids, the time dimension) keeps that column.
                if top_level.contains(key) {
                    continue;
                }
                let taken = columns.iter().any(|c| c.name == *key);
                let name = if taken { format!("{parent}_{key}") } else { key.clone() };
                columns.push(Column {
                    name,
                    kind: column_type(schema),
                    source: Source::Nested(parent.to_string(), key.clone()),
                });
            }
        }
        columns.push(Column { name: EXTRACTED_AT.into(), kind: ColumnType::Timestamp, source: Source::ExtractedAt });
        let mut key = Vec::new();
        for path in stream["source_defined_primary_key"].as_array().into_iter().flatten() {
            let field = path
                .get(0)
                .and_then(Value::as_str)
                .with_context(|| format!("stream {name}: unreadable primary key {path}"))?;
            let index = columns
                .iter()
                .position(|c| c.source == Source::Field(field.to_string()))
                .with_context(|| format!("stream {name}: primary key field {field} is not in its schema"))?;
            key.push(index);
        }
        if key.is_empty() {
            bail!("stream {name} has no primary key to upsert by");
        }
        let mut by_field = Columns::default();
        let mut by_nested: HashMap<String, Columns> = HashMap::new();
        for (i, column) in columns.iter().enumerate() {
            match &column.source {
                Source::Field(field) => {
                    by_field.insert(field.clone(), i);
                }
                Source::Nested(parent, key) => {
                    by_nested.entry(parent.clone()).or_default().insert(key.clone(), i);
                }
                Source::ExtractedAt => {}
            }
        }
        let extracted_at = columns.iter().position(|c| c.source == Source::ExtractedAt);
        Ok(Table { name: identifier(&name), stream: name, columns, key, replaced, by_field, by_nested, extracted_at })
    }

    /// The row of one record (a JSON object text) read at `extracted_at`, borrowing from both.
    pub fn row<'a>(&self, record: &'a str, extracted_at: &'a str) -> Result<Vec<SqlValue<'a>>> {
        let mut row = vec![SqlValue::Null; self.columns.len()];
        let filler = RowFiller { table: self, columns: &self.by_field, row: &mut row };
        serde::de::DeserializeSeed::deserialize(filler, &mut serde_json::Deserializer::from_str(record))
            .context("a record is not a JSON object")?;
        if let Some(i) = self.extracted_at {
            row[i] = SqlValue::Text(Cow::Borrowed(extracted_at));
        }
        // A row is found again by its key: a record without one cannot be upserted.
        if let Some(&i) = self.key.iter().find(|i| row[**i] == SqlValue::Null) {
            bail!("a record has no readable {} (part of the key): {}", self.columns[i].name, cut(record, 300));
        }
        Ok(row)
    }
}

fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// One JSON value as a column of `kind`. What does not fit the type is kept as text where
/// the column is text, and NULL otherwise.
fn value_of(raw: &RawValue, kind: ColumnType) -> SqlValue<'_> {
    let text = raw.get();
    match (kind, text.as_bytes().first()) {
        (_, Some(b'n')) => SqlValue::Null,
        (ColumnType::Json, _) => SqlValue::Json(Cow::Borrowed(text)),
        (ColumnType::Text, Some(b'"')) => string_of(text).map_or(SqlValue::Null, SqlValue::Text),
        (ColumnType::Timestamp, Some(b'"')) => {
            string_of(text).filter(|s| is_timestamp(s)).map_or(SqlValue::Null, SqlValue::Text)
        }
        (ColumnType::Text, _) => SqlValue::Text(Cow::Borrowed(text)),
        (ColumnType::Number, Some(b'-' | b'0'..=b'9')) => SqlValue::Number(Cow::Borrowed(text)),
        (ColumnType::Number, Some(b'"')) => string_of(text)
            .map(|s| Cow::Owned(s.trim().to_string()))
            .filter(|s: &Cow<str>| s.parse::<f64>().is_ok_and(f64::is_finite))
            .map_or(SqlValue::Null, SqlValue::Number),
        (ColumnType::Boolean, Some(b't')) => SqlValue::Boolean(true),
        (ColumnType::Boolean, Some(b'f')) => SqlValue::Boolean(false),
        _ => SqlValue::Null,
    }
}

/// A JSON string's value: borrowed when it has no escapes.
fn string_of(text: &str) -> Option<Cow<'_, str>> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// TikTok's times: `YYYY-MM-DD HH:MM:SS` or ISO 8601.
fn is_timestamp(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok()
        || chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report_stream() -> Value {
        json!({"name": "ads_reports_daily", "source_defined_primary_key": [["ad_id"], ["stat_time_day"]],
            "json_schema": {"properties": {
                "ad_id": {"type": ["null", "string"]},
                "stat_time_day": {"type": ["null", "string"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"},
                "dimensions": {"type": ["null", "object"]},
                "metrics": {"type": ["null", "object"], "properties": {
                    "spend": {"type": ["null", "number"]}, "clicks": {"type": ["null", "integer"]},
                    "ad_id": {"type": ["null", "string"]}, "ad_name": {"type": ["null", "string"]}}}}}})
    }

    #[test]
    fn report_metrics_become_typed_columns_and_the_key_is_the_streams() {
        let table = Table::from_stream(&report_stream(), false).unwrap();
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        // metrics.ad_id is the lifted ad_id; `dimensions` lists no keys, so it stays JSON.
        assert_eq!(names, ["ad_id", "dimensions", "stat_time_day", "ad_name", "clicks", "spend", EXTRACTED_AT]);
        let kind = |n: &str| table.columns.iter().find(|c| c.name == n).unwrap().kind;
        assert_eq!(kind("spend"), ColumnType::Number);
        assert_eq!(kind("stat_time_day"), ColumnType::Timestamp);
        assert_eq!(kind("dimensions"), ColumnType::Json);
        assert_eq!(
            table.key.iter().map(|i| table.columns[*i].name.as_str()).collect::<Vec<_>>(),
            ["ad_id", "stat_time_day"]
        );
        let row = table
            .row(r#"{"ad_id":"17","stat_time_day":"2024-01-02 00:00:00","metrics":{"spend":"12.345678901234567890","clicks":3,"ad_name":"A \"b\""},"dimensions":{}}"#, "2024-01-03T00:00:00Z")
            .unwrap();
        let value = |n: &str| row[table.columns.iter().position(|c| c.name == n).unwrap()].clone();
        assert_eq!(value("spend").text(), Some("12.345678901234567890"), "exact decimals");
        assert_eq!(value("clicks").text(), Some("3"));
        assert_eq!(value("ad_name").text(), Some("A \"b\""));
        assert_eq!(value("stat_time_day").text(), Some("2024-01-02 00:00:00"));
    }

    #[test]
    fn a_record_without_its_key_is_an_error_and_odd_values_become_null() {
        let table = Table::from_stream(&report_stream(), false).unwrap();
        let e = table.row(r#"{"stat_time_day":"yesterday","metrics":{}}"#, "t").unwrap_err().to_string();
        assert!(e.contains("ad_id"), "{e}");
        let e = table.row(r#"{"ad_id":"1","stat_time_day":"yesterday"}"#, "t").unwrap_err().to_string();
        assert!(e.contains("stat_time_day"), "an unreadable time in the key: {e}");
        let row = table
            .row(r#"{"ad_id":"1","stat_time_day":"2024-01-01 00:00:00","metrics":{"spend":"-","clicks":true}}"#, "t")
            .unwrap();
        let value = |n: &str| row[table.columns.iter().position(|c| c.name == n).unwrap()].clone();
        assert_eq!((value("spend"), value("clicks")), (SqlValue::Null, SqlValue::Null));
    }

    #[test]
    fn names_are_quoted_and_long_ones_shortened_apart() {
        assert_eq!(quoted(r#"a"b; DROP TABLE x; --"#), r#""a""b; DROP TABLE x; --""#);
        let (a, b) = (identifier(&"x".repeat(70)), identifier(&format!("{}y", "x".repeat(69))));
        assert!(a.len() <= 63 && b.len() <= 63 && a != b);
        assert!(!identifier("a\0b").contains('\0'));
    }
}
