import { useEffect } from 'react';
import { Link } from 'react-router';
import { api, must } from '../api/client';
import { errorMessage } from '../api/errors';
import type { BusinessUnit, Project } from '../api/types';
import { useBreadcrumbs } from '../components/Breadcrumbs';
import { ErrorNote, Loading } from '../components/Loading';
import { SeverityCounts } from '../components/Severity';
import { ROLE_LABEL, isRole } from '../lib/roles';
import { plural } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import './PortfolioPage.css';

interface Portfolio {
  units: BusinessUnit[];
  projects: Project[];
}

async function loadPortfolio(signal: AbortSignal): Promise<Portfolio> {
  const [units, projects] = await Promise.all([
    must(api.GET('/api/v1/business-units', { params: { query: { limit: 500 } }, signal })),
    must(api.GET('/api/v1/projects', { params: { query: { limit: 500 } }, signal })),
  ]);
  return { units: units.items, projects: projects.items };
}

export function PortfolioPage() {
  useBreadcrumbs([]);
  useEffect(() => {
    document.title = 'Portfolio · Rampart';
  }, []);
  const { data, error, loading } = useAsync(loadPortfolio, []);

  if (loading && !data) return <Loading label="Loading the portfolio…" />;
  if (error) return <ErrorNote>Could not load the portfolio: {errorMessage(error)}</ErrorNote>;
  if (!data) return null;

  const byUnit = new Map<string, Project[]>();
  for (const project of data.projects) {
    const list = byUnit.get(project.business_unit_id) ?? [];
    list.push(project);
    byUnit.set(project.business_unit_id, list);
  }
  // Projects reached through a project grant only may belong to units not listed.
  const knownUnits = new Set(data.units.map((u) => u.id));
  const orphanProjects = data.projects.filter((p) => !knownUnits.has(p.business_unit_id));

  return (
    <div className="page">
      <header className="page-header">
        <h1>Portfolio</h1>
        <p className="page-sub">Business units and their projects, with the unresolved threats of each project's models.</p>
      </header>
      {data.units.length === 0 && data.projects.length === 0 ? (
        <p className="empty">You do not have access to any project yet. Ask an administrator to add you to one.</p>
      ) : null}
      {data.units.map((unit) => (
        <section key={unit.id} className="unit" aria-labelledby={`unit-${unit.id}`}>
          <header className="unit-header">
            <h2 id={`unit-${unit.id}`}>{unit.name}</h2>
            {unit.description ? <p className="unit-description">{unit.description}</p> : null}
          </header>
          <ProjectGrid projects={byUnit.get(unit.id) ?? []} />
        </section>
      ))}
      {orphanProjects.length > 0 ? (
        <section className="unit" aria-labelledby="unit-other">
          <header className="unit-header">
            <h2 id="unit-other">Other projects</h2>
          </header>
          <ProjectGrid projects={orphanProjects} />
        </section>
      ) : null}
    </div>
  );
}

function ProjectGrid({ projects }: { projects: Project[] }) {
  if (projects.length === 0) return <p className="empty">No projects in this business unit.</p>;
  return (
    <ul className="project-grid">
      {[...projects]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((project) => (
          <li key={project.id}>
            <Link to={`/projects/${project.id}`} className="project-card">
              <span className="project-card-title">{project.name}</span>
              {project.description ? <span className="project-card-description">{project.description}</span> : null}
              <span className="project-card-meta">
                {plural(project.models, 'model')}
                {isRole(project.role) ? <> · {ROLE_LABEL[project.role]}</> : null}
              </span>
              <SeverityCounts counts={project.unresolved} compact />
            </Link>
          </li>
        ))}
    </ul>
  );
}
