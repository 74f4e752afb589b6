import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const env = { account: ACCOUNT, region: REGION };

/** Roles that exist in the account already (from IAM Identity Center or your IAM pipeline). */
export const role = (name: string) => new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/${name}`);

/** A secret created and filled by its custodian, outside any stack: the template only ever holds its ARN. */
export const existingSecret = (scope: Construct, name: string) =>
  secretsmanager.Secret.fromSecretCompleteArn(scope, name, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-a1B2c3`);

/** The customer's HSM network: two private zones. Its flow logs and default security group are the network team's. */
export function hsmNetwork(scope: Construct): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'HsmNetwork', {
    availabilityZones: [`${REGION}a`, `${REGION}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'hsm', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  const reason = 'Example network: VPC flow logs and the default security group belong to the customer network stack, not this example.';
  Validations.of(vpc).acknowledge(
    { id: 'AwsSolutions-VPC7', reason },
    ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [
      { id: `${pack}-VPCFlowLogsEnabled`, reason }, { id: `${pack}-VPCDefaultSecurityGroupClosed`, reason },
    ]),
  );
  return vpc;
}
