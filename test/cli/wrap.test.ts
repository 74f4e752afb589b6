import * as crypto from 'crypto';
import {
  aesCmac, aesKeyUnwrapPad, aesKeyWrapPad, combineComponents, describeMaterial, KcvMethod, keyCheckValue, readWrappingPublicKey, WrapAlgorithm,
  wrapKeyMaterial,
} from '../../src/cli/wrap';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('RFC 5649 AES key wrap with padding', () => {
  // RFC 5649 section 6 known-answer vectors (192-bit KEK).
  const kek = hex('5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8');
  test.each([
    ['20 octets', 'c37b7e6492584340 bed1220780894115 5068f738', '138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a'],
    ['7 octets', '466f7250617369', 'afbeb0f07dfbf541 9200f2ccb50bb24f'],
  ])('vector with %s of key data', (_n, plaintext, ciphertext) => {
    expect(aesKeyWrapPad(kek, hex(plaintext)).toString('hex')).toBe(hex(ciphertext).toString('hex'));
    expect(aesKeyUnwrapPad(kek, hex(ciphertext)).toString('hex')).toBe(hex(plaintext).toString('hex'));
  });

  test('a tampered blob fails the integrity check', () => {
    const wrapped = hex('afbeb0f07dfbf541 9200f2ccb50bb24f');
    wrapped[3] = wrapped[3] === 0 ? 1 : 0;
    expect(() => aesKeyUnwrapPad(kek, wrapped)).toThrow('AES key unwrap failed: wrong key or damaged data');
  });

  test('a KEK of the wrong size is refused', () => {
    expect(() => aesKeyWrapPad(Buffer.alloc(20), Buffer.alloc(16))).toThrow('AES key wrap needs a 128, 192 or 256-bit key, got 160 bits');
  });
});

function rsaPair(bits: number) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  return { publicKey, privateKey, der: publicKey.export({ type: 'spki', format: 'der' }) };
}

function unwrapRsaAes(privateKey: crypto.KeyObject, blob: Buffer, hash: 'sha1' | 'sha256'): Buffer {
  const rsaLen = privateKey.asymmetricKeyDetails!.modulusLength! / 8;
  const aesKey = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    blob.subarray(0, rsaLen));
  return aesKeyUnwrapPad(aesKey, blob.subarray(rsaLen));
}

