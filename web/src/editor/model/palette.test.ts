import { describe, expect, it } from 'vitest';
import { filterPalette, paletteGroups } from './palette';
import { flowLabel, flowSecurity } from './flowStyle';

const catalog = {
  component_types: [
    { id: 'web-app', name: 'Web application', category: 'process', domain: 'web', description: 'Serves HTML' },
    { id: 'rest-api', name: 'REST API', category: 'process', domain: 'web', description: 'JSON over HTTP' },
    { id: 'object-storage', name: 'Object storage', category: 'datastore', domain: 'cloud', description: 'Buckets' },
    { id: 'plc', name: 'PLC', category: 'process', domain: 'ics', description: 'Controller' },
  ],
  actor_types: [{ id: 'user', name: 'User', description: 'A person' }],
  domains: [
    { id: 'cloud', name: 'Cloud' },
    { id: 'web', name: 'Web' },
  ],
};

describe('palette', () => {
  it('groups by domain in catalog order, unknown domains last', () => {
    const g = paletteGroups(catalog);
    expect(g.map((x) => x.name)).toEqual(['Boundaries', 'Cloud', 'Web', 'ics', 'People']);
    expect(g[0]?.entries.map((e) => e.type)).toEqual(['boundary']);
    expect(g[2]?.entries.map((e) => e.type)).toEqual(['rest-api', 'web-app']);
    expect(g[4]?.entries.map((e) => e.type)).toEqual(['user']);
  });
  it("puts actors into the catalog's people domain", () => {
    const g = paletteGroups({ ...catalog, domains: [...catalog.domains, { id: 'actor', name: 'People' }], component_types: [...catalog.component_types, { id: 'external-system', name: 'External system', category: 'external', domain: 'actor', description: '' }] });
    expect(g.find((x) => x.id === 'actor')?.entries.map((e) => `${e.kind}:${e.type}`)).toEqual(['component:external-system', 'actor:user']);
  });
  it('filters by name, id and description', () => {
    const g = paletteGroups(catalog);
    expect(filterPalette(g, 'bucket').flatMap((x) => x.entries.map((e) => e.type))).toEqual(['object-storage']);
    expect(filterPalette(g, 'REST').flatMap((x) => x.entries.map((e) => e.type))).toEqual(['rest-api']);
    expect(filterPalette(g, 'web-app').flatMap((x) => x.entries.map((e) => e.type))).toEqual(['web-app']);
    expect(filterPalette(g, '  ')).toBe(g);
    expect(filterPalette(g, 'zzz')).toEqual([]);
  });
});

describe('flow style', () => {
  const enc = new Map([
    ['https', true],
    ['http', false],
  ]);
  it('classifies flows', () => {
    expect(flowSecurity({ from: 'a', to: 'b', protocol: 'https' }, enc)).toBe('unauthenticated');
    expect(flowSecurity({ from: 'a', to: 'b', protocol: 'https', authentication: 'none' }, enc)).toBe('unauthenticated');
    expect(flowSecurity({ from: 'a', to: 'b', protocol: 'https', authentication: 'token' }, enc)).toBe('secure');
    expect(flowSecurity({ from: 'a', to: 'b', protocol: 'https', authentication: 'token', encrypted: false }, enc)).toBe('unencrypted');
    expect(flowSecurity({ from: 'a', to: 'b', protocol: 'http', authentication: 'token' }, enc)).toBe('unencrypted');
    expect(flowSecurity({ from: 'a', to: 'b', protocol: 'http', authentication: 'token', encrypted: true }, enc)).toBe('secure');
  });
  it('labels with text', () => {
    expect(flowLabel({ from: 'a', to: 'b', protocol: 'https' }, 'unauthenticated')).toBe('https · no auth');
    expect(flowLabel({ from: 'a', to: 'b', protocol: 'http', authentication: 'token' }, 'unencrypted')).toBe('http · clear text');
    expect(flowLabel({ from: 'a', to: 'b', protocol: 'https', authentication: 'oauth2' }, 'secure')).toBe('https · oauth2');
  });
});
