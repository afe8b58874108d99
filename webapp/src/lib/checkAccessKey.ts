import { ConvexHttpClient } from "convex/browser";
import { appError, describeError } from "./errors";
import { fn } from "./functions";

export type Whoami = { user: string; label: string };

/** Asks the deployment who the key belongs to, turning every failure into one actionable line. */
export async function checkAccessKey(
  deploymentUrl: string,
  accessKey: string,
): Promise<{ ok: Whoami } | { error: string }> {
  let client: ConvexHttpClient;
  try {
    client = new ConvexHttpClient(deploymentUrl, { skipConvexDeploymentUrlCheck: true, logger: false });
  } catch (e) {
    return { error: describeError(e) };
  }
  try {
    return { ok: await client.query(fn.whoami, { accessKey }) };
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
    if (e instanceof TypeError || /fetch|network/i.test(text)) {
      return { error: `Could not reach a Convex deployment at ${deploymentUrl}: check the URL and your connection.` };
    }
    return { error: `The deployment at ${deploymentUrl} answered with an error: ${describeError(e)}` };
  }
}
