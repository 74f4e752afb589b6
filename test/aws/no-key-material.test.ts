import * as crypto from 'crypto';
import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { App, CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { scenarios } from '../support/scenarios';

/*
 * Plaintext key material and credentials must never appear in a template, an asset, an output or the manifest.
 * Synthesize every construct and profile to disk and read every file that comes out.
 */

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const PRIVATE_KEY = /-----BEGIN (RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/;
// API fields that carry key material or credentials: their names may appear in handler code, never in a template.
const MATERIAL_FIELDS = ['EncryptedKeyMaterial', 'ImportToken', 'KeyStorePassword', 'RawSecretAccessKey', 'XksProxyAuthenticationCredential',
  'SecretString', 'key_material_base64', 'KeyMaterial', 'PlaintextKeyMaterial'].map((f) => `"${f}":`);
// A bare 32- or 64-byte value in hex or base64: what raw AES or HMAC material looks like.
const RAW_KEY = /(?<![0-9a-fA-F])([0-9a-fA-F]{64}|[0-9a-fA-F]{128})(?![0-9a-fA-F])|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])/g;

/** Every place in the assembly files that looks like key material or a credential. */
function scan(all: string[]): string[] {
  // Content hashes name assets and templates; they are the only 64-hex values an assembly should hold.
  const hashes = new Set<string>();
  for (const f of all) {
    for (const m of f.matchAll(/[0-9a-f]{64}/g)) hashes.add(m[0]);
    if (f.endsWith('.assets.json')) {
      const manifest = JSON.parse(readFileSync(f, 'utf8'));
      for (const [hash, entry] of Object.entries<any>(manifest.files ?? {})) {
        hashes.add(hash);
        for (const d of Object.values<any>(entry.destinations ?? {})) hashes.add(String(d.objectKey).replace(/\.(zip|json)$/, ''));
      }
    }
  }

  const problems: string[] = [];
  for (const file of all) {
    const text = readFileSync(file, 'utf8');
    if (PRIVATE_KEY.test(text)) problems.push(`${file}: a PEM private key`);
    if (file.endsWith('.js')) continue; // handler code names API fields; it holds no values
    for (const field of MATERIAL_FIELDS) if (text.includes(field)) problems.push(`${file}: field ${field}`);
    for (const m of text.matchAll(RAW_KEY)) {
      if (!hashes.has(m[0])) problems.push(`${file}: a raw ${m[0].length}-character key-like value near ${text.slice(Math.max(0, m.index! - 40), m.index)}`);
    }
  }
  return problems;
}

test('no synthesized artifact of any construct holds key material or a credential', () => {
  // Each scenario's app writes a full cloud assembly (templates, manifest, tree, bundled handler assets) to disk.
  const outdirs = scenarios().map((s) => ((s.build() as Stack).node.root as App).synth().directory);
  const all = outdirs.flatMap(files);
  expect(all.filter((f) => f.endsWith('.template.json') && !f.endsWith('.nested.template.json')).length).toBe(scenarios().length);
  // Tenant shards are nested stacks: their templates are scanned too.
  expect(all.some((f) => f.endsWith('.nested.template.json'))).toBe(true);
  expect(all.some((f) => f.endsWith('index.js'))).toBe(true);
  expect(scan(all)).toEqual([]);
});

test('the scan would catch material if it were there', () => {
  const app = new App();
  const stack = new Stack(app, 'Leaky');
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  new CfnOutput(stack, 'Material', { value: crypto.randomBytes(32).toString('hex') });
  new CfnOutput(stack, 'Base64Material', { value: crypto.randomBytes(32).toString('base64') });
  new CfnOutput(stack, 'Pem', { value: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
  new CfnResource(stack, 'Import', { type: 'Custom::Import', properties: { ImportToken: 'x', KeyMaterial: 'y' } });
  const found = scan(files(app.synth().directory));
  expect(found.some((f) => f.includes('a PEM private key'))).toBe(true);
  expect(found.some((f) => f.includes('a raw 64-character key-like value'))).toBe(true);
  expect(found.some((f) => f.includes('a raw 44-character key-like value'))).toBe(true);
  expect(found.some((f) => f.includes('field "ImportToken":'))).toBe(true);
  expect(found.some((f) => f.includes('field "KeyMaterial":'))).toBe(true);
});
