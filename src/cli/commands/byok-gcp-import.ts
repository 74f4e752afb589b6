/* `cloud-kms byok gcp import`: the Google Cloud client comes from `io.gcpKms`; nothing of AWS or Azure is loaded. */
import { inputFile, matching } from '../args';
import { COMMON, Command, readInput } from '../command';
import { describeGcpError, importKeyVersion, JOB_EXAMPLE, JOB_NAME, KEY_EXAMPLE, KEY_NAME } from '../gcp';

export const COMMAND: Command = {
  usage: `cloud-kms byok gcp import --key <name> --import-job <name> --wrapped-key <file> [options]

Options:
  --key <name>          projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k> (the ByokImport's key)
  --import-job <name>   the import job in the same key ring, still ACTIVE (jobs expire three days after creation)
  --wrapped-key <file>  the output of \`cloud-kms byok wrap --algorithm RSA_OAEP_3072_SHA256_AES_256 | RSA_OAEP_4096_SHA256_AES_256\`
  --algorithm <alg>     the version's algorithm (default: the key's version template, e.g. GOOGLE_SYMMETRIC_ENCRYPTION)
  --make-primary        symmetric keys: make the new version primary (rotation by re-import)
  --json                machine-readable output

Signs in with Application Default Credentials (gcloud auth application-default login, or a service account).`,
  flags: {
    ...COMMON,
    'key': { type: 'string', required: true, check: matching(KEY_NAME, KEY_EXAMPLE) },
    'import-job': { type: 'string', required: true, check: matching(JOB_NAME, JOB_EXAMPLE) },
    'wrapped-key': { type: 'string', required: true, check: inputFile },
    // A CryptoKeyVersionAlgorithm enum name; Cloud KMS judges which one the key takes.
    'algorithm': { type: 'string', check: matching(/^[A-Z][A-Z0-9_]{2,63}$/, 'a Cloud KMS algorithm name such as GOOGLE_SYMMETRIC_ENCRYPTION') },
    'make-primary': { type: 'boolean' },
  },
  run: async (v, io) => {
    const result = await importKeyVersion(io.gcpKms(), {
      key: v.key,
      importJob: v['import-job'],
      wrappedKey: readInput(v['wrapped-key'], '--wrapped-key'),
      algorithm: v.algorithm,
      makePrimary: v['make-primary'] ?? false,
      now: io.now(),
    });
    return { ...result };
  },
  print: (r: any) => `Imported ${r.version}
  algorithm   ${r.algorithm} (${r.protectionLevel ?? 'HSM'})
  state       ${r.state ?? 'unknown'}${r.primary ? '\n  primary     yes: new encryptions use this version' : ''}`,
  describeError: describeGcpError,
};
