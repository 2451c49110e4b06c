import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database in ./data and port 8080', () => {
    const c = loadConfig({}, {}, '/srv/t');
    expect(c).toMatchObject({ port: 8080, dataDir: '/srv/t/data', loadDemo: true });
    expect(c.databaseUrl).toBeUndefined();
  });
  it('reads PORT, TESSERA_DATA and DATABASE_URL; flags win', () => {
    const c = loadConfig({ PORT: '9000', TESSERA_DATA: '/d', DATABASE_URL: 'postgres://u@h/db' }, { port: 9100 });
    expect(c).toMatchObject({ port: 9100, dataDir: '/d', databaseUrl: 'postgres://u@h/db' });
  });
  it('accepts a Unix-socket DATABASE_URL and rejects other schemes', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@/db?host=%2Fvar%2Frun%2Fpostgresql' }).databaseUrl).toMatch(/^postgres:/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u@h/db' })).toThrow(/databaseUrl/);
  });
  it('rejects a bad port with a message naming it', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/port/);
  });
  it('is frozen', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
