//! PostgreSQL (`--db postgresql://…`): rows arrive by COPY into a session table, then one
//! `INSERT … ON CONFLICT` moves them into place, so a batch costs two round trips.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use postgres::{Client, NoTls};
use serde_json::Value;

use super::database::{self, column_list, on_conflict_sql, staging_name, target_name, Database, STATE_TABLE};
use super::tables::{quoted, ColumnType, SqlValue, Table};

pub struct Postgres {
    client: Client,
    /// The session table each target's batches are copied into.
    load_tables: HashMap<String, String>,
    loads_created: usize,
}

fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text => "text",
        ColumnType::Number => "numeric",
        ColumnType::Boolean => "boolean",
        ColumnType::Timestamp => "timestamp",
        ColumnType::Json => "jsonb",
    }
}

impl Postgres {
    pub fn connect(url: &str) -> Result<Postgres> {
        let mut client = Client::connect(url, NoTls).map_err(|e| anyhow::anyhow!("cannot connect: {e}"))?;
        client.batch_execute(&database::state_table_sql("text"))?;
        client.batch_execute("BEGIN")?;
        Ok(Postgres { client, load_tables: HashMap::new(), loads_created: 0 })
    }

    /// The session table batches of `target` are copied into, created on first use.
    fn load_table(&mut self, target: &str) -> Result<String> {
        if let Some(name) = self.load_tables.get(target) {
            return Ok(name.clone());
        }
        let name = format!("_tiktok_load_{}", self.loads_created);
        self.loads_created += 1;
        self.client.batch_execute(&format!(
            "CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS)",
            quoted(&name),
            quoted(target)
        ))?;
        self.load_tables.insert(target.to_string(), name.clone());
        Ok(name)
    }
}

/// One field of COPY's text format: `\N` for NULL, and the characters COPY treats specially
/// escaped. PostgreSQL text cannot hold NUL: it is dropped.
fn copy_field(out: &mut Vec<u8>, value: &SqlValue) {
    let Some(text) = value.text() else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for c in text.chars() {
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\0' => {}
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

impl Database for Postgres {
    fn execute(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn execute_for_stream(&mut self, sql: &str, stream: &str) -> Result<()> {
        self.client.execute(sql, &[&stream])?;
        Ok(())
    }

    fn columns_of(&mut self, table: &str) -> Result<Vec<String>> {
        let rows = self.client.query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
            &[&table],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn sql_type(&self, kind: ColumnType) -> &'static str {
        sql_type(kind)
    }

    fn saved_states(&mut self) -> Result<Vec<(String, String)>> {
        let rows = self.client.query(&format!("SELECT stream, state FROM {STATE_TABLE} WHERE NOT staged"), &[])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn upsert(&mut self, table: &Table, rows: &[Vec<SqlValue<'_>>]) -> Result<()> {
        // One INSERT may not touch a key twice: the last row of a key wins, as it would one
        // row at a time.
        let mut last_of_key: HashMap<Vec<Option<&str>>, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            last_of_key.insert(table.key.iter().map(|k| row[*k].text()).collect(), i);
        }
        let mut keep: Vec<usize> = last_of_key.into_values().collect();
        keep.sort_unstable();
        let target = target_name(table);
        let load = self.load_table(&target)?;
        let columns = column_list(table);
        let mut copy = Vec::with_capacity(keep.len() * 256);
        for i in keep {
            for (n, value) in rows[i].iter().enumerate() {
                if n > 0 {
                    copy.push(b'\t');
                }
                copy_field(&mut copy, value);
            }
            copy.push(b'\n');
        }
        let mut writer = self.client.copy_in(&format!("COPY {} ({columns}) FROM STDIN", quoted(&load)))?;
        writer.write_all(&copy)?;
        writer.finish()?;
        self.client.batch_execute(&format!(
            "INSERT INTO {} ({columns}) SELECT {columns} FROM {} {}; TRUNCATE {}",
            quoted(&target),
            quoted(&load),
            on_conflict_sql(table),
            quoted(&load)
        ))?;
        Ok(())
    }

    fn save_state(&mut self, table: &Table, state: &Value) -> Result<()> {
        self.client.execute(
            &format!("INSERT INTO {STATE_TABLE} (stream, staged, state) VALUES ($1, $2, $3) ON CONFLICT (stream, staged) DO UPDATE SET state = excluded.state"),
            &[&table.stream, &table.replaced, &state.to_string()],
        )?;
        Ok(())
    }

    /// The session table copied from the staging table goes with it.
    fn before_swap(&mut self, table: &Table) -> Result<()> {
        if let Some(load) = self.load_tables.remove(&staging_name(table)) {
            self.client.batch_execute(&format!("DROP TABLE {}", quoted(&load)))?;
        }
        Ok(())
    }

    fn count(&mut self, table: &Table) -> Result<u64> {
        let count: i64 = self.client.query_one(&format!("SELECT count(*) FROM {}", quoted(&table.name)), &[])?.get(0);
        Ok(count as u64)
    }
}
