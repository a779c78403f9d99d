// Where a client finds the daemon (a TCP host and port, or a unix socket path), and how that is
// named in messages; below endpoint.ts and server-check.ts, which both use it.
export type Endpoint = { host: string; port: number } | { path: string };

// The endpoint as messages name it: host:port, or unix:PATH.
export function describeEndpoint(ep: Endpoint): string {
  return 'path' in ep ? `unix:${ep.path}` : `${ep.host}:${ep.port}`;
}
