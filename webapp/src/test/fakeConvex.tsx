import { getFunctionName, type FunctionReference } from "convex/server";
import { useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { SignedInContext } from "../lib/session";

// A fake of `convex/react` at the hooks' boundary: queries answer from handlers the test sets,
// mutations are recorded, and every mounted subscription is tracked, so a test can see which
// queries (with which arguments) a component keeps open.

type Args = Record<string, unknown>;
type QueryHandler = (args: Args) => unknown;
type MutationHandler = (args: Args) => unknown;

export class FakeConvex {
  private queryHandlers = new Map<string, QueryHandler>();
  private mutationHandlers = new Map<string, MutationHandler>();
  private listeners = new Set<() => void>();
  private version = 0;
  private active = new Map<string, { name: string; args: Args; count: number }>();
  readonly everSubscribed: { name: string; args: Args }[] = [];
  readonly mutations: { name: string; args: Args }[] = [];

  /** Answers `name` with `handler(args)`; undefined means still loading, an Error is thrown. */
  onQuery(name: string, handler: QueryHandler): void {
    this.queryHandlers.set(name, handler);
    this.changed();
  }

  onMutation(name: string, handler: MutationHandler): void {
    this.mutationHandlers.set(name, handler);
  }

  /** Tells subscribers that query results may have changed (a commit on the server). */
  changed(): void {
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }

  /** The arguments of the open subscriptions to `name`, without the access key. */
  subscriptions(name: string): Args[] {
    return [...this.active.values()]
      .filter((entry) => entry.name === name && entry.count > 0)
      .map((entry) => withoutKey(entry.args));
  }

  answer(name: string, args: Args): unknown {
    const handler = this.queryHandlers.get(name);
    return handler ? handler(args) : undefined;
  }

  async mutate(name: string, args: Args): Promise<unknown> {
    this.mutations.push({ name, args: withoutKey(args) });
    const handler = this.mutationHandlers.get(name);
    if (!handler) throw new Error(`no fake for mutation ${name}`);
    const result = await handler(args);
    this.changed();
    return result;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = () => this.version;

  open(name: string, args: Args): () => void {
    const key = `${name} ${JSON.stringify(args)}`;
    const entry = this.active.get(key) ?? { name, args, count: 0 };
    entry.count++;
    this.active.set(key, entry);
    this.everSubscribed.push({ name, args: withoutKey(args) });
    return () => {
      entry.count--;
    };
  }
}

function withoutKey(args: Args): Args {
  const { accessKey: _accessKey, ...rest } = args;
  return rest;
}

let current: FakeConvex | null = null;

export function installFake(): FakeConvex {
  current = new FakeConvex();
  return current;
}

function fake(): FakeConvex {
  if (!current) throw new Error("installFake() first");
  return current;
}

function useSubscription(name: string, args: Args) {
  const backend = fake();
  const argsKey = JSON.stringify(args);
  useEffect(() => backend.open(name, JSON.parse(argsKey) as Args), [backend, name, argsKey]);
}

function unwrap(value: unknown): unknown {
  if (value instanceof Error) throw value;
  return value;
}

/** The module that replaces `convex/react` in tests (see vi.mock in each test file). */
export const fakeConvexReact = {
  useQuery(ref: FunctionReference<"query">, args: Args) {
    const backend = fake();
    useSyncExternalStore(backend.subscribe, backend.snapshot);
    const name = getFunctionName(ref);
    useSubscription(name, args);
    return unwrap(backend.answer(name, args));
  },
  useQueries(requests: Record<string, { query: FunctionReference<"query">; args: Args }>) {
    const backend = fake();
    useSyncExternalStore(backend.subscribe, backend.snapshot);
    const requestsKey = JSON.stringify(
      Object.entries(requests).map(([key, request]) => [key, getFunctionName(request.query), request.args]),
    );
    useEffect(() => {
      const entries = JSON.parse(requestsKey) as [string, string, Args][];
      const closes = entries.map(([, name, args]) => backend.open(name, args));
      return () => closes.forEach((close) => close());
    }, [backend, requestsKey]);
    const results: Record<string, unknown> = {};
    for (const [key, request] of Object.entries(requests)) {
      const value = backend.answer(getFunctionName(request.query), request.args);
      results[key] = value;
    }
    return results;
  },
  usePaginatedQuery(ref: FunctionReference<"query">, args: Args, options: { initialNumItems: number }) {
    const backend = fake();
    useSyncExternalStore(backend.subscribe, backend.snapshot);
    const [numItems, setNumItems] = useState(options.initialNumItems);
    const name = getFunctionName(ref);
    useSubscription(name, args);
    const all = unwrap(backend.answer(name, args)) as unknown[] | undefined;
    const loadMore = (more: number) => setNumItems((n) => n + more);
    if (all === undefined) {
      return { results: [], status: "LoadingFirstPage", isLoading: true, loadMore };
    }
    const shown = all.slice(0, numItems);
    return {
      results: shown,
      status: shown.length < all.length ? "CanLoadMore" : "Exhausted",
      isLoading: false,
      loadMore,
    };
  },
  useMutation(ref: FunctionReference<"mutation">) {
    const name = getFunctionName(ref);
    return (args: Args) => fake().mutate(name, args);
  },
  useConvexConnectionState() {
    return { isWebSocketConnected: true, hasEverConnected: true, connectionRetries: 0, connectionCount: 1 };
  },
  ConvexProvider({ children }: { children: ReactNode }) {
    return <>{children}</>;
  },
  ConvexReactClient: class {
    constructor(readonly url: string) {}
    close() {
      return Promise.resolve();
    }
  },
};

export const TEST_URL = "https://test-otter-123.convex.cloud";
export const TEST_KEY = "ak_" + "k".repeat(43);

/** Renders `children` as the signed-in app does. */
export function SignedIn({ children, signOut = () => {} }: { children: ReactNode; signOut?: () => void }) {
  return (
    <SignedInContext.Provider value={{ deploymentUrl: TEST_URL, accessKey: TEST_KEY, signOut }}>
      {children}
    </SignedInContext.Provider>
  );
}

/**
 * A fake of `convex/browser`'s ConvexClient, the client sign-in checks a key with: deployments
 * are URLs with a handler answering `(functionName, args)`; any other URL never connects.
 */
export const fakeDeployments = {
  handlers: new Map<string, (name: string, args: Args) => unknown>(),
  calls: [] as { url: string; name: string; args: Args }[],
  clear() {
    this.handlers.clear();
    this.calls.length = 0;
  },
};

export const fakeConvexBrowser = {
  ConvexClient: class {
    private closedFlag = false;
    constructor(readonly url: string) {}
    async query(ref: FunctionReference<"query">, args: Args) {
      const name = getFunctionName(ref);
      fakeDeployments.calls.push({ url: this.url, name, args });
      const handler = fakeDeployments.handlers.get(this.url);
      if (!handler) return new Promise(() => {});
      return handler(name, args);
    }
    subscribeToConnectionState(callback: (state: { hasEverConnected: boolean; connectionRetries: number }) => void) {
      if (!fakeDeployments.handlers.has(this.url)) {
        setTimeout(() => {
          if (!this.closedFlag) callback({ hasEverConnected: false, connectionRetries: 2 });
        }, 0);
      }
      return () => {};
    }
    async close() {
      this.closedFlag = true;
    }
  },
};
