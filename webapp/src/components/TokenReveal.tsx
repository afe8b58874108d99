import { useState } from "react";

type Props = {
  machineName: string;
  token: string;
  deploymentUrl: string;
  onDone: () => void;
};

/**
 * The machine token, shown this once (it lives only in this component's props: nothing stores
 * it), with the command that connects the machine.
 */
export function TokenReveal({ machineName, token, deploymentUrl, onDone }: Props) {
  const [copied, setCopied] = useState<"token" | "command" | "failed" | null>(null);
  const command = `java -jar worker.jar --convex-url ${deploymentUrl}`;

  async function copy(text: string, what: "token" | "command") {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied("failed");
    }
  }

  return (
    <section className="card token-card" aria-labelledby="token-heading">
      <h2 id="token-heading">Connect {machineName}</h2>
      <p>
        This is the machine's token. <strong>It is shown only this once</strong>: copy it now. If it is lost, rotate the
        token to get a new one.
      </p>
      <div className="copy-row">
        <textarea
          className="mono token"
          readOnly
          rows={2}
          aria-label="Machine token"
          value={token}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="primary" onClick={() => copy(token, "token")}>
          Copy
        </button>
      </div>
      <p>
        On that machine, in the directory that holds your projects (the worker's root), run the worker (OpenCode and
        Java 17 installed):
      </p>
      <div className="copy-row">
        <code className="command" aria-label="Worker command">
          {command}
        </code>
        <button type="button" onClick={() => copy(command, "command")} aria-label="Copy command">
          Copy
        </button>
      </div>
      <p>
        When it asks for the <em>machine token</em>, paste the token above (it is not echoed). Without a terminal, set
        it in the environment instead: <code>MACHINE_TOKEN=…</code>. The machine shows <em>online</em> here once the
        worker is connected.
      </p>
      <p className="muted" role="status">
        {copied === "token" && "Token copied."}
        {copied === "command" && "Command copied."}
        {copied === "failed" && "Copying is not allowed here: select the text and copy it by hand."}
      </p>
      <button type="button" onClick={onDone}>
        Done, I saved the token
      </button>
    </section>
  );
}
