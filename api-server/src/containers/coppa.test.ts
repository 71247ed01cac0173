import { describe, expect, it } from 'vitest';
import { assertCoppaCompliant, checkCoppa, compliantName, NEUTRAL_NAME } from './coppa.ts';
import { CoppaViolationError } from './errors.ts';

const refused: [string, unknown, string, string][] = [
  ['email value', { note: 'write to kid123@example.com' }, 'email', 'metadata.note'],
  ['email key', { owner_email: 'x' }, 'email', 'metadata.owner_email'],
  ['phone value (US)', { note: 'call (555) 123-4567' }, 'phone_number', 'metadata.note'],
  ['phone value (intl)', { note: 'ring +44 20 7946 0958' }, 'phone_number', 'metadata.note'],
  ['phone key', { phoneNumber: '1' }, 'phone_number', 'metadata.phoneNumber'],
  ['street address', { note: 'I live at 42 Elm Street' }, 'physical_address', 'metadata.note'],
  ['po box', { note: 'P.O. Box 1234' }, 'physical_address', 'metadata.note'],
  ['address key', { home_address: 'x' }, 'physical_address', 'metadata.home_address'],
  ['zip key', { zip: '90210' }, 'physical_address', 'metadata.zip'],
  ['real name key', { real_name: 'Jane Doe' }, 'real_name', 'metadata.real_name'],
  ['last name key', { lastName: 'Doe' }, 'real_name', 'metadata.lastName'],
  ['real name value', { note: 'my real name is Jane' }, 'real_name', 'metadata.note'],
  ['birth date key', { date_of_birth: '2014-03-01' }, 'birth_date', 'metadata.date_of_birth'],
  ['dob key', { DOB: '1/2/2014' }, 'birth_date', 'metadata.DOB'],
  ['birthday value', { note: 'born on 3 March 2014' }, 'birth_date', 'metadata.note'],
  ['age key', { age: 11 }, 'age', 'metadata.age'],
  ['age value', { note: 'I am 11 years old' }, 'age', 'metadata.note'],
  ['age value short', { note: 'age: 9' }, 'age', 'metadata.note'],
  ['ipv4 value', { note: 'from 192.168.1.20' }, 'ip_address', 'metadata.note'],
  ['ipv6 value', { note: '2001:db8::8a2e:370:7334' }, 'ip_address', 'metadata.note'],
  ['ip key', { client_ip: 'x' }, 'ip_address', 'metadata.client_ip'],
  ['user agent value', { note: 'Mozilla/5.0 (X11; Linux x86_64)' }, 'user_agent', 'metadata.note'],
  ['user agent key', { userAgent: 'x' }, 'user_agent', 'metadata.userAgent'],
  ['session id key', { session_id: 'abc' }, 'session_id', 'metadata.session_id'],
  ['session cookie value', { note: 'JSESSIONID=abc123' }, 'session_id', 'metadata.note'],
  ['nested in arrays', { log: [{ who: 'ok' }, { contact: { email: 'a@b.co' } }] }, 'email', 'metadata.log[1].contact.email'],
];

const allowed: [string, unknown][] = [
  ['game metadata', { name: 'Iron-bound chest', kind: 'room', source_key: 'room:s1:hall:chest', game_session: 's1' }],
  ['corpse metadata', { owner_character_id: 'thorin-ironbeard', owner_name: 'Thorin', grace_period_until: '2030-01-01T12:05:00.000Z' }],
  ['item stats', { damage: '1d8+2', durability: 87, enchant: 'fire', stage: 3, message: 'Beware the crypt' }],
  ['uuid', { inner: '2f1a7d2e-8b4c-4c1e-9a6b-0d5e1f2a3b4c' }],
  ['versions and times', { version: '1.2.3', at: '12:00:05', count: 1234567890 }],
  ['empty key values', { email: null, phone: '' }],
  ['lore', { text: 'The old king fell at the gate in the year 312 of the second age.' }],
];

describe('COPPA metadata validation', () => {
  it.each(refused)('refuses %s', (_name, metadata, rule, path) => {
    expect(checkCoppa(metadata)).toMatchObject({ ok: false, rule, path });
  });
  it.each(allowed)('allows %s', (_name, metadata) => {
    expect(checkCoppa(metadata)).toEqual({ ok: true });
  });
  it('throws a 400 naming the rule and the path', () => {
    try {
      assertCoppaCompliant({ contact: 'kid@example.com' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CoppaViolationError);
      const e = err as CoppaViolationError;
      expect(e.status).toBe(400);
      expect(e.code).toBe('container.coppa_violation');
      expect(e.rule).toBe('email');
      expect(e.extra).toEqual({ rule: 'email', field: 'metadata.contact' });
      expect(e.errors).toEqual([expect.objectContaining({ path: 'metadata.contact' })]);
    }
  });
});

describe('names on records that must be written', () => {
  it('keeps a game name and replaces one that trips a rule', () => {
    expect(compliantName('Thorin Ironbeard')).toEqual({ name: 'Thorin Ironbeard', replaced: null });
    expect(compliantName('Pip (pip@example.com)')).toEqual({ name: NEUTRAL_NAME, replaced: 'email' });
    expect(checkCoppa({ owner_name: NEUTRAL_NAME, name: `Corpse of ${NEUTRAL_NAME}` })).toEqual({ ok: true });
  });
});
