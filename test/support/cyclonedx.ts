/*
 * The CycloneDX library's own JSON schema validator (`Validation.JsonStrictValidator`, CycloneDX 1.6), as the tests run
 * it. The library loads three optional packages for it: ajv and ajv-formats are installed, ajv-formats-draft2019 is not
 * (and no dependency may be added). The library takes only the `idn-email` format from that package, and a CBOM has no
 * e-mail field; this stand-in registers that one format with a plain address pattern, so every other check (the
 * schema, its enums, the other formats) is the library's own.
 */
import type { Validation as ValidationModule } from '@cyclonedx/cyclonedx-library';

jest.mock('ajv-formats-draft2019', () => (ajv: { addFormat(name: string, format: RegExp): void }, options: { formats: string[] }) => {
  for (const name of options.formats) {
    if (name !== 'idn-email') throw new Error(`the ajv-formats-draft2019 stand-in has no format ${name}`);
    ajv.addFormat(name, /^[^\s@]+@[^\s@]+$/u);
  }
}, { virtual: true });

/**
 * The library picks its validator when its module loads: it is loaded again here, in a registry of its own, after the
 * stand-in is registered (the copy the code under test imported earlier found no validator).
 */
function loadValidator(): InstanceType<typeof ValidationModule.JsonStrictValidator> {
  let made: InstanceType<typeof ValidationModule.JsonStrictValidator> | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('@cyclonedx/cyclonedx-library') as typeof import('@cyclonedx/cyclonedx-library');
    made = new lib.Validation.JsonStrictValidator(lib.Spec.Version.v1dot6);
  });
  return made!;
}

let validator: ReturnType<typeof loadValidator> | undefined;

/** The schema's errors for the document, or null when it is valid CycloneDX 1.6. */
export async function cycloneDxErrors(bom: unknown): Promise<unknown[] | null> {
  validator ??= loadValidator();
  const errors = await validator.validate(typeof bom === 'string' ? bom : JSON.stringify(bom));
  return errors === null ? null : (errors as unknown[]);
}
