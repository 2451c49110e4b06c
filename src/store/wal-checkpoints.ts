/**
 * Checkpoints for the embedded engine. PGlite runs PostgreSQL in single-user mode, where nothing
 * asks for a checkpoint as the write-ahead log fills: that is the checkpointer process's job, and
 * single-user mode has no other processes (PostgreSQL's `XLogWrite` requests one only when
 * `IsUnderPostmaster`). So the WAL grew by every write until the database closed — 2.4 GB two
 * minutes into importing 10,000 generated patients, 8 KB page writes of which were a fifth of the
 * import's time — and a start after a crash would replay all of it.
 *
 * This does the checkpointer's part: at most every `intervalMs` it asks how much WAL has been
 * written since the last checkpoint's redo point and, past `maxBytes`, runs `CHECKPOINT`, which
 * writes the dirty pages and lets PostgreSQL recycle the WAL files before it. The engine calls
 * {@link WalCheckpoints.poke} after each statement and transaction: WAL grows only through them,
 * and a timer would not do, because an import's chain of in-process statements never yields to
 * the event loop's timers (measured: none fired in 40 s of importing). The check is one small
 * query on PGlite's single connection, in its turn like any statement.
 *
 * @see https://www.postgresql.org/docs/current/wal-configuration.html
 */
import type { SqlClient } from './database.js';

/** WAL written since the last checkpoint that triggers the next one. */
export const CHECKPOINT_WAL_BYTES = 256 * 1024 * 1024;
/** How often the WAL written is checked. */
export const CHECKPOINT_CHECK_MS = 10_000;

/** Options of {@link WalCheckpoints}. */
export interface WalCheckpointOptions {
  maxBytes?: number;
  intervalMs?: number;
  /** Told when a check or a checkpoint fails (the next check tries again). */
  onError?: (err: unknown) => void;
  /** Milliseconds on a monotonic clock (injected by tests). */
  now?: () => number;
}

/** Runs `CHECKPOINT` whenever enough WAL has been written since the last one. */
export class WalCheckpoints {
  private readonly maxBytes: number;
  private readonly intervalMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly now: () => number;
  private lastCheck: number;
  private running: Promise<boolean> | undefined;
  private stopped = false;

  constructor(private readonly db: SqlClient, opts: WalCheckpointOptions = {}) {
    this.maxBytes = opts.maxBytes ?? CHECKPOINT_WAL_BYTES;
    this.intervalMs = opts.intervalMs ?? CHECKPOINT_CHECK_MS;
    this.onError = opts.onError ?? ((err) => process.emitWarning(`WAL checkpoint failed: ${String(err)}`));
    this.now = opts.now ?? (() => performance.now());
    this.lastCheck = this.now();
  }

  /** Called after each statement or transaction: starts a check when `intervalMs` has passed since the last. */
  poke(): void {
    if (this.stopped || this.running) return;
    const now = this.now();
    if (now - this.lastCheck < this.intervalMs) return;
    this.lastCheck = now;
    this.check().catch(this.onError);
  }

  /** Bytes of WAL written since the last checkpoint's redo point. */
  async walSinceCheckpoint(): Promise<number> {
    const res = await this.db.query<{ bytes: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), (SELECT redo_lsn FROM pg_control_checkpoint()))::bigint::text AS bytes`,
    );
    return Number(res.rows[0]?.bytes ?? 0);
  }

  /** Checks now (one check at a time); resolves true when it ran a checkpoint. */
  check(): Promise<boolean> {
    this.running ??= (async () => {
      try {
        if ((await this.walSinceCheckpoint()) < this.maxBytes) return false;
        await this.db.query('CHECKPOINT');
        return true;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Stops checking; waits for a check under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }
}
