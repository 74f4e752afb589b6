/** KMS API calls that must never pass unnoticed. */
export const CRITICAL_KEY_API_CALLS = [
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'PutKeyPolicy',
  'DisableKeyRotation',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  'DisconnectCustomKeyStore',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
];

/** Events KMS itself emits about key lifecycle. */
export const KEY_LIFECYCLE_EVENTS = ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'];

/**
 * KMS API calls that route around the key policy's denies: a replica created with a policy of its own decrypts the
 * primary's ciphertexts, and an alias re-pointed at another key redirects new data to whoever holds that key.
 */
export const ESCALATION_KEY_API_CALLS = ['ReplicateKey', 'UpdatePrimaryRegion', 'CreateAlias', 'UpdateAlias', 'DeleteAlias'];

/** The metric the trail's log group counts RetireGrant and RevokeGrant calls into. */
export const GRANT_REVOCATION_METRIC = 'GrantRetirementsAndRevocations';

/** CloudTrail API calls that would blind the audit trail. */
export const TRAIL_TAMPERING_API_CALLS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'];
