/*
 * One contender of the envelope benchmark, in a fresh process so that no contender's heap or JIT state affects
 * another's. Run by bench/envelope.ts with MOTO_ENDPOINT, KEY_ARN and STANDIN set; prints one JSON object.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { Readable, Transform, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import {
  AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, getClient, getLocalCryptographicMaterialsCache, KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeyring, AwsKmsMrkAwareKeyring, DataKeyCache, Envelope, Keyring } from '../src/envelope';
import { STANDIN_CREDENTIALS } from '../test/support/aws-kms-standin';
import { CREDENTIALS, REGION } from '../test/support/moto';

export const RECORD = 4096;
const CONTEXT = { tenant: 'acme' };
const STREAM_BYTES = 64 * 1024 * 1024;
const STREAM_CHUNK = 256 * 1024;
const SUITE_0478 = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

type Op = () => Promise<unknown> | unknown;

/** Operations per second over `n` operations, without per-operation timers. */
async function rate(n: number, op: Op): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op();
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** p50 and p99 in microseconds over `n` individually timed operations. */
async function latency(n: number, op: Op): Promise<{ p50us: number; p99us: number }> {
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op();
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  samples.sort();
  return { p50us: samples[Math.floor(n * 0.5)], p99us: samples[Math.floor(n * 0.99)] };
}

function rawEncrypt(key: Buffer, pt: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, c.update(pt), c.final(), c.getAuthTag()]);
}

function rawDecrypt(key: Buffer, msg: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, msg.subarray(0, 12));
  d.setAuthTag(msg.subarray(msg.length - 16));
  return Buffer.concat([d.update(msg.subarray(12, msg.length - 16)), d.final()]);
}

interface Contender {
  encrypt(pt: Buffer): Promise<Buffer> | Buffer;
  decrypt(msg: Buffer): Promise<unknown> | unknown;
  calls(): number;
}

function contenders(): Record<string, () => Contender> {
  const arn = process.env.KEY_ARN!;
  const endpoint = process.env.MOTO_ENDPOINT!;
  let calls = 0;
  const counted = <T extends KMSClient | KMS>(client: T): T => {
    client.middlewareStack.add((next) => async (args) => { calls += 1; return next(args); }, { step: 'initialize', name: 'countCalls' });
    return client;
  };
  const ourKeyring = () => new AwsKmsKeyring({
    generatorKeyId: arn, client: counted(new KMSClient({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 1 })),
  });
  const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const sdkKeyring = () => {
    const clients = getClient(KMS, { endpoint, credentials: CREDENTIALS, region: REGION } as any);
    const byRegion = new Map<string, KMS>();
    return new KmsKeyringNode({
      generatorKeyId: arn,
      clientProvider: (region: string) => {
        if (!byRegion.has(region)) byRegion.set(region, counted(clients(region) as KMS));
        return byRegion.get(region)!;
      },
    });
  };
  const ours = (cache?: DataKeyCache, keyring: Keyring = ourKeyring(), decryptKeyring: Keyring = keyring): Contender => {
    const env = new Envelope({ keyring, cache });
    const decryptCache = cache && new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 1000 });
    const dec = decryptKeyring === keyring ? env : new Envelope({ keyring: decryptKeyring, cache: decryptCache });
    return { encrypt: (pt) => env.encrypt(pt, CONTEXT), decrypt: (m) => dec.decrypt(m), calls: () => calls };
  };
  // The multi-Region key on the stand-in (STANDIN: endpoint, primary, replica): messages under the primary, opened
  // under the replica in another region (MRK-aware) or under the primary (plain).
  const mrk = process.env.STANDIN ? JSON.parse(process.env.STANDIN) as { endpoint: string; primary: string; replica: string } : undefined;
  const standIn = (region: string) => counted(new KMSClient({ region, endpoint: mrk!.endpoint, credentials: STANDIN_CREDENTIALS, maxAttempts: 1 }));
  const regionOf = (keyArn: string) => keyArn.split(':')[3];
  const mrkAware = (keyArn: string) => new AwsKmsMrkAwareKeyring({
    generatorKeyId: keyArn, clients: { [regionOf(keyArn)]: standIn(regionOf(keyArn)) },
  });
  const plain = () => new AwsKmsKeyring({ generatorKeyId: mrk!.primary, client: standIn(regionOf(mrk!.primary)) });
  const sdkWith = (cmm: any, suiteId?: AlgorithmSuiteIdentifier): Contender => ({
    encrypt: async (pt) => (await sdk.encrypt(cmm, pt, { encryptionContext: CONTEXT, suiteId })).result,
    decrypt: (m) => sdk.decrypt(cmm, m),
    calls: () => calls,
  });
  const key = randomBytes(32);
  return {
    'ours-cached': () => ours(new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 1000 })),
    'sdk-cached': () => sdkWith(new NodeCachingMaterialsManager({
      backingMaterials: sdkKeyring(), cache: getLocalCryptographicMaterialsCache(1000), maxAge: 60_000, maxMessagesEncrypted: 1000,
    }), SUITE_0478),
    'ours-uncached': () => ours(),
    'mrk-aware-cached': () => ours(new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 1000 }), mrkAware(mrk!.primary), mrkAware(mrk!.replica)),
    'mrk-plain-cached': () => ours(new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 1000 }), plain()),
    'mrk-aware-uncached': () => ours(undefined, mrkAware(mrk!.primary), mrkAware(mrk!.replica)),
    'mrk-plain-uncached': () => ours(undefined, plain()),
    'sdk-0478': () => sdkWith(sdkKeyring(), SUITE_0478),
    'sdk-0578': () => sdkWith(sdkKeyring()),
    'raw': () => ({ encrypt: (pt) => rawEncrypt(key, pt), decrypt: (m) => rawDecrypt(key, m), calls: () => 0 }),
  };
}

