import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from './migrate.js';

describe('splitStatements', () => {
  it('splits on semicolons at line ends and drops comment lines', () => {
    expect(splitStatements('-- a table\nCREATE TABLE a (x int);\nCREATE INDEX ON a (x);\n')).toEqual(['CREATE TABLE a (x int)', 'CREATE INDEX ON a (x)']);
  });

  it('keeps a $$-quoted body whole, with the semicolons inside it', () => {
    const sql = 'CREATE TABLE a (x int);\nDO $$\nBEGIN\n  IF true THEN\n    CREATE INDEX ON a (x);\n  END IF;\nEND $$;\nCREATE TABLE b (y int);\n';
    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (x int)', 'DO $$\nBEGIN\n  IF true THEN\n    CREATE INDEX ON a (x);\n  END IF;\nEND $$', 'CREATE TABLE b (y int)']);
  });

  it('splits every shipped migration into statements with balanced $$ bodies', () => {
    for (const m of loadMigrations()) {
      const statements = splitStatements(m.sql);
      expect(statements.length, m.name).toBeGreaterThan(0);
      for (const s of statements) expect((s.match(/\$\$/g)?.length ?? 0) % 2, `${m.name}: ${s.slice(0, 60)}`).toBe(0);
    }
  });
});
