import type { Catalog } from '../api/types';

/** A small catalog for component tests. */
export const TEST_CATALOG: Catalog = {
  component_types: [
    { id: 'web-app', name: 'Web application', category: 'process', domain: 'web', description: 'Serves HTML pages', traits: [], capabilities: [], accepts: [] },
    { id: 'relational-database', name: 'Relational database', category: 'datastore', domain: 'data', description: 'SQL', traits: [], capabilities: [], accepts: [] },
  ],
  actor_types: [{ id: 'user', name: 'User', description: 'A person' }],
  domains: [
    { id: 'web', name: 'Web and APIs' },
    { id: 'data', name: 'Data stores' },
  ],
  countermeasures: [
    { id: 'output-encoding', name: 'Output encoding', description: 'Encode output for its context', guidance: null },
    { id: 'parameterized-queries', name: 'Parameterized queries', description: 'Never build SQL from strings', guidance: null },
  ],
  protocols: [
    { id: 'https', description: 'HTTP over TLS', encrypted: true },
    { id: 'http', description: 'Plain HTTP', encrypted: false },
  ],
  capabilities: [{ id: 'sessions', description: 'Keeps sessions' }],
  data_formats: [{ id: 'json', description: 'JSON documents' }],
  data_categories: [{ id: 'personal', description: 'Personal data' }],
};
