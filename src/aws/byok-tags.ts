/*
 * Key tags by which aws.ByokImport tells the `cloud-kms` CLI what it chose. Shared by the construct and the CLI, so
 * outside `private/`; not exported from the package (the tag names are an internal contract). No CDK imports here: the
 * CLI loads this file.
 */

/** ISO date the imported material expires at, or `none`. */
export const KEY_MATERIAL_EXPIRY_TAG = 'cloud-kms:key-material-expiry';

/** The wrapping algorithm to request import parameters for. */
export const WRAPPING_ALGORITHM_TAG = 'cloud-kms:wrapping-algorithm';
