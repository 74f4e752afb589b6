import { readEnvelopeConfig } from '../../../src/aws/handlers/envelope-config';
import { ENV } from '../../../src/aws/handlers/envelope-handler';

/*
 * Review of issue 16: the cold-start check of ENVELOPE_KEY_ARN accepts every key the constructs can name. An alias
 * name may hold ':' (CreateAlias's AliasName pattern; `aliases: ['app:prod']` is accepted by the key constructs), and a
 * kms.Alias given as the function's key puts its alias ARN in the environment.
 */
describe('ENVELOPE_KEY_ARN', () => {
  test.each([
    'arn:aws:kms:eu-west-1:123456789012:alias/app:prod',
    'alias/app:prod',
    'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    'alias/app/prod',
  ])('%s is accepted', (keyArn) => {
    expect(readEnvelopeConfig({ [ENV.KEY_ARN]: keyArn }).keyArn).toBe(keyArn);
  });

  test.each(['alias/has space', 'arn:aws:kms:eu-west-1:123456789012:alias/a\nb'])('%j is refused', (keyArn) => {
    expect(() => readEnvelopeConfig({ [ENV.KEY_ARN]: keyArn })).toThrow(/ENVELOPE_KEY_ARN must be a KMS key ARN/);
  });
});
