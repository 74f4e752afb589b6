/**
 * FIPS 140 security level of the module that holds the key material.
 *
 * @see https://csrc.nist.gov/projects/cryptographic-module-validation-program
 */
export enum FipsLevel {
  /** Validated module, no physical security requirement (software keys). */
  LEVEL_1 = 'LEVEL_1',
  /** Tamper evidence and role-based authentication. */
  LEVEL_2 = 'LEVEL_2',
  /** Tamper resistance and identity-based authentication (HSMs). */
  LEVEL_3 = 'LEVEL_3',
}
