// Hand-written types for API answers that the generated schema leaves open (`model`, `threats`)
// or that newer endpoints return (catalog, model schema, templates, analysis, sign-in methods).
import type { components } from './schema';
import type { ModelJson, Severity } from '../model/types';

export type { Role } from '../model/types';

type Schemas = components['schemas'];
export type SessionInfo = Schemas['SessionInfo'];
export type UserInfo = Schemas['UserInfo'];
export type Grant = Schemas['Grant'];
export type BusinessUnit = Schemas['BusinessUnit'];
export type Project = Schemas['Project'];
export type SeverityCounts = Schemas['SeverityCounts'];
export type ModelInfo = Schemas['ModelInfo'];
export type VersionInfo = Schemas['VersionInfo'];
export type SaveResult = Schemas['SaveResult'];
export type ThreatSummary = Schemas['ThreatSummary'];
export type ThreatDetail = Schemas['ThreatDetail'];
export type ThreatDecision = Schemas['ThreatDecision'];

/** GET /api/v1/models/{model}/versions/{version}, with the model typed. */
export type VersionDocument = Omit<Schemas['VersionDocument'], 'model'> & { model: ModelJson };

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface ComponentType {
  id: string;
  name: string;
  category: 'process' | 'datastore' | 'external';
  domain: string;
  description: string;
  traits: string[];
  capabilities: string[];
  accepts: string[];
}

export interface ActorType {
  id: string;
  name: string;
  description: string;
}

export interface CatalogCountermeasure {
  id: string;
  name: string;
  description: string;
  guidance: string | null;
}

export interface Protocol {
  id: string;
  description: string;
  encrypted: boolean;
}

export interface IdDescription {
  id: string;
  description: string;
}

/** GET /api/v1/catalog: what a model may refer to. */
export interface Catalog {
  component_types: ComponentType[];
  actor_types: ActorType[];
  domains: { id: string; name: string }[];
  countermeasures: CatalogCountermeasure[];
  protocols: Protocol[];
  capabilities: IdDescription[];
  data_formats: IdDescription[];
  data_categories: IdDescription[];
}

/** GET /api/v1/model-schema: a JSON Schema (2020-12) document. */
export type ModelSchema = Record<string, unknown>;

export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  components: number;
  flows: number;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  model: ModelJson;
}

export interface AuthMethods {
  password: boolean;
  oidc: null | { login_url: string };
}

export interface AnalysisSummary {
  components: number;
  flows: number;
  threats: number;
  unresolved: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  risk_score: number;
}

export interface CountermeasureState {
  id: string;
  present: boolean;
  [key: string]: unknown;
}

export interface ThreatPreview {
  id: string;
  rule: string;
  title: string;
  target: string;
  target_kind: 'element' | 'flow' | 'data' | 'model';
  severity: Severity;
  score: number;
  stride: string[];
  status: string;
  owner: string | null;
  due_date: string | null;
  description: string;
  references: unknown[];
  /** The engine's threat: because, risk, mappings (cwe, capec, attack), ... */
  analysis: Record<string, unknown>;
  countermeasures: {
    state: CountermeasureState;
    name: string;
    description: string;
    guidance: string | null;
  }[];
}

/** POST /api/v1/models/{model}/analysis */
export interface Analysis {
  summary: AnalysisSummary;
  threats: ThreatPreview[];
  warnings: string[];
}

/** One problem in an invalid model (422 `invalid-model`, `details.problems`). */
export interface ModelProblem {
  severity: string;
  line: number | null;
  column: number | null;
  message: string;
  help: string | null;
}
