/**
 * Virtual host names: certificates carry fixed URLs such as `http://pki.ifx.vendors.apsim.test/X.crt`
 * so that nothing depends on a port or leaves the machine. A client maps such a URL onto the running
 * services' base URL as a path prefix: `https://127.0.0.1:8443/pki.ifx.vendors.apsim.test/X.crt`.
 */

/** Every virtual host name ends with this (RFC 2606 reserves `.test`). */
export const VIRTUAL_HOST_SUFFIX = ".apsim.test";

/** True when `host` is one of our virtual hosts. */
export function isVirtualHost(host: string): boolean {
  return host.toLowerCase().endsWith(VIRTUAL_HOST_SUFFIX);
}

/** The base URL with exactly one trailing slash. */
export function normalizeBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  return url.origin + (url.pathname.endsWith("/") ? url.pathname : url.pathname + "/");
}

/**
 * Maps a URL on a virtual host onto the base URL (scheme and port of the virtual URL are dropped);
 * any other URL comes back unchanged.
 */
export function resolveVirtualUrl(url: string, baseUrl: string): string {
  const parsed = new URL(url);
  if (!isVirtualHost(parsed.hostname)) return url;
  return `${normalizeBaseUrl(baseUrl)}${parsed.hostname.toLowerCase()}${parsed.pathname}${parsed.search}`;
}

/** The path prefix (no leading or trailing slash) under which a virtual host is served. */
export function virtualHostPrefix(host: string): string {
  return host.toLowerCase();
}
