import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { checkCoppa } from './coppa.ts';
import { appError } from '../http/errors.ts';

// Free text that the platform stores or broadcasts (character names, what a character says)
// passes the same COPPA rules as container metadata (containers/coppa.ts): the request is
// refused with a 400 naming the field, rather than the text being stored or sent to the room.

/** The first field (dotted path → text) that trips a COPPA rule, if any. */
export function personalDataIn(fields: Record<string, string | undefined>): { path: string; rule: string } | undefined {
  for (const [path, text] of Object.entries(fields)) {
    if (text === undefined) continue;
    const r = checkCoppa(text, path);
    if (!r.ok) return { path, rule: r.rule };
  }
  return undefined;
}

/** Throws `request.personal_data` (400) naming the first field that trips a rule. */
export function refusePersonalData(fields: Record<string, string | undefined>): void {
  const hit = personalDataIn(fields);
  if (!hit) return;
  const message = `looks like personal data (COPPA rule ${hit.rule}); it may not be stored or broadcast`;
  throw appError('request.personal_data', `${hit.path} ${message}`, { errors: [{ path: hit.path, message }] });
}

/** The free-text fields of an action (what it would put into events), by field name. */
export function actionText(action: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const field of ['message', 'topic', 'target', 'weapon', 'spell', 'npc', 'clientActionId']) {
    const v = action[field];
    if (typeof v === 'string') out[field] = v;
  }
  return out;
}

// Longer texts are refused by the routes' own schemas (names 100, said text 500 characters);
// skipping them here keeps the rules' regular expressions off 64 KiB strings.
const MAX_CHECKED = 1000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= MAX_CHECKED ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Every route that takes text the platform stores or broadcasts, and where that text is. */
const GUARDED: [path: string, fields: (body: Record<string, unknown>) => Record<string, string | undefined>][] = [
  ['/api/registry/keys', (b) => ({ characterId: str(b.characterId), 'spec.displayName': str(obj(b.spec).displayName) })],
  ['/api/registry/character', (b) => ({ characterId: str(b.characterId), name: str(b.name) })],
  ['/api/actions', (b) => actionText(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, str(v)])))],
];

/**
 * Guards mounted ahead of the modules (`app.post(path, guard)`, so express matches them exactly
 * as it matches the routes): a name or said text that trips a COPPA rule is refused before
 * anything stores or publishes it.
 */
export function personalDataGuards(): [path: string, guard: RequestHandler][] {
  return GUARDED.map(([path, fields]) => [
    path,
    (req: Request, _res: Response, next: NextFunction) => {
      refusePersonalData(fields(obj(req.body)));
      next();
    },
  ]);
}
