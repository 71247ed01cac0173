import { describe, expect, it } from 'vitest';
import { AppError, toProblem } from '../http/errors.ts';
import { actionText, personalDataIn, refusePersonalData } from './personal-data.ts';

describe('personal data in names and said text', () => {
  it.each([
    ['an e-mail address', 'thorin@example.com', 'email'],
    ['a phone number', 'Call 555-123-4567', 'phone_number'],
    ['an age', 'Elara, 11 years old', 'age'],
    ['a street address', 'meet me at 42 Elm Street', 'physical_address'],
  ])('finds %s', (_what, text, rule) => {
    expect(personalDataIn({ name: text })).toEqual({ path: 'name', rule });
  });

  it('lets game names and game talk through', () => {
    expect(personalDataIn({ name: 'Thorin Ironbeard', message: 'To the crypt! Morwen falls tonight.', topic: 'the-old-king' })).toBeUndefined();
  });

  it('refuses with a 400 problem naming the field', () => {
    let thrown: unknown;
    try {
      refusePersonalData({ name: 'Vex', message: 'my real name is Jane, write to jane@example.com' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const p = toProblem(thrown);
    expect(p.status).toBe(400);
    expect(p.body.code).toBe('request.personal_data');
    expect(p.body.errors).toEqual([{ path: 'message', message: expect.stringContaining('COPPA rule') }]);
  });

  it('takes the free-text fields of an action, not its type or ids', () => {
    expect(actionText({ type: 'social.say', characterId: 'vex', message: 'hi', clientActionId: 'a1', cautious: true })).toEqual({ message: 'hi', clientActionId: 'a1' });
  });
});
