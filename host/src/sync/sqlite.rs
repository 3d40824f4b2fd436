//! The embedded default: one SQLite file (rusqlite with SQLite bundled, nothing to install).

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::types::ToSqlOutput;
use rusqlite::{params_from_iter, Connection};
use serde_json::Value;

use super::database::{self, column_list, on_conflict_sql, target_name, Database, STATE_TABLE};
use super::tables::{quoted, ColumnType, SqlValue, Table};

pub struct Sqlite {
    conn: Connection,
}

fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text | ColumnType::Json => "TEXT",
        // NUMERIC keeps integers as integers and decimals as numbers.
        ColumnType::Number => "NUMERIC",
        ColumnType::Boolean => "BOOLEAN",
        // SQLite has no timestamp type; the declared name tells tools what the text holds.
        ColumnType::Timestamp => "TIMESTAMP",
    }
}

impl rusqlite::ToSql for SqlValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SqlValue::Null => ToSqlOutput::from(rusqlite::types::Null),
            // Numbers go as numbers: SQLite need not parse the text again for the column's
            // NUMERIC affinity. A decimal SQLite cannot hold exactly was never exact there.
            SqlValue::Number(s) => match s.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
                false => s.parse::<i64>().map_or_else(|_| ToSqlOutput::from(s.as_ref()), ToSqlOutput::from),
                true => s.parse::<f64>().map_or_else(|_| ToSqlOutput::from(s.as_ref()), ToSqlOutput::from),
            },
            SqlValue::Text(s) | SqlValue::Json(s) => ToSqlOutput::from(s.as_ref()),
            SqlValue::Boolean(b) => ToSqlOutput::from(*b),
        })
    }
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite> {
        let conn =
            Connection::open(path).with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
        // WAL: readers see the last commit while a sync writes; NORMAL is durable at each
        // checkpoint and never corrupts.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A larger page cache keeps the key indexes of big tables in memory while upserting.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.set_prepared_statement_cache_capacity(256);
        conn.execute_batch(&database::state_table_sql("TEXT"))?;
        conn.execute_batch("BEGIN")?;
        Ok(Sqlite { conn })
    }
}

