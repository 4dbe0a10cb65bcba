// How a flow is drawn: by whether the receiver authenticates the sender and
// whether the channel is encrypted. Shown with line style AND label text.

import type { FlowDef } from './types';

export type FlowSecurity = 'secure' | 'unauthenticated' | 'unencrypted';

/**
 * `unauthenticated`: the receiver authenticates nothing (authentication
 * missing or "none"); `unencrypted`: authenticated but in clear text;
 * `secure`: authenticated and encrypted. `encrypted` defaults to the
 * protocol's own encryption (from the catalog).
 */
export function flowSecurity(flow: FlowDef, protocolEncrypted: ReadonlyMap<string, boolean>): FlowSecurity {
  const auth = flow.authentication;
  if (auth === undefined || auth === 'none') return 'unauthenticated';
  const encrypted = flow.encrypted ?? protocolEncrypted.get(flow.protocol) ?? false;
  return encrypted ? 'secure' : 'unencrypted';
}

/** The edge label: protocol plus a word on security when it is not secure. */
export function flowLabel(flow: FlowDef, security: FlowSecurity): string {
  const base = flow.name ? `${flow.protocol} · ${flow.name}` : flow.protocol;
  if (security === 'unauthenticated') return `${base} · no auth`;
  if (security === 'unencrypted') return `${base} · clear text`;
  return `${base} · ${flow.authentication ?? ''}`.trim();
}

/** Width of a flow label's text, estimated (11 px system font, about 6 px a character, plus padding). */
export function labelWidth(label: string): number {
  return label.length * 6 + 8;
}

/**
 * Whether a flow's label must be drawn above the elements: when the flow is
 * shorter than its label, the label spans the elements at both ends and,
 * drawn under them like other labels, would be cut. A longer flow's label
 * stays under the elements, so it never hides an element it happens to cross.
 */
export function labelAboveElements(label: string, from: { x: number; y: number }, to: { x: number; y: number }): boolean {
  return Math.hypot(to.x - from.x, to.y - from.y) < labelWidth(label);
}
