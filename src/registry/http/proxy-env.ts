/**
 * The proxy for requests to `url`, read from `env` as curl and Go (skopeo, podman, docker) read it: `https_proxy`
 * for https, `http_proxy` for http (lower case first), never one for the other; `no_proxy` lists hosts reached directly.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const proxy = variable(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!proxy || bypassed(url, variable(env, 'no_proxy') ?? '')) return undefined;
  // `proxy.corp:3128` means http://, as for curl and Go.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/** The proxy's host and port, for messages: never its credentials. */
export function proxyHost(proxy: string): string {
  return URL.canParse(proxy) ? new URL(proxy).host : 'given in the environment';
}

function variable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name] || env[name.toUpperCase()] || undefined;
}

/** NO_PROXY entries: `*`, `host`, `host:port`, `.domain` or `*.domain` (subdomains), IPv6 with or without brackets. */
function bypassed(url: URL, noProxy: string): boolean {
  const host = unbracket(url.hostname.toLowerCase());
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => entry === '*' || matchesEntry(entry.toLowerCase(), host, port));
}

function matchesEntry(entry: string, host: string, port: number): boolean {
  const { name, entryPort } = splitEntry(entry);
  if (entryPort !== undefined && entryPort !== port) return false;
  const domain = name.replace(/^\*?\./, '');
  return host === domain || host.endsWith(`.${domain}`);
}

function splitEntry(entry: string): { name: string; entryPort?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2]);
  if (entry.split(':').length > 2) return { name: entry };
  const [name, port] = entry.split(':');
  return withPort(name!, port);
}

function withPort(name: string, port: string | undefined): { name: string; entryPort?: number } {
  return port ? { name, entryPort: Number(port) } : { name };
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
