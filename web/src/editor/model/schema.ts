// Reads the enums and descriptions the properties panel needs from the model
// JSON Schema, falling back to the contract's values when the schema lacks them.

export interface EnumOption {
  value: string;
  description?: string;
}

export interface SchemaInfo {
  trust: EnumOption[];
  exposure: EnumOption[];
  authentication: EnumOption[];
  authorization: EnumOption[];
  rating: EnumOption[];
  /** Property descriptions by section and key (`component.exposure`). */
  descriptions: Record<string, string>;
}

const FALLBACK: Omit<SchemaInfo, 'descriptions'> = {
  trust: ['untrusted', 'partner', 'internal', 'restricted'].map((value) => ({ value })),
  exposure: ['internal', 'partner', 'internet'].map((value) => ({ value })),
  authentication: ['none', 'password', 'session', 'api-key', 'token', 'oauth2', 'mutual-tls', 'cloud-iam', 'kerberos', 'other'].map((value) => ({ value })),
  authorization: ['none', 'role-based', 'object-level'].map((value) => ({ value })),
  rating: ['low', 'medium', 'high', 'critical'].map((value) => ({ value })),
};

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows a local `$ref` (`#/$defs/x` or `#/definitions/x`). */
function deref(root: Json, node: unknown, depth = 0): Json | undefined {
  if (!isObj(node)) return undefined;
  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/') && depth < 10) {
    let cur: unknown = root;
    for (const part of ref.slice(2).split('/')) {
      if (!isObj(cur)) return undefined;
      cur = cur[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    const target = deref(root, cur, depth + 1);
    if (!target) return undefined;
    // Sibling keywords (a description next to the $ref) win.
    const { $ref: _ignored, ...rest } = node;
    void _ignored;
    return { ...target, ...rest };
  }
  return node;
}

/** Enum options of a schema node: `enum`, or `oneOf`/`anyOf` of `const` with descriptions. */
export function enumOptions(root: Json, node: unknown): EnumOption[] | undefined {
  const n = deref(root, node);
  if (!n) return undefined;
  if (Array.isArray(n.enum)) {
    const descs = isObj(n['x-enum-descriptions']) ? (n['x-enum-descriptions'] as Json) : undefined;
    return n.enum
      .filter((v): v is string => typeof v === 'string')
      .map((value) => {
        const d = descs?.[value];
        return typeof d === 'string' ? { value, description: d } : { value };
      });
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const alts = n[key];
    if (!Array.isArray(alts)) continue;
    const out: EnumOption[] = [];
    for (const alt of alts) {
      const a = deref(root, alt);
      if (!a) continue;
      if (typeof a.const === 'string') {
        out.push(typeof a.description === 'string' ? { value: a.const, description: a.description } : { value: a.const });
      } else {
        const inner = enumOptions(root, a);
        if (inner) out.push(...inner);
      }
    }
    if (out.length > 0) return out;
  }
  if (n.items !== undefined) return enumOptions(root, n.items);
  return undefined;
}

/** The object schema of a model section (`components` → the item schema). */
function sectionSchema(root: Json, section: string): Json | undefined {
  const props = deref(root, root)?.properties;
  if (!isObj(props)) return undefined;
  const s = deref(root, props[section]);
  if (!s) return undefined;
  if (s.type === 'array' || s.items !== undefined) return deref(root, s.items);
  return s;
}

function propertyOf(root: Json, section: Json | undefined, key: string): Json | undefined {
  if (!section || !isObj(section.properties)) return undefined;
  return deref(root, section.properties[key]);
}

/** Extracts what the properties panel needs from the model schema. */
export function readSchema(schema: unknown): SchemaInfo {
  const info: SchemaInfo = { ...FALLBACK, descriptions: {} };
  if (!isObj(schema)) return info;
  const sections: Record<string, string> = {
    boundary: 'boundaries',
    actor: 'actors',
    component: 'components',
    data: 'data',
    flow: 'flows',
  };
  const found: Partial<Omit<SchemaInfo, 'descriptions'>> = {};
  for (const [label, key] of Object.entries(sections)) {
    const sec = sectionSchema(schema, key);
    if (!sec || !isObj(sec.properties)) continue;
    for (const prop of Object.keys(sec.properties)) {
      const p = propertyOf(schema, sec, prop);
      if (!p) continue;
      if (typeof p.description === 'string') info.descriptions[`${label}.${prop}`] = p.description;
      const opts = enumOptions(schema, p);
      if (!opts || opts.length === 0) continue;
      if (prop === 'trust' && !found.trust) found.trust = opts;
      if (prop === 'exposure' && !found.exposure) found.exposure = opts;
      if (prop === 'authentication' && !found.authentication) found.authentication = opts;
      if (prop === 'authorization' && !found.authorization) found.authorization = opts;
      if ((prop === 'confidentiality' || prop === 'integrity' || prop === 'availability') && !found.rating) found.rating = opts;
    }
  }
  return { ...info, ...found };
}
