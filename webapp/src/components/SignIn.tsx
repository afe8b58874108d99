import { useId, useState, type FormEvent } from "react";
import { checkAccessKey } from "../lib/checkAccessKey";
import { builtInDeploymentUrl, parseDeploymentUrl, storedDeploymentUrl, type StoredSignIn } from "../lib/settings";

type Props = {
  onSignedIn: (signIn: StoredSignIn) => void;
  notice?: string;
};

/** Sign in with an access key; asks for the deployment URL too when the build did not fix one. */
export function SignIn({ onSignedIn, notice }: Props) {
  const fixedUrl = builtInDeploymentUrl();
  const [deploymentUrl, setDeploymentUrl] = useState(() => storedDeploymentUrl() ?? "");
  const [accessKey, setAccessKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const url = parseDeploymentUrl(fixedUrl ?? deploymentUrl);
    if ("error" in url) {
      setError(url.error);
      return;
    }
    const key = accessKey.trim();
    if (key === "") {
      setError("Enter your access key (it starts with ak_).");
      return;
    }
    setBusy(true);
    const result = await checkAccessKey(url.url, key);
    setBusy(false);
    if ("error" in result) {
      setError(result.error);
      return;
    }
    onSignedIn({ deploymentUrl: url.url, accessKey: key });
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit} noValidate aria-describedby={error ? errorId : undefined}>
        <h1>OpenCode Worker</h1>
        <p className="muted">Chat with the coding assistants on your machines.</p>
        {notice && <p className="notice">{notice}</p>}
        {!fixedUrl && (
          <label className="field">
            <span>Deployment URL</span>
            <input
              type="url"
              inputMode="url"
              autoComplete="url"
              placeholder="https://happy-otter-123.convex.cloud"
              value={deploymentUrl}
              onChange={(e) => setDeploymentUrl(e.target.value)}
            />
          </label>
        )}
        <label className="field">
          <span>Access key</span>
          <input
            type="text"
            className="secret"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            placeholder="ak_…"
            value={accessKey}
            onChange={(e) => setAccessKey(e.target.value)}
          />
        </label>
        {error && (
          <p id={errorId} className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p className="hint">
          The administrator of the deployment makes keys with{" "}
          <code>
            npx convex run access:createKey '{"{"}"user":"me","label":"laptop"{"}"}'
          </code>
          . This device remembers the key until you sign out.
        </p>
      </form>
    </main>
  );
}
