/**
 * The key-policy drift detector's Lambda handler, as the CommonJS source CloudFormation writes to `index.js`
 * (`Code.ZipFile`): a StackSet has no CDK bootstrap bucket in its target accounts to hold a bundled asset.
 * Inline Node.js code is CommonJS and needs nothing beyond the runtime (`crypto`).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html
 *
 * Decision rules, on a CloudTrail event delivered by EventBridge that sets a key policy: `PutKeyPolicy`, `ReplicateKey`
 * (its `Policy` parameter, or the default policy, becomes the replica's) and `CreateKey` with a `Policy` (the rule
 * selects only those); the key named is the replica's (`responseElements.replicaKeyMetadata`) or the new key's
 * (`responseElements.keyMetadata`) where the call created one:
 *  - a call that failed (`errorCode`) changed nothing: REFUSED, not drift;
 *  - a write by a deployment role (role name pattern, no role path, the event's own account) made through CloudFormation
 *    (`invokedBy` or `sourceIPAddress` is `cloudformation.amazonaws.com`, which AWS sets, not the caller): EXPECTED;
 *  - a write by a named direct writer role (e.g. the dual-control gate's executor): EXPECTED;
 *  - anything else (a user, the root user, another role, a deployment role used outside CloudFormation, a role with a
 *    path or from another account): DRIFT, even when the new policy is identical to the deployed one - an out-of-band
 *    write bypassed the pipeline, and an administrator who changes a policy and changes it back makes two writes, both
 *    reported;
 *  - an event the handler cannot read, or a broken configuration: DRIFT (fail closed), and the invocation fails too.
 * The log line names the key, the actor and the SHA-256 and size of the new policy, never the policy itself.
 */
export const DRIFT_HANDLER_SOURCE = String.raw`'use strict';
const crypto = require('crypto');
const CFN = 'cloudformation.amazonaws.com';
const METRICS = { drift: 'OutOfBandKeyPolicyChanges', expected: 'DeployedKeyPolicyChanges', refused: 'RefusedKeyPolicyChanges' };
const POLICY_CALLS = ['PutKeyPolicy', 'ReplicateKey', 'CreateKey'];

function patterns(name) {
  const list = JSON.parse(process.env[name] || '[]');
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || !/^[\w+=,.@*-]{1,64}$/.test(p))) {
    throw new Error(name + ' must be a JSON array of role name patterns');
  }
  return list.map((p) => new RegExp('^' + p.split('*').map((s) => s.replace(/[.+]/g, '\\$&')).join('[\\w+=,.@-]*') + '$'));
}

function config() {
  const namespace = process.env.METRIC_NAMESPACE;
  if (!namespace) throw new Error('METRIC_NAMESPACE is not set');
  return { namespace, deployers: patterns('DEPLOYMENT_ROLE_NAMES'), writers: patterns('POLICY_WRITER_ROLE_NAMES') };
}

function required(value, what) {
  if (typeof value !== 'string' || value.length === 0) throw new Error('event has no ' + what);
  return value;
}

function classify(event, cfg) {
  if (!event || event.source !== 'aws.kms' || event['detail-type'] !== 'AWS API Call via CloudTrail') {
    throw new Error('not a CloudTrail KMS API call event');
  }
  const d = event.detail || {};
  if (d.eventSource !== 'kms.amazonaws.com' || !POLICY_CALLS.includes(d.eventName)) throw new Error('not a call that sets a key policy');
  const account = required(d.recipientAccountId, 'recipientAccountId');
  const response = d.responseElements || {};
  const created = (response.replicaKeyMetadata || response.keyMetadata || {}).arn;
  const named = created || (d.eventName === 'CreateKey' ? undefined : (d.requestParameters || {}).keyId) || ((d.resources || [])[0] || {}).ARN;
  const keyId = d.errorCode && !named ? 'none (the call failed)' : required(named, 'key id');
  const who = d.userIdentity || {};
  const issuer = (who.sessionContext || {}).sessionIssuer || {};
  const actor = issuer.arn || who.arn || who.type || 'unknown';
  const base = { call: d.eventName, keyId, actor, eventID: d.eventID, eventTime: d.eventTime };
  if (d.errorCode) return { ...base, verdict: 'refused', reason: 'the call failed (' + String(d.errorCode).slice(0, 64) + '); nothing changed' };
  if (who.type !== 'AssumedRole' || issuer.type !== 'Role') return { ...base, verdict: 'drift', reason: 'written by ' + (who.type || 'an unknown identity') + ', not a role session' };
  const role = String(issuer.userName || '');
  const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/([^/]+)$/.exec(String(issuer.arn || ''));
  if (!m || m[2] !== role) return { ...base, verdict: 'drift', reason: 'written by a role with a path or an unreadable ARN' };
  if (m[1] !== account || issuer.accountId !== account) return { ...base, verdict: 'drift', reason: 'written by a role of another account' };
  const viaCloudFormation = who.invokedBy === CFN || d.sourceIPAddress === CFN;
  if (cfg.deployers.some((p) => p.test(role))) {
    return viaCloudFormation ? { ...base, verdict: 'expected', reason: 'deployment role through CloudFormation' }
      : { ...base, verdict: 'drift', reason: 'deployment role used outside CloudFormation' };
  }
  if (cfg.writers.some((p) => p.test(role))) return { ...base, verdict: 'expected', reason: 'named policy writer role' };
  return { ...base, verdict: 'drift', reason: 'written outside the deployment path' };
}

function policyDigest(event) {
  const d = (event && event.detail) || {};
  // ReplicateKey without a Policy gives the replica the default policy, which the response carries as replicaPolicy.
  const text = [(d.requestParameters || {}).policy, (d.responseElements || {}).replicaPolicy].find((p) => typeof p === 'string');
  return text === undefined ? {} : { policySha256: crypto.createHash('sha256').update(text).digest('hex'), policyBytes: Buffer.byteLength(text) };
}

function emit(namespace, result, event) {
  const name = METRICS[result.verdict];
  console.log(JSON.stringify({
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Detector']], Metrics: [{ Name: name, Unit: 'Count' }] }] },
    Detector: 'KeyPolicyDrift',
    [name]: 1,
    ...result,
    reason: String(result.reason).slice(0, 300),
    ...policyDigest(event),
  }));
}

exports.classify = classify;
exports.handler = async (event) => {
  let cfg;
  try {
    cfg = config();
    const result = classify(event, cfg);
    emit(cfg.namespace, result, event);
    return result;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    emit((cfg && cfg.namespace) || process.env.METRIC_NAMESPACE || 'CloudKmsConstructs/KeyPolicyDrift',
      { verdict: 'drift', reason: 'unclassifiable: ' + message }, event);
    throw e;
  }
};
`;
