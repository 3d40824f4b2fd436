// The sandbox policy, as host/src/sandbox.rs decides it: no files, no environment, no sockets;
// outbound HTTP only to exact authorities, with timeouts of the host's own.

/** TikTok's production and sandbox API hosts: the only ones reachable by default. */
export const TIKTOK_AUTHORITIES = ["business-api.tiktok.com:443", "sandbox-ads.tiktok.com:443"];

/** Connecting takes at most this long, whatever the response timeout. */
const MAX_CONNECT_TIMEOUT_SECONDS = 30;

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * What the guest may reach, from the command-line options. Plain data, so it can cross to the
 * worker thread the guest runs in.
 */
export function sandboxPolicy({ apiBaseUrl, allowedAuthorities, httpTimeoutSeconds, maxMemoryMib, maxRunSeconds }) {
  let authorities;
  if (allowedAuthorities.length > 0) {
    authorities = allowedAuthorities.map((a) => a.toLowerCase());
  } else if (apiBaseUrl != null) {
    // With another API root, exactly that authority is reachable and nothing else.
    const authority = urlAuthority(apiBaseUrl);
    authorities = authority ? [authority] : [];
  } else {
    authorities = [...TIKTOK_AUTHORITIES];
  }
  return {
    authorities,
    connectTimeoutSeconds: Math.min(httpTimeoutSeconds, MAX_CONNECT_TIMEOUT_SECONDS),
    /** Longest wait for a response, and between bytes of its body. */
    responseTimeoutSeconds: httpTimeoutSeconds,
    maxMemoryMib,
    maxRunSeconds,
  };
}

/** `host:port` of a URL, lowercase, with the scheme's default port made explicit. */
export function urlAuthority(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.hostname) return null;
  const port = parsed.port || (parsed.protocol === "http:" ? "80" : "443");
  return `${parsed.hostname.toLowerCase()}:${port}`;
}

/** `host:port` of a wasi:http outgoing request, normalized the same way. */
export function requestAuthority(request) {
  const authority = request.authority();
  if (!authority) return null;
  const scheme = request.scheme();
  const http = scheme?.tag === "HTTP" || (scheme?.tag === "other" && scheme.val.toLowerCase() === "http");
  const colon = authority.endsWith("]") ? -1 : authority.lastIndexOf(":");
  const [host, port] = colon < 0 ? [authority, http ? "80" : "443"] : [authority.slice(0, colon), authority.slice(colon + 1)];
  return `${host.toLowerCase()}:${port}`;
}

/**
 * `wasi:http/outgoing-handler` that lets only the policy's authorities through and caps the
 * guest's timeouts with the host's (the shim's defaults are 600 s). `watch` hears of every
 * request sent, for the host's own deadline.
 */
export function allowListHandler(policy, shimHttp, watch) {
  const { RequestOptions } = shimHttp.types;
  const connect = BigInt(policy.connectTimeoutSeconds) * NANOS_PER_SECOND;
  const response = BigInt(policy.responseTimeoutSeconds) * NANOS_PER_SECOND;
  const atMost = (guest, host) => (typeof guest === "bigint" && guest < host ? guest : host);
  return {
    handle(request, options) {
      const authority = requestAuthority(request);
      if (authority === null || !policy.authorities.includes(authority)) {
        throw { tag: "HTTP-request-denied" };
      }
      const limited = new RequestOptions();
      limited.setConnectTimeout(atMost(options?.connectTimeout(), connect));
      limited.setFirstByteTimeout(atMost(options?.firstByteTimeout(), response));
      limited.setBetweenBytesTimeout(atMost(options?.betweenBytesTimeout(), response));
      const future = shimHttp.outgoingHandler.handle(request, limited);
      watch.sent(future, authority);
      return future;
    },
  };
}

/** `wasi:cli/environment` with nothing in it: no variables, no arguments, no directory. */
export const emptyEnvironment = {
  getEnvironment: () => [],
  getArguments: () => [],
  initialCwd: () => undefined,
};
