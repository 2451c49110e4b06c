/**
 * Runs the real `tessera start` in a child process (from source, through tsx), for tests that
 * must kill and restart the server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A started server process. */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** `Authorization` header with a backend-system token (`tessera token --system`) for this server. */
  auth: { authorization: string };
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts `tessera start` with `args` and `env`, and waits until /healthz answers 200. */
export async function startServerProcess(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--port', String(port), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${out}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.status === 200) return { child, baseUrl, output: () => out, auth: { authorization: `Bearer ${systemToken(port, args, env)}` } };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready: ${out}`);
}

/** Mints a system token the way a script would: `tessera token --system` with the server's settings. */
function systemToken(port: number, args: string[], env: Record<string, string>): string {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'token', '--system', '--port', String(port), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8',
  });
  const token = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !token) throw new Error(`tessera token --system failed: ${res.stderr}`);
  return token;
}

/** Kills the process with SIGKILL and waits for it to be gone. */
export async function killHard(p: ServerProcess): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}
