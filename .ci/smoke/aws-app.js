/*
 * A user's AWS-only CDK app, run from a project that installed the packed tarball with aws-cdk-lib and constructs
 * only: it imports the AWS entry point and the core from the package root, synthesizes one key and checks the
 * template and the compliance report. Usage: node aws-app.js <outdir>
 */
'use strict';
const { existsSync, readFileSync } = require('fs');
const { join } = require('path');
const { App, Stack } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { CustomerManagedKey } = require('cloud-kms-constructs/aws');
const { ComplianceProfile } = require('cloud-kms-constructs/core');

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: node aws-app.js <outdir>');

const account = '123456789012';
const role = (name) => new iam.ArnPrincipal(`arn:aws:iam::${account}:role/${name}`);
const app = new App({ outdir });
const stack = new Stack(app, 'OrdersKeys', { env: { account, region: 'us-east-1' } });
new CustomerManagedKey(stack, 'OrdersKey', {
  profile: ComplianceProfile.COMMERCIAL,
  custodians: { administrators: [role('KeyAdmins')], users: [role('OrdersService')], auditors: [role('Auditors')] },
});
app.synth();

function fail(message) {
  console.error(`aws-app: ${message}`);
  process.exit(1);
}

const templateFile = join(outdir, 'OrdersKeys.template.json');
if (!existsSync(templateFile)) fail(`no template at ${templateFile}`);
const template = JSON.parse(readFileSync(templateFile, 'utf8'));
const keys = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::KMS::Key');
if (keys.length !== 1) fail(`expected one AWS::KMS::Key in the template, found ${keys.length}`);

const reportFile = join(outdir, 'compliance-report.json');
if (!existsSync(reportFile)) fail(`no compliance report at ${reportFile}: the report did not attach itself to an app importing cloud-kms-constructs/aws`);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const reported = (report.stacks ?? []).flatMap((s) => s.keys ?? []).filter((k) => k.path === 'OrdersKeys/OrdersKey');
if (reported.length !== 1) fail(`expected the report to list key OrdersKeys/OrdersKey once, found ${reported.length}`);

const cdktf = Object.keys(require.cache).filter((f) => /[\\/]node_modules[\\/](cdktf|@cdktf)[\\/]/.test(f));
if (cdktf.length > 0) fail(`the AWS app loaded ${cdktf.length} cdktf modules, e.g. ${cdktf[0]}`);

console.log(`aws-app: synthesized ${keys.length} AWS::KMS::Key, report lists ${reported[0].path} (${reported[0].profile}), no cdktf module loaded`);
