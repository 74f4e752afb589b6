/*
 * Robustness of the AWS audit sink, HSM cluster and external key store under mutated props
 * (support/harness.ts: the oracle, FUZZ_SEED / FUZZ_PATH / FUZZ_RUNS / FUZZ_COLLECT). Keys: aws-keys.fuzz.test.ts.
 */
import { awsSuite } from './support/aws-suite';
import { AWS_TARGETS } from './support/aws-targets';

// The envelope function (the slowest to synthesize: its bundled handler) goes with the keys, to balance the two files.
const KEYS = ['aws.ManagedKey', 'aws.CustomerManagedKey', 'aws.ByokImport', 'aws.TenantKeyHierarchy', 'aws.DualControlGate', 'aws.EnvelopeEncryptionFunction'];

awsSuite('aws (services)', AWS_TARGETS.filter((t) => !KEYS.includes(t.name)));
