/**
 * A small closed-loop HTTP load generator: `concurrency` clients each send a request as soon as
 * the previous one answers, for `durationMs`, over keep-alive connections. Reports throughput
 * and latency percentiles.
 *
 * The load runs through undici (Node's own HTTP client library, behind `fetch`): on these 2-core
 * machines the generator shares the CPU with the server and the database, and undici spends
 * about a quarter less CPU per request than `node:http`, which leaves more of the machine to
 * what is being measured.
 */
import http from 'node:http';
import { Pool } from 'undici';

/** One request to send. */
export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** Throughput and latency of a run. */
export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Headers every request carries unless it names its own (the bearer token of the run). */
let defaultHeaders: Record<string, string> = {};

/** Sets the headers every following request carries. */
export function setDefaultHeaders(h: Record<string, string>): void {
  defaultHeaders = h;
}

/** Sends one request; resolves with status and body. */
export function send(agent: http.Agent, base: URL, req: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { agent, host: base.hostname, port: base.port, method: req.method, path: req.path, headers: { ...defaultHeaders, ...(req.body ? { 'content-type': 'application/fhir+json' } : {}), ...req.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body) r.write(req.body);
    r.end();
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `next()`-generated requests from `concurrency` clients for `durationMs`.
 * `check` decides whether a response counts as an error.
 */
export async function runLoad(
  baseUrl: string,
  concurrency: number,
  durationMs: number,
  next: (client: number) => LoadRequest,
  check: (status: number, req: LoadRequest, body: string) => boolean = (s) => s < 400,
  after?: (req: LoadRequest, status: number, body: string) => void,
): Promise<LoadResult> {
  // One connection per client, one request at a time on each (no pipelining): closed loop.
  const pool = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      while (performance.now() < end) {
        const req = next(client);
        const t0 = performance.now();
        try {
          const res = await pool.request({
            method: req.method as 'GET',
            path: req.path,
            headers: { ...defaultHeaders, ...(req.body ? { 'content-type': 'application/fhir+json' } : {}), ...req.headers },
            ...(req.body ? { body: req.body } : {}),
          });
          const body = await res.body.text();
          latencies.push(performance.now() - t0);
          if (!check(res.statusCode, req, body)) errors++;
          after?.(req, res.statusCode, body);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, errors, perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99),
  };
}
