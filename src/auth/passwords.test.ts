import { describe, expect, it } from 'vitest';
import { burnPasswordCheck, generateDemoPassword, hashPassword, needsRehash, verifyPassword } from './passwords.js';

describe('passwords (scrypt)', () => {
  it('hashes with fresh salt and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$65536\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('normalises Unicode so the same password typed differently matches', async () => {
    const h = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', h)).toBe(true);
  });

  it('refuses malformed or absurd stored hashes without throwing', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1099511627776$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$4$5')).toBe(false);
  });

  it('flags weaker hashes for re-hashing', async () => {
    const weak = await hashPassword('pw', { N: 2 ** 12, r: 8, p: 1 });
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('pw'))).toBe(false);
    expect(await verifyPassword('pw', weak)).toBe(true);
  });

  it('spends about as long on an unknown user as on a real check', async () => {
    const h = await hashPassword('pw');
    const t0 = performance.now();
    await verifyPassword('guess', h);
    const real = performance.now() - t0;
    const t1 = performance.now();
    expect(await burnPasswordCheck('guess')).toBe(false);
    const burned = performance.now() - t1;
    expect(burned).toBeGreaterThan(real * 0.5);
  });

  it('generates readable demo passwords', () => {
    const p = generateDemoPassword();
    expect(p).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(p).not.toMatch(/[ilo01]/);
    expect(generateDemoPassword()).not.toBe(p);
  });
});
