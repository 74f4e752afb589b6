/* `cloud-kms byok azure import`: loads the Azure SDK (through ../azure), nothing of AWS or Google Cloud. */
import { inputFile, isoDate, isoDateCheck, matching, oneOf, usageError, wholeNumber } from '../args';
import { AZURE_CURVES, AZURE_IMPORT_KEY_TYPES, describeAzureError, importByok, vaultUrlOf } from '../azure';
import { COMMON, Command, readInput } from '../command';

const DAY_MS = 24 * 60 * 60 * 1000;

function dateFlag(value: string | undefined, flag: string): Date | undefined {
  return value === undefined ? undefined : isoDate(value, flag);
}

/** Beyond any key's useful life, and inside the range of a JavaScript date. */
const MAX_EXPIRY_DAYS = 36500;

export const COMMAND: Command = {
  usage: `cloud-kms byok azure import --vault-url <url> --key-name <name> --byok <file> (--expires-in-days <n> | --expires-at <date>) [options]

Options:
  --vault-url <url>        the vault or Managed HSM (https://<name>.vault.azure.net, https://<name>.managedhsm.azure.net)
  --key-name <name>        the key to create, or to add a version to (the ByokImport's keyName)
  --byok <file>            the output of \`cloud-kms byok wrap --algorithm AZURE_BYOK\`
  --key-type <type>        ${AZURE_IMPORT_KEY_TYPES.join(' | ')} (default RSA-HSM; oct-HSM only in a Managed HSM)
  --curve <curve>          EC-HSM only: ${AZURE_CURVES.join(' | ')}
  --key-ops <ops>          comma-separated operations (default: encrypt,decrypt,wrapKey,unwrapKey; sign,verify for EC-HSM)
  --expires-in-days <n>    the key expires this many days from now, 1 to 36500 (the construct's expireAfter)
  --expires-at <date>      the key expires at this ISO 8601 date
  --no-expiry              the key does not expire (compliance profiles require an expiry; say why in your records)
  --not-before <date>      the key cannot be used before this date
  --json                   machine-readable output

Signs in with DefaultAzureCredential (az login, environment, workload or managed identity) as one of the importers.`,
  flags: {
    ...COMMON,
    'vault-url': { type: 'string', required: true, check: (value, flag) => { vaultUrlOf(value, flag); } },
    'key-name': { type: 'string', required: true, check: matching(/^[a-zA-Z0-9-]{1,127}$/, '1 to 127 letters, digits and hyphens') },
    'byok': { type: 'string', required: true, check: inputFile },
    'key-type': { type: 'string', check: oneOf(AZURE_IMPORT_KEY_TYPES) },
    'curve': { type: 'string', check: oneOf(AZURE_CURVES) },
    'key-ops': { type: 'string' },
    'expires-in-days': { type: 'string', check: wholeNumber(1, MAX_EXPIRY_DAYS, 'days') },
    'expires-at': { type: 'string', check: isoDateCheck },
    'no-expiry': { type: 'boolean' },
    'not-before': { type: 'string', check: isoDateCheck },
  },
  run: async (v, io) => {
    const expiryFlags = ['expires-in-days', 'expires-at', 'no-expiry'].filter((f) => v[f] !== undefined);
    if (expiryFlags.length !== 1) {
      throw usageError(`give exactly one of --expires-in-days, --expires-at or --no-expiry, got ${expiryFlags.length === 0 ? 'none' : expiryFlags.map((f) => `--${f}`).join(', ')}`);
    }
    let expiresOn = dateFlag(v['expires-at'], '--expires-at');
    if (v['expires-in-days'] !== undefined) {
      const days = Number(v['expires-in-days']);
      expiresOn = new Date(io.now().getTime() + days * DAY_MS);
    }
    const result = await importByok(io.azureKeys, {
      vaultUrl: vaultUrlOf(v['vault-url'], '--vault-url'),
      keyName: v['key-name'],
      blob: readInput(v.byok, '--byok'),
      keyType: v['key-type'] ?? 'RSA-HSM',
      curve: v.curve,
      keyOps: v['key-ops']?.split(',').map((o: string) => o.trim()).filter((o: string) => o.length > 0),
      expiresOn,
      notBefore: dateFlag(v['not-before'], '--not-before'),
      now: io.now(),
    });
    return { ...result };
  },
  print: (r: any) => `Imported ${r.keyType ?? 'the key'} ${r.keyId}
  operations  ${r.keyOps.join(', ')}
  expiration  ${r.expiresOn ? `expires at ${r.expiresOn}` : 'does not expire'}
  wrapped for ${r.kekId}
Next: set keyImported: true on the ByokImport and deploy, so its users get their role on the key.`,
  describeError: describeAzureError,
};
