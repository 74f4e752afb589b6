/*
 * The main job's envelope check: encrypt -> decrypt -> tamper -> reject with the library's envelope core. Against a
 * moto KMS key when moto_server is on the PATH (the AWS KMS keyring, as the Lambda runs it), otherwise with the raw
 * AES keyring (local only).
 */
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { AuthenticationError, AwsKmsKeyring, Envelope, RawAesKeyring } from '../src/envelope';
import { startMoto } from '../test/support/moto';

export interface RoundTrip {
  readonly ok: boolean;
  readonly description: string;
}

function motoOnPath(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

async function check(envelope: Envelope, keyring: string): Promise<RoundTrip> {
  const plaintext = Buffer.from('patient record 4711: example only');
  const context = { tenantId: 'acme-health', purpose: 'examples' };
  const message = await envelope.encrypt(plaintext, context);
  const back = await envelope.decrypt(message);
  const decrypted = back.plaintext.equals(plaintext) && back.context.tenantId === 'acme-health';
  const tampered = Buffer.from(message);
  // One bit of the last frame's ciphertext, flipped.
  tampered[tampered.length - 20] = tampered[tampered.length - 20] === 0 ? 1 : 0;
  let rejected = false;
  try {
    await envelope.decrypt(tampered);
  } catch (err) {
    rejected = err instanceof AuthenticationError;
  }
  const ok = decrypted && rejected;
  return {
    ok,
    description: `${keyring}: ${message.length}-byte message, decrypted ${decrypted ? 'intact' : 'WRONG'}, one flipped bit ${rejected ? 'rejected as AUTHENTICATION' : 'NOT rejected'}`,
  };
}

export async function envelopeRoundTrip(): Promise<RoundTrip> {
  if (!motoOnPath()) {
    const keyring = new RawAesKeyring({ keyNamespace: 'examples', keyName: 'local', wrappingKey: randomBytes(32) });
    return check(new Envelope({ keyring }), 'raw AES keyring (moto_server not on PATH)');
  }
  const moto = await startMoto();
  try {
    const arn = await moto.createKey('examples envelope key');
    return await check(new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: arn, client: moto.kms() }) }), `AWS KMS keyring against moto (${arn.split('/').pop()})`);
  } finally {
    await moto.stop();
  }
}
