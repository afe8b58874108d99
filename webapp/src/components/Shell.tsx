import { useConvexConnectionState, useQuery } from "convex/react";
import { fn } from "../lib/functions";
import { hrefOf, useRoute } from "../lib/route";
import { useSignedIn } from "../lib/session";
import { ChatPage } from "./ChatPage";
import { ErrorBoundary } from "./ErrorBoundary";
import { MachinePage } from "./MachinePage";
import { MachinesPage } from "./MachinesPage";

/** The signed-in app: a header, the connection's state, and the page the URL names. */
export function Shell() {
  const { accessKey, signOut } = useSignedIn();
  const route = useRoute();
  const routeKey = hrefOf(route);
  return (
    <div className={route.page === "chat" ? "app app-chat" : "app"}>
      <header className="topbar">
        <a className="brand" href="#/">
          OpenCode Worker
        </a>
        <ErrorBoundary onSignOut={signOut}>
          <WhoAmI accessKey={accessKey} />
        </ErrorBoundary>
        <button type="button" className="quiet" onClick={signOut}>
          Sign out
        </button>
      </header>
      <ConnectionBanner />
      <ErrorBoundary key={routeKey} onSignOut={signOut}>
        {route.page === "machines" && <MachinesPage />}
        {route.page === "machine" && <MachinePage machineId={route.machineId} />}
        {route.page === "chat" && (
          <ChatPage machineId={route.machineId} workerId={route.workerId} sessionId={route.sessionId} />
        )}
      </ErrorBoundary>
    </div>
  );
}

function WhoAmI({ accessKey }: { accessKey: string }) {
  const me = useQuery(fn.whoami, { accessKey });
  return (
    <span className="whoami muted" title={me ? `key: ${me.label}` : undefined}>
      {me ? me.user : ""}
    </span>
  );
}

function ConnectionBanner() {
  const { deploymentUrl } = useSignedIn();
  const state = useConvexConnectionState();
  if (state.isWebSocketConnected) {
    return null;
  }
  if (!state.hasEverConnected && state.connectionRetries >= 2) {
    return (
      <p className="banner warn" role="status">
        Cannot reach the deployment at {deploymentUrl}. Retrying; check the URL (sign out to change it) and your
        connection.
      </p>
    );
  }
  if (state.hasEverConnected) {
    return (
      <p className="banner warn" role="status">
        Connection to the deployment lost. Reconnecting…
      </p>
    );
  }
  return null;
}
