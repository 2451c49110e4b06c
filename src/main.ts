/**
 * Composition root: config → database → migrations → store → router → HTTP server. The only
 * place that knows every concrete implementation; everything else receives its dependencies.
 */
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { RESOURCE_TYPES, isKnownResourceType, validateResource } from './fhir/validation/index.js';
import { publicUrlFor, registerAuth, type Auth } from './auth/register-auth.js';
import { listDemoUsers, pickDemoIdentities, seedDemoUsers } from './auth/demo-users.js';
import { snapshotCliCredentials, writeCliCredentials } from './auth/cli-credentials.js';
import { nhsNumberIssues } from './fhir/nhs-number.js';
import { validateProfiles } from './fhir/profiles/index.js';
import type { OperationOutcomeIssue, Resource } from './fhir/types.js';
import { FhirRouter } from './http/fhir-router.js';
import { buildServer } from './http/server.js';
import { SearchRegistry } from './search/registry.js';
import type { Database } from './store/database.js';
import { FhirStore } from './store/fhir-store.js';
import { ReindexWorker } from './store/reindex.js';
import { RegistryHolder } from './store/search-param-registry.js';
import { migrate } from './store/migrate.js';
import { openPgliteDatabase } from './store/pglite-database.js';
import { openPostgresDatabase } from './store/postgres-database.js';
import { loadDemoDataOnce } from './cli/demo-data.js';
import { buildOperations } from './operations/index.js';
import { AccessResolver } from './store/caller-access.js';
import { backfillAccessRows } from './store/access-backfill.js';
import { auditSinks } from './store/audit-log.js';
import { bearerToken, TokenError, type Principal } from './auth/principal.js';
import { parseScope, type ResourceScope } from './auth/scopes.js';
import { cachingVerifier } from './auth/token-cache.js';
import type { VerifyAccessToken } from './auth/verify-token.js';
import { patientAppClient } from './patient-app/session/oauth-client.js';
import { registerPatientApp } from './patient-app/register-patient-app.js';
import { demoSourceDirectory } from './cli/demo-sources.js';
import { DEMO_LIMITED_ACCESS, setDemoOnlineLevel } from './cli/demo-access-level.js';
import { listSourceDeliveries } from './store/source-deliveries.js';
import { onlineLevelIn } from './access/policy.js';

/** A running (or ready-to-listen) Tessera instance. */
export interface Tessera {
  config: Config;
  auth: Auth;
  db: Database;
  store: FhirStore;
  app: FastifyInstance;
  log: Logger;
  close(): Promise<void>;
}

/** Who every request is in the insecure open mode (benchmarks only): a backend system with every scope. */
const OPEN_API_PRINCIPAL: Principal = {
  kind: 'system', clientId: 'open-api', scope: 'system/*.cruds', scopes: [parseScope('system/*.cruds') as ResourceScope],
  subject: 'open-api', issuer: 'insecure-open-api', expiresAt: new Date(8.64e15),
};

/**
 * Opens the configured database: PostgreSQL when `databaseUrl` is set, else embedded PGlite
 * (whose background checkpoints report failures to `log` when given).
 */
export async function openDatabase(config: Config, log?: Logger): Promise<Database> {
  if (config.databaseUrl) return openPostgresDatabase(config.databaseUrl, config.poolSize);
  return openPgliteDatabase(config.dataDir, log ? { checkpoints: { onError: (err) => log.error({ err }, 'WAL checkpoint failed; the next check tries again') } } : {});
}

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** The base definitions (default: R4's). */
  registry?: SearchRegistry;
  /** How often the node checks for changed SearchParameters (default 1 s). */
  registryRefreshMs?: number;
  /** How long a SearchParameter's reindex job waits before starting (default 2 s: two checks). */
  reindexDelayMs?: number;
}

/**
 * Builds the store over an open, migrated database. Its registry follows the SearchParameters
 * stored there (see `store/search-param-registry.ts`).
 */
export function createStore(db: Database, opts: StoreOptions = {}): FhirStore {
  const refreshMs = opts.registryRefreshMs ?? 1000;
  const registry = new RegistryHolder(db, opts.registry ?? new SearchRegistry(), { refreshMs });
  return new FhirStore({ db, registry, validate: validateResource, rules: businessRules, reindexDelayMs: opts.reindexDelayMs ?? 2 * refreshMs });
}

/**
 * Checks beyond the base structure, on every write (422 on error): the UK Core profiles a
 * resource claims in `meta.profile`, and valid NHS numbers on Patients.
 */
export function businessRules(resource: unknown): OperationOutcomeIssue[] {
  const r = resource as Resource;
  const issues = validateProfiles(r);
  return r.resourceType === 'Patient' ? [...issues, ...nhsNumberIssues(r)] : issues;
}

/** Creates a logger that never prints secrets (authorization headers, cookies, passwords). */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
  });
}

