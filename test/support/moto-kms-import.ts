import { join } from 'path';
import { KMSClient } from '@aws-sdk/client-kms';
import { CREDENTIALS, requireMotoModule, startLoopbackServer } from './moto';

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
  requireMotoModule();
  const server = await startLoopbackServer('moto_kms_import.py', 'python3', [join(__dirname, 'moto_kms_import.py')]);
  const { endpoint } = server;
  return {
    endpoint,
    kms: (region) => new KMSClient({ region, endpoint, credentials: CREDENTIALS, maxAttempts: 1 }),
    stop: () => server.stop(),
  };
}
