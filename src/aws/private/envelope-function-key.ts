import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/**
 * A multi-Region key ARN: `key/mrk-` and 32 hex digits (`mrk-1234abcd12ab34cd56ef1234567890ab`). A replica has the
 * primary's key id and key material in another region of the same partition, so the ARN differs only in its region.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html
 */
const MRK_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(mrk-[0-9a-f]{32})$/;

/**
 * The ARN the envelope function uses its key by. A multi-Region key named by a literal ARN of another region (its
 * primary, say, imported with `kms.Key.fromKeyArn`) is used through the replica in the function's own region: the
 * same key id with this stack's region. The function's role is granted that one ARN, and its handler calls KMS there
 * only. Anything else (a token, a single-Region key, a key in this region) is used as it is.
 */
export function localKeyArn(scope: IConstruct, key: kms.IKey): string {
  const arn = key.keyArn;
  if (Token.isUnresolved(arn)) return arn;
  const m = MRK_ARN.exec(arn);
  const region = Stack.of(scope).region;
  if (!m || m[2] === region) return arn;
  return `arn:${m[1]}:kms:${region}:${m[3]}:key/${m[4]}`;
}
