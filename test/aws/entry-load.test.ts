/*
 * What an AWS CDK app pays for loading the AWS constructs: none of the runtimes that only the Lambda handlers, the
 * CLI or the Terraform clouds need. Each is replaced by a module that records that it was loaded.
 */
const RUNTIME_ONLY = ['@aws-sdk/client-kms', '@smithy/signature-v4', 'cdktf', '@cdktf/provider-azurerm', '@cdktf/provider-google'];

test('loading the AWS constructs loads neither the AWS SDK nor cdktf', () => {
  const loaded: string[] = [];
  jest.isolateModules(() => {
    for (const name of RUNTIME_ONLY) {
      jest.doMock(name, () => {
        loaded.push(name);
        return {};
      }, { virtual: true });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const aws = require('../../src/aws');
    expect(typeof aws.CustomerManagedKey).toBe('function');
    expect(typeof aws.EnvelopeEncryptionFunction).toBe('function');
  });
  expect(loaded).toEqual([]);
});
