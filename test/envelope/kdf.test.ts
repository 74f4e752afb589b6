import { hkdfSync, randomBytes } from 'crypto';
import { deriveMessageKeys } from '../../src/envelope/kdf';
import { AlgorithmSuite, suiteInfo } from '../../src/envelope/suites';

test.each([AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384])(
  'message keys equal node:crypto HKDF-SHA512 (RFC 5869) for suite %i', (id) => {
    const suite = suiteInfo(id);
    for (let i = 0; i < 200; i++) {
      const dataKey = randomBytes(32);
      const messageId = randomBytes(32);
      const keys = deriveMessageKeys(dataKey, messageId, suite);
      expect(keys.commitment.equals(Buffer.from(hkdfSync('sha512', dataKey, messageId, Buffer.from('COMMITKEY'), 32)))).toBe(true);
      expect(keys.key.equals(Buffer.from(hkdfSync('sha512', dataKey, messageId, suite.keyInfo, 32)))).toBe(true);
    }
  });
