//! The suite's one HTTP client, for asking the simulator directly what TikTok would answer
//! (HTTP/1.0 over loopback: one exchange per connection, the body ends with it).

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::Value;
use tiktok_sim::Simulator;

/// One answer: its status line, headers and body.
pub struct Answer {
    pub status_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn status(&self) -> u16 {
        self.status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// The body as JSON (TikTok's envelope).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `method /open_api/v1.3/{path_and_query}` with the simulator's production token and `body`
/// (sent as JSON).
pub fn call(sim: &Simulator, method: &str, path_and_query: &str, body: &str) -> Answer {
    let token = sim.config().credentials.access_token;
    exchange(sim.port, method, &format!("/open_api/v1.3/{path_and_query}"), &token, body)
}

/// A GET of `endpoint` (e.g. `report/integrated/get`) with `params`, each URL-encoded.
pub fn get(sim: &Simulator, endpoint: &str, params: &[(&str, String)]) -> Answer {
    call(sim, "GET", &format!("{endpoint}/?{}", query(params)), "")
}

/// `params` as a query string.
pub fn query(params: &[(&str, String)]) -> String {
    let encoded: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    encoded.join("&")
}

/// A query value URL-encoded: the suite's one encoder.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub fn exchange(port: u16, method: &str, path: &str, token: &str, body: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the simulator");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccess-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP head");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default().to_string();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Answer { status_line, headers, body: response[split + 4..].to_vec() }
}
