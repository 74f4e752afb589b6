import { UnsupportedSuiteError } from './errors';

/** The algorithm suites this core writes and reads: AWS Encryption SDK message format v2, committing. */
export enum AlgorithmSuite {
  /** AES-256-GCM, HKDF-SHA512 key derivation, key commitment. */
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY = 0x0478,
  /** As 0x0478, plus an ECDSA P-384 signature over the whole message (the AWS Encryption SDK's default). */
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 = 0x0578,
}

export interface SuiteInfo {
  readonly id: number;
  readonly signed: boolean;
  /** `suiteId(2) || "DERIVEKEY"`, the HKDF info of the content key. */
  readonly keyInfo: Buffer;
  /** `keyInfo || 0x01`, the single HKDF-Expand block's input. */
  readonly keyInfoWithCounter: Buffer;
}

const DERIVE = Buffer.from('DERIVEKEY', 'latin1');
const info = (id: number) => {
  const b = Buffer.allocUnsafe(2 + DERIVE.length);
  b.writeUInt16BE(id, 0);
  DERIVE.copy(b, 2);
  return b;
};

const suite = (id: number, signed: boolean): SuiteInfo => ({
  id, signed, keyInfo: info(id), keyInfoWithCounter: Buffer.concat([info(id), Buffer.from([1])]),
});

const SUITES: Record<number, SuiteInfo> = {
  [AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY]: suite(0x0478, false),
  [AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384]: suite(0x0578, true),
};

export function suiteInfo(id: number): SuiteInfo {
  const s = SUITES[id];
  if (!s) throw new UnsupportedSuiteError(id);
  return s;
}
