import type { z } from 'zod';
import { validationError } from './errors.ts';

/** Parses a body, query or path parameter against a schema; a 400 naming the fields otherwise. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}
