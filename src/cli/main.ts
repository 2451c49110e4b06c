#!/usr/bin/env node
/**
 * The `tessera` command: start, import, export, generate, token, users, audit.
 * Usage: tessera start [--port N] [--data DIR] [--no-demo]
 *        tessera import FILE…
 *        tessera export [--out DIR] [--type T]
 *        tessera audit verify
 */
import { parseArgs } from 'node:util';
import { loadConfig, type ConfigOverrides } from '../config/config.js';
import { runStart } from './start-command.js';
import { runImport } from './import-command.js';
import { runExport } from './export-command.js';
import { runGenerate } from './generate-command.js';
import { runToken } from './token-command.js';
import { runUsers } from './users-command.js';
import { runAudit } from './audit-command.js';

const USAGE = `Usage:
  tessera start [--port N] [--data DIR] [--no-demo]   serve the FHIR API (env: PORT, TESSERA_DATA, DATABASE_URL)
  tessera import [--parallel N] FILE...               load bundles (transaction/batch/collection) or NDJSON, .gz allowed;
                                                      on PostgreSQL, --parallel loads N independent generated files at once
  tessera export [--out DIR] [--type TYPE] [--purpose direct-care|secondary-use]
                                                      write NDJSON, one file per resource type; secondary use
                                                      leaves out people who opted out (National Data Opt-out, Type 1)
  tessera token --system | --user NAME [--patient ID] [--scope "…"]   print a bearer token
  tessera users                                       list the demo users and their passwords
  tessera generate --patients N [--seed S] [--out DIR] [--requests conditional|id]
                                                      write a synthetic UK population as bundles per source system
  tessera audit verify                                check the audit trail's hash chains; exit 1 on tampering
                                                      (embedded database: stop the server first; PostgreSQL: any time)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      'no-demo': { type: 'boolean' },
      out: { type: 'string' },
      type: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      patients: { type: 'string' },
      seed: { type: 'string' },
      requests: { type: 'string' },
      system: { type: 'boolean' },
      user: { type: 'string' },
      patient: { type: 'string' },
      scope: { type: 'string' },
      purpose: { type: 'string' },
      parallel: { type: 'string' },
    },
  });
  if (!command || values.help || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  const overrides: ConfigOverrides = {};
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port)) throw new Error(`--port takes a number, not '${values.port}'`);
    overrides.port = Number(values.port);
  }
  if (values.data !== undefined) overrides.dataDir = values.data;
  if (values['no-demo']) overrides.loadDemo = false;
  if (command === 'generate') {
    const patients = Number(values.patients ?? NaN);
    const seed = Number(values.seed ?? 1);
    if (!Number.isInteger(patients) || patients < 1) throw new Error('--patients takes a whole number of at least 1');
    if (!Number.isInteger(seed)) throw new Error('--seed takes a whole number');
    const requests = values.requests ?? 'conditional';
    if (requests !== 'conditional' && requests !== 'id') throw new Error('--requests is conditional or id');
    return runGenerate({ patients, seed, out: values.out ?? 'generated', requests });
  }
  const config = loadConfig(process.env, overrides);
  switch (command) {
    case 'start':
      return runStart(config);
    case 'import': {
      const parallel = Number(values.parallel ?? 1);
      if (!Number.isInteger(parallel) || parallel < 1) throw new Error('--parallel takes a whole number of at least 1');
      return runImport({ ...config, loadDemo: false }, positionals, parallel);
    }
    case 'token':
      return runToken({ ...(values.system ? { system: true } : {}), ...(values.user ? { user: values.user } : {}), ...(values.patient ? { patient: values.patient } : {}), ...(values.scope ? { scope: values.scope } : {}) }, config);
    case 'users':
      return runUsers(config);
    case 'export': {
      const purpose = values.purpose ?? 'direct-care';
      if (purpose !== 'direct-care' && purpose !== 'secondary-use') throw new Error('--purpose is direct-care or secondary-use');
      return runExport({ ...config, loadDemo: false }, values.out ?? 'export', values.type ?? [], purpose);
    }
    case 'audit':
      return runAudit({ ...config, loadDemo: false }, positionals);
    default:
      process.stderr.write(`Unknown command '${command}'.\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tessera: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
