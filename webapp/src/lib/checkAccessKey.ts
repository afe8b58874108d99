import { ConvexClient } from "convex/browser";
import { appError, describeError } from "./errors";
import { fn } from "./functions";

export type Whoami = { user: string; label: string };

/** How long a deployment may stay unreachable before sign-in says so. */
const REACH_TIMEOUT_MS = 15_000;

/**
 * Asks the deployment who the key belongs to, over the same WebSocket the app then uses (so no
 * cross-origin HTTP is needed), turning every failure into one actionable line.
 */
export async function checkAccessKey(
  deploymentUrl: string,
  accessKey: string,
): Promise<{ ok: Whoami } | { error: string }> {
  const unreachable = `Could not reach a Convex deployment at ${deploymentUrl}: check the URL and your connection.`;
  let client: ConvexClient;
  try {
    client = new ConvexClient(deploymentUrl, { skipConvexDeploymentUrlCheck: true, logger: false });
  } catch (e) {
    return { error: describeError(e) };
  }
  let stopWatching = () => {};
  const gaveUp = new Promise<"unreachable">((resolve) => {
    const timer = setTimeout(() => resolve("unreachable"), REACH_TIMEOUT_MS);
    const unsubscribe = client.subscribeToConnectionState((state) => {
      if (!state.hasEverConnected && state.connectionRetries >= 2) resolve("unreachable");
    });
    stopWatching = () => {
      clearTimeout(timer);
      unsubscribe();
    };
  });
  try {
    const answer = await Promise.race([client.query(fn.whoami, { accessKey }), gaveUp]);
    return answer === "unreachable" ? { error: unreachable } : { ok: answer };
  } catch (e) {
    const app = appError(e);
    if (app?.code === "UNAUTHORIZED") {
      return { error: "This access key is not valid for this deployment (unknown, revoked or mistyped)." };
    }
    if (app) {
      return { error: app.message };
    }
    const text = e instanceof Error ? e.message : String(e);
    if (/Could not find public function/i.test(text)) {
      return {
        error: `The deployment at ${deploymentUrl} does not have this app's functions: deploy the backend to it first.`,
      };
    }
    return { error: `The deployment at ${deploymentUrl} answered with an error: ${describeError(e)}` };
  } finally {
    stopWatching();
    void client.close();
  }
}
