import { describe, expect, it } from 'vitest';
import { copySelection, pasteClip } from './clipboard';
import { sampleModel } from './fixtures';
import { flowId } from './types';

describe('copy / paste', () => {
  it('copies elements with the flows between them', () => {
    const clip = copySelection(sampleModel(), ['web.app', 'db']);
    expect(clip.elements.map((e) => e.def.id)).toEqual(['web.app', 'db']);
    expect(clip.flows.map(flowId)).toEqual(['web.app->db', 'web.app->db-2']);
  });
  it('pastes with fresh ids, offset positions and remapped flows', () => {
    const m = sampleModel();
    const clip = copySelection(m, ['web.app', 'db']);
    const r = pasteClip(m, clip);
    expect(r.ids).toEqual(['web.app-2', 'db-2']);
    const pasted = r.model.components?.find((c) => c.id === 'web.app-2');
    expect(pasted).toMatchObject({ kind: 'web-app', name: 'Web app', boundary: 'web-tier', processes: ['orders'] });
    expect(r.model.layout?.['web.app-2']).toEqual({ x: 220, y: 260 });
    const flows = r.model.flows?.slice(3).map(flowId);
    expect(flows).toEqual(['web.app-2->db-2', 'web.app-2->db-2-2']);
    // Pasting again does not collide.
    const again = pasteClip(r.model, clip);
    expect(again.ids).toEqual(['web.app-3', 'db-3']);
    expect(new Set(again.model.flows?.map(flowId)).size).toBe(again.model.flows?.length);
  });
  it('copies a boundary with its contents', () => {
    const m = sampleModel();
    const clip = copySelection(m, ['prod']);
    expect(clip.elements.map((e) => e.def.id).sort()).toEqual(['db', 'prod', 'web-tier', 'web.app']);
    const r = pasteClip(m, clip);
    expect(r.model.boundaries?.find((b) => b.id === 'web-tier-2')?.parent).toBe('prod-2');
    expect(r.model.components?.find((c) => c.id === 'db-2')?.boundary).toBe('prod-2');
  });
  it('drops references to data the target model lacks', () => {
    const m = sampleModel();
    const clip = copySelection(m, ['db']);
    const target = { ...m, data: [{ id: 'profiles' }] };
    const r = pasteClip(target, clip);
    expect(r.model.components?.find((c) => c.id === 'db-2')?.stores).toEqual(['profiles']);
  });
  it('does not alias the clip', () => {
    const m = sampleModel();
    const clip = copySelection(m, ['db']);
    const r = pasteClip(m, clip);
    (r.model.components?.at(-1)?.stores as string[]).push('x');
    expect(clip.elements[0]?.def.stores).toEqual(['orders', 'profiles']);
  });
});
