import { useMutation, useQuery } from "convex/react";
import { useState, type FormEvent } from "react";
import { fn, type MachineView } from "../lib/functions";
import { hrefOf } from "../lib/route";
import { useSignedIn } from "../lib/session";
import { useCall } from "../lib/useCall";
import { ErrorText } from "./bits";
import { MachineSummary } from "./MachineSummary";
import { TokenReveal } from "./TokenReveal";

/** The home screen: the user's machines, and a form to add one. */
export function MachinesPage() {
  const { accessKey, deploymentUrl } = useSignedIn();
  const machines = useQuery(fn.listMachines, { accessKey });
  const [created, setCreated] = useState<{ name: string; token: string; machineId: string } | null>(null);

  return (
    <main className="page">
      <h1>Machines</h1>
      {created && (
        <TokenReveal
          machineName={created.name}
          token={created.token}
          deploymentUrl={deploymentUrl}
          onDone={() => setCreated(null)}
        />
      )}
      {machines === undefined ? (
        <p className="muted">Loading machines…</p>
      ) : machines.length === 0 ? (
        <p className="muted">No machines yet. Create one for each computer that should run assistants.</p>
      ) : (
        <ul className="cards" aria-label="Machines">
          {machines.map((machine) => (
            <li key={machine.machineId}>
              <MachineCard machine={machine} />
            </li>
          ))}
        </ul>
      )}
      <CreateMachineForm onCreated={setCreated} />
    </main>
  );
}

function MachineCard({ machine }: { machine: MachineView }) {
  return (
    <a className="card card-link" href={hrefOf({ page: "machine", machineId: machine.machineId })}>
      <h2>{machine.name}</h2>
      <MachineSummary machine={machine} />
    </a>
  );
}

function CreateMachineForm({
  onCreated,
}: {
  onCreated: (created: { name: string; token: string; machineId: string }) => void;
}) {
  const { accessKey } = useSignedIn();
  const create = useMutation(fn.createMachine);
  const [name, setName] = useState("");
  const { run, error, busy } = useCall();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === "") return;
    const result = await run(() => create({ accessKey, name: trimmed }));
    if (result) {
      setName("");
      onCreated({ name: trimmed, ...result });
    }
  }

  return (
    <form className="card form" onSubmit={submit}>
      <h2>New machine</h2>
      <label className="field">
        <span>Machine name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="laptop" required />
      </label>
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Create machine
      </button>
    </form>
  );
}
