/**
 * The one validated configuration object. This module is the only reader of `process.env`
 * (callers pass `env` in), so everything else receives its settings explicitly.
 */
import { z } from 'zod';
import path from 'node:path';
import { loadAuthConfig, type AuthConfig } from '../auth/auth-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  // postgres:// URLs may have an empty host (a Unix socket named by ?host=/dir), which a
  // generic URL check rejects; require the scheme only and let `pg` parse the rest.
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  loadDemo: z.boolean(),
  logLevel: z.enum(LOG_LEVELS),
  /** Public base URL used in absolute links (Bundle.link, fullUrl); defaults to http://host:port. */
  baseUrl: z.string().url().optional(),
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  bodyLimit: z.coerce.number().int().positive(),
  /** Connections in the PostgreSQL pool (ignored for PGlite, which is single-connection). */
  poolSize: z.coerce.number().int().positive().max(500),
});

/** Validated, frozen settings for one Tessera process. */
export type Config = Readonly<z.infer<typeof configSchema>> & { readonly auth: AuthConfig };

/** Overrides from the command line; they win over the environment. */
export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
  loadDemo?: boolean;
  databaseUrl?: string;
  logLevel?: (typeof LOG_LEVELS)[number];
}

/**
 * Builds the configuration from an environment map and command-line overrides.
 * Throws a readable error naming the bad setting when a value is invalid.
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: ConfigOverrides = {}, cwd = process.cwd()): Config {
  const raw = {
    port: overrides.port ?? env.PORT ?? 8080,
    host: env.HOST ?? '127.0.0.1',
    dataDir: path.resolve(cwd, overrides.dataDir ?? env.TESSERA_DATA ?? 'data'),
    databaseUrl: overrides.databaseUrl ?? (env.DATABASE_URL || undefined),
    loadDemo: overrides.loadDemo ?? env.TESSERA_DEMO !== 'false',
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
    baseUrl: env.TESSERA_BASE_URL || undefined,
    bodyLimit: env.TESSERA_BODY_LIMIT ?? 64 * 1024 * 1024,
    // A small pool is fastest on a few cores (fewer backends contending for CPU); raise it on
    // larger database servers.
    poolSize: env.TESSERA_POOL_SIZE ?? 8,
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return Object.freeze({ ...parsed.data, auth: loadAuthConfig(env) });
}
