// The Rampart model as JSON: what GET .../versions/{n} returns in `model` and what saves accept.
// Keys are snake_case; an omitted optional key means its default. The server rejects unknown keys,
// so code that edits a model must keep every key it does not touch (see the `[key: string]: unknown`
// members on the parts the editor does not model in detail).

export type Trust = 'untrusted' | 'partner' | 'internal' | 'restricted';
export type Exposure = 'internal' | 'partner' | 'internet';
export type Rating = 'low' | 'medium' | 'high' | 'critical';
export type Severity = Rating;
export type Authentication =
  | 'none'
  | 'password'
  | 'session'
  | 'api-key'
  | 'token'
  | 'oauth2'
  | 'mutual-tls'
  | 'cloud-iam'
  | 'kerberos'
  | 'other';
export type Authorization = 'none' | 'role-based' | 'object-level';

export interface ModelBoundary {
  id: string;
  name?: string;
  kind?: string;
  trust?: Trust;
  /** The id of the enclosing boundary. */
  parent?: string;
  controls?: string[];
  description?: string;
}

export interface ModelActor {
  id: string;
  name?: string;
  /** An actor type id from the catalog; the default is `user`. */
  kind?: string;
  boundary?: string;
  controls?: string[];
  description?: string;
}

export interface ModelComponent {
  id: string;
  name?: string;
  /** A component type id from the catalog. */
  kind: string;
  technology?: string;
  boundary?: string;
  exposure?: Exposure;
  /** Data format ids. */
  accepts?: string[];
  /** Capability ids. */
  capabilities?: string[];
  /** Countermeasure ids. */
  controls?: string[];
  /** Data ids stored here. */
  stores?: string[];
  /** Data ids processed here. */
  processes?: string[];
  tags?: string[];
  description?: string;
  source?: unknown;
}

export interface ModelData {
  id: string;
  name?: string;
  /** Data category ids. */
  categories?: string[];
  confidentiality?: Rating;
  integrity?: Rating;
  availability?: Rating;
  description?: string;
}

export interface ModelFlow {
  /** Defaults to `FROM->TO`. */
  id?: string;
  name?: string;
  from: string;
  to: string;
  /** A protocol id from the catalog. */
  protocol: string;
  authentication?: Authentication;
  authorization?: Authorization;
  encrypted?: boolean;
  data?: string[];
  controls?: string[];
  description?: string;
}

/** Absolute canvas pixels of an element's top-left corner. Boundaries carry width and height. */
export interface LayoutEntry {
  x: number;
  y: number;
  width?: number;
  height?: number;
}

export interface ModelJson {
  rampart: number;
  name: string;
  description?: string;
  controls?: string[];
  boundaries?: ModelBoundary[];
  actors?: ModelActor[];
  components?: ModelComponent[];
  data?: ModelData[];
  flows?: ModelFlow[];
  /** Threat tracking entries: kept as they are. */
  threats?: unknown[];
  /** Kept as they are. */
  custom_threats?: unknown[];
  /** Kept as it is. */
  policy?: Record<string, unknown>;
  /** Kept as they are. */
  libraries?: unknown[];
  layout?: Record<string, LayoutEntry>;
}

/** The kinds of element a model has, as the diff and the editor name them. */
export type ElementKind = 'boundary' | 'actor' | 'component' | 'data' | 'flow';

/** A flow's id: its explicit id, or `FROM->TO`. */
export function flowId(flow: Pick<ModelFlow, 'id' | 'from' | 'to'>): string {
  return flow.id ?? `${flow.from}->${flow.to}`;
}

export type Role = 'viewer' | 'developer' | 'security-architect' | 'admin';