/** Assembles Tessera. Loads the demo data on first start when enabled. */
export async function createTessera(config: Config, log = createLogger(config)): Promise<Tessera> {
  const db = await openDatabase(config, log);
  await migrate(db);
  const store = createStore(db);
  await store.refreshRegistry(true);
  // Builds the index rows of new and changed SearchParameters over existing data, in batches.
  const reindexer = new ReindexWorker(db, {
    registry: store.registry.base, intervalMs: 1000,
    onBatch: (r) => log.info({ reindex: r }, r.isDone ? `Reindexing ${r.base}.${r.code} finished` : `Reindexed ${r.resources} ${r.base} resources for ${r.code}`),
    onError: (err) => log.error({ err }, 'Reindex batch failed; it will be retried from the last committed batch'),
  });
  const backfilled = await backfillAccessRows(db, store.registry);
  if (backfilled > 0) log.info(`Computed access rows for ${backfilled} stored resources`);
  let ready = false;
  // What the access resolver remembers (callers' facts, staff decisions per person) is cleared at
  // once by changes made on this node; other nodes see a change within the TTL. The embedded
  // database has exactly one node (one process holds its data folder), so nothing changes
  // behind its back and it can remember for longer; on PostgreSQL, app nodes share the database.
  const access = new AccessResolver(db, undefined, db.kind === 'pglite' ? 60_000 : 5_000);
  // On PostgreSQL the batches of read audits are written from a worker thread with its own
  // connection, off the thread that answers requests; PGlite lives in this thread, so they are written here.
  const audit = config.auth.openApi ? undefined : auditSinks(db, log, config.databaseUrl ? { thread: { databaseUrl: config.databaseUrl } } : {});
  const router = new FhirRouter({
    store, resourceTypes: RESOURCE_TYPES, operations: buildOperations({ store, access, now: () => new Date(), ...(audit ? { audit } : {}) }), access,
    ...(audit ? { audit } : {}),
  });
  // Sign-in is mounted on the same server below; requests arrive only after it is.
  let verify: VerifyAccessToken | undefined;
  if (config.auth.openApi) {
    if (!['127.0.0.1', 'localhost', '::1'].includes(config.host)) throw new Error('TESSERA_INSECURE_OPEN_API is refused unless the server listens on a loopback address');
    log.warn('TESSERA_INSECURE_OPEN_API=true: the FHIR API is OPEN — no authentication, no access control, no audit. For benchmarks only.');
  }
  const app = await buildServer({
    router, logger: log, bodyLimit: config.bodyLimit, isReady: () => ready,
    authenticate: config.auth.openApi ? async () => OPEN_API_PRINCIPAL : async (authorization) => {
      if (!verify) throw new TokenError('missing');
      return verify(bearerToken(authorization));
    },
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
  const publicUrl = publicUrlFor(config);
  const auth = await registerAuth(app, {
    db, config: config.auth, publicUrl, log, isResourceType: isKnownResourceType,
    builtinClients: [patientAppClient(publicUrl)],
    lookupPatient: async (id) => {
      const v = await store.readCurrent('Patient', id);
      if (!v || v.deleted) return undefined;
      const name = (JSON.parse(v.json) as { name?: { text?: string; given?: string[]; family?: string }[] }).name?.[0];
      return { name: name?.text ?? [...(name?.given ?? []), name?.family ?? ''].join(' ').trim() };
    },
  });
  verify = cachingVerifier(auth.verifyAccessToken);
  if (config.auth.mode === 'builtin') {
    await registerPatientApp(app, {
      router, verifyAccessToken: auth.verifyAccessToken, authStore: auth.store, publicUrl,
      issuer: auth.issuer, fhirBase: auth.fhirBase, sources: demoSourceDirectory(() => listSourceDeliveries(db)), log,
      onlineLevel: async (principal, patientId) => onlineLevelIn((await access.resolve(principal)).policy, patientId),
    });
  }
  if (config.loadDemo) {
    await loadDemoDataOnce(store, log, `${publicUrl}/fhir`);
    // Databases loaded before demo users existed get them too; later starts skip the lookups.
    if ((await listDemoUsers(db)).length === 0) {
      const ids = await pickDemoIdentities(store, new Date());
      if (ids) {
        await seedDemoUsers(db, ids);
        const limited = ids.patients[1];
        if (limited) await setDemoOnlineLevel(store, limited.id, DEMO_LIMITED_ACCESS.level);
      }
    }
  }
  // The embedded database is single-process: `tessera token` and `tessera users` read a
  // credentials file (mode 0600) in the data folder instead of opening the database.
  if (!config.databaseUrl) writeCliCredentials(config.dataDir, await snapshotCliCredentials(auth));
  reindexer.start();
  ready = true;
  return {
    config, db, store, app, log, auth,
    async close() {
      await reindexer.stop();
      await app.close();
      // Reads audited since the last batch are written before the database closes.
      await audit?.close();
      store.statistics.cancel();
      await db.close();
    },
  };
}
