import { mkdtempSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { KMSClient } from '@aws-sdk/client-kms';
import { CliIo, run } from '../../src/cli/main';

/** An endpoint that answers every request with a proxy's HTML error page. */
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1>\n<p>upstream unreachable</p></body></html>\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('an HTML error page instead of a KMS reply is reported in one line, with or without --json', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: (o) => new KMSClient({ region: 'us-east-1', endpoint: o.endpoint, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    azureKeys: () => { throw new Error('not Azure'); },
    gcpKms: () => { throw new Error('not Google Cloud'); },
    now: () => new Date(),
  };
  const dir = mkdtempSync(join(tmpdir(), 'cli-endpoint-'));
  const message = 'the endpoint replied HTTP 502 with text/html, not a KMS reply: check --endpoint, --region and any proxy between you and KMS';
  expect(await run(['byok', 'aws', 'params', '--key-id', '1234abcd-12ab-34cd-56ef-1234567890ab', '--out-dir', dir, '--endpoint', endpoint], io)).toBe(1);
  expect(err).toEqual([`error: ${message}`]);
  expect(await run(['byok', 'aws', 'params', '--key-id', '1234abcd-12ab-34cd-56ef-1234567890ab', '--out-dir', dir, '--endpoint', endpoint, '--json'], io)).toBe(1);
  expect(JSON.parse(out[0])).toEqual({ error: message });
});
