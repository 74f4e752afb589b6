import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { KMSClient } from '@aws-sdk/client-kms';
import { CREDENTIALS, freePort } from './moto';

/**
 * moto_server with the calls the multi-Region BYOK ceremony needs and moto 5.2.1 lacks (see moto_kms_import.py): real
 * GetParametersForImport / ImportKeyMaterial, replicas of an EXTERNAL key that start PendingImport, and ciphertexts
 * that decrypt in another Region only when that Region's key holds the same imported material. One server serves
 * every Region (moto takes the Region from the request's signature).
 */
export interface MotoKmsImport {
  readonly endpoint: string;
  kms(region: string): KMSClient;
  stop(): Promise<void>;
}

export async function startMotoKmsImport(): Promise<MotoKmsImport> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', [join(__dirname, 'moto_kms_import.py'), '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`moto_kms_import.py exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('moto_kms_import.py did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    kms: (region) => new KMSClient({ region, endpoint, credentials: CREDENTIALS, maxAttempts: 1 }),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
