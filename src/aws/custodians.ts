import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Who holds which role over a key. Every principal must be a named IAM role or user:
 * the account root and wildcards are rejected, because they would hand the role to every IAM identity.
 */
export interface KeyCustodians {
  /**
   * Manage the key (policy, rotation, aliases, tags, lifecycle). Explicitly denied every cryptographic action.
   */
  readonly administrators: iam.IPrincipal[];

  /**
   * Use the key for the cryptographic operations its spec allows. Explicitly denied every management action.
   * More users can be added later with the grant methods.
   * @default - none yet
   */
  readonly users?: iam.IPrincipal[];

  /**
   * Read key metadata, policy, grants and rotation status only; everything else explicitly denied.
   * @default - none
   */
  readonly auditors?: iam.IPrincipal[];

  /**
   * Under a profile that requires dual control: the only principals that may schedule or cancel deletion,
   * disable the key or change its policy, each with MFA. At least two.
   * @default - none (required when the profile requires dual control)
   */
  readonly approvers?: iam.IPrincipal[];

  /**
   * `ByokImport` only: the principals that import key material (GetParametersForImport, ImportKeyMaterial,
   * DeleteImportedKeyMaterial) and nothing else, with MFA under dual control.
   * @default - none (at least one is required by ByokImport)
   */
  readonly importers?: iam.IPrincipal[];
}

/**
 * Conditions for a conditional grant.
 */
export interface GrantConditions {
  /**
   * Encryption-context pairs every request must carry (`kms:EncryptionContext:<key>` equals the value).
   * @default - no encryption-context condition
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
   */
  readonly encryptionContext?: { [key: string]: string };

  /**
   * AWS services the request must come through (`kms:ViaService`), e.g. `s3.us-east-1.amazonaws.com`.
   * @default - any caller path
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
   */
  readonly viaServices?: string[];

  /**
   * Encryption-context keys every request must carry, whatever their values (`kms:EncryptionContext:<key>` present).
   * @default - none
   */
  readonly requiredContextKeys?: string[];

  /**
   * Tags the calling principal must carry (`aws:PrincipalTag/<key>` equals the value): attribute-based access control.
   * @default - no principal-tag condition
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/abac.html
   */
  readonly principalTags?: { [key: string]: string };
}
