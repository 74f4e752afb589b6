/* `cloud-kms byok gcp job`: the Google Cloud client comes from `io.gcpKms`; nothing of AWS or Azure is loaded. */
import { matching } from '../args';
import { COMMON, Command, OUT_FILE, refuseToOverwrite, writeOutput } from '../command';
import { describeGcpError, getImportJob, JOB_EXAMPLE, JOB_NAME } from '../gcp';

export const COMMAND: Command = {
  usage: `cloud-kms byok gcp job --import-job <name> --out <file> [options]

Options:
  --import-job <name>  projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id> (the ByokImport's import job)
  --out <file>         where to write the public key (PEM), for \`cloud-kms byok wrap --public-key\`
  --force              replace --out if it exists
  --json               machine-readable output`,
  flags: {
    ...COMMON,
    'import-job': { type: 'string', required: true, check: matching(JOB_NAME, JOB_EXAMPLE) },
    ...OUT_FILE,
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
