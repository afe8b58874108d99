// What this device remembers: the deployment URL (unless the build fixed one) and the access key.

const URL_KEY = "opencode-worker.deploymentUrl";
const ACCESS_KEY_KEY = "opencode-worker.accessKey";

/** The deployment URL fixed at build time by VITE_CONVEX_URL, if any. */
export function builtInDeploymentUrl(): string | null {
  const fromBuild = import.meta.env.VITE_CONVEX_URL as string | undefined;
  return fromBuild && fromBuild.trim() !== "" ? fromBuild.trim() : null;
}

export type StoredSignIn = { deploymentUrl: string; accessKey: string };

export function storedDeploymentUrl(): string | null {
  return builtInDeploymentUrl() ?? read(URL_KEY);
}

export function storedSignIn(): StoredSignIn | null {
  const deploymentUrl = storedDeploymentUrl();
  const accessKey = read(ACCESS_KEY_KEY);
  return deploymentUrl && accessKey ? { deploymentUrl, accessKey } : null;
}

export function rememberSignIn({ deploymentUrl, accessKey }: StoredSignIn): void {
  write(URL_KEY, deploymentUrl);
  write(ACCESS_KEY_KEY, accessKey);
}

/** Signing out forgets the key; the deployment URL stays, so signing in again asks only for a key. */
export function forgetAccessKey(): void {
  try {
    localStorage.removeItem(ACCESS_KEY_KEY);
  } catch {
    // Storage disabled (private mode): nothing was remembered.
  }
}

/** A deployment URL as typed, checked and normalised, or the reason it cannot be one. */
export function parseDeploymentUrl(input: string): { url: string } | { error: string } {
  const text = input.trim().replace(/\/+$/, "");
  const example = "e.g. https://happy-otter-123.convex.cloud";
  if (text === "") {
    return { error: `Enter the deployment URL, ${example}.` };
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { error: `"${text}" is not a URL: enter the deployment URL, ${example}.` };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { error: `The deployment URL must start with https:// or http://, ${example}.` };
  }
  if (parsed.hostname.endsWith(".convex.site")) {
    return { error: `That is the deployment's HTTP-actions address (.convex.site); use its .convex.cloud URL.` };
  }
  if (parsed.search || parsed.hash) {
    return { error: `The deployment URL has no query or fragment, ${example}.` };
  }
  return { url: text };
}

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage disabled: the sign-in lasts for this page only.
  }
}
