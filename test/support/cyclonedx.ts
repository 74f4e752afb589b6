/*
 * The CycloneDX library's own JSON schema validator (`Validation.JsonStrictValidator`, CycloneDX 1.6), with the
 * optional packages it loads for it installed as dev dependencies (ajv, ajv-formats, ajv-formats-draft2019): every
 * check (the schema, its enums, its formats) is the library's own.
 */
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

function loadValidator(): InstanceType<typeof Validation.JsonStrictValidator> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6);
}

let validator: ReturnType<typeof loadValidator> | undefined;

/** The schema's errors for the document, or null when it is valid CycloneDX 1.6. */
export async function cycloneDxErrors(bom: unknown): Promise<unknown[] | null> {
  validator ??= loadValidator();
  const errors = await validator.validate(typeof bom === 'string' ? bom : JSON.stringify(bom));
  return errors === null ? null : (errors as unknown[]);
}
