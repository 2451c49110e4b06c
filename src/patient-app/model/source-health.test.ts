import { describe, expect, it } from 'vitest';
import { liveStatus, liveStatuses } from './source-health.js';
import type { SourceSystemInfo } from './sources.js';

const NOW = new Date('2026-06-10T12:00:00Z');
const GP: SourceSystemInfo = { uri: 'https://tessera.example/systems/gp', name: 'your GP practice', kind: 'gp', status: 'connected' };
const LAB: SourceSystemInfo = { uri: 'https://tessera.example/systems/lab', name: 'the laboratory', kind: 'laboratory', status: 'connected', overdueAfterSeconds: 86_400 };
const at = (iso: string) => new Date(iso);

describe('liveStatus', () => {
  it('is connected when the last delivery succeeded', () => {
    expect(liveStatus(GP, { source: GP.uri, lastSuccess: at('2026-06-10T11:00:00Z'), lastFailure: at('2026-06-09T00:00:00Z') }, NOW).status).toBe('connected');
  });

  it('is unavailable, as of the last success, when the last delivery failed', () => {
    expect(liveStatus(GP, { source: GP.uri, lastSuccess: at('2026-06-01T08:00:00Z'), lastFailure: at('2026-06-10T11:00:00Z') }, NOW))
      .toEqual({ ...GP, status: 'unavailable', asOf: '2026-06-01T08:00:00.000Z', reason: 'failing' });
    expect(liveStatus(GP, { source: GP.uri, lastFailure: at('2026-06-10T11:00:00Z') }, NOW)).toMatchObject({ status: 'unavailable', reason: 'failing' });
    expect(liveStatus(GP, { source: GP.uri, lastFailure: at('2026-06-10T11:00:00Z') }, NOW).asOf).toBeUndefined();
  });

  it('is unavailable when a scheduled feed is overdue, or has never delivered', () => {
    expect(liveStatus(LAB, { source: LAB.uri, lastSuccess: at('2026-06-09T11:59:00Z') }, NOW)).toMatchObject({ status: 'unavailable', reason: 'overdue', asOf: '2026-06-09T11:59:00.000Z' });
    expect(liveStatus(LAB, { source: LAB.uri, lastSuccess: at('2026-06-09T12:01:00Z') }, NOW).status).toBe('connected');
    expect(liveStatus(LAB, undefined, NOW)).toMatchObject({ status: 'unavailable', reason: 'overdue' });
  });

  it('without a schedule and without deliveries keeps the configured status', () => {
    expect(liveStatus(GP, undefined, NOW)).toEqual(GP);
    const down: SourceSystemInfo = { ...GP, status: 'unavailable', asOf: '2026-01-01T00:00:00Z' };
    expect(liveStatus(down, undefined, NOW)).toEqual(down);
    // An operator's "unavailable" stands, but the date is the last delivery Tessera saw.
    expect(liveStatus(down, { source: GP.uri, lastSuccess: at('2026-03-01T00:00:00Z') }, NOW)).toMatchObject({ status: 'unavailable', asOf: '2026-03-01T00:00:00.000Z' });
  });

  it('never changes a system that is not connected', () => {
    const dentist: SourceSystemInfo = { uri: 'x', name: 'your dentist', kind: 'other', status: 'not-connected' };
    expect(liveStatus(dentist, { source: 'x', lastFailure: NOW }, NOW)).toEqual(dentist);
  });

  it('matches deliveries to systems by meta.source', () => {
    const out = liveStatuses([GP, LAB], [{ source: GP.uri, lastFailure: NOW }, { source: LAB.uri, lastSuccess: NOW }], NOW);
    expect(out.map((s) => s.status)).toEqual(['unavailable', 'connected']);
  });
});

describe('liveSourceDirectory', () => {
  it('reads the deliveries at most once per interval, and falls back to the configured statuses', async () => {
    const { liveSourceDirectory } = await import('./sources.js');
    let reads = 0;
    let t = NOW;
    const dir = liveSourceDirectory([GP], async () => {
      reads++;
      return [{ source: GP.uri, lastFailure: NOW }];
    }, () => t, 5000);
    expect((await dir.list())[0]!.status).toBe('unavailable');
    await dir.list();
    expect(reads).toBe(1);
    t = new Date(NOW.getTime() + 5000);
    await dir.list();
    expect(reads).toBe(2);
    const broken = liveSourceDirectory([GP], async () => { throw new Error('down'); }, () => NOW);
    expect(await broken.list()).toEqual([GP]);
  });
});
