/* `cloud-kms byok aws import`: loads the AWS SDK (through ../aws), nothing of Azure or Google Cloud. */
import { existsSync } from 'fs';
import { dirname, join } from 'path';
import { arg, awsKeyId, inputFile, isoDateCheck, usageError } from '../args';
import { describeAwsError, importKeyMaterial } from '../aws';
import { AWS_FLAGS, COMMON, Command, readInput } from '../command';
import { CliError } from '../errors';

export const COMMAND: Command = {
  usage: `cloud-kms byok aws import --key-id <id> --import-token <file> --encrypted-key-material <file> [options]

Options:
  --key-id <id>                    the key to import into
  --import-token <file>            ImportToken.bin from \`cloud-kms byok aws params\`
  --encrypted-key-material <file>  the output of \`cloud-kms byok wrap\`
  --parameters <file>              import-parameters.json from \`params\` (default: next to the token), to check the token is still valid
  --expires-at <ISO date>          material expiry (default: the key's cloud-kms:key-material-expiry tag)
  --no-expiry                      the material does not expire
  --new-material                   import new material for on-demand rotation (ImportType NEW_KEY_MATERIAL)
  --rotate                         with --new-material: make it current (RotateKeyOnDemand)
  --region <region>                AWS region
  --endpoint <url>                 KMS endpoint override
  --json                           machine-readable output`,
  flags: {
    ...COMMON,
    ...AWS_FLAGS,
    'key-id': { type: 'string', required: true, check: awsKeyId },
    'import-token': { type: 'string', required: true, check: inputFile },
    'encrypted-key-material': { type: 'string', required: true, check: inputFile },
    'parameters': { type: 'string', check: inputFile },
    'expires-at': { type: 'string', check: isoDateCheck },
    'no-expiry': { type: 'boolean' },
    'new-material': { type: 'boolean' },
    'rotate': { type: 'boolean' },
  },
  run: async (v, io) => {
    if (v['expires-at'] && v['no-expiry']) throw usageError('give --expires-at or --no-expiry, not both');
    if (v.rotate && !v['new-material']) throw usageError('--rotate needs --new-material: on-demand rotation makes newly imported material current');
    const importToken = readInput(v['import-token'], '--import-token');
    const encrypted = readInput(v['encrypted-key-material'], '--encrypted-key-material');
    const paramsFile = v.parameters ?? join(dirname(v['import-token']), 'import-parameters.json');
    if (v.parameters || existsSync(paramsFile)) {
      const bytes = readInput(paramsFile, '--parameters');
      let params: { parametersValidTo?: unknown; keyId?: unknown; keyArn?: unknown };
      try {
        // The parser's own message is not shown: it quotes the file's text.
        params = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw usageError(`--parameters ${arg(paramsFile)} is not the JSON written by \`cloud-kms byok aws params\``);
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw usageError(`--parameters ${arg(paramsFile)} is not the JSON written by \`cloud-kms byok aws params\``);
      }
      const validTo = typeof params.parametersValidTo === 'string' ? new Date(params.parametersValidTo) : undefined;
      if (!validTo || Number.isNaN(validTo.getTime())) {
        throw usageError(`--parameters ${arg(paramsFile)} has no parametersValidTo`);
      }
      if (validTo.getTime() <= io.now().getTime()) {
        throw new CliError(`the import token expired at ${validTo.toISOString()}: run \`cloud-kms byok aws params\` again and re-wrap the material`);
      }
      const key = v['key-id'];
      if (params.keyId && key !== params.keyId && key !== params.keyArn) {
        throw usageError(`the import parameters are for key ${arg(String(params.keyId))}, not ${key}`);
      }
    }
    const client = io.kms({ region: v.region, endpoint: v.endpoint });
    const result = await importKeyMaterial(client, {
      keyId: v['key-id'],
      importToken,
      encryptedKeyMaterial: encrypted,
      expiry: v['no-expiry'] ? 'none' : v['expires-at'],
      newMaterial: v['new-material'] ?? false,
      rotate: v.rotate ?? false,
      now: io.now(),
    });
    return { ...result };
  },
  print: (r: any) => `Imported key material into ${r.keyArn}
  expiration  ${r.validTo ? `expires at ${r.validTo}` : 'does not expire'}${r.keyMaterialId ? `\n  material id ${r.keyMaterialId}` : ''}${r.rotated ? '\n  rotated: the new material is now current' : ''}`,
  notes: (r: any) => (r.replicaRegions ? [`note: ${r.keyArn} is a multi-Region primary; its replicas in ${r.replicaRegions.join(', ')} ` +
    `hold no material until the same material is imported into them: \`cloud-kms byok aws multi-region --key-id ${r.keyId} ...\``] : []),
  describeError: describeAwsError,
};
