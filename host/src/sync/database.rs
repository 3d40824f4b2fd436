//! What `sync` needs of a database, and the SQL both databases share. Every name reaches SQL
//! through `tables::quoted`; every value is a bound parameter or a COPY field.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde_json::Value;

use super::tables::{identifier, quoted, ColumnType, SqlValue, Table};

/// Where the Airbyte state of each stream lives, beside the data it covers.
pub const STATE_TABLE: &str = "_tiktok_state";

/// A table replaced at the end of the sync is filled under this prefix first.
const STAGING_PREFIX: &str = "_tiktok_staging_";

/// A database `sync` writes into. Implementations give the primitives; the steps that are the
/// same SQL for both (tables, columns, states, the full-refresh swap) are defined here once.
pub trait Database {
    /// Run statements that take no parameters.
    fn execute(&mut self, sql: &str) -> Result<()>;
    /// Run one statement whose one parameter (`$1`) is a stream name.
    fn execute_for_stream(&mut self, sql: &str, stream: &str) -> Result<()>;
    /// The columns a table has now (none when it does not exist).
    fn columns_of(&mut self, table: &str) -> Result<Vec<String>>;
    fn sql_type(&self, kind: ColumnType) -> &'static str;
    /// (stream, state text) of every live state.
    fn saved_states(&mut self) -> Result<Vec<(String, String)>>;
    /// Insert or replace (by key) rows of `table` (its staging copy when `table.replaced`),
    /// inside the open transaction.
    fn upsert(&mut self, table: &Table, rows: &[Vec<SqlValue<'_>>]) -> Result<()>;
    /// Save a stream's state inside the open transaction (a staged one for replaced tables).
    fn save_state(&mut self, table: &Table, state: &Value) -> Result<()>;
    /// Row count of a table.
    fn count(&mut self, table: &Table) -> Result<u64>;
    /// What must go before a replaced table's staging copy is dropped.
    fn before_swap(&mut self, _table: &Table) -> Result<()> {
        Ok(())
    }

    /// Commit what was written since the last commit and open a new transaction.
    fn commit(&mut self) -> Result<()> {
        self.execute("COMMIT; BEGIN")
    }

    /// Create `name` for `table`, or add the columns it lacks (never dropping any).
    fn ensure(&mut self, name: &str, table: &Table) -> Result<()> {
        let create = create_sql(name, table, |kind| self.sql_type(kind));
        self.execute(&create)?;
        let existing = self.columns_of(&identifier(name))?;
        for column in table.columns.iter().filter(|c| !existing.contains(&identifier(&c.name))) {
            let sql = format!(
                "ALTER TABLE {} ADD COLUMN {} {}",
                quoted(name),
                quoted(&column.name),
                self.sql_type(column.kind)
            );
            self.execute(&sql)?;
        }
        Ok(())
    }

    /// Create missing tables and columns, and drop what an interrupted sync left half-filled
    /// (staging tables and their states).
    fn prepare(&mut self, tables: &[Table]) -> Result<()> {
        for table in tables {
            self.execute(&format!("DROP TABLE IF EXISTS {}", quoted(&staging_name(table))))?;
            self.execute_for_stream(&format!("DELETE FROM {STATE_TABLE} WHERE stream = $1 AND staged"), &table.stream)?;
            self.ensure(&table.name, table)?;
            if table.replaced {
                self.ensure(&staging_name(table), table)?;
            }
        }
        self.commit()
    }

    /// The saved state of every stream (`{"<stream>": <state>}`).
    fn states(&mut self) -> Result<BTreeMap<String, Value>> {
        let mut states = BTreeMap::new();
        for (stream, state) in self.saved_states()? {
            let state =
                serde_json::from_str(&state).with_context(|| format!("the saved state of {stream} is not JSON"))?;
            states.insert(stream, state);
        }
        Ok(states)
    }

    /// Put a replaced table's staging copy, and its state, in place of the table, atomically.
    fn swap_in(&mut self, table: &Table) -> Result<()> {
        self.before_swap(table)?;
        self.execute(&swap_sql(table).join(";\n"))?;
        self.execute_for_stream(&format!("DELETE FROM {STATE_TABLE} WHERE stream = $1 AND NOT staged"), &table.stream)?;
        self.execute_for_stream(&format!("UPDATE {STATE_TABLE} SET staged = FALSE WHERE stream = $1"), &table.stream)?;
        self.commit()
    }
}

pub fn staging_name(table: &Table) -> String {
    format!("{STAGING_PREFIX}{}", table.name)
}

/// The name rows of `table` are written to now.
pub fn target_name(table: &Table) -> String {
    if table.replaced {
        staging_name(table)
    } else {
        table.name.clone()
    }
}

/// `CREATE TABLE IF NOT EXISTS` for `name` with `table`'s columns and key; `sql_type` names a
/// column type in the database's terms.
pub fn create_sql(name: &str, table: &Table, sql_type: impl Fn(ColumnType) -> &'static str) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!("{} {}{}", quoted(&c.name), sql_type(c.kind), if table.key.contains(&i) { " NOT NULL" } else { "" })
        })
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({}, CONSTRAINT {} PRIMARY KEY ({}))",
        quoted(name),
        columns.join(", "),
        quoted(&key_constraint(name)),
        key_list(table)
    )
}

/// The primary key's own name, so a renamed staging table can take the live one's.
pub fn key_constraint(table_name: &str) -> String {
    format!("{}_pkey", identifier(table_name))
}

pub fn key_list(table: &Table) -> String {
    table.key.iter().map(|i| quoted(&table.columns[*i].name)).collect::<Vec<_>>().join(", ")
}

pub fn column_list(table: &Table) -> String {
    table.columns.iter().map(|c| quoted(&c.name)).collect::<Vec<_>>().join(", ")
}

/// `ON CONFLICT (key) DO UPDATE SET c = excluded.c, …`: a restated row replaces the old one.
pub fn on_conflict_sql(table: &Table) -> String {
    let updates: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(i, _)| !table.key.contains(i))
        .map(|(_, c)| format!("{0} = excluded.{0}", quoted(&c.name)))
        .collect();
    match updates.is_empty() {
        true => format!("ON CONFLICT ({}) DO NOTHING", key_list(table)),
        false => format!("ON CONFLICT ({}) DO UPDATE SET {}", key_list(table), updates.join(", ")),
    }
}

/// Put the staging copy's rows in place of the table's inside the open transaction (`swap_in`
/// then puts its staged state in place of the live one): readers see the old rows until the
/// commit, and the table keeps its own columns, indexes, views and grants.
pub fn swap_sql(table: &Table) -> Vec<String> {
    let (live, staging, columns) = (quoted(&table.name), quoted(&staging_name(table)), column_list(table));
    vec![
        format!("DELETE FROM {live}"),
        format!("INSERT INTO {live} ({columns}) SELECT {columns} FROM {staging}"),
        format!("DROP TABLE {staging}"),
    ]
}

pub fn state_table_sql(text_type: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {STATE_TABLE} (stream {text_type} NOT NULL, staged BOOLEAN NOT NULL, state {text_type} NOT NULL, PRIMARY KEY (stream, staged))"
    )
}
