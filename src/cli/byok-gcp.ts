/* `cloud-kms byok gcp job|import`: the Google Cloud client comes from `io.gcpKms`; nothing of AWS or Azure is loaded. */
import { inputFile, matching, outputFile } from './args';
import { COMMON, Command, FORCE, readInput, refuseToOverwrite, writeOutput } from './command';
import { describeGcpError, getImportJob, importKeyVersion, JOB_NAME, KEY_NAME } from './gcp';

const JOB_EXAMPLE = 'a full resource name such as projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id>';
const KEY_EXAMPLE = 'a full resource name such as projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>';

export const GCP_JOB: Command = {
  usage: `cloud-kms byok gcp job --import-job <name> --out <file> [options]

Options:
  --import-job <name>  projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id> (the ByokImport's import job)
  --out <file>         where to write the public key (PEM), for \`cloud-kms byok wrap --public-key\`
  --force              replace --out if it exists
  --json               machine-readable output`,
  flags: {
    ...COMMON,
    ...FORCE,
    'import-job': { type: 'string', required: true, check: matching(JOB_NAME, JOB_EXAMPLE) },
    'out': { type: 'string', required: true, check: outputFile },
  },
  run: async (v, io) => {
    refuseToOverwrite([v.out], '--out', v.force);
    const job = await getImportJob(io.gcpKms(), v['import-job'], io.now());
    writeOutput(v.out, job.pem, '--out', v.force);
    return { importJob: job.name, importMethod: job.importMethod, expiresAt: job.expiresAt, out: v.out };
  },
  print: (r: any) => `Import job ${r.importJob} (${r.importMethod}), usable until ${r.expiresAt ?? 'its expiry'} -> ${r.out}
Next: cloud-kms byok wrap --public-key ${r.out} --algorithm ${r.importMethod} --key-material <file> --out <file>`,
  describeError: describeGcpError,
};

export const GCP_IMPORT: Command = {
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
