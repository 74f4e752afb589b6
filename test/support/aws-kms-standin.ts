import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { KMS, KMSClient } from '@aws-sdk/client-kms';

// A loopback stand-in for AWS KMS with multi-Region keys whose replicas share the primary's key material, which
// moto 5.2.1 does not do (its replicas cannot decrypt the primary's ciphertexts). It is not KMS: it speaks KMS's JSON
// 1.1 protocol (POST /, X-Amz-Target: TrentService.<Operation>, base64 blobs, errors as {"__type", "message"}) for
// GenerateDataKey, Encrypt and Decrypt, which is all the keyrings (ours and the AWS Encryption SDK's) call.
// https://docs.aws.amazon.com/kms/latest/APIReference/CommonParameters.html
// Like KMS, it serves each request from the region it was signed for (the SigV4 credential scope), a key ARN of
// another region is not found, and a ciphertext decrypts only under its own key or a replica of the same
// multi-Region key; the cryptography is real (AES-256-GCM, the encryption context as additional data).

export const ACCOUNT = '111122223333';
export const STANDIN_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface StandInKey {
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly id: string;
  readonly material: Buffer;
}

/** One call as the stand-in saw it: the operation, the region it was signed for and the KeyId asked for. */
export interface StandInCall {
  readonly operation: string;
  readonly region: string;
  readonly keyId?: string;
}

class KmsFault extends Error {
  constructor(public readonly type: string, message: string) {
    super(message);
  }
}

export class AwsKmsStandIn {
  public readonly calls: StandInCall[] = [];
  public endpoint = '';
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));
  private readonly keys = new Map<string, StandInKey>();

  public async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => { this.server.closeAllConnections(); this.server.close(() => resolve()); });
  }

  /** A new key: a multi-Region primary (`mrk-` id) or a single-Region key. */
  public createKey(region: string, options: { multiRegion?: boolean; account?: string } = {}): string {
    const id = options.multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
    return this.add(region, options.account ?? ACCOUNT, id, randomBytes(32));
  }

  /** A replica of a multi-Region key in another region: same account, same id, same key material. */
  public replicate(primaryArn: string, region: string): string {
    const primary = this.keys.get(primaryArn);
    if (!primary || !primary.id.startsWith('mrk-')) throw new Error(`${primaryArn} is not a multi-Region key here`);
    return this.add(region, primary.account, primary.id, primary.material);
  }

  /** Clients of the SDK v3 (ours) and of the `KMS` aggregate the AWS Encryption SDK builds, signed for `region`. */
  public client(region: string): KMSClient {
    return new KMSClient({ region, endpoint: this.endpoint, credentials: STANDIN_CREDENTIALS, maxAttempts: 1 });
  }

  public sdkClient(region: string): KMS {
    return new KMS({ region, endpoint: this.endpoint, credentials: STANDIN_CREDENTIALS, maxAttempts: 1 });
  }

  private add(region: string, account: string, id: string, material: Buffer): string {
    const arn = `arn:aws:kms:${region}:${account}:key/${id}`;
    this.keys.set(arn, { arn, region, account, id, material });
    return arn;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
    // The credential scope: Credential=<key>/<date>/<region>/kms/aws4_request
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/kms\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      this.calls.push({ operation, region, keyId: input.KeyId });
      reply(res, 200, this.serve(operation, region, input));
    } catch (err) {
      const fault = err instanceof KmsFault ? err : new KmsFault('KMSInternalException', String(err));
      reply(res, fault.type === 'KMSInternalException' ? 500 : 400, { __type: fault.type, message: fault.message });
    }
  }

  private serve(operation: string, region: string, input: any): unknown {
    const context = aad(input.EncryptionContext);
    switch (operation) {
      case 'GenerateDataKey': {
        const key = this.resolve(region, input.KeyId);
        const plaintext = randomBytes(input.NumberOfBytes ?? 32);
        return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(key, plaintext, context).toString('base64') };
      }
      case 'Encrypt': {
        const key = this.resolve(region, input.KeyId);
        return { KeyId: key.arn, CiphertextBlob: seal(key, Buffer.from(input.Plaintext, 'base64'), context).toString('base64') };
      }
      case 'Decrypt': {
        const blob = Buffer.from(input.CiphertextBlob ?? '', 'base64');
        if (blob.length < 2 + 12 + 16 || blob.length < 2 + blob.readUInt16BE(0) + 28) throw new KmsFault('InvalidCiphertextException', 'The ciphertext is invalid.');
        const sealedUnder = blob.subarray(2, 2 + blob.readUInt16BE(0)).toString('utf8');
        // Without a KeyId, KMS uses the key named in the ciphertext, which must be in this region.
        const key = this.resolve(region, input.KeyId ?? sealedUnder);
        const origin = /:key\/(.+)$/.exec(sealedUnder)?.[1];
        const related = key.arn === sealedUnder || (key.id.startsWith('mrk-') && key.id === origin && sealedUnder.split(':')[4] === key.account);
        if (!related) throw new KmsFault('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can decrypt the ciphertext.');
        return { KeyId: key.arn, Plaintext: open(key, blob, context).toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      }
      default:
        throw new KmsFault('UnsupportedOperationException', `${operation} is not served by this stand-in`);
    }
  }

  /** A key ARN or key id, in the region the request was signed for (an ARN of another region is not found). */
  private resolve(region: string, keyId: string | undefined): StandInKey {
    const arn = keyId?.startsWith('arn:') ? keyId : `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
    const key = this.keys.get(arn);
    if (!keyId || !key || key.region !== region) throw new KmsFault('NotFoundException', `Key '${keyId}' does not exist in ${region}`);
    return key;
  }
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(payload));
}

function aad(context: Record<string, string> | undefined): Buffer {
  return Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), 'utf8');
}

/** [ARN length][the ARN it was sealed under][IV][ciphertext][tag]. */
function seal(key: StandInKey, plaintext: Buffer, context: Buffer): Buffer {
  const arn = Buffer.from(key.arn, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(arn.length);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key.material, iv).setAAD(Buffer.concat([arn.subarray(arn.indexOf(':key/')), context]));
  return Buffer.concat([length, arn, iv, c.update(plaintext), c.final(), c.getAuthTag()]);
}

function open(key: StandInKey, blob: Buffer, context: Buffer): Buffer {
  const start = 2 + blob.readUInt16BE(0);
  const arn = blob.subarray(2, start);
  try {
    const d = createDecipheriv('aes-256-gcm', key.material, blob.subarray(start, start + 12)).setAAD(Buffer.concat([arn.subarray(arn.indexOf(':key/')), context]));
    d.setAuthTag(blob.subarray(blob.length - 16));
    return Buffer.concat([d.update(blob.subarray(start + 12, blob.length - 16)), d.final()]);
  } catch {
    throw new KmsFault('InvalidCiphertextException', 'The ciphertext is invalid or does not match the encryption context.');
  }
}
