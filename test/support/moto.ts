import { spawn, spawnSync, ChildProcess } from 'child_process';
import { accessSync, constants } from 'fs';
import { createServer } from 'net';
import { delimiter, join } from 'path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A moto_server on a free loopback port, for the life of a test file. */
export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  kms(endpoint?: string): KMSClient;
  createKey(description?: string): Promise<string>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The `moto_server` executable on the PATH, if any. Looked up rather than run: `moto_server --help` imports moto, about
 * a second of Python before the server itself starts (and again for every caller that asks).
 */
export function motoServerOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0)) {
    const candidate = join(dir, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function motoCommand(): string[] {
  const onPath = motoServerOnPath();
  if (onPath) return [onPath];
  if (spawnSync('python3', ['-m', 'moto.server', '--help'], { stdio: 'ignore' }).status === 0) return ['python3', '-m', 'moto.server'];
  throw new Error("moto_server is not installed: install it with pip install 'moto[server]' cfn-lint");
}

/** A loopback server started for one test file: where it answers, and how to stop it. */
export interface LoopbackServer {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts `cmd args -H 127.0.0.1 -p <free port>` and waits (30 s at most) until it answers on `/moto-api/`: moto_server,
 * or a test's own server built on moto.
 */
export async function startLoopbackServer(label: string, cmd: string, args: string[]): Promise<LoopbackServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(cmd, [...args, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`${label} exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${label} did not start within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    port,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** Fails, saying what to install, when the machine's Python has no moto (a test's own server imports it). */
export function requireMotoModule(): void {
  if (spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status !== 0) {
    throw new Error("moto is not installed for python3: install it with pip install 'moto[server]' cfn-lint");
  }
}

/** Starts moto_server and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const [cmd, ...args] = motoCommand();
  const server = await startLoopbackServer('moto_server', cmd, args);
  const { endpoint } = server;
  const kms = (ep = endpoint) => new KMSClient({ region: REGION, endpoint: ep, credentials: CREDENTIALS, maxAttempts: 1 });
  return {
    endpoint,
    port: server.port,
    kms,
    async createKey(description = 'test key') {
      const res = await kms().send(new CreateKeyCommand({ Description: description }));
      return res.KeyMetadata!.Arn!;
    },
    stop: () => server.stop(),
  };
}
