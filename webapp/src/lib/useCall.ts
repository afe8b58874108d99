import { useCallback, useState } from "react";
import { describeError } from "./errors";

/** Runs an async call (a mutation) keeping its error as a message to show, and whether it runs. */
export function useCall() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T>(call: () => Promise<T>): Promise<T | undefined> => {
    setError(null);
    setBusy(true);
    try {
      return await call();
    } catch (e) {
      setError(describeError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, error, busy, clearError: () => setError(null) };
}
