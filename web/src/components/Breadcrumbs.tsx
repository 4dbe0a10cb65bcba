// The breadcrumb trail (Business unit › Project › Model), set by each page.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';

export interface Crumb {
  label: string;
  to?: string;
}

interface BreadcrumbState {
  crumbs: Crumb[];
  setCrumbs(crumbs: Crumb[]): void;
}

const BreadcrumbContext = createContext<BreadcrumbState>({ crumbs: [], setCrumbs: () => undefined });

export function BreadcrumbProvider({ children }: { children: ReactNode }) {
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const value = useMemo(() => ({ crumbs, setCrumbs }), [crumbs]);
  return <BreadcrumbContext.Provider value={value}>{children}</BreadcrumbContext.Provider>;
}

/** Sets the trail while the calling page is shown. */
export function useBreadcrumbs(crumbs: Crumb[]): void {
  const { setCrumbs } = useContext(BreadcrumbContext);
  const key = JSON.stringify(crumbs);
  useEffect(() => {
    setCrumbs(JSON.parse(key) as Crumb[]);
    return () => setCrumbs([]);
  }, [key, setCrumbs]);
}

export function Breadcrumbs() {
  const { crumbs } = useContext(BreadcrumbContext);
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        <li>
          <Link to="/">Portfolio</Link>
        </li>
        {crumbs.map((crumb, i) => (
          <li key={`${i}-${crumb.label}`}>
            <span className="breadcrumb-sep" aria-hidden="true">
              ›
            </span>
            {crumb.to && i < crumbs.length - 1 ? (
              <Link to={crumb.to}>{crumb.label}</Link>
            ) : (
              <span aria-current={i === crumbs.length - 1 ? 'page' : undefined}>{crumb.label}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
