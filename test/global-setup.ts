/**
 * Starts one throwaway PostgreSQL cluster for the whole test run; each test file creates its own
 * database in it (see `test/support/test-store.ts`).
 */
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './support/postgres-cluster.js';
import { ensureChromium } from './support/chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Browser tests need Chromium; install it once here (root only) rather than inside a test's time limit.
  try {
    ensureChromium();
  } catch {
    // Not root: the browser tests say what to install.
  }
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
