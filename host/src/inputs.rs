//! The command's input files (config, catalog, state), read before any work: a missing or
//! malformed file is a config error.

use std::path::Path;

use serde_json::Value;

use crate::state_file;

pub struct Inputs {
    /// The config's text, and the config read (for the secrets to mask).
    pub config: Option<(String, Value)>,
    pub catalog: Option<String>,
    /// The state as the component takes it: `{"<stream>": <stream_state>, ...}`.
    pub state: Option<String>,
}

/// The files a command names: the config (every command but `spec`), and for `read` the
/// catalog and the state.
pub fn load(config: Option<&Path>, catalog: Option<&Path>, state: Option<&Path>) -> Result<Inputs, String> {
    let mut inputs = Inputs { config: None, catalog: None, state: None };
    if let Some(path) = config {
        inputs.config = Some(read_json_file(path, "config")?);
    }
    if let Some(path) = catalog {
        inputs.catalog = Some(read_json_file(path, "catalog")?.0);
    }
    if let Some(path) = state {
        let (_, value) = read_json_file(path, "state")?;
        let per_stream =
            state_file::per_stream(value).map_err(|why| format!("the state file {}: {why}", path.display()))?;
        inputs.state = Some(per_stream.to_string());
    }
    Ok(inputs)
}

/// Read a JSON input file, naming the file in the error.
fn read_json_file(path: &Path, what: &str) -> Result<(String, Value), String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    let value = serde_json::from_str(&text)
        .map_err(|e| format!("the {what} file {} is not valid JSON: {e}", path.display()))?;
    Ok((text, value))
}
