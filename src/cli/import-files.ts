/**
 * Imports FHIR data files into the store: transaction and batch bundles (processed as such),
 * collection/searchset bundles and NDJSON (each resource stored under its own id, in chunks of
 * one transaction each). Files may be gzip-compressed (`.gz`).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.js';
import { OperationOutcomeError } from '../fhir/outcome.js';
import type { FhirStore } from '../store/fhir-store.js';
import { processBatch, processTransaction } from '../store/bundle-processor.js';

/** Outcome of importing one file. */
export interface FileImportResult {
  file: string;
  resources: number;
  failed: number;
  error?: string;
}

const CHUNK = 500;

/** Reads a file as text, gunzipping `.gz`. */
export function readDataFile(file: string): string {
  const buf = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

function noRead(): never {
  throw new Error('GET entries are not supported in imports');
}

/** Imports one file. `onProgress` is told how many resources were written. */
export async function importFile(store: FhirStore, file: string, baseUrl: string, onProgress: (n: number) => void = () => {}): Promise<FileImportResult> {
  const name = path.basename(file);
  const text = readDataFile(file);
  const isNdjson = /\.ndjson(\.gz)?$/.test(file);
  const opts = { baseUrl, prefer: 'minimal' as const, read: noRead, provenance: { activity: `Imported from ${name}` } };
  try {
    if (isNdjson) {
      const lines = text.split('\n').filter((l) => l.trim().length > 0);
      let done = 0;
      for (let i = 0; i < lines.length; i += CHUNK) {
        const entries = lines.slice(i, i + CHUNK).map((l, j): BundleEntry => {
          let r: Resource;
          try {
            r = JSON.parse(l) as Resource;
          } catch {
            throw new Error(`line ${i + j + 1} is not JSON`);
          }
          return asUpsert(r);
        });
        await processTransaction(store, { resourceType: 'Bundle', type: 'transaction', entry: entries }, opts);
        done += entries.length;
        onProgress(entries.length);
      }
      return { file: name, resources: done, failed: 0 };
    }
    const bundle = JSON.parse(text) as Bundle;
    if (bundle.resourceType !== 'Bundle') {
      await processTransaction(store, { resourceType: 'Bundle', type: 'transaction', entry: [asUpsert(bundle)] }, opts);
      onProgress(1);
      return { file: name, resources: 1, failed: 0 };
    }
    if (bundle.type === 'transaction') {
      const res = await processTransaction(store, bundle, opts);
      onProgress(res.entry?.length ?? 0);
      return { file: name, resources: res.entry?.length ?? 0, failed: 0 };
    }
    if (bundle.type === 'batch') {
      const res = await processBatch(store, bundle, opts);
      const failed = (res.entry ?? []).filter((e) => Number(e.response?.status.split(' ')[0]) >= 400).length;
      onProgress(res.entry?.length ?? 0);
      return { file: name, resources: (res.entry?.length ?? 0) - failed, failed };
    }
    const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
    for (let i = 0; i < resources.length; i += CHUNK) {
      const chunk = resources.slice(i, i + CHUNK).map(asUpsert);
      await processTransaction(store, { resourceType: 'Bundle', type: 'transaction', entry: chunk }, opts);
      onProgress(chunk.length);
    }
    return { file: name, resources: resources.length, failed: 0 };
  } catch (err) {
    const msg = err instanceof OperationOutcomeError ? err.outcome.issue.map((i) => i.diagnostics).join('; ') : (err as Error).message;
    return { file: name, resources: 0, failed: 1, error: msg };
  }
}

/** An entry that stores `r` under its own id (PUT), or creates it when it has none. */
function asUpsert(r: Resource): BundleEntry {
  if (r.id) return { fullUrl: `${r.resourceType}/${r.id}`, resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } };
  return { resource: r, request: { method: 'POST', url: r.resourceType } };
}
