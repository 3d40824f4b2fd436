//! The one HTTP path of the component: a request out through wasi:http (wstd's async client),
//! the answer read under a size cap. It knows nothing of TikTok's codes: it says whether an
//! exchange happened, and if not, whether trying again may help.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use wstd::http::{Body, Client, Method, Request};

use crate::error::Error;

/// Bodies larger than this are not a TikTok answer we can use; stop reading instead of
/// exhausting guest memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// What came back from one exchange.
pub struct RawAnswer {
    pub status: u16,
    /// `X-Tt-Ads-Throttle`: the report was truncated to 20k ads.
    pub ads_throttle: Option<String>,
    pub body: Vec<u8>,
}

/// Why an exchange did not produce an answer.
pub enum Failed {
    /// The network or the peer failed; the same request may pass later.
    Passing { reason: String, timed_out: bool },
    /// Trying again cannot help (denied by the sandbox, a body too large).
    Final(Error),
}

/// Send one request (GET, or POST with a JSON body) and read its whole answer.
pub async fn exchange(url: &str, access_token: &str, json_body: Option<&[u8]>) -> Result<RawAnswer, Failed> {
    let builder = Request::builder().uri(url).header("Access-Token", access_token);
    let request = match json_body {
        Some(body) => {
            builder.method(Method::POST).header("Content-Type", "application/json").body(Body::from(body.to_vec()))
        }
        // An `Empty` body: wstd's `Body::empty()` has been seen to reset connections.
        None => builder.method(Method::GET).body(Body::from_http_body(http_body_util::Empty::<Bytes>::new())),
    }
    .map_err(|e| Failed::Final(Error::config(format!("cannot build a request: {e}"))))?;
    let mut client = Client::new();
    client.set_connect_timeout(CONNECT_TIMEOUT);
    let response = client.send(request).await.map_err(|e| failed(&e, url))?;
    let status = response.status().as_u16();
    let ads_throttle =
        response.headers().get("x-tt-ads-throttle").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let mut body = response.into_body().into_boxed_body();
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| failed(&e, url))?;
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
            if bytes.len() > MAX_BODY_BYTES {
                return Err(Failed::Final(Error::transient(format!(
                    "the API sent a body larger than {} MiB; refusing it",
                    MAX_BODY_BYTES / (1024 * 1024)
                ))));
            }
        }
    }
    Ok(RawAnswer { status, ads_throttle, body: bytes })
}

fn failed(e: &wstd::http::Error, url: &str) -> Failed {
    use wstd::http::error::ErrorCode;
    match e.downcast_ref::<ErrorCode>() {
        Some(ErrorCode::HttpRequestDenied) => {
            let origin = url.split("/open_api/").next().unwrap_or(url);
            Failed::Final(Error::config(format!(
                "the host denied the request to {origin}: it is not on the sandbox's allow-list of API hosts"
            )))
        }
        Some(
            code @ (ErrorCode::ConnectionTimeout | ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout),
        ) => Failed::Passing { reason: format!("no answer in time ({code:?})"), timed_out: true },
        _ => Failed::Passing { reason: format!("connection failed: {e:#}"), timed_out: false },
    }
}
