import type { KeySpec, RegistrationRequest } from '@distributed-dungeon/contracts';
import type { FieldError } from '../http/errors.ts';

/**
 * Where a registration departs from the Character spec recorded with its key; empty when it
 * matches. Pure. The name, class, level and capabilities must be the spec's (the capabilities as a
 * set), and so must the abilities (a set) when the spec picks any. A session may be named only when it is the spec's own, or the one the registry last put
 * the character in (a runtime rejoining after a restart, possibly in a fallback session); without
 * a spec.session any existing session may be asked for, since the registry would pick among them.
 */
export function specMismatches(spec: KeySpec, req: RegistrationRequest, lastSessionId: string | null): FieldError[] {
  const out: FieldError[] = [];
  if (req.name !== spec.displayName.trim()) out.push({ path: 'name', message: `must be the Character's displayName "${spec.displayName}"` });
  if (req.class !== spec.class) out.push({ path: 'class', message: `must be the Character's class ${spec.class}` });
  if (req.level !== spec.level) out.push({ path: 'level', message: `must be the Character's level ${spec.level}` });
  const declared = new Set(spec.capabilities);
  const asked = new Set(req.capabilities);
  if (asked.size !== declared.size || [...asked].some((c) => !declared.has(c))) {
    out.push({ path: 'capabilities', message: `must be the Character's capabilities [${spec.capabilities.join(', ')}]` });
  }
  if (spec.abilities) {
    const picked = new Set(req.abilities ?? []);
    if (req.abilities === undefined || picked.size !== spec.abilities.length || spec.abilities.some((a) => !picked.has(a))) {
      out.push({ path: 'abilities', message: `must be the Character's abilities [${spec.abilities.join(', ')}]` });
    }
  }
  if (spec.session && req.sessionId && req.sessionId !== spec.session && req.sessionId !== lastSessionId) {
    out.push({ path: 'sessionId', message: `must be the Character's session ${spec.session} (or be left out)` });
  }
  return out;
}