/** Records per second both ways, latencies, KMS calls per 1,000 records, and bytes of overhead. */
async function records(name: string, n: number) {
  const c = contenders()[name]();
  const record = randomBytes(RECORD);
  const sample = await c.encrypt(record);
  // Warm up as long as we measure: the JIT needs thousands of calls to settle.
  const warm = Math.min(n, 10_000);
  await rate(warm, () => c.encrypt(record));
  await rate(warm, () => c.decrypt(sample));
  let before = c.calls();
  const encRate = await rate(n, () => c.encrypt(record));
  const encCalls = c.calls() - before;
  before = c.calls();
  const decRate = await rate(n, () => c.decrypt(sample));
  const decCalls = c.calls() - before;
  const lat = Math.min(n, 5000);
  return {
    enc: { opsPerSec: encRate, ...(await latency(lat, () => c.encrypt(record))), kmsPer1000: (encCalls / n) * 1000 },
    dec: { opsPerSec: decRate, ...(await latency(lat, () => c.decrypt(sample))), kmsPer1000: (decCalls / n) * 1000 },
    overhead: sample.length - RECORD,
  };
}

/** MB/s both ways for 1 MiB records. */
async function mib(name: string, rounds: number) {
  const c = contenders()[name]();
  const record = randomBytes(1024 * 1024);
  const sample = await c.encrypt(record);
  await c.encrypt(record);
  await c.decrypt(sample);
  const mb = (r: number) => (r * record.length) / 1e6;
  return { encMBps: mb(await rate(rounds, () => c.encrypt(record))), decMBps: mb(await rate(rounds, () => c.decrypt(sample))) };
}

/** A 64 MiB stream in 256 KiB chunks: MB/s (median of five after a warm-up) and the RSS peak above the start. */
async function stream(name: string) {
  const key = randomBytes(32);
  const env = new Envelope({
    keyring: new AwsKmsKeyring({
      generatorKeyId: process.env.KEY_ARN!, client: new KMSClient({ region: REGION, endpoint: process.env.MOTO_ENDPOINT!, credentials: CREDENTIALS }),
    }),
    cache: new DataKeyCache({ maxAgeMs: 60_000 }),
  });
  const make = name === 'ours' ? () => env.encryptStream(CONTEXT, { plaintextLength: STREAM_BYTES }) : () => {
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    return new Transform({ transform(chunk: Buffer, _e, cb) { cb(null, c.update(chunk)); }, flush(cb) { c.final(); cb(null, c.getAuthTag()); } });
  };
  const block = randomBytes(STREAM_CHUNK);
  const source = () => {
    let sent = 0;
    return new Readable({ read() { if (sent >= STREAM_BYTES) { this.push(null); return; } sent += STREAM_CHUNK; this.push(Buffer.from(block)); } });
  };
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);
  const run = async () => {
    const start = process.hrtime.bigint();
    await pipeline(source(), make(), new Writable({ write(_c, _e, cb) { cb(); } }));
    return STREAM_BYTES / (Number(process.hrtime.bigint() - start) / 1e9) / 1e6;
  };
  await run();
  const speeds: number[] = [];
  for (let i = 0; i < 5; i++) speeds.push(await run());
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { mbPerSec: speeds.sort((a, b) => a - b)[2], rssGrowthMiB: (peak - baseline) / 1024 / 1024, startMiB: baseline / 1024 / 1024 };
}

/**
 * The keyring's own work on decrypt, KMS answered at once by a stub: picking the EDK to try out of a message with two
 * EDKs of other keys (another region's single-Region key, another account's multi-Region key) before the primary's,
 * for the replica (MRK-aware) or for the primary itself (plain, exact match). Unwraps per second.
 */
async function unwrap(name: string, n: number) {
  const region = 'eu-central-1';
  const mrk = 'mrk-0123456789abcdef0123456789abcdef';
  const primary = `arn:aws:kms:us-east-1:111122223333:key/${mrk}`;
  const configured = name === 'mrk' ? primary.replace('us-east-1', region) : primary;
  const send = async () => ({ KeyId: configured, Plaintext: new Uint8Array(32) });
  const client = { send } as unknown as KMSClient;
  const keyring: Keyring = name === 'mrk'
    ? new AwsKmsMrkAwareKeyring({ generatorKeyId: configured, clients: { [region]: client } })
    : new AwsKmsKeyring({ generatorKeyId: configured, client });
  const edk = (arn: string) => ({ providerId: 'aws-kms', providerInfo: Buffer.from(arn), ciphertext: randomBytes(184) });
  const edks = [edk('arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'), edk(primary.replace('111122223333', '444455556666')), edk(primary)];
  await rate(Math.min(n, 20_000), () => keyring.unwrapDataKey(edks, CONTEXT));
  return { opsPerSec: await rate(n, () => keyring.unwrapDataKey(edks, CONTEXT)) };
}

/** 32 encrypts at once on a cold cache: how many KMS calls. */
async function cold(name: string) {
  const c = contenders()[name]();
  const record = randomBytes(RECORD);
  await Promise.all(Array.from({ length: 32 }, () => c.encrypt(record)));
  return { kmsCalls: c.calls() };
}

async function main(): Promise<void> {
  const [kind, name, n] = process.argv.slice(2);
  const result = kind === 'records' ? await records(name, Number(n))
    : kind === 'mib' ? await mib(name, Number(n))
      : kind === 'stream' ? await stream(name)
        : kind === 'unwrap' ? await unwrap(name, Number(n))
          : await cold(name);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
