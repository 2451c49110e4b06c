/**
 * Real Chromium for browser tests: Debian's `chromium` package, installed with apt-get when it
 * is missing and the tests run as root (as `postgres-cluster.ts` does for PostgreSQL), driven
 * by `playwright-core` with a fresh profile each time and no network services.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where Debian puts Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, headless Chromium. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Installs Chromium when missing (root only); returns its path. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) throw new Error('Chromium is missing; install the Debian package `chromium` (or run the tests as root to have it installed).');
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(CHROMIUM)) throw new Error('installing chromium did not provide /usr/bin/chromium');
  return CHROMIUM;
}

/** A fresh profile folder, and how to remove it. */
export function freshProfile(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-chromium-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
