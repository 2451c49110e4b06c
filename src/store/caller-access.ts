/**
 * Binds a verified caller to what they may see: reads the few facts a policy needs (their proxy
 * relationships, linked records, pending enhanced reviews), decides the policy
 * (`access/policy.ts`) and turns it into the SQL condition every read applies
 * (`access-sql.ts`). Also records break-glass grants.
 */
import { ACCESS_PARAM, REVIEW_TYPES } from '../access/access-entries.js';
import { lowerOf, type OnlineLevel } from '../access/online-level.js';
import { accessPolicy, patientIdOf, publicStartingPoints, type AccessPolicy, type CallerFacts, type ProxyFact } from '../access/policy.js';
import type { Principal } from '../auth/principal.js';
import { visibilityFor, type DecisionCache, type PersonDecision, type Visibility } from './access-sql.js';
import { AuthStore } from './auth-store.js';
import type { SqlClient } from './database.js';
import { linkedPatients } from './patient-everything.js';
import { TtlCache } from './ttl-cache.js';
import { Binder } from './search-sql.js';

/** A caller with their policy: what every store call on their behalf is given. */
export interface CallerAccess {
  principal: Principal;
  policy: AccessPolicy;
  visible: Visibility;
  /** The person's name, for the audit trail a patient reads (Tessera sign-ins). */
  displayName?: string;
  /** Their organisation's name, likewise. */
  organizationName?: string;
}

/** A break-glass grant. */
export interface BreakGlassGrant {
  patientId: string;
  subject: string;
  reason: string;
  grantedAt: Date;
  expiresAt: Date;
  actor?: string;
  organization?: string;
}

/** Resolves callers' access over one database. */
export class AccessResolver {
  /**
   * Facts of public callers, briefly, per token: a patient's app makes several requests a
   * second and the facts (proxies, links) change rarely. A change is seen within `factsTtlMs`
   * on every node.
   */
  private readonly facts: TtlCache<CallerFacts>;
  /** Staff access decisions per person, as briefly (see `DecisionCache`). */
  private readonly decisions: TtlCache<PersonDecision>;
  /** People's and organisations' names for the audit trail, for a few minutes. */
  private readonly names = new TtlCache<string | undefined>(300_000);
  private readonly decisionCache: DecisionCache;

  constructor(
    private readonly db: SqlClient,
    private readonly now: () => Date = () => new Date(),
    factsTtlMs = 5000,
  ) {
    this.facts = new TtlCache(factsTtlMs);
    this.decisions = new TtlCache(factsTtlMs, 50_000);
    this.decisionCache = {
      get: (key) => this.decisions.get(key, this.now().getTime()),
      set: (key, d) => this.decisions.set(key, d, this.now().getTime(), d.until),
    };
  }

  /** The caller's policy and visibility condition. */
  async resolve(principal: Principal): Promise<CallerAccess> {
    const now = this.now();
    const isPublic = principal.kind === 'patient' || principal.kind === 'proxy';
    const facts = isPublic ? await this.publicFacts(principal, now) : { linked: new Map(), proxies: [], reviewPending: new Set<string>() };
    const policy = accessPolicy(principal, facts, now);
    const displayName = principal.userId ? await this.displayName(principal.userId, now) : undefined;
    const organizationName = principal.organization ? await this.organizationName(principal.organization, now) : undefined;
    return { principal, policy, visible: visibilityFor(policy, this.decisionCache), ...(displayName ? { displayName } : {}), ...(organizationName ? { organizationName } : {}) };
  }

  /** An organisation's name from its Organization resource, remembered for a few minutes per node. */
  private organizationName(ref: string, now: Date): Promise<string | undefined> {
    return this.names.remember(ref, now.getTime(), async () => {
      const m = /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
      if (!m) return undefined;
      const res = await this.db.query<{ name: string | null }>(`SELECT (content::jsonb)->>'name' AS name FROM resources WHERE resource_type = 'Organization' AND id = $1 AND NOT is_deleted`, [m[1]], { prepare: true });
      return res.rows[0]?.name ?? undefined;
    });
  }

  /** A signed-in user's display name, remembered for a few minutes per node. */
  private displayName(userId: string, now: Date): Promise<string | undefined> {
    return this.names.remember(`user|${userId}`, now.getTime(), async () => (await new AuthStore(this.db).findUserById(userId))?.displayName);
  }

  private publicFacts(principal: Principal, now: Date): Promise<CallerFacts> {
    return this.facts.remember(`${principal.issuer}|${principal.subject}|${principal.patient ?? ''}`, now.getTime(), () => this.loadPublicFacts(principal));
  }

