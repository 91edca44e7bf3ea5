import type { z } from 'zod';

/**
 * Reads a record stored as JSON (an SSM parameter's value) against its schema.
 *
 * @returns the record, or the list of problems (each naming the field).
 */
export function parseJsonRecord<S extends z.ZodType>(
  json: string,
  schema: S,
): { readonly record: z.infer<S> } | { readonly problems: readonly string[] } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { problems: [`the value is not JSON (${(error as Error).message})`] };
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    return { problems: result.error.issues.map((i) => `${i.path.join('.') || 'the value'}: ${i.message}`) };
  }
  return { record: result.data };
}
