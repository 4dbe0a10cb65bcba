import { lazy, Suspense, useEffect } from 'react';
import {
  createBrowserRouter,
  isRouteErrorResponse,
  Navigate,
  Outlet,
  RouterProvider,
  useLocation,
  useNavigate,
  useRouteError,
} from 'react-router';
import { SessionProvider, useSession } from './api/session';
import { loginPath, setUnauthorizedHandler } from './api/client';
import { errorMessage } from './api/errors';
import { BreadcrumbProvider } from './components/Breadcrumbs';
import { ErrorBoundary } from './components/ErrorBoundary';
import { TopBar } from './components/TopBar';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PortfolioPage } from './pages/PortfolioPage';
import { ProjectPage } from './pages/ProjectPage';
import { Loading } from './components/Loading';

// The model pages carry the diagram editor: loaded on first use.
const ModelPage = lazy(() => import('./pages/ModelPage'));
const VersionPage = lazy(() => import('./pages/VersionPage'));
const DiffPage = lazy(() => import('./pages/DiffPage'));

/** The signed-in part of the app: top bar, and the page below it. */
function Shell() {
  const { status, error, refresh, expire } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const here = location.pathname + location.search + location.hash;

  useEffect(() => {
    setUnauthorizedHandler(() => {
      expire();
      const current = window.location.pathname + window.location.search + window.location.hash;
      navigate(loginPath(current), { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [expire, navigate]);

  if (status === 'loading') return <Loading label="Signing in…" fullPage />;
  if (status === 'signed-out') return <Navigate to={loginPath(here)} replace />;
  if (status === 'error') {
    return (
      <div className="page page-narrow" role="alert">
        <h1>Rampart is not reachable</h1>
        <p>{errorMessage(error)}</p>
        <button type="button" className="button" onClick={() => void refresh()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div className="app">
      <TopBar />
      <main className="app-main" id="main">
        <ErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<Loading label="Loading…" />}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}

function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : errorMessage(error);
  return (
    <div className="page page-narrow" role="alert">
      <h1>Something went wrong</h1>
      <p>{message}</p>
      <a className="button" href="/">
        Go to the portfolio
      </a>
    </div>
  );
}

export const routes = [
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    path: '/',
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <PortfolioPage /> },
      { path: 'projects/:projectId', element: <ProjectPage /> },
      { path: 'models/:modelId', element: <ModelPage /> },
      { path: 'models/:modelId/versions/:version', element: <VersionPage /> },
      { path: 'models/:modelId/diff', element: <DiffPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return (
    <ErrorBoundary>
      <SessionProvider>
        <BreadcrumbProvider>
          <RouterProvider router={router} />
        </BreadcrumbProvider>
      </SessionProvider>
    </ErrorBoundary>
  );
}
