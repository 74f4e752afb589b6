/* `cloud-kms byok azure kek`: loads the Azure SDK (through ../azure), nothing of AWS or Google Cloud. */
import { describeAzureError, getKekPublicKey, parseKekId } from '../azure';
import { COMMON, Command, OUT_FILE, refuseToOverwrite, writeOutput } from '../command';

export const COMMAND: Command = {
  usage: `cloud-kms byok azure kek --kek-id <id> --out <file> [options]

Options:
  --kek-id <id>   the key-exchange key (the ByokImport's KekId Terraform output)
  --out <file>    where to write the public key (PEM), for \`cloud-kms byok wrap --public-key\`
  --force         replace --out if it exists
  --json          machine-readable output`,
  flags: {
    ...COMMON,
    'kek-id': { type: 'string', required: true, check: (value) => { parseKekId(value); } },
    ...OUT_FILE,
  },
  run: async (v, io) => {
    refuseToOverwrite([v.out], '--out', v.force);
    const kek = await getKekPublicKey(io.azureKeys, v['kek-id']);
    writeOutput(v.out, kek.pem, '--out', v.force);
    return { kekId: kek.kekId, vaultUrl: kek.vaultUrl, bits: kek.bits, out: v.out };
  },
  print: (r: any) => `Key-exchange key ${r.kekId} (RSA-${r.bits}) -> ${r.out}
Next: cloud-kms byok wrap --public-key ${r.out} --algorithm AZURE_BYOK --kek-id ${r.kekId} --key-material <file> --out <file>.byok`,
  describeError: describeAzureError,
};
