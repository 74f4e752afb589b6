import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Control, EvidenceLedger, EvidenceStatus, FipsLevel, KeyCustody } from '../../src';
import * as aws from '../../src/aws';
import { hsmVpc, newStack, templateOf } from '../support/fixtures';
import { nagFindings } from '../support/nag';

function cluster(extra: Partial<aws.CloudHsmClusterProps> = {}) {
  const stack = newStack();
  const vpc = hsmVpc(stack);
  const c = new aws.CloudHsmCluster(stack, 'Hsm', { vpc, acknowledgeHourlyCost: true, ...extra });
  return { stack, vpc, cluster: c, t: templateOf(stack) };
}

describe('a default cluster', () => {
  const { stack, t, cluster: c } = cluster();

  test('is a custom resource: two FIPS-mode hsm2m HSMs over the private subnets of two zones, 90-day backups, retained', () => {
    t.hasResource('Custom::CloudKmsHsmCluster', {
      Properties: Match.objectLike({
        HsmType: 'hsm2m.medium',
        HsmCount: '2',
        BackupRetentionDays: '90',
        Mode: 'FIPS',
        VpcId: { Ref: Match.stringLikeRegexp('^Vpc') },
        SubnetIds: [{ Ref: Match.stringLikeRegexp('^VpchsmSubnet1') }, { Ref: Match.stringLikeRegexp('^VpchsmSubnet2') }],
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(c.fipsLevel).toBe(FipsLevel.LEVEL_3);
  });

  test('exposes the cluster id, CSR, security group and HSM addresses from the resource', () => {
    const id = Object.keys(t.findResources('Custom::CloudKmsHsmCluster'))[0];
    expect(stack.resolve(c.clusterId)).toEqual({ 'Fn::GetAtt': [id, 'ClusterId'] });
    expect(stack.resolve(c.clusterCsr)).toEqual({ 'Fn::GetAtt': [id, 'ClusterCsr'] });
    expect(stack.resolve(c.clusterSecurityGroupId)).toEqual({ 'Fn::GetAtt': [id, 'SecurityGroupId'] });
    expect(stack.resolve(c.hsmEniIps)).toEqual({ 'Fn::Split': [',', { 'Fn::GetAtt': [id, 'HsmEniIps'] }] });
  });

  test('clients reach the HSMs on TCP 2223-2225 and nothing else', () => {
    const id = Object.keys(t.findResources('Custom::CloudKmsHsmCluster'))[0];
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{
        IpProtocol: 'tcp',
        FromPort: 2223,
        ToPort: 2225,
        DestinationSecurityGroupId: { 'Fn::GetAtt': [id, 'SecurityGroupId'] },
        Description: 'CloudHSM client protocol',
      }],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [id, 'SecurityGroupId'] },
      IpProtocol: 'tcp',
      FromPort: 2223,
      ToPort: 2225,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HsmClientSecurityGroup'), 'GroupId'] },
    });
  });

  test('the provider waits up to two hours, polling every 30 seconds, with a least-privilege handler role', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"IntervalSeconds":30,"MaxAttempts":240')])] }),
    });
    const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).map((p: any) => p.Properties.PolicyDocument.Statement);
    const handler = policies.find((st) => JSON.stringify(st).includes('cloudhsm:CreateCluster'))!;
    expect(handler).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['cloudhsm:CreateCluster', 'cloudhsm:DescribeClusters'], Resource: '*' }),
      expect.objectContaining({
        Action: expect.arrayContaining(['cloudhsm:CreateHsm', 'cloudhsm:DeleteHsm', 'cloudhsm:DeleteCluster']),
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudhsm:us-east-1:111111111111:cluster/*']] },
      }),
      expect.objectContaining({ Action: 'iam:CreateServiceLinkedRole', Condition: { StringEquals: { 'iam:AWSServiceName': 'cloudhsm.amazonaws.com' } } }),
    ]));
    expect(JSON.stringify(handler)).not.toMatch(/kms:|secretsmanager:/);
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Description: 'cloud-kms-constructs HsmCluster onEvent' });
  });

  test('evidence: FIPS 140 Level 3 HSMs, backups and retention, and the cost acknowledgement', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.containers).toEqual([expect.objectContaining({
      path: 'Test/Hsm',
      kind: 'CloudHSM cluster',
      custody: KeyCustody.CUSTOMER_EXTERNAL,
      fipsLevel: FipsLevel.LEVEL_3,
      // The CBOM names the certificate by it (hsm2m.medium: FIPS 140-3).
      hsmType: 'hsm2m.medium',
    })]);
    expect(ledger.evidenceFor(Control.NIST_SC_13, 'Test/Hsm')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'hsm2m.medium' });
    expect(ledger.evidenceFor(Control.NIST_SC_12_1, 'Test/Hsm')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '2, 90, retain' });
    expect(ledger.acknowledgements('Test/Hsm').map((a) => a.rule)).toContain('cloud-kms:HsmHourlyCost');
  });

  test('cdk-nag: no unacknowledged findings (the provider framework findings are acknowledged with reasons)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

test('options: more HSMs, hsm1, shorter backups, destroy on removal', () => {
  const { t } = cluster({ hsmCount: 3, hsmType: aws.HsmType.HSM1_MEDIUM, backupRetention: Duration.days(30), removalPolicy: RemovalPolicy.DESTROY });
  t.hasResource('Custom::CloudKmsHsmCluster', {
    Properties: Match.objectLike({ HsmType: 'hsm1.medium', HsmCount: '3', BackupRetentionDays: '30', Mode: Match.absent() }),
    DeletionPolicy: 'Delete',
  });
});

describe('bad input', () => {
  test.each<[string, Partial<aws.CloudHsmClusterProps>, string | RegExp]>([
    ['no cost acknowledgement', { acknowledgeHourlyCost: false },
      'acknowledgeHourlyCost must be true: each CloudHSM HSM bills by the hour from creation (well over US$1,000 a month, at least two per cluster), got false'],
    ['one HSM', { hsmCount: 1 }, 'hsmCount must be between 2 and 28 HSMs, got 1'],
    ['backups kept 5 days', { backupRetention: Duration.days(5) }, 'backupRetention must be between 7 and 379 days, got 5'],
  ])('%s', (_what, extra, message) => {
    expect(() => cluster(extra)).toThrow(message);
  });

  test('a single zone, or public subnets, are refused', () => {
    const stack = newStack();
    const oneZone = new ec2.Vpc(stack, 'OneZone', {
      availabilityZones: ['us-east-1a'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    expect(() => new aws.CloudHsmCluster(stack, 'A', { vpc: oneZone, acknowledgeHourlyCost: true })).toThrow(
      'vpcSubnets must cover at least 2 Availability Zones, got 1 (us-east-1a)');
    const mixed = new ec2.Vpc(stack, 'Mixed', {
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }, { name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    expect(() => new aws.CloudHsmCluster(stack, 'B', { vpc: mixed, acknowledgeHourlyCost: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow('vpcSubnets must select private subnets: HSMs must not sit in a subnet routed to an internet gateway');
  });
});
