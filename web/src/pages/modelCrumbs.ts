import type { Crumb } from '../components/Breadcrumbs';
import type { ModelContext } from '../api/models';

/** Business unit › Project › Model (› extra). */
export function modelCrumbs(
  context: ModelContext | undefined,
  model: { id: string; name: string } | undefined,
  extra: Crumb[] = [],
): Crumb[] {
  const crumbs: Crumb[] = [];
  if (context?.unit) crumbs.push({ label: context.unit.name, to: '/' });
  if (context?.project) crumbs.push({ label: context.project.name, to: `/projects/${context.project.id}` });
  if (model) crumbs.push({ label: model.name, to: `/models/${model.id}` });
  return [...crumbs, ...extra];
}
