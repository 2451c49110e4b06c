/**
 * `tessera import [--parallel N] FILE…`: load data files with a progress line and a summary.
 * Each file (or chunk of one) is its own transaction. On PostgreSQL, files that
 * `import-waves.ts` finds independent (`tessera generate`'s files of one number) load up to
 * `parallel` at a time, each on its own connection; PGlite has one connection, so it loads one
 * at a time whatever is asked.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { createStore, openDatabase } from '../main.js';
import { migrate } from '../store/migrate.js';
import { importFile } from './import-files.js';
import { importWaves } from './import-waves.js';

/** Imports each file; exit code 1 when any failed. `parallel`: independent files at once (PostgreSQL). */
export async function runImport(config: Config, files: string[], parallel = 1): Promise<number> {
  if (files.length === 0) {
    process.stderr.write('tessera import: name at least one file\n');
    return 1;
  }
  for (const f of files) statSync(f); // fail early, with the OS's message, on a missing file
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const store = createStore(db);
    await store.refreshRegistry(true);
    const started = Date.now();
    let resources = 0;
    let failedFiles = 0;
    const tty = process.stderr.isTTY;
    const width = config.databaseUrl ? Math.max(1, Math.min(parallel, config.poolSize - 1)) : 1;
    let done = 0;
    const importOne = async (f: string) => {
      const res = await importFile(store, f, config.baseUrl ?? 'http://localhost/fhir', (n) => {
        resources += n;
        const rate = resources / Math.max(0.001, (Date.now() - started) / 1000);
        const bar = '#'.repeat(Math.round(((done + 1) / files.length) * 30)).padEnd(30, '.');
        if (tty) process.stderr.write(`\r[${bar}] file ${done + 1}/${files.length}, ${resources} resources, ${rate.toFixed(0)}/s`);
      });
      done++;
      if (res.error) {
        failedFiles++;
        process.stderr.write(`${tty ? '\n' : ''}${res.file}: FAILED — ${res.error}\n`);
      } else if (!tty) process.stderr.write(`${res.file}: ${res.resources} resources\n`);
    };
    for (const wave of importWaves(files, (f) => path.basename(f))) {
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(width, wave.length) }, async () => {
        while (next < wave.length) await importOne(wave[next++]!);
      }));
    }
    await store.statistics.idle();
    await store.statistics.analyze();
    const secs = (Date.now() - started) / 1000;
    process.stdout.write(`${tty ? '\n' : ''}Imported ${resources} resources from ${files.length - failedFiles} of ${files.length} files in ${secs.toFixed(1)} s (${(resources / Math.max(secs, 0.001)).toFixed(0)}/s)${failedFiles ? `; ${failedFiles} failed` : ''}\n`);
    return failedFiles > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}
