import type { MachineView } from "../lib/functions";
import { ago, useNow } from "../lib/time";
import { StatusBadge } from "./bits";

/** Online or offline, last seen, hostname and worker version, in one line. */
export function MachineSummary({ machine }: { machine: MachineView }) {
  const now = useNow();
  return (
    <p className="meta">
      <StatusBadge status={machine.status} />{" "}
      {machine.lastHeartbeat !== null ? (
        <span>last seen {ago(machine.lastHeartbeat, now)}</span>
      ) : (
        <span>never connected</span>
      )}
      {machine.hostname && <span> · {machine.hostname}</span>}
      {machine.version && <span> · worker {machine.version}</span>}
    </p>
  );
}
