/* `cloud-kms byok aws params`: loads the AWS SDK (through ../aws), nothing of Azure or Google Cloud. */
import { join } from 'path';
import { awsKeyId, oneOf, outputDirectory } from '../args';
import { AWS_WRAPPING_ALGORITHMS, AWS_WRAPPING_KEY_SPECS, describeAwsError, getImportParameters } from '../aws';
import { AWS_FLAGS, COMMON, Command, FORCE, refuseToOverwrite, writeOutput } from '../command';

export const COMMAND: Command = {
  usage: `cloud-kms byok aws params --key-id <id|arn|alias> --out-dir <dir> [options]

Options:
  --key-id <id>              the key to import into (the ByokImport's KeyIdForImport output)
  --out-dir <dir>            where to write WrappingPublicKey.der, ImportToken.bin and import-parameters.json
  --algorithm <alg>          ${AWS_WRAPPING_ALGORITHMS.join(' | ')} (default: the key's cloud-kms:wrapping-algorithm tag)
  --wrapping-key-spec <spec> RSA_2048 | RSA_3072 | RSA_4096 (default RSA_4096)
  --region <region>          AWS region (default: the SDK's)
  --endpoint <url>           KMS endpoint override
  --force                    replace files already in --out-dir
  --json                     machine-readable output`,
  flags: {
    ...COMMON,
    ...AWS_FLAGS,
    ...FORCE,
    'key-id': { type: 'string', required: true, check: awsKeyId },
    'out-dir': { type: 'string', required: true, check: outputDirectory },
    'algorithm': { type: 'string', check: oneOf(AWS_WRAPPING_ALGORITHMS) },
    'wrapping-key-spec': { type: 'string', check: oneOf(AWS_WRAPPING_KEY_SPECS) },
  },
  run: async (v, io) => {
    const dir = v['out-dir'];
    const files = {
      publicKey: join(dir, 'WrappingPublicKey.der'),
      importToken: join(dir, 'ImportToken.bin'),
      parameters: join(dir, 'import-parameters.json'),
    };
    refuseToOverwrite(Object.values(files), '--out-dir', v.force);
    const client = io.kms({ region: v.region, endpoint: v.endpoint });
    const p = await getImportParameters(client, v['key-id'], v.algorithm, v['wrapping-key-spec'] ?? 'RSA_4096');
    writeOutput(files.publicKey, p.publicKey, '--out-dir', v.force);
    writeOutput(files.importToken, p.importToken, '--out-dir', v.force);
    const summary = {
      keyId: p.keyId,
      keyArn: p.keyArn,
      wrappingAlgorithm: p.wrappingAlgorithm,
      wrappingKeySpec: p.wrappingKeySpec,
      parametersValidTo: p.parametersValidTo.toISOString(),
    };
    writeOutput(files.parameters, JSON.stringify(summary, undefined, 2), '--out-dir', v.force);
    return { ...summary, files };
  },
  print: (r: any) => `Import parameters for ${r.keyArn}
  wrapping algorithm  ${r.wrappingAlgorithm} (${r.wrappingKeySpec})
  valid until         ${r.parametersValidTo}
  public key          ${r.files.publicKey}
  import token        ${r.files.importToken}
Next: cloud-kms byok wrap --public-key ${r.files.publicKey} --algorithm ${r.wrappingAlgorithm} --key-material <file> --out <file>`,
  describeError: describeAwsError,
};
