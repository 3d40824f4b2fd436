//! The sandbox policy: everything the component may touch, decided in one place from the
//! command line. No files, no environment, no sockets; outbound HTTP only to exact
//! authorities, with timeouts; guest memory and run time capped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::WasiHttpHooks;

/// TikTok's production and sandbox API hosts: the only ones reachable by default.
pub const TIKTOK_AUTHORITIES: &[&str] = &["business-api.tiktok.com:443", "sandbox-ads.tiktok.com:443"];

/// Connecting takes at most this long, whatever the response timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the sandbox allows the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxPolicy {
    /// `host:port` authorities the component may send requests to, lowercase.
    pub authorities: Vec<String>,
    pub connect_timeout: Duration,
    /// Longest wait for the first byte of a response and between bytes of a body.
    pub response_timeout: Duration,
    pub max_memory_bytes: usize,
    pub max_run_time: Duration,
}

/// The command-line options the policy is built from.
pub struct SandboxOptions<'a> {
    pub api_base_url: Option<&'a str>,
    pub allowed_authorities: &'a [String],
    pub http_timeout_seconds: u64,
    pub max_memory_mib: usize,
    pub max_run_seconds: u64,
}

impl SandboxPolicy {
    pub fn new(options: SandboxOptions) -> Self {
        let authorities = if !options.allowed_authorities.is_empty() {
            options.allowed_authorities.iter().map(|a| a.to_ascii_lowercase()).collect()
        } else if let Some(base) = options.api_base_url {
            // With another API root, exactly that authority is reachable and nothing else.
            base.parse::<http::Uri>().ok().as_ref().and_then(normalized_authority).into_iter().collect()
        } else {
            TIKTOK_AUTHORITIES.iter().map(|s| s.to_string()).collect()
        };
        let response_timeout = Duration::from_secs(options.http_timeout_seconds);
        Self {
            authorities,
            connect_timeout: response_timeout.min(MAX_CONNECT_TIMEOUT),
            response_timeout,
            max_memory_bytes: options.max_memory_mib.saturating_mul(1 << 20),
            max_run_time: Duration::from_secs(options.max_run_seconds),
        }
    }

    pub fn allows(&self, uri: &http::Uri) -> bool {
        normalized_authority(uri).is_some_and(|a| self.authorities.contains(&a))
    }

    /// The WASI context: no preopened directories, no environment, no arguments, no sockets.
    /// The guest's stderr (where a Rust panic message goes) is kept for the crash report.
    pub fn wasi_ctx(&self, guest_stderr: MemoryOutputPipe) -> WasiCtx {
        WasiCtx::builder().stderr(guest_stderr).allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false).build()
    }

    pub fn http_hooks(&self) -> AllowList {
        AllowList { policy: self.clone() }
    }

    pub fn memory_cap(&self) -> MemoryCap {
        MemoryCap { max_bytes: self.max_memory_bytes, hit: Arc::new(AtomicBool::new(false)) }
    }
}

/// `host:port`, lowercase, with the scheme's default port made explicit.
fn normalized_authority(uri: &http::Uri) -> Option<String> {
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
    Some(format!("{host}:{port}"))
}

/// Outbound HTTP: exact authorities only, with timeouts filled in where the guest set none
/// (wasmtime's defaults are 600 s).
pub struct AllowList {
    policy: SandboxPolicy,
}

type SendFuture<T> = Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<T>> + Send>;

impl WasiHttpHooks for AllowList {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: SendFuture<()>,
    ) -> SendFuture<(http::Response<wasmtime_wasi_http::WasiBody>, SendFuture<()>)> {
        drop(fut);
        if !self.policy.allows(request.uri()) {
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        let mut options = options.unwrap_or_default();
        options.connect_timeout.get_or_insert(self.policy.connect_timeout);
        options.first_byte_timeout.get_or_insert(self.policy.response_timeout);
        options.between_bytes_timeout.get_or_insert(self.policy.response_timeout);
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            Ok((response.map(BodyExt::boxed_unsync), Box::new(io) as SendFuture<()>))
        })
    }
}

/// Caps guest memory and remembers whether the cap was what stopped it.
pub struct MemoryCap {
    max_bytes: usize,
    hit: Arc<AtomicBool>,
}

impl MemoryCap {
    pub fn was_hit(&self) -> Arc<AtomicBool> {
        self.hit.clone()
    }
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        let ok = desired <= self.max_bytes;
        if !ok {
            self.hit.store(true, Ordering::Relaxed);
        }
        Ok(ok)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base: Option<&str>, allowed: &[&str], timeout: u64) -> SandboxPolicy {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        SandboxPolicy::new(SandboxOptions {
            api_base_url: base,
            allowed_authorities: &allowed,
            http_timeout_seconds: timeout,
            max_memory_mib: 64,
            max_run_seconds: 10,
        })
    }

    fn uri(s: &str) -> http::Uri {
        s.parse().unwrap()
    }

    #[test]
    fn by_default_only_tiktoks_hosts_are_reachable() {
        let p = policy(None, &[], 120);
        assert!(p.allows(&uri("https://business-api.tiktok.com/open_api/v1.3/campaign/get/")));
        assert!(p.allows(&uri("https://SANDBOX-ADS.tiktok.com:443/x")));
        assert!(!p.allows(&uri("http://business-api.tiktok.com/x")), "port 80 is another authority");
        assert!(!p.allows(&uri("https://evil.example/x")));
    }

    #[test]
    fn an_api_root_replaces_the_list_with_exactly_its_authority() {
        let p = policy(Some("http://127.0.0.1:8080"), &[], 120);
        assert_eq!(p.authorities, ["127.0.0.1:8080"]);
        assert!(!p.allows(&uri("https://business-api.tiktok.com/x")));
        assert!(!p.allows(&uri("http://127.0.0.1:8081/x")));
        let explicit = policy(Some("http://127.0.0.1:8080"), &["Business-API.tiktok.com:443"], 120);
        assert_eq!(explicit.authorities, ["business-api.tiktok.com:443"], "an explicit list wins");
    }

    #[test]
    fn limits_come_from_the_options() {
        let p = policy(None, &[], 120);
        assert_eq!(p.connect_timeout, MAX_CONNECT_TIMEOUT);
        assert_eq!(p.response_timeout, Duration::from_secs(120));
        assert_eq!(policy(None, &[], 5).connect_timeout, Duration::from_secs(5));
        assert_eq!(p.max_memory_bytes, 64 << 20);
        let mut cap = p.memory_cap();
        assert!(cap.memory_growing(0, 64 << 20, None).unwrap());
        assert!(!cap.memory_growing(0, (64 << 20) + 1, None).unwrap());
        assert!(cap.was_hit().load(Ordering::Relaxed));
    }
}
