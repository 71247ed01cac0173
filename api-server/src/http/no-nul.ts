import type { NextFunction, Request, Response } from 'express';
import { appError } from './errors.ts';

// PostgreSQL's text cannot hold U+0000, so a NUL anywhere in a request (a JSON string or key, a
// query value, the path) would reach the database and fail there as a 500. Refused at the door
// instead, with a 400 naming where it was.

const NUL = '\u0000';
/** Deeper than any body this API takes; beyond it the body is refused by its schema anyway. */
const MAX_DEPTH = 64;

/** The dotted path of the first NUL in `value`, or null when there is none. */
export function findNul(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path || '(body)' : null;
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes(NUL)) return at;
    const found = findNul(v, at, depth + 1);
    if (found) return found;
  }
  return null;
}

export function rejectNul(req: Request, _res: Response, next: NextFunction): void {
  let where: string | null = null;
  if (req.path.includes(NUL) || req.path.toLowerCase().includes('%00')) where = 'path';
  else if (req.query && typeof req.query === 'object') {
    const q = findNul(req.query);
    if (q) where = `query.${q}`;
  }
  if (!where && req.body !== undefined) {
    const b = findNul(req.body);
    if (b) where = b;
  }
  if (where) throw appError('request.invalid', `${where}: text may not contain the NUL character (\\u0000)`, { errors: [{ path: where, message: 'contains U+0000' }] });
  next();
}