impl Database for Sqlite {
    fn execute(&mut self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn execute_for_stream(&mut self, sql: &str, stream: &str) -> Result<()> {
        self.conn.execute(sql, [stream])?;
        Ok(())
    }

    fn columns_of(&mut self, table: &str) -> Result<Vec<String>> {
        let mut statement = self.conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let names =
            statement.query_map([table], |row| row.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(names)
    }

    fn sql_type(&self, kind: ColumnType) -> &'static str {
        sql_type(kind)
    }

    fn saved_states(&mut self) -> Result<Vec<(String, String)>> {
        let mut statement = self.conn.prepare(&format!("SELECT stream, state FROM {STATE_TABLE} WHERE NOT staged"))?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn upsert(&mut self, table: &Table, rows: &[Vec<SqlValue<'_>>]) -> Result<()> {
        let placeholders = vec!["?"; table.columns.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({placeholders}) {}",
            quoted(&target_name(table)),
            column_list(table),
            on_conflict_sql(table)
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        for row in rows {
            statement.execute(params_from_iter(row.iter()))?;
        }
        Ok(())
    }

    fn save_state(&mut self, table: &Table, state: &Value) -> Result<()> {
        self.conn.execute(
            &format!("INSERT INTO {STATE_TABLE} (stream, staged, state) VALUES (?1, ?2, ?3) ON CONFLICT (stream, staged) DO UPDATE SET state = excluded.state"),
            rusqlite::params![table.stream, table.replaced, state.to_string()],
        )?;
        Ok(())
    }

    fn count(&mut self, table: &Table) -> Result<u64> {
        let count: i64 =
            self.conn.query_row(&format!("SELECT count(*) FROM {}", quoted(&table.name)), [], |row| row.get(0))?;
        Ok(count as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hostile_table(replaced: bool) -> Table {
        let stream = json!({"name": "t\"; DROP TABLE _tiktok_state; --", "source_defined_primary_key": [["id'); --"]],
            "json_schema": {"properties": {"id'); --": {"type": "string"}, "v\"\"": {"type": ["null", "number"]}, "[x]": {"type": "object"}}}});
        Table::from_stream(&stream, replaced).unwrap()
    }

    #[test]
    fn hostile_stream_and_field_names_stay_names() {
        let path = std::env::temp_dir().join(format!("tiktok-hostile-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut db = Sqlite::open(&path).unwrap();
        for replaced in [false, true] {
            let table = hostile_table(replaced);
            db.prepare(std::slice::from_ref(&table)).unwrap();
            let rows = [
                r#"{"id'); --":"1","v\"\"":1.5,"[x]":{"a":1}}"#,
                r#"{"id'); --":"1","v\"\"":2.5}"#,
                r#"{"id'); --":"2"}"#,
            ];
            let rows: Vec<_> = rows.iter().map(|r| table.row(r, "2024-01-01 00:00:00").unwrap()).collect();
            db.upsert(&table, &rows).unwrap();
            db.save_state(&table, &json!({"cursor": "x"})).unwrap();
            if replaced {
                db.swap_in(&table).unwrap();
            }
            db.commit().unwrap();
            assert_eq!(db.count(&table).unwrap(), 2, "the second row of key 1 replaced the first");
            let v: f64 = db
                .conn
                .query_row(
                    &format!(
                        "SELECT {} FROM {} WHERE {} = '1'",
                        quoted("v\"\""),
                        quoted(&table.name),
                        quoted("id'); --")
                    ),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(v, 2.5);
        }
        let states: i64 = db
            .conn
            .query_row(&format!("SELECT count(*) FROM {STATE_TABLE} WHERE NOT staged"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(states, 1, "the state table survived, with the stream's state");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_new_field_adds_a_column_and_keeps_every_row_and_the_users_own_columns() {
        let path = std::env::temp_dir().join(format!("tiktok-evolve-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let stream = |fields: &[&str], replaced: bool| {
            let properties: serde_json::Map<String, Value> =
                fields.iter().map(|f| (f.to_string(), json!({"type": ["null", "string"]}))).collect();
            Table::from_stream(&json!({"name": "s", "source_defined_primary_key": [["id"]], "json_schema": {"properties": properties}}), replaced).unwrap()
        };
        let mut db = Sqlite::open(&path).unwrap();
        let v1 = stream(&["id", "a"], false);
        db.prepare(std::slice::from_ref(&v1)).unwrap();
        db.upsert(&v1, &[v1.row(r#"{"id":"1","a":"x"}"#, "2024-01-01 00:00:00").unwrap()]).unwrap();
        db.commit().unwrap();
        db.execute("ALTER TABLE s ADD COLUMN note TEXT; UPDATE s SET note = 'mine'").unwrap();
        db.commit().unwrap();
        // The next version of the stream has a new field: a column more, nothing lost.
        let v2 = stream(&["id", "a", "b"], false);
        db.prepare(std::slice::from_ref(&v2)).unwrap();
        db.upsert(&v2, &[v2.row(r#"{"id":"2","a":"y","b":"z"}"#, "2024-01-01 00:00:00").unwrap()]).unwrap();
        db.commit().unwrap();
        let columns = db.columns_of("s").unwrap();
        assert!(
            ["id", "a", "b", "note", "_extracted_at"].iter().all(|c| columns.contains(&c.to_string())),
            "{columns:?}"
        );
        let old: (String, Option<String>, String) = db
            .conn
            .query_row("SELECT a, b, note FROM s WHERE id = '1'", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        assert_eq!(old, ("x".to_string(), None, "mine".to_string()));
        // A full refresh replaces the rows but keeps the table and its columns.
        let replaced = stream(&["id", "a", "b"], true);
        db.prepare(std::slice::from_ref(&replaced)).unwrap();
        db.upsert(&replaced, &[replaced.row(r#"{"id":"3","a":"w"}"#, "2024-01-01 00:00:00").unwrap()]).unwrap();
        db.swap_in(&replaced).unwrap();
        assert_eq!(db.count(&replaced).unwrap(), 1);
        assert!(db.columns_of("s").unwrap().contains(&"note".to_string()));
        let _ = std::fs::remove_file(&path);
    }
}
