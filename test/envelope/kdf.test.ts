import { hkdfSync, randomBytes } from 'crypto';
import { deriveMessageKeys, deriveWithHmac } from '../../src/envelope/kdf';
import { AlgorithmSuite, suiteInfo } from '../../src/envelope/suites';

const SUITES = [AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384];

describe.each([
  ['one-shot hashes (Node 20.12 and later)', deriveMessageKeys],
  ['createHmac (older Node)', deriveWithHmac],
])('message keys from %s', (_name, derive) => {
  test.each(SUITES)('equal node:crypto HKDF-SHA512 (RFC 5869) for suite %i', (id) => {
    const suite = suiteInfo(id);
    // Many inputs in turn: the one-shot path reuses scratch buffers, so a value left from one call would show here.
    for (let i = 0; i < 200; i++) {
      const dataKey = randomBytes(32);
      const messageId = randomBytes(32);
      const keys = derive(dataKey, messageId, suite);
      expect(keys.commitment.equals(Buffer.from(hkdfSync('sha512', dataKey, messageId, Buffer.from('COMMITKEY'), 32)))).toBe(true);
      expect(keys.key.equals(Buffer.from(hkdfSync('sha512', dataKey, messageId, suite.keyInfo, 32)))).toBe(true);
    }
  });

  test('writes into the buffers it is given (the header\'s commitment field, a scratch key)', () => {
    const suite = suiteInfo(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    const dataKey = randomBytes(32);
    const messageId = randomBytes(32);
    const header = Buffer.alloc(100);
    const key = Buffer.alloc(32);
    const out = derive(dataKey, messageId, suite, key, header.subarray(50, 82));
    expect(out.key).toBe(key);
    expect(header.subarray(50, 82).equals(Buffer.from(hkdfSync('sha512', dataKey, messageId, Buffer.from('COMMITKEY'), 32)))).toBe(true);
    expect(header.subarray(0, 50).equals(Buffer.alloc(50))).toBe(true);
    expect(header.subarray(82).equals(Buffer.alloc(18))).toBe(true);
    expect(key.equals(Buffer.from(hkdfSync('sha512', dataKey, messageId, suite.keyInfo, 32)))).toBe(true);
  });
});