  private async loadPublicFacts(principal: Principal): Promise<CallerFacts> {
    const now = this.now();
    const relationships = principal.userId ? await new AuthStore(this.db).listProxyRelationships(principal.userId, now) : [];
    const starts = [...new Set([...publicStartingPoints(principal), ...relationships.map((r) => r.patientId)])];
    const linked = new Map<string, string[]>();
    for (const id of starts) linked.set(id, await linkedPatients(this.db, id));
    const birthDates = new Map<string, string>();
    if (relationships.length > 0) {
      const res = await this.db.query<{ id: string; birth: string | null }>(
        `SELECT id, (content::jsonb)->>'birthDate' AS birth FROM resources WHERE resource_type = 'Patient' AND id = ANY($1::text[]) AND NOT is_deleted`,
        [relationships.map((r) => r.patientId)],
      );
      for (const row of res.rows) if (row.birth) birthDates.set(row.id, row.birth);
    }
    const proxies: ProxyFact[] = relationships.map((r) => ({
      patientId: r.patientId, permissions: r.permissions,
      ...(birthDates.has(r.patientId) ? { birthDate: birthDates.get(r.patientId)! } : {}),
      ...(r.validFrom ? { validFrom: r.validFrom } : {}), ...(r.validTo ? { validTo: r.validTo } : {}),
    }));
    // Levels apply to the person's own record (a proxy's view is set by their permissions).
    const ownId = patientIdOf(principal.fhirUser);
    const levels = await this.onlineLevels(ownId ? [linked.get(ownId) ?? [ownId]] : []);
    return { linked, proxies, reviewPending: await this.pendingReviews([...linked.values()]), ...(levels.size > 0 ? { levels } : {}) };
  }

  /**
   * The online access level a practice set below `full` (`access/online-level.ts`), per record:
   * each person's lowest over their linked records, given to every one of them.
   */
  private async onlineLevels(people: string[][]): Promise<Map<string, OnlineLevel>> {
    const all = [...new Set(people.flat())];
    const out = new Map<string, OnlineLevel>();
    if (all.length === 0) return out;
    const res = await this.db.query<{ patient_id: string; code: string }>(
      `SELECT patient_id, code FROM search_token WHERE patient_id = ANY($1::text[]) AND resource_type = 'Patient' AND param = $2`,
      [all, ACCESS_PARAM.level],
      { prepare: true },
    );
    if (res.rows.length === 0) return out;
    for (const person of people) {
      let level: OnlineLevel = 'full';
      for (const row of res.rows) if (person.includes(row.patient_id)) level = lowerOf(level, row.code as OnlineLevel);
      if (level !== 'full') for (const id of person) out.set(id, level);
    }
    return out;
  }

  /**
   * People (as groups of linked records) whose latest enhanced-review marker says a review is
   * indicated: "…104 without a later …106" fails closed (nhs-domain §3.3).
   */
  private async pendingReviews(people: string[][]): Promise<Set<string>> {
    const all = [...new Set(people.flat())];
    const pending = new Set<string>();
    if (all.length === 0) return pending;
    const res = await this.db.query<{ patient_id: string; code: string; text_value: string | null }>(
      `SELECT patient_id, code, text_value FROM search_token WHERE patient_id = ANY($1::text[]) AND resource_type = ANY($2::text[]) AND param = $3`,
      [all, REVIEW_TYPES, ACCESS_PARAM.review],
      { prepare: true },
    );
    for (const person of people) {
      let indicated = '';
      let cleared = '';
      for (const row of res.rows) {
        if (!person.includes(row.patient_id)) continue;
        const d = row.text_value ?? '';
        if (row.code === 'indicated' && d >= indicated) indicated = d || ' ';
        if (row.code === 'not-indicated' && d >= cleared) cleared = d || ' ';
      }
      if (indicated && !(cleared && cleared > indicated)) for (const id of person) pending.add(id);
    }
    return pending;
  }

  /** True when the caller may see the Patient record `patientId`. */
  async canSeePatient(access: CallerAccess, patientId: string, client: SqlClient = this.db): Promise<boolean> {
    if (access.policy.kind === 'unrestricted') return true;
    const b = new Binder(access.visible);
    const res = await client.query(`SELECT 1 FROM resources r WHERE r.resource_type = 'Patient' AND r.id = ${b.bind(patientId)} AND NOT r.is_deleted${b.visibleAnd('r')}`, b.values, { prepare: true });
    return res.rows.length > 0;
  }

  /**
   * Forgets what this node remembers about callers' access, after a write that may change it
   * (a relationship, a consent choice, a break-glass grant, a proxy). Other nodes catch up within
   * the TTL.
   */
  forget(what: 'all' | 'public-facts' = 'all'): void {
    if (what === 'all') this.decisions.clear();
    this.facts.clear();
  }

  /** Records a break-glass grant. */
  async grantBreakGlass(g: BreakGlassGrant, client: SqlClient = this.db): Promise<void> {
    await client.query(
      `INSERT INTO break_glass_grants (patient_id, subject, granted_at, expires_at, reason, actor, organization) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [g.patientId, g.subject, g.grantedAt, g.expiresAt, g.reason, g.actor ?? null, g.organization ?? null],
    );
    this.forget();
  }
}
