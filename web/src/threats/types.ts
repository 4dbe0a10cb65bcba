// Types of the threat panel, written from the server's answers:
// POST /api/v1/models/{model}/analysis (threats, summary) and
// GET /api/v1/models/{model}/threats/{threat} (decision, comments).

import type { AnalysisSummary } from '../api/types';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export type ThreatStatus = 'open' | 'in-progress' | 'mitigated' | 'accepted' | 'false-positive';

export type TargetKind = 'element' | 'flow' | 'data' | 'model';

/** A risk as the engine scores it: likelihood (1-5, fractional once controls apply) × impact (1-5). */
export interface Risk {
  likelihood: number;
  impact: number;
  score: number;
  severity: Severity;
}

/** Where an importer found the element or flow (infrastructure code). */
export interface SourceRef {
  file: string;
  line?: number;
  resource?: string;
}

export interface AnalysisTarget {
  kind: TargetKind;
  /** The element, flow or data id; the model name for model-wide threats. */
  id: string;
  name: string;
  source?: SourceRef;
}

/** A countermeasure of a threat and whether the model declares it. */
export interface CountermeasureState {
  id: string;
  present: boolean;
}

/** The tracking entry of the model that matched the threat. */
export interface TrackingState {
  status: ThreatStatus;
  justification?: string;
  ticket?: string;
  expires?: string;
  owner?: string;
  /** The acceptance's expiry date has passed. */
  expired: boolean;
  /** The pattern entry (`rule@*`) that matched, when no entry names the threat exactly. */
  pattern?: string;
}

/** The engine's account of one threat (the `analysis` part of a threat). */
export interface ThreatAnalysis {
  id: string;
  rule: string;
  title: string;
  stride: string[];
  cwe: number[];
  capec: number[];
  /** MITRE ATT&CK technique ids (`T1110.004`). */
  attack: string[];
  /** OWASP mappings, when the rule has them (not every server version sends them). */
  owasp?: string[];
  owasp_llm?: string[];
  target: AnalysisTarget;
  /** Line and column of the target's declaration in the model document. */
  location?: { line: number; column: number };
  /** Risk as if no control were in place. */
  inherent: Risk;
  /** Risk with the controls the model declares. */
  current: Risk;
  status: ThreatStatus;
  tracking?: TrackingState;
  /** The facts of the model that made the rule apply; ids are quoted in backticks. */
  because: string[];
  /** How the risk was scored, one sentence each. */
  risk_factors: string[];
  /** Threat intelligence that raised the likelihood. */
  intelligence?: string[];
  countermeasures: CountermeasureState[];
}

/** A countermeasure with its catalog text. */
export interface Countermeasure {
  state: CountermeasureState;
  name: string;
  description: string;
  guidance: string | null;
}

/** One threat of a live analysis (POST /api/v1/models/{model}/analysis). */
export interface ThreatPreview {
  /** `RULE@TARGET`; may contain `->` when the target is a flow. */
  id: string;
  rule: string;
  title: string;
  target: string;
  target_kind: TargetKind;
  severity: Severity;
  score: number;
  stride: string[];
  status: ThreatStatus;
  owner: string | null;
  due_date: string | null;
  /**
   * The threat exists in the model's saved head version, so its stored
   * decision and comments can be read (GET …/threats/{threat}). Absent from
   * servers older than the compact preview: then try and accept a 404.
   */
  stored?: boolean;
  /** An acceptance whose review date has passed (counts as unresolved again). */
  expired?: boolean;
  /** The target's name, taken from the model on this side when the entry has no account (see names.ts). */
  target_name?: string;
  /**
   * The full account below is absent from the compact list the live analysis
   * answers by default; POST …/analysis?threat=<id> answers it for one threat.
   */
  description?: string;
  references?: string[];
  analysis?: ThreatAnalysis;
  countermeasures?: Countermeasure[];
}

/** A threat with its full account (what `?threat=` answers, and servers before the compact list). */
export type FullThreat = ThreatPreview & Required<Pick<ThreatPreview, 'description' | 'references' | 'analysis' | 'countermeasures'>>;

/** True when the threat carries its full account. */
export function hasFullAccount(threat: ThreatPreview): threat is FullThreat {
  return threat.analysis !== undefined && threat.countermeasures !== undefined && threat.references !== undefined && threat.description !== undefined;
}

/** The summary of a live analysis; the severity counts are of unresolved threats. */
export type Summary = AnalysisSummary;

/** The full answer of POST /api/v1/models/{model}/analysis. */
export interface AnalysisResult {
  summary: Summary;
  threats: ThreatPreview[];
  warnings: string[];
}

/** The stored decision on a threat (ThreatDetail.decision). */
export interface Decision {
  status: ThreatStatus;
  justification: string | null;
  owner: string | null;
  due_date: string | null;
  expires: string | null;
  ticket: string | null;
  /** A developer's accept / false-positive request awaiting a security architect. */
  proposed_status: ThreatStatus | null;
  proposed_justification: string | null;
  proposed_by: string | null;
  /** 0 when nobody decided anything yet. */
  revision: number;
  updated_by: string | null;
  updated_at: string | null;
  etag: string;
}

/** GET /api/v1/models/{model}/threats/{threat}: the threat as stored in the saved (head) version. */
export interface ThreatDetail {
  id: string;
  rule: string;
  title: string;
  target: string;
  target_kind: TargetKind;
  severity: Severity;
  score: number;
  stride: string[];
  status: ThreatStatus;
  owner: string | null;
  due_date: string | null;
  since_version: number;
  decision: Decision;
  analysis: ThreatAnalysis;
  description: string;
  references: string[];
  countermeasures: Countermeasure[];
}

/** The body of PATCH /api/v1/models/{model}/threats/{threat}. Absent keys are left as they are; "" clears. */
export interface DecisionChange {
  status?: ThreatStatus;
  justification?: string;
  owner?: string;
  due_date?: string;
  expires?: string;
  ticket?: string;
}

export interface ThreatComment {
  id: string;
  author: string;
  body: string;
  created_at: string;
}
