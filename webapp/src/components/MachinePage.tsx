import { useMutation, useQuery } from "convex/react";
import { useState, type FormEvent } from "react";
import { fn, type MachineView, type WorkerView } from "../lib/functions";
import { hrefOf, navigate } from "../lib/route";
import { sessionTitle } from "../lib/sessionTitle";
import { useSignedIn } from "../lib/session";
import { ago, useNow } from "../lib/time";
import { useCall } from "../lib/useCall";
import { ConfirmButton, ErrorText, StatusBadge } from "./bits";
import { MachineSummary } from "./MachineSummary";
import { TokenReveal } from "./TokenReveal";

/** One machine: its state, token and removal, and its workers with their sessions. */
export function MachinePage({ machineId }: { machineId: string }) {
  const { accessKey } = useSignedIn();
  const machines = useQuery(fn.listMachines, { accessKey });
  const machine = machines?.find((m) => m.machineId === machineId);

  if (machines === undefined) {
    return <main className="page muted">Loading…</main>;
  }
  if (!machine) {
    return (
      <main className="page">
        <p className="card">
          This machine does not exist (any more). <a href="#/">Back to the machines</a>
        </p>
      </main>
    );
  }
  return (
    <main className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href="#/">Machines</a> <span aria-hidden="true">›</span> <span>{machine.name}</span>
      </nav>
      <MachineHeader machine={machine} />
      <WorkersSection machine={machine} />
    </main>
  );
}

function MachineHeader({ machine }: { machine: MachineView }) {
  const { accessKey, deploymentUrl } = useSignedIn();
  const rotate = useMutation(fn.rotateToken);
  const remove = useMutation(fn.removeMachine);
  const [token, setToken] = useState<string | null>(null);
  const { run, error, busy } = useCall();

  return (
    <section className="card" aria-label={`Machine ${machine.name}`}>
      <h1>{machine.name}</h1>
      <MachineSummary machine={machine} />
      {(machine.platform || machine.rootDirectory) && (
        <p className="meta">
          {machine.platform && <span>{machine.platform}</span>}
          {machine.rootDirectory && (
            <span>
              {" "}
              · root <code>{machine.rootDirectory}</code>
            </span>
          )}
        </p>
      )}
      <div className="row">
        <ConfirmButton
          label="Rotate token"
          question="Make a new token? The current one stops working at once."
          confirmLabel="Rotate"
          busy={busy}
          onConfirm={async () => {
            const result = await run(() => rotate({ accessKey, machineId: machine.machineId }));
            if (result) setToken(result.token);
          }}
        />
        <ConfirmButton
          label="Remove machine"
          question={`Remove ${machine.name} with its workers, sessions and messages?`}
          confirmLabel="Remove"
          busy={busy}
          onConfirm={async () => {
            const done = await run(async () => {
              await remove({ accessKey, machineId: machine.machineId });
              return true;
            });
            if (done) navigate({ page: "machines" });
          }}
        />
      </div>
      <ErrorText error={error} />
      {token && (
        <TokenReveal
          machineName={machine.name}
          token={token}
          deploymentUrl={deploymentUrl}
          onDone={() => setToken(null)}
        />
      )}
    </section>
  );
}

function WorkersSection({ machine }: { machine: MachineView }) {
  const { accessKey } = useSignedIn();
  const workers = useQuery(fn.listWorkers, { accessKey, machineId: machine.machineId });
  return (
    <section aria-labelledby="workers-heading">
      <h2 id="workers-heading">Workers</h2>
      <p className="muted small">
        A worker is a directory on {machine.name} where an assistant works; each chat session runs in one.
      </p>
      {workers === undefined ? (
        <p className="muted">Loading workers…</p>
      ) : workers.length === 0 ? (
        <p className="muted">No workers yet: add a directory below.</p>
      ) : (
        <ul className="cards" aria-label="Workers">
          {workers.map((worker) => (
            <li key={worker.workerId}>
              <WorkerCard machine={machine} worker={worker} />
            </li>
          ))}
        </ul>
      )}
      <AddWorkerForm machine={machine} />
    </section>
  );
}

function WorkerCard({ machine, worker }: { machine: MachineView; worker: WorkerView }) {
  const { accessKey } = useSignedIn();
  const remove = useMutation(fn.removeWorker);
  const createSession = useMutation(fn.createSession);
  const { run, error, busy } = useCall();

  async function newSession() {
    const sessionId = await run(() => createSession({ accessKey, workerId: worker.workerId, title: null }));
    if (sessionId) {
      navigate({ page: "chat", machineId: machine.machineId, workerId: worker.workerId, sessionId });
    }
  }

  return (
    <article className="card" aria-label={`Worker ${worker.name}`}>
      <div className="card-head">
        <h3>{worker.name}</h3>
        <StatusBadge status={worker.status} />
      </div>
      <p className="meta">
        <code>{worker.directory}</code>
      </p>
      {worker.status === "pending" && (
        <p className="muted small">Waiting for the worker on {machine.name} to check this directory.</p>
      )}
      {worker.status === "error" && worker.error && <p className="error">{worker.error}</p>}
      <div className="row">
        <button type="button" className="primary" onClick={newSession} disabled={busy}>
          New session
        </button>
        <ConfirmButton
          label="Remove"
          question={`Remove worker ${worker.name} and its sessions?`}
          confirmLabel="Remove worker"
          busy={busy}
          onConfirm={() => void run(() => remove({ accessKey, workerId: worker.workerId }))}
        />
      </div>
      <ErrorText error={error} />
      <SessionList machine={machine} worker={worker} />
    </article>
  );
}

function SessionList({ machine, worker }: { machine: MachineView; worker: WorkerView }) {
  const { accessKey } = useSignedIn();
  const sessions = useQuery(fn.listSessions, { accessKey, workerId: worker.workerId });
  const now = useNow();
  if (sessions === undefined) {
    return <p className="muted small">Loading sessions…</p>;
  }
  if (sessions.length === 0) {
    return null;
  }
  return (
    <ul className="sessions" aria-label={`Sessions of ${worker.name}`}>
      {sessions.map((session) => (
        <li key={session.sessionId}>
          <a
            href={hrefOf({
              page: "chat",
              machineId: machine.machineId,
              workerId: worker.workerId,
              sessionId: session.sessionId,
            })}
          >
            <span className="session-title">{sessionTitle(session)}</span>
            <span className="muted small">
              {session.status} · {ago(session.lastActivity, now)}
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function AddWorkerForm({ machine }: { machine: MachineView }) {
  const { accessKey } = useSignedIn();
  const create = useMutation(fn.createWorker);
  const [name, setName] = useState("");
  const [directory, setDirectory] = useState("");
  const { run, error, busy } = useCall();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const workerId = await run(() =>
      create({ accessKey, machineId: machine.machineId, name: name.trim(), directory: directory.trim() }),
    );
    if (workerId) {
      setName("");
      setDirectory("");
    }
  }

  return (
    <form className="card form" onSubmit={submit}>
      <h3>Add a worker</h3>
      <label className="field">
        <span>Worker name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="api" required />
      </label>
      <label className="field">
        <span>Directory</span>
        <input
          className="mono"
          value={directory}
          onChange={(e) => setDirectory(e.target.value)}
          placeholder={machine.rootDirectory ? `relative to ${machine.rootDirectory}` : "projects/api"}
          required
          autoCapitalize="off"
          spellCheck={false}
        />
      </label>
      <p className="muted small">Relative to the machine's root directory, or an absolute path inside it.</p>
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Add worker
      </button>
    </form>
  );
}
