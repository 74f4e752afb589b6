/*
 * The loopback KMS stand-in of test/support/aws-kms-standin.ts in its own process, for the envelope benchmark's
 * multi-Region key contenders (moto 5.2.1 cannot decrypt under a multi-Region key: AccessDeniedException). Prints one
 * JSON line (endpoint, the primary in us-east-1 and its replica in eu-central-1), then serves until it is killed.
 */
import { AwsKmsStandIn } from '../test/support/aws-kms-standin';
import { REGION } from '../test/support/moto';

export const REPLICA_REGION = 'eu-central-1';

void (async () => {
  const kms = await new AwsKmsStandIn().start();
  const primary = kms.createKey(REGION, { multiRegion: true });
  const replica = kms.replicate(primary, REPLICA_REGION);
  process.stdout.write(`${JSON.stringify({ endpoint: kms.endpoint, primary, replica })}\n`);
})();
