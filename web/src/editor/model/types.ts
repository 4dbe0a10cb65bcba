// Structural types of the Rampart model document as the editor sees it.
// They mirror the shared contract; every object keeps unknown keys (index
// signature) so that a load → save round trip preserves what we do not edit.

export type Trust = 'untrusted' | 'partner' | 'internal' | 'restricted';
export type Rating = 'low' | 'medium' | 'high' | 'critical';

export interface LayoutEntry {
  x: number;
  y: number;
  width?: number;
  height?: number;
}

export type Layout = Record<string, LayoutEntry>;

export interface BoundaryDef {
  id: string;
  name?: string;
  kind?: string;
  trust?: string;
  parent?: string;
  controls?: string[];
  description?: string;
  [key: string]: unknown;
}

export interface ActorDef {
  id: string;
  name?: string;
  kind?: string;
  boundary?: string;
  controls?: string[];
  description?: string;
  [key: string]: unknown;
}

export interface ComponentDef {
  id: string;
  name?: string;
  kind: string;
  technology?: string;
  boundary?: string;
  exposure?: string;
  accepts?: string[];
  capabilities?: string[];
  controls?: string[];
  stores?: string[];
  processes?: string[];
  tags?: string[];
  description?: string;
  [key: string]: unknown;
}

export interface DataDef {
  id: string;
  name?: string;
  categories?: string[];
  confidentiality?: string;
  integrity?: string;
  availability?: string;
  description?: string;
  [key: string]: unknown;
}

export interface FlowDef {
  id?: string;
  name?: string;
  from: string;
  to: string;
  protocol: string;
  authentication?: string;
  authorization?: string;
  encrypted?: boolean;
  data?: string[];
  controls?: string[];
  description?: string;
  [key: string]: unknown;
}

export interface EditorModel {
  rampart: number;
  name: string;
  description?: string;
  controls?: string[];
  boundaries?: BoundaryDef[];
  actors?: ActorDef[];
  components?: ComponentDef[];
  data?: DataDef[];
  flows?: FlowDef[];
  layout?: Layout;
  [key: string]: unknown;
}

/** Which collection an element id belongs to. */
export type ElementKind = 'component' | 'actor' | 'boundary';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Default sizes used when a layout entry has no width/height. */
export const COMPONENT_SIZE = { width: 180, height: 64 } as const;
export const ACTOR_SIZE = { width: 150, height: 64 } as const;
export const BOUNDARY_MIN = { width: 240, height: 160 } as const;
export const BOUNDARY_PADDING = 32;
export const BOUNDARY_HEADER = 28;

/** A flow's effective id: its explicit id, or `FROM->TO`. */
export function flowId(flow: FlowDef): string {
  return flow.id ?? `${flow.from}->${flow.to}`;
}
