/* The CliIo of the `cloud-kms` process: the terminal, and clients made with the SDKs' default credentials. */
import type { CliIo } from './command';

/** Each client is created (and its SDK loaded) only by the command that needs it. */
export function processIo(): CliIo {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    kms: (o) => new (require('@aws-sdk/client-kms') as typeof import('@aws-sdk/client-kms')).KMSClient({ region: o.region, endpoint: o.endpoint }),
    azureKeys: (url) => {
      const { KeyClient } = require('@azure/keyvault-keys') as typeof import('@azure/keyvault-keys');
      const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
      return new KeyClient(url, new DefaultAzureCredential());
    },
    gcpKms: () => new (require('@google-cloud/kms') as typeof import('@google-cloud/kms')).KeyManagementServiceClient(),
    now: () => new Date(),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}
