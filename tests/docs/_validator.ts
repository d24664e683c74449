/**
 * Validates values against schemas taken from the served protocol documents (JSON Schema
 * draft 2020-12, with ajv).
 *
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";

/**
 * A checker that throws with ajv's errors when a value does not match a schema.
 *
 * @returns The checker.
 */
export function schemaChecker(): (schema: Record<string, unknown>, value: unknown) => void {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  return (schema, value) => {
    const validate = ajv.compile(schema);
    if (!validate(value)) {
      throw new Error(
        `${JSON.stringify(value)} does not match: ${JSON.stringify(validate.errors, null, 1)}`,
      );
    }
  };
}
