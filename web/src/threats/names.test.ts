import { describe, expect, it } from 'vitest';
import { targetLabel } from './logic';
import { nameTargets } from './names';
import { makeThreat } from './testFixtures';
import type { ThreatPreview } from './types';

const model = {
  name: 'Shop',
  components: [{ id: 'web', name: 'Web shop' }, { id: 'db' }],
  flows: [{ from: 'web', to: 'db', name: 'Orders' }],
};

function compact(target: string, kind: ThreatPreview['target_kind'] = 'element'): ThreatPreview {
  const { description: _d, references: _r, analysis: _a, countermeasures: _c, ...rest } = makeThreat({ target, targetKind: kind });
  return rest;
}

describe('nameTargets', () => {
  it('names compact entries from the model and leaves the others alone', () => {
    const full = makeThreat({ target: 'web', targetName: 'From the server' });
    const [a, b, c, d, e] = nameTargets([compact('web'), compact('db'), compact('web->db', 'flow'), compact('Shop', 'model'), full], model);
    expect(a && targetLabel(a)).toBe('Web shop (web)');
    expect(b && targetLabel(b)).toBe('db');
    expect(c?.target_name).toBe('Orders');
    expect(d && targetLabel(d)).toBe('Shop (whole model)');
    expect(e).toBe(full);
  });
});
