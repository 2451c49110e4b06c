/**
 * The audit trail's batches written from a worker thread (PostgreSQL only). Every read of the
 * record appends an audit row; building, hashing and sending those rows cost the server's main
 * thread — the one answering requests, and the one a Node server runs out of first — about
 * 80 µs a read. With the writing in a worker, the main thread only queues the records and hands
 * each batch over as one message; the worker (`audit-worker.ts`) appends it over its own
 * connection, into the writer's chain.
 *
 * If the worker stops (it cannot connect, or it crashes), the batches it had not confirmed and
 * all later ones are written in the main thread instead, as `fallback`: a batch the worker had
 * committed without confirming is then stored twice, never lost. The chain's head lock keeps the
 * two writers from interleaving.
 */
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AccessRecord } from '../audit/access-record.js';
import type { AuditSourceNames } from '../audit/stored-access.js';
import type { AuditLogger } from './audit-log.js';
import type { AuditWorkerData } from './audit-worker.js';

/** Messages to the worker: a batch to store, or "finish what you have and stop". */
export type ToAuditThread = { type: 'batch'; id: number; records: AccessRecord[] } | { type: 'close' };
/** Messages from the worker: a batch stored (or logged as lost), or a log line. */
export type FromAuditThread = { type: 'stored'; id: number } | { type: 'log'; level: 'warn' | 'error'; obj: object; msg: string };

/**
 * The compiled worker module: beside this one in `dist`; under Vitest, which runs this module
 * from `src/` where there is no JavaScript to start a thread from, the build's copy.
 */
export function auditWorkerUrl(): URL {
  const beside = new URL('./audit-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : new URL('../../dist/src/store/audit-worker.js', import.meta.url);
}

/** Options of {@link AuditThread}. */
export interface AuditThreadOptions {
  databaseUrl: string;
  /** The chain the batches go into (the AuditWriter's). */
  chain: string;
  source?: AuditSourceNames;
  log: AuditLogger;
  /** Stores a batch in this thread: used once the worker has stopped. */
  fallback: (batch: AccessRecord[], chain: string) => Promise<void>;
  /** The worker module (default {@link auditWorkerUrl}). */
  workerUrl?: URL;
}

/** A worker thread storing audit batches; its `store` is an AuditWriter's `store`. */
export class AuditThread {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Batches handed to the worker and not yet confirmed, in the order sent. */
  private readonly waiting = new Map<number, { batch: AccessRecord[]; done: () => void }>();
  private closing = false;

  constructor(private readonly opts: AuditThreadOptions) {
    const workerData: AuditWorkerData = { databaseUrl: opts.databaseUrl, chain: opts.chain, source: opts.source ?? {} };
    const worker = new Worker(opts.workerUrl ?? auditWorkerUrl(), { workerData });
    worker.on('message', (m: FromAuditThread) => {
      if (m.type === 'stored') {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (this.waiting.size === 0) this.worker?.unref();
        w?.done();
      } else this.opts.log[m.level](m.obj, m.msg);
    });
    worker.on('error', (err) => this.stopped(err));
    worker.on('exit', (code) => {
      if (!this.closing) this.stopped(new Error(`audit worker thread exited with code ${code}`));
    });
    // An idle worker does not keep the process alive; one with batches to store does (below).
    worker.unref();
    this.worker = worker;
  }

  /** Whether batches are going to the worker (false once it has stopped). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Stores `batch`; resolves when it is stored (or logged as lost). Never rejects. */
  readonly store = (batch: AccessRecord[], chain: string): Promise<void> => {
    const worker = this.worker;
    if (!worker) return this.opts.fallback(batch, chain);
    return new Promise<void>((done) => {
      const id = this.nextId++;
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(id, { batch, done });
      const message: ToAuditThread = { type: 'batch', id, records: batch };
      worker.postMessage(message);
    });
  };

  /** Lets the worker finish the batches it has, and stop. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.closing = true;
    worker.ref();
    const exited = once(worker, 'exit');
    const message: ToAuditThread = { type: 'close' };
    worker.postMessage(message);
    await exited;
    this.worker = undefined;
  }

  /** The worker is gone: write what it had not confirmed here, in order, and everything after. */
  private stopped(err: unknown): void {
    if (!this.worker) return;
    this.worker = undefined;
    this.opts.log.error({ err }, 'audit worker thread stopped; writing the audit trail in the main thread');
    const unconfirmed = [...this.waiting.values()];
    this.waiting.clear();
    void unconfirmed.reduce(
      (previous, w) => previous.then(() => this.opts.fallback(w.batch, this.opts.chain)).then(w.done),
      Promise.resolve(),
    );
  }
}
