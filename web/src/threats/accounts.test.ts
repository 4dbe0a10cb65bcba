import { describe, expect, it, vi } from 'vitest';
import { cachedAccounts } from './accounts';
import { makeThreat } from './testFixtures';

describe('cachedAccounts', () => {
  it('loads a threat once per model revision and not after a failure', async () => {
    const load = vi.fn(async (_m: object, id: string) => ({ ...makeThreat(), id }));
    const accounts = cachedAccounts(load);
    const m1 = {};
    const m2 = {};
    const signal = new AbortController().signal;
    const a = await accounts(m1, 't@x', signal);
    expect(await accounts(m1, 't@x', signal)).toBe(a);
    expect(load).toHaveBeenCalledTimes(1);
    await accounts(m2, 't@x', signal);
    await accounts(m1, 'u@y', signal);
    expect(load).toHaveBeenCalledTimes(3);
    load.mockRejectedValueOnce(new Error('offline'));
    await expect(accounts(m2, 'v@z', signal)).rejects.toThrow('offline');
    await accounts(m2, 'v@z', signal);
    expect(load).toHaveBeenCalledTimes(5);
  });
});
