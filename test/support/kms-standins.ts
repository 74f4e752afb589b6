import { constants, createCipheriv, createDecipheriv, generateKeyPairSync, KeyObject, privateDecrypt, randomBytes } from 'crypto';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo } from 'net';
import { selfSignedCertificate } from './tls';

// Loopback stand-ins for the REST APIs our keyrings call. They are not Azure or Google: they implement the few calls
// the keyrings make, with the same shapes, and do real cryptography so a wrong key or context really fails.

function body(req: IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}));
  });
}

function json(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Azure Key Vault keys: GET a key, POST unwrapkey (RSA-OAEP-256), behind the bearer challenge. HTTPS. */
export class KeyVaultStandIn {
  public readonly cert: string;
  public readonly calls: string[] = [];
  public url = '';
  private readonly server: Server;
  private readonly versions = new Map<string, KeyObject>();
  private latest = '';

  constructor(private readonly keyName = 'tenant-kek') {
    const tls = selfSignedCertificate();
    this.cert = tls.cert;
    this.server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => void this.handle(req, res));
    this.rotate();
  }

  public async start(): Promise<this> {
    this.url = `https://127.0.0.1:${await listen(this.server)}`;
    return this;
  }

  /** Adds a new key version, which becomes the latest. */
  public rotate(): string {
    this.latest = randomBytes(16).toString('hex');
    this.versions.set(this.latest, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    return this.latest;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => { this.server.closeAllConnections(); this.server.close(() => resolve()); });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const payload = await body(req);
    if (!req.headers.authorization) {
      json(res, 401, { error: { code: 'Unauthorized' } }, {
        'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
      });
      return;
    }
    const [path] = (req.url ?? '').split('?');
    const m = path.match(/^\/keys\/([^/]+)(?:\/([^/]*))?(\/unwrapkey)?$/);
    this.calls.push(`${req.method} ${path}`);
    if (!m || m[1] !== this.keyName) return json(res, 404, { error: { code: 'KeyNotFound', message: 'key not found' } });
    const version = m[2] || this.latest;
    const key = this.versions.get(version);
    if (!key) return json(res, 404, { error: { code: 'KeyNotFound', message: 'version not found' } });
    const kid = `${this.url}/keys/${this.keyName}/${version}`;
    if (req.method === 'GET' && !m[3]) {
      const jwk = key.export({ format: 'jwk' });
      return json(res, 200, { key: { kid, kty: 'RSA-HSM', key_ops: ['wrapKey', 'unwrapKey'], n: jwk.n, e: jwk.e }, attributes: { enabled: true } });
    }
    if (req.method === 'POST' && m[3] && payload.alg === 'RSA-OAEP-256') {
      try {
        const value = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(payload.value, 'base64url'));
        return json(res, 200, { kid, value: value.toString('base64url') });
      } catch {
        return json(res, 400, { error: { code: 'BadParameter', message: 'The parameter is incorrect.' } });
      }
    }
    return json(res, 400, { error: { code: 'BadParameter', message: 'unsupported' } });
  }
}

/** Google Cloud KMS REST (the client's fallback mode): :encrypt and :decrypt with additional authenticated data. */
export class CloudKmsStandIn {
  public readonly calls: string[] = [];
  public port = 0;
  private readonly server = createHttpServer((req, res) => void this.handle(req, res));
  private readonly versions: Buffer[] = [randomBytes(32)];

  constructor(public readonly keyName: string) {}

  public async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }

  /** A new primary version: new encryptions use it, old ciphertexts still decrypt. */
  public rotate(): void {
    this.versions.push(randomBytes(32));
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => { this.server.closeAllConnections(); this.server.close(() => resolve()); });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const payload = await body(req);
    const m = (req.url ?? '').split('?')[0].match(/^\/v1\/(.+):(encrypt|decrypt)$/);
    this.calls.push(`${m?.[2]} ${m?.[1]}`);
    if (!m || m[1] !== this.keyName) return json(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: 'not found' } });
    const aad = Buffer.from(payload.additionalAuthenticatedData ?? '', 'base64');
    if (m[2] === 'encrypt') {
      const v = this.versions.length - 1;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', this.versions[v], iv).setAAD(aad);
      const ct = Buffer.concat([Buffer.from([v]), iv, c.update(Buffer.from(payload.plaintext, 'base64')), c.final(), c.getAuthTag()]);
      return json(res, 200, { name: `${this.keyName}/cryptoKeyVersions/${v + 1}`, ciphertext: ct.toString('base64') });
    }
    try {
      const ct = Buffer.from(payload.ciphertext, 'base64');
      const d = createDecipheriv('aes-256-gcm', this.versions[ct[0]], ct.subarray(1, 13)).setAAD(aad);
      d.setAuthTag(ct.subarray(ct.length - 16));
      const pt = Buffer.concat([d.update(ct.subarray(13, ct.length - 16)), d.final()]);
      return json(res, 200, { plaintext: pt.toString('base64') });
    } catch {
      return json(res, 400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Decryption failed: the ciphertext is invalid.' } });
    }
  }
}
