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
