import { Component, type ReactNode } from "react";
import { describeError, isUnauthorized } from "../lib/errors";

type Props = {
  children: ReactNode;
  /** Offered when the error says the access key is no longer accepted. */
  onSignOut?: () => void;
};

type State = { error: unknown; hasError: boolean };

/** Shows what failed, and a way on, instead of a blank page. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, hasError: false };

  static getDerivedStateFromError(error: unknown): State {
    return { error, hasError: true };
  }

  render() {
    if (!this.state.hasError) {
      return this.props.children;
    }
    const unauthorized = isUnauthorized(this.state.error);
    return (
      <div className="card failure" role="alert">
        <h2>{unauthorized ? "Not allowed" : "Something went wrong"}</h2>
        <p>
          {unauthorized
            ? "The deployment did not accept this access key for what this page shows: the key was revoked, or the item belongs to someone else or no longer exists."
            : describeError(this.state.error)}
        </p>
        <div className="row">
          <button type="button" onClick={() => this.setState({ error: null, hasError: false })}>
            Try again
          </button>
          <a className="button" href="#/" onClick={() => this.setState({ error: null, hasError: false })}>
            Machines
          </a>
          {this.props.onSignOut && (
            <button type="button" onClick={this.props.onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </div>
    );
  }
}
