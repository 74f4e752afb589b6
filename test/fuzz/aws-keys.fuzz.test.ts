/*
 * Robustness of the AWS key constructs and the envelope function under mutated props (support/harness.ts: the oracle, FUZZ_SEED / FUZZ_PATH /
 * FUZZ_RUNS / FUZZ_COLLECT). The other AWS constructs are in aws-services.fuzz.test.ts.
 */
import { awsSuite } from './support/aws-suite';
import { AWS_TARGETS } from './support/aws-targets';

// The envelope function (the slowest to synthesize: its bundled handler) goes with the keys, to balance the two files.
const KEYS = ['aws.ManagedKey', 'aws.CustomerManagedKey', 'aws.ByokImport', 'aws.TenantKeyHierarchy', 'aws.DualControlGate', 'aws.EnvelopeEncryptionFunction'];

awsSuite('aws (keys)', AWS_TARGETS.filter((t) => KEYS.includes(t.name)));
