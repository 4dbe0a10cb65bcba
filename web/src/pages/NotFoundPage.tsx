import { Link } from 'react-router';
import { useBreadcrumbs } from '../components/Breadcrumbs';

export function NotFoundPage() {
  useBreadcrumbs([{ label: 'Not found' }]);
  return (
    <div className="page page-narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address, or you do not have access to it.</p>
      <Link className="button" to="/">
        Go to the portfolio
      </Link>
    </div>
  );
}
