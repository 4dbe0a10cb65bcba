// Catches rendering errors anywhere below and shows a readable message instead of a blank page.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorMessage } from '../api/errors';

interface Props {
  children: ReactNode;
  /** When this changes (e.g. the location), a shown error is cleared. */
  resetKey?: string;
}

interface State {
  error: unknown;
  resetKey?: string;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Rampart: a page failed to render', error, info.componentStack);
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="page page-narrow" role="alert">
        <h1>Something went wrong</h1>
        <p>This page could not be shown: {errorMessage(this.state.error)}</p>
        <p>
          <button type="button" className="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>{' '}
          <a className="button button-secondary" href="/">
            Go to the portfolio
          </a>
        </p>
      </div>
    );
  }
}