describe('round trips: wrap with the public key, unwrap with the private key', () => {
  const rsa2048 = rsaPair(2048);
  const rsa3072 = rsaPair(3072);
  const rsa4096 = rsaPair(4096);
  const aes = crypto.randomBytes(32);
  const ecPrivate = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' });

  test('AWS RSAES_OAEP_SHA_256', () => {
    const pub = readWrappingPublicKey(rsa2048.der, 'k');
    const wrapped = wrapKeyMaterial({ algorithm: WrapAlgorithm.RSAES_OAEP_SHA_256, publicKey: pub, material: aes });
    expect(wrapped).toHaveLength(256);
    const back = crypto.privateDecrypt({ key: rsa2048.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
    expect(back.equals(aes)).toBe(true);
  });

  test('AWS RSA_AES_KEY_WRAP_SHA_256 carries a private key', () => {
    const pub = readWrappingPublicKey(rsa4096.der, 'k');
    const wrapped = wrapKeyMaterial({ algorithm: WrapAlgorithm.RSA_AES_KEY_WRAP_SHA_256, publicKey: pub, material: ecPrivate });
    expect(unwrapRsaAes(rsa4096.privateKey, wrapped, 'sha256').equals(ecPrivate)).toBe(true);
  });

  test.each([
    [WrapAlgorithm.RSA_OAEP_3072_SHA256_AES_256, rsa3072],
    [WrapAlgorithm.RSA_OAEP_4096_SHA256_AES_256, rsa4096],
  ])('Google Cloud %s', (algorithm, pair) => {
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const pub = readWrappingPublicKey(Buffer.from(pem), 'job public key');
    const wrapped = wrapKeyMaterial({ algorithm, publicKey: pub, material: aes });
    expect(unwrapRsaAes(pair.privateKey, wrapped, 'sha256').equals(aes)).toBe(true);
  });

  test('Azure .byok blob', () => {
    const pub = readWrappingPublicKey(rsa2048.der, 'kek');
    const out = wrapKeyMaterial({ algorithm: WrapAlgorithm.AZURE_BYOK, publicKey: pub, material: ecPrivate, kekId: 'https://v.vault.azure.net/keys/kek/1' });
    const blob = JSON.parse(out.toString('utf8'));
    expect(blob).toMatchObject({ schema_version: '1.0.0', header: { kid: 'https://v.vault.azure.net/keys/kek/1', alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' } });
    const ciphertext = Buffer.from(blob.ciphertext, 'base64url');
    expect(unwrapRsaAes(rsa2048.privateKey, ciphertext, 'sha1').equals(ecPrivate)).toBe(true);
  });

  test('every wrap uses a fresh ephemeral key', () => {
    const pub = readWrappingPublicKey(rsa2048.der, 'k');
    const a = wrapKeyMaterial({ algorithm: WrapAlgorithm.RSA_AES_KEY_WRAP_SHA_256, publicKey: pub, material: aes });
    const b = wrapKeyMaterial({ algorithm: WrapAlgorithm.RSA_AES_KEY_WRAP_SHA_256, publicKey: pub, material: aes });
    expect(a.equals(b)).toBe(false);
  });
});

describe('bad input', () => {
  const rsa2048 = rsaPair(2048);
  const pub2048 = readWrappingPublicKey(rsa2048.der, 'k');
  test.each<[string, () => unknown, string | RegExp]>([
    ['an EC wrapping key', () => readWrappingPublicKey(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }), '--public-key'),
      '--public-key must be an RSA public key, got ec'],
    ['a 1024-bit wrapping key', () => readWrappingPublicKey(rsaPair(1024).der, '--public-key'), '--public-key must be a 2048, 3072 or 4096-bit RSA key, got 1024 bits'],
    ['garbage as a public key', () => readWrappingPublicKey(Buffer.from('not a key'), '--public-key'), '--public-key is not a public key in DER (SubjectPublicKeyInfo), base64 or PEM form'],
    ['a private key too large for OAEP', () => wrapKeyMaterial({
      algorithm: WrapAlgorithm.RSAES_OAEP_SHA_256,
      publicKey: pub2048,
      material: rsaPair(2048).privateKey.export({ type: 'pkcs8', format: 'der' }),
    }), /RSAES_OAEP_SHA_256 with a 2048-bit key can wrap at most 190 bytes/],
    ['a Google method with the wrong key size', () => wrapKeyMaterial({
      algorithm: WrapAlgorithm.RSA_OAEP_3072_SHA256_AES_256,
      publicKey: pub2048,
      material: Buffer.alloc(32, 1),
    }), "RSA_OAEP_3072_SHA256_AES_256 needs the import job's 3072-bit public key, got 2048 bits"],
    ['Azure without the KEK id', () => wrapKeyMaterial({ algorithm: WrapAlgorithm.AZURE_BYOK, publicKey: pub2048, material: Buffer.alloc(32, 1) }),
      '--kek-id is required for AZURE_BYOK'],
    ['material of an impossible length', () => describeMaterial(Buffer.alloc(5, 1), '--key-material'),
      '--key-material must hold 16, 24 or 32 bytes (AES), 28 to 128 bytes (HMAC) or a PKCS#8 DER private key, got 5 bytes'],
    ['components of different lengths', () => combineComponents([Buffer.alloc(32), Buffer.alloc(16)]),
      'every key component must be the same length: component 1 has 32 bytes, component 2 has 16'],
    ['a single component', () => combineComponents([Buffer.alloc(32)]), 'split knowledge needs at least 2 --component files, got 1'],
  ])('%s', (_what, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('material and split knowledge', () => {
  test.each([
    [crypto.randomBytes(32), 'AES-256'],
    [crypto.randomBytes(16), 'AES-128'],
    [crypto.randomBytes(48), 'HMAC (48 bytes)'],
    [crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }), 'RSA-2048 private key'],
    [crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'der' }), 'EC P-384 private key'],
  ])('material is identified: %#', (material, kind) => {
    expect(describeMaterial(material as Buffer, 'm').kind).toBe(kind);
  });

  test('key check value, legacy form on request: first three bytes of AES-ECB over a zero block (known answers)', () => {
    // AES-128 and AES-256 with all-zero keys encrypt the zero block to 66e94bd4... and dc95c078... (well-known vectors).
    expect(keyCheckValue(Buffer.alloc(16), KcvMethod.ECB)).toBe('66E94B');
    expect(keyCheckValue(Buffer.alloc(32), KcvMethod.ECB)).toBe('DC95C0');
  });

  test('key check value by default: AES-CMAC over a zero block, leftmost 5 bytes (X9.24-1:2017 A.3), XOR combination', () => {
    // Known answers from `openssl mac -cipher AES-128-CBC|AES-256-CBC -macopt hexkey:00.. CMAC` over 16 zero bytes.
    expect(keyCheckValue(Buffer.alloc(16))).toBe('763CBCDE81');
    expect(keyCheckValue(Buffer.alloc(32))).toBe('9211053C55');
    const key = crypto.randomBytes(32);
    expect(keyCheckValue(key)).toBe(aesCmac(key, Buffer.alloc(16)).subarray(0, 5).toString('hex').toUpperCase());
    expect(keyCheckValue(key)).not.toBe(keyCheckValue(key, KcvMethod.ECB));
    const a = crypto.randomBytes(32);
    const b = crypto.randomBytes(32);
    const combined = combineComponents([a, b]);
    // eslint-disable-next-line no-bitwise
    for (let i = 0; i < 32; i++) expect(combined[i]).toBe(a[i] ^ b[i]);
    expect(keyCheckValue(combined)).not.toBe(keyCheckValue(a));
    expect(() => keyCheckValue(Buffer.alloc(48))).toThrow('a key check value needs a 128, 192 or 256-bit AES key, got 48 bytes');
  });
});

describe('AES-CMAC (RFC 4493, NIST SP 800-38B)', () => {
  const k128 = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
  const m64 = Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51' +
    '30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710', 'hex');
  test.each([
    ['Example 1: empty message', 0, 'bb1d6929e95937287fa37d129b756746'],
    ['Example 2: one complete block', 16, '070a16b46b4d4144f79bdd9dd04a287c'],
    ['Example 3: 40 bytes, last block padded', 40, 'dfa66747de9ae63030ca32611497c827'],
    ['Example 4: four complete blocks', 64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('RFC 4493 %s', (_name, length, tag) => {
    expect(aesCmac(k128, m64.subarray(0, length as number)).toString('hex')).toBe(tag);
  });

  test('192 and 256-bit keys (SP 800-38B examples, empty message)', () => {
    expect(aesCmac(Buffer.from('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b', 'hex'), Buffer.alloc(0)).toString('hex'))
      .toBe('d17ddf46adaacde531cac483de7a9367');
    expect(aesCmac(Buffer.from('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 'hex'), Buffer.alloc(0)).toString('hex'))
      .toBe('028962f61b7bf89efc6b551f4667d983');
  });
});

describe('key forms the tools around us produce', () => {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = rsa.publicKey.export({ type: 'spki', format: 'der' });

  test('a public key as the base64 text the AWS CLI prints (--query PublicKey --output text), with or without line breaks', () => {
    const text = spki.toString('base64');
    expect(readWrappingPublicKey(Buffer.from(`${text}\n`), 'k').asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(readWrappingPublicKey(Buffer.from(text.replace(/(.{64})/g, '$1\n')), 'k').export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
  });

  test('a PKCS#1 DER public key is refused with the openssl command that converts it to SPKI', () => {
    const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'der' });
    expect(() => readWrappingPublicKey(pkcs1, '--public-key', 'kek.der')).toThrow(
      '--public-key is a PKCS#1 RSAPublicKey, not a SubjectPublicKeyInfo; convert it with ' +
      '`openssl rsa -RSAPublicKey_in -inform DER -in kek.der -pubout -outform DER -out kek.der.spki.der`');
  });

  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  test.each<[string, Buffer, string]>([
    ['a SEC1 EC private key in DER', ec.export({ type: 'sec1', format: 'der' }),
      '--key-material is a SEC1 EC private key, which KMS imports only as PKCS#8; convert it with ' +
      '`openssl pkcs8 -topk8 -nocrypt -inform DER -in ec.key -outform DER -out ec.key.p8.der`'],
    ['a SEC1 EC private key in PEM', Buffer.from(ec.export({ type: 'sec1', format: 'pem' })),
      '--key-material is PEM (EC PRIVATE KEY); give the key as PKCS#8 DER: `openssl pkcs8 -topk8 -nocrypt -in ec.key -outform DER -out ec.key.p8.der`'],
    ['a PKCS#1 RSA private key in DER', rsa.privateKey.export({ type: 'pkcs1', format: 'der' }),
      '--key-material is a PKCS#1 RSA private key, which KMS imports only as PKCS#8; convert it with ' +
      '`openssl pkcs8 -topk8 -nocrypt -inform DER -in ec.key -outform DER -out ec.key.p8.der`'],
    ['a PKCS#8 key in PEM', Buffer.from(ec.export({ type: 'pkcs8', format: 'pem' })),
      '--key-material is PEM (PRIVATE KEY); give the key as DER: `openssl pkey -in ec.key -outform DER -out ec.key.der`'],
  ])('%s is refused with the command that converts it, not wrapped as HMAC', (_what, material, message) => {
    expect(() => describeMaterial(material, '--key-material', 'ec.key')).toThrow(message);
  });
});
