import { describe, expect, it } from 'vitest';
import { enumOptions, readSchema } from './schema';

describe('schema reading', () => {
  it('falls back to the contract', () => {
    const s = readSchema(undefined);
    expect(s.trust.map((o) => o.value)).toEqual(['untrusted', 'partner', 'internal', 'restricted']);
    expect(s.authentication).toHaveLength(10);
  });
  it('reads enums, oneOf consts and $refs', () => {
    const schema = {
      $defs: {
        rating: { oneOf: [{ const: 'low', description: 'Little harm' }, { const: 'high', description: 'Much harm' }] },
        trust: { type: 'string', enum: ['untrusted', 'internal'] },
      },
      properties: {
        boundaries: { type: 'array', items: { properties: { trust: { $ref: '#/$defs/trust', description: 'How far it is trusted' } } } },
        data: { type: 'array', items: { $ref: '#/$defs/data' } },
        flows: { type: 'array', items: { properties: { authentication: { anyOf: [{ const: 'none' }, { const: 'token', description: 'Bearer' }] } } } },
      },
    };
    (schema.$defs as Record<string, unknown>).data = { properties: { confidentiality: { $ref: '#/$defs/rating' } } };
    const s = readSchema(schema);
    expect(s.trust.map((o) => o.value)).toEqual(['untrusted', 'internal']);
    expect(s.rating).toEqual([
      { value: 'low', description: 'Little harm' },
      { value: 'high', description: 'Much harm' },
    ]);
    expect(s.authentication[1]).toEqual({ value: 'token', description: 'Bearer' });
    expect(s.descriptions['boundary.trust']).toBe('How far it is trusted');
    expect(s.exposure.map((o) => o.value)).toEqual(['internal', 'partner', 'internet']);
  });
  it('reads enums of array items', () => {
    expect(enumOptions({}, { type: 'array', items: { enum: ['a'] } })).toEqual([{ value: 'a' }]);
  });
});
