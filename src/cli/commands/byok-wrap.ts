/* `cloud-kms byok wrap`: offline, node:crypto only; loads no cloud SDK. */
import { arg, inputFile, matching, oneOf, usageError } from '../args';
import { COMMON, Command, OUT_FILE, readInput, refuseToOverwrite, writeOutput } from '../command';
import { checkMaterialSource, readMaterial } from '../material';
import { KCV_LABELS, KCV_METHODS, KcvMethod, readWrappingPublicKey, WRAP_ALGORITHMS, WrapAlgorithm, wrapKeyMaterial } from '../wrap';

export const COMMAND: Command = {
  usage: `cloud-kms byok wrap --public-key <file> --algorithm <alg> (--key-material <file> | --component <file> --component <file> ...) --out <file> [options]

Options:
  --public-key <file>   the wrapping public key: DER SubjectPublicKeyInfo (AWS WrappingPublicKey.der), the same as
                        base64 text (aws kms get-parameters-for-import --query PublicKey --output text), or PEM
                        (the Google Cloud import job's public key, the Azure key-exchange key)
  --algorithm <alg>     ${WRAP_ALGORITHMS.join(' | ')}
  --key-material <file> the key material: raw AES or HMAC bytes, or a PKCS#8 DER private key
  --component <file>    one custodian's key component (repeat, at least 2): the components are XORed in memory,
                        each component's and the combined key's check value are printed, the combined key is never written
  --out <file>          where to write the wrapped material (a .byok JSON blob for AZURE_BYOK)
  --force               replace --out if it exists
  --kek-id <id>         AZURE_BYOK only: the key identifier of the key-exchange key
  --kcv <method>        key check values of AES keys: cmac (default: AES-CMAC of a zero block, first 5 bytes,
                        ANSI X9.24-1:2017 A.3) or ecb (legacy: AES-ECB of a zero block, first 3 bytes)
  --json                machine-readable output`,
  flags: {
    ...COMMON,
    'public-key': { type: 'string', required: true, check: inputFile },
    'algorithm': { type: 'string', required: true, check: oneOf(WRAP_ALGORITHMS) },
    'key-material': { type: 'string', check: inputFile },
    'component': { type: 'string', multiple: true, check: inputFile },
    ...OUT_FILE,
    // The form parseKeyVaultKeyIdentifier takes (this command loads no Azure SDK): https://<vault host>/keys/<name>/<version>
    'kek-id': { type: 'string', check: matching(/^https:\/\/[a-z0-9.-]+\.(?:vault|managedhsm)\.[a-z0-9.-]+\/keys\/[a-zA-Z0-9-]{1,127}\/[a-zA-Z0-9]+$/, 'a key identifier such as https://my-vault.vault.azure.net/keys/<name>/<version>') },
    'kcv': { type: 'string' },
  },
  run: async (v) => {
    const algorithm = v.algorithm as WrapAlgorithm;
    const kcvMethod = (v.kcv ?? KcvMethod.CMAC).toLowerCase() as KcvMethod;
    if (!KCV_METHODS.includes(kcvMethod)) throw usageError(`--kcv must be one of ${KCV_METHODS.join(', ')}, got ${arg(v.kcv)}`);
    if (v['kek-id'] !== undefined && algorithm !== WrapAlgorithm.AZURE_BYOK) {
      throw usageError(`--kek-id applies to --algorithm AZURE_BYOK only, got --algorithm ${algorithm}`);
    }
    const source = { keyMaterial: v['key-material'], components: v.component ?? [] };
    checkMaterialSource(source);
    refuseToOverwrite([v.out], '--out', v.force);
    const publicKey = readWrappingPublicKey(readInput(v['public-key'], '--public-key'), '--public-key', v['public-key']);
    const { material, description, checkValues, components } = readMaterial(source, kcvMethod);
    try {
      const wrapped = wrapKeyMaterial({ algorithm, publicKey, material, kekId: v['kek-id'] });
      writeOutput(v.out, wrapped, '--out', v.force);
      const hasKcv = Object.keys(checkValues).length > 0;
      return {
        algorithm,
        wrappingKeyBits: publicKey.asymmetricKeyDetails?.modulusLength,
        material: description.kind,
        components,
        keyCheckValueMethod: hasKcv ? KCV_LABELS[kcvMethod] : undefined,
        keyCheckValues: hasKcv ? checkValues : undefined,
        out: v.out,
        bytesWritten: wrapped.length,
      };
    } finally {
      material.fill(0);
    }
  },
  print: (r: any) => {
    const lines = [`Wrapped ${r.material} with ${r.algorithm} (RSA-${r.wrappingKeyBits}) -> ${r.out} (${r.bytesWritten} bytes)`];
    if (r.components > 0) lines.push(`Split knowledge: ${r.components} components combined in memory.`);
    if (r.keyCheckValues) {
      const entries = Object.entries(r.keyCheckValues as Record<string, string>);
      const width = Math.max(...entries.map(([k]) => (k === 'combined' ? 12 : k.length)));
      for (const [k, kcv] of entries) {
        lines.push(`  ${(k === 'combined' ? 'combined key' : k).padEnd(width)}  KCV (${r.keyCheckValueMethod}): ${kcv}`);
      }
    }
    if (r.components > 0) lines.push('The combined key was not written anywhere.');
    return lines.join('\n');
  },
};
