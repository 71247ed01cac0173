// COPPA validation of container and item metadata (seed 004, Security and Compliance): refuse
// to store personal information. Rules look at keys (what a field is called) and at string
// values (what a field holds); the first match wins and is named in the 400.
import { CoppaViolationError } from './errors.ts';

export const COPPA_RULES = [
  'email',
  'phone_number',
  'physical_address',
  'real_name',
  'birth_date',
  'age',
  'ip_address',
  'user_agent',
  'session_id',
] as const;
type CoppaRule = (typeof COPPA_RULES)[number];

type CoppaResult = { ok: true } | { ok: false; rule: CoppaRule; path: string; via: 'key' | 'value' };

interface RuleDef {
  rule: CoppaRule;
  /** Normalised keys (lowercase, alphanumerics only) that are refused outright. */
  keys: readonly string[];
  /** Fragments that make any key containing them refused (only for unambiguous words). */
  keyFragments: readonly string[];
  values: readonly RegExp[];
}

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}(?![\\d.])`);
const IPV6_FULL = /(?<![0-9a-f:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![0-9a-f:])/i;
const IPV6_COMPRESSED = /(?<![0-9a-f:])(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}(?![0-9a-f:])/i;

// Order matters: more specific rules first (an "ip_address" key is an IP, not a postal address).
const RULES: readonly RuleDef[] = [
  {
    rule: 'email',
    keys: ['email', 'mail', 'emailaddress'],
    keyFragments: ['email'],
    values: [/[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i],
  },
  {
    rule: 'ip_address',
    keys: ['ip', 'ipv4', 'ipv6', 'ipaddr', 'remoteaddr', 'remoteaddress', 'xforwardedfor', 'clientip'],
    keyFragments: ['ipaddress'],
    values: [IPV4, IPV6_FULL, IPV6_COMPRESSED],
  },
  {
    rule: 'user_agent',
    keys: ['ua', 'useragent', 'httpuseragent', 'browser'],
    keyFragments: ['useragent'],
    values: [/\b(?:Mozilla\/\d|AppleWebKit\/\d|Chrome\/\d|Safari\/\d|Firefox\/\d|Gecko\/\d|Edg\/\d|Opera\/\d|curl\/\d|Wget\/\d|python-requests\/\d|okhttp\/\d|PostmanRuntime\/\d)/i],
  },
  {
    rule: 'session_id',
    keys: ['sid', 'sessionid', 'sessiontoken', 'sessionkey', 'sessioncookie', 'jsessionid', 'phpsessid', 'connectsid', 'cookie'],
    keyFragments: ['sessionid', 'sessiontoken', 'sessioncookie'],
    values: [/\b(?:JSESSIONID|PHPSESSID|connect\.sid|ASP\.NET_SessionId|session_?id)\s*[=:]/i],
  },
  {
    rule: 'phone_number',
    keys: ['phone', 'tel', 'telephone', 'mobile', 'cell', 'cellphone', 'fax', 'phonenumber'],
    keyFragments: ['phone'],
    values: [
      /(?<![\w])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)/,
      /(?<![\w+])\+\d{1,3}(?:[\s.-]?\d{2,4}){2,5}(?!\d)/,
    ],
  },
  {
    rule: 'physical_address',
    keys: ['address', 'street', 'streetaddress', 'homeaddress', 'mailingaddress', 'postaladdress', 'zip', 'zipcode', 'postcode', 'postalcode'],
    keyFragments: ['streetaddress', 'homeaddress', 'mailingaddress', 'postaladdress', 'postalcode', 'zipcode'],
    values: [
      /\b\d{1,6}\s+(?:[A-Za-z0-9.'-]+\s+){1,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|circle|parkway|pkwy|highway|hwy)\b/i,
      /\bP\.?\s?O\.?\s+Box\s+\d+/i,
    ],
  },
  {
    rule: 'real_name',
    keys: ['realname', 'fullname', 'firstname', 'lastname', 'legalname', 'surname', 'givenname', 'familyname', 'middlename', 'maidenname', 'forename'],
    keyFragments: ['realname', 'legalname', 'firstname', 'lastname', 'fullname', 'surname'],
    values: [/\bmy\s+(?:real\s+|full\s+|legal\s+)?name\s+is\b/i, /\b(?:real|legal|full)\s+name\s*[:=]/i],
  },
  {
    rule: 'birth_date',
    keys: ['dob', 'birthday', 'birthdate', 'dateofbirth', 'born', 'bornon', 'birthyear'],
    keyFragments: ['birth'],
    values: [/\b(?:born(?:\s+on)?|birthday|date\s+of\s+birth|d\.?o\.?b\.?)\s*[:=]?\s*(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i],
  },
  {
    rule: 'age',
    keys: ['age', 'yearsold', 'playerage', 'userage', 'ageyears', 'realage'],
    keyFragments: ['yearsold', 'playerage', 'userage'],
    values: [/\b\d{1,3}\s*(?:years?|yrs?|y\/o)[\s-]*old\b/i, /\b\d{1,3}\s*y\/o\b/i, /\bage[d]?\s*[:=]\s*\d{1,3}\b/i, /\bi\s*(?:'|a)?m\s+\d{1,2}\s*(?:years?|yrs?)\b/i],
  },
];

const MAX_DEPTH = 12;

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function ruleForKey(key: string): CoppaRule | null {
  const k = normaliseKey(key);
  for (const r of RULES) {
    if (r.keys.includes(k) || r.keyFragments.some((f) => k.includes(f))) return r.rule;
  }
  return null;
}

function ruleForValue(value: string): CoppaRule | null {
  for (const r of RULES) {
    if (r.values.some((re) => re.test(value))) return r.rule;
  }
  return null;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function walk(value: unknown, path: string, depth: number): CoppaResult {
  if (depth > MAX_DEPTH) return { ok: true };
  if (typeof value === 'string') {
    const rule = ruleForValue(value);
    return rule ? { ok: false, rule, path, via: 'value' } : { ok: true };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = walk(value[i], childPath(path, i), depth + 1);
      if (!r.ok) return r;
    }
    return { ok: true };
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = childPath(path, k);
      const byKey = ruleForKey(k);
      if (byKey && v !== null && v !== '' && v !== undefined) return { ok: false, rule: byKey, path: p, via: 'key' };
      const byName = ruleForValue(k);
      if (byName) return { ok: false, rule: byName, path: p, via: 'key' };
      const r = walk(v, p, depth + 1);
      if (!r.ok) return r;
    }
  }
  return { ok: true };
}

/** Pure check: the first personal-data rule the metadata trips, if any. */
export function checkCoppa(metadata: unknown, basePath = 'metadata'): CoppaResult {
  return walk(metadata, basePath, 0);
}

/** Throws CoppaViolationError (a 400 naming the rule and the path) on the first match. */
export function assertCoppaCompliant(metadata: unknown, basePath = 'metadata'): void {
  const r = checkCoppa(metadata, basePath);
  if (!r.ok) throw new CoppaViolationError(r.rule, r.path);
}

/** Container metadata plus every item's metadata. */
export function assertContainerCoppaCompliant(c: { metadata: unknown; items: readonly { metadata?: unknown }[] }): void {
  assertCoppaCompliant(c.metadata, 'metadata');
  c.items.forEach((s, i) => assertCoppaCompliant(s.metadata ?? {}, `items[${i}].metadata`));
}

/** What a corpse or record shows instead of a name that may not be stored. */
export const NEUTRAL_NAME = 'a fallen adventurer';

/**
 * For records that must be written whatever the name (a corpse holds loot): the name itself
 * when it passes the rules, else NEUTRAL_NAME. Registration refuses such names, but a corpse
 * must never be lost to one (a character registered before the check, a world file's monster).
 */
export function compliantName(name: string): { name: string; replaced: CoppaRule | null } {
  const r = walk(name, 'name', 0);
  return r.ok ? { name, replaced: null } : { name: NEUTRAL_NAME, replaced: r.rule };
}
