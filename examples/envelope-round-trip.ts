/*
 * The main job's envelope check: encrypt -> decrypt -> tamper -> reject with the library's envelope core. Against a
 * moto KMS key when moto_server is on the PATH (the AWS KMS keyring, as the Lambda runs it), otherwise with the raw
 * AES keyring (local only).
 */
import { randomBytes } from 'crypto';
import { AuthenticationError, AwsKmsKeyring, Envelope, RawAesKeyring } from '../src/envelope';
import { Moto, motoServerOnPath, startMoto } from '../test/support/moto';

export interface RoundTrip {
  readonly ok: boolean;
  readonly description: string;
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

/**
 * Starts moto_server when it is on the PATH, without waiting for it: the main job starts it first so that Python's
 * start-up (a few seconds) overlaps the synthesis. The promise never rejects unobserved.
 */
export function startMotoEarly(): Promise<Moto> | undefined {
  if (!motoServerOnPath()) return undefined;
  const moto = startMoto();
  moto.catch(() => undefined);
  return moto;
}

export async function envelopeRoundTrip(starting: Promise<Moto> | undefined = startMotoEarly()): Promise<RoundTrip> {
  if (!starting) {
    const keyring = new RawAesKeyring({ keyNamespace: 'examples', keyName: 'local', wrappingKey: randomBytes(32) });
    return check(new Envelope({ keyring }), 'raw AES keyring (moto_server not on PATH)');
  }
  const moto = await starting;
  try {
    const arn = await moto.createKey('examples envelope key');
    return await check(new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: arn, client: moto.kms() }) }), `AWS KMS keyring against moto (${arn.split('/').pop()})`);
  } finally {
    await moto.stop();
  }
}
