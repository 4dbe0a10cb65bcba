import type { EditorModel } from './types';

/** A small model with nested boundaries, an actor, dotted ids and a layout. */
export function sampleModel(): EditorModel {
  return {
    rampart: 1,
    name: 'Shop',
    policy: { fail_on: 'high' },
    threats: [{ id: 'x@y', status: 'accepted' }],
    boundaries: [
      { id: 'web-tier', name: 'Web tier', parent: 'prod', trust: 'internal' },
      { id: 'prod', name: 'Production', trust: 'internal' },
    ],
    actors: [{ id: 'customer', name: 'Customer', kind: 'user' }],
    components: [
      { id: 'web.app', name: 'Web app', kind: 'web-app', boundary: 'web-tier', processes: ['orders'] },
      { id: 'db', name: 'DB', kind: 'relational-database', boundary: 'prod', stores: ['orders', 'profiles'] },
    ],
    data: [
      { id: 'orders', name: 'Orders', confidentiality: 'high' },
      { id: 'profiles', name: 'Profiles' },
    ],
    flows: [
      { from: 'customer', to: 'web.app', protocol: 'https', data: ['orders'] },
      { id: 'web.app->db', from: 'web.app', to: 'db', protocol: 'postgres' },
      { id: 'web.app->db-2', from: 'web.app', to: 'db', protocol: 'postgres', data: ['profiles'] },
    ],
    layout: {
      prod: { x: 100, y: 100, width: 600, height: 400 },
      'web-tier': { x: 140, y: 160, width: 300, height: 200 },
      'web.app': { x: 180, y: 220 },
      db: { x: 500, y: 300 },
      customer: { x: -200, y: 220 },
    },
  };
}
