/**
 * HTTP requests sent exactly as written: `fetch` normalises paths (`/api/./x` becomes `/api/x`)
 * and cannot choose the local address, which the access and throttling tests need.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(
  url: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    /** Any of 127.0.0.0/8 on Linux: lets one test act as several clients. */
    localAddress?: string;
  },
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        localAddress: options.localAddress,
        agent: false,
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
