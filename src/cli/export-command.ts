/**
 * `tessera export`: every current resource as NDJSON, one file per type. For secondary use,
 * people who opted out are left out.
 */
import { mkdirSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { openDatabase } from '../main.js';
import { migrate } from '../store/migrate.js';
import { exportResources, type ExportPurpose } from '../store/export.js';
import { appendAuditRecords } from '../store/audit-log.js';

/** Writes `<out>/<Type>.ndjson`; exit code 0. */
export async function runExport(config: Config, outDir: string, types: string[], purpose: ExportPurpose = 'direct-care'): Promise<number> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    mkdirSync(outDir, { recursive: true });
    const streams = new Map<string, ReturnType<typeof createWriteStream>>();
    const counts = new Map<string, number>();
    const patients = new Set<string>();
    for await (const row of exportResources(db, types, 1000, purpose)) {
      if (row.patientId) patients.add(row.patientId);
      let s = streams.get(row.resourceType);
      if (!s) {
        s = createWriteStream(path.join(outDir, `${row.resourceType}.ndjson`));
        streams.set(row.resourceType, s);
      }
      if (!s.write(`${row.json}\n`)) await new Promise<void>((r) => s!.once('drain', () => r()));
      counts.set(row.resourceType, (counts.get(row.resourceType) ?? 0) + 1);
    }
    await Promise.all([...streams.values()].map((s) => new Promise<void>((r) => s.end(() => r()))));
    // The export is an access to every record it contains: one event, in each patient's trail.
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    await db.transaction((tx) => appendAuditRecords(tx, [{
      action: 'export', outcome: 'success', at: new Date(),
      agent: { clientId: 'tessera-cli', role: 'system', ...(process.env.USER ? { display: `tessera export (${process.env.USER})` } : {}) },
      patientIds: [...patients], entities: [], query: `tessera export --purpose ${purpose}${types.length ? ` --type ${types.join(',')}` : ''} (${total} resources)`,
      purpose: purpose === 'secondary-use' ? 'HRESCH' : 'TREAT',
    }]));
    for (const [t, n] of [...counts].sort()) process.stdout.write(`${t}.ndjson: ${n}\n`);
    process.stdout.write(`Exported ${[...counts.values()].reduce((a, b) => a + b, 0)} resources to ${outDir}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
