/**
 * The audit trail of one FHIR request: what the router learns while answering it (the action,
 * whose records it touched, which resources), turned into an `AccessRecord` when it ends.
 * Reads and refusals are queued for the batching writer; writes are appended inside their own
 * transaction (the store calls back), so a write and its audit commit together.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 */
import { MAX_AUDIT_ENTITIES, type AccessAction, type AccessAgent, type AccessOutcome, type AccessRecord, type PurposeOfUse } from '../audit/access-record.js';
import type { Principal } from '../auth/principal.js';
import type { SqlClient } from '../store/database.js';
import type { WriteAudit } from '../store/fhir-store.js';
import type { AuditSearch, PatientAccessPage, StatementAudit } from '../store/audit-log.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { PendingWrite } from '../store/write-session.js';

/** Where audit records go, and where the trail is read back from. */
export interface AuditSinks {
  /** Queues a record for the batching writer (reads, searches, refusals, failed writes). */
  queue(record: AccessRecord): void;
  /** Appends records inside a write's transaction. */
  append(tx: SqlClient, records: readonly AccessRecord[]): Promise<unknown>;
  /** Records as parts of a write's one statement (see `StatementAudit`), or undefined: use a transaction. Optional. */
  forStatement?(records: readonly AccessRecord[]): Promise<StatementAudit | undefined>;
  /** A person's access list across their Patient records (`records`), newest first, in their view. */
  listForPatient(records: readonly string[], opts: { count: number; before?: string }): Promise<PatientAccessPage>;
  /** Audit events for investigators. */
  search(q: AuditSearch): Promise<AuditEvent[]>;
}

/** Why a kind of caller accesses records, as a v3 ActReason code. */
function purposeOf(p: Principal): PurposeOfUse {
  if (p.kind === 'practitioner') return 'TREAT';
  if (p.kind === 'patient') return 'PATRQT';
  if (p.kind === 'proxy') return 'FAMRQT';
  return 'HOPERAT';
}

/** The agents of recent callers, one object per token's principal (see {@link agentOf}). */
const agents = new WeakMap<Principal, { display: string | undefined; organizationName: string | undefined; agent: AccessAgent }>();

/**
 * Who acted, as a record names them. A caller's requests share one agent object (principals are
 * cached per token, and the names rarely change), so a server auditing thousands of reads a
 * second builds it once per caller, and a batch handed to the audit thread copies it once.
 * Records must treat it as read-only.
 */
function agentOf(p: Principal, display: string | undefined, organizationName: string | undefined): AccessAgent {
  const known = agents.get(p);
  if (known && known.display === display && known.organizationName === organizationName) return known.agent;
  const agent: AccessAgent = { clientId: p.clientId, role: p.role ?? (p.kind === 'system' ? 'system' : p.kind) };
  if (p.fhirUser) agent.reference = p.fhirUser;
  if (display) agent.display = display;
  if (p.organization) agent.organization = p.organization;
  if (organizationName) agent.organizationName = organizationName;
  if (p.userId) agent.userId = p.userId;
  if (p.tokenId) agent.tokenId = p.tokenId;
  agents.set(p, { display, organizationName, agent });
  return agent;
}

/** What one request did, gathered while the router answers it. */
export class RequestAudit {
  action?: AccessAction;
  outcome?: AccessOutcome;
  query?: string;
  private readonly patients = new Set<string>();
  private readonly entities: string[] = [];
  private entityCount = 0;
  /** True once the record was appended inside a write's transaction. */
  private written = false;

  constructor(
    private readonly sinks: AuditSinks | undefined,
    private readonly principal: Principal,
    private readonly displayName: string | undefined,
    private readonly organizationName: string | undefined,
    private readonly now: () => Date,
    private readonly sourceIp?: string,
  ) {}

  /** Notes a resource the response contains (or a refused one). */
  touched(resourceType: string, id: string, patientId?: string | null): void {
    if (patientId) this.patients.add(patientId);
    if (this.entityCount++ < MAX_AUDIT_ENTITIES) this.entities.push(`${resourceType}/${id}`);
  }

  /** Notes a patient whose record the request reached. */
  patient(id: string): void {
    this.patients.add(id);
  }

  /** The record as it stands. */
  record(outcome: AccessOutcome, extra: Partial<AccessRecord> = {}): AccessRecord {
    const p = this.principal;
    const r: AccessRecord = {
      action: this.action ?? 'operation',
      outcome,
      at: this.now(),
      agent: agentOf(p, this.displayName, this.organizationName),
      patientIds: [...this.patients],
      entities: this.entities,
      purpose: purposeOf(p),
    };
    if (this.query) r.query = this.query;
    if (this.sourceIp) r.sourceIp = this.sourceIp;
    return Object.assign(r, extra);
  }

  /**
   * The audit of this request's write: one record per kind of change (create, update, delete),
   * naming every version written, appended in the write's transaction or made part of its one
   * statement (when the sinks can).
   */
  forWrite(): WriteAudit | undefined {
    const sinks = this.sinks;
    if (!sinks) return undefined;
    const audit: WriteAudit = {
      append: async (tx, written) => {
        const records = this.writeRecords(written);
        if (records.length > 0) await sinks.append(tx, records);
        this.written = true;
      },
    };
    if (sinks.forStatement) {
      const forStatement = sinks.forStatement.bind(sinks);
      audit.forStatement = async (written) => {
        const part = await forStatement(this.writeRecords(written));
        if (!part) return undefined;
        return {
          addTo: (b) => part.addTo(b),
          settle: (committed) => {
            part.settle(committed);
            if (committed) this.written = true;
          },
        };
      };
    }
    return audit;
  }

  /** The records of a write of `written`, one per kind of change. */
  private writeRecords(written: readonly PendingWrite[]): AccessRecord[] {
    const byAction = new Map<AccessAction, PendingWrite[]>();
    for (const w of written) {
      const action: AccessAction = w.deleted ? 'delete' : w.method === 'PATCH' ? 'patch' : w.versionId === 1 ? 'create' : 'update';
      const group = byAction.get(action);
      if (group) group.push(w);
      else byAction.set(action, [w]);
    }
    // Every record of the transaction carries its one instant: the new versions' lastUpdated.
    const at = written.find((w) => !w.unchanged)?.lastUpdated ?? this.now();
    return [...byAction].map(([action, ws]) => {
      const one = new RequestAudit(undefined, this.principal, this.displayName, this.organizationName, this.now, this.sourceIp);
      one.action = action;
      if (this.query) one.query = this.query;
      for (const w of ws) {
        for (const pid of w.patientIds) one.patient(pid);
        one.touched(w.resourceType, w.id);
      }
      return one.record('success', { at });
    });
  }

  /**
   * Appends the request's record now, inside `tx` (an operation's own transaction, such as
   * breaking the glass), instead of queueing it at the end.
   */
  async appendIn(tx: SqlClient, outcome: AccessOutcome, extra: Partial<AccessRecord> = {}): Promise<void> {
    if (!this.sinks) return;
    await this.sinks.append(tx, [this.record(outcome, extra)]);
    this.written = true;
  }

  /** Queues the request's record unless a write already appended it. */
  finish(status: number): void {
    if (!this.sinks || this.written || !this.action) return;
    const outcome: AccessOutcome = this.outcome ?? (status < 400 ? 'success' : status === 404 || status === 410 ? 'not-found' : status === 401 || status === 403 ? 'denied' : 'error');
    this.sinks.queue(this.record(outcome));
  }
}
