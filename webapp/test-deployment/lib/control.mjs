// The control channel, on a port of its own so that it keeps working while the deployment is
// "down": faults to inject, counters and records to read, tables to dump, internal functions to run.
import { readBody, sendJson } from "./http-api.mjs";
import { fromWire, toWire } from "./wire.mjs";

export function createControl(deployment, server) {
  const faults = deployment.faults;
  const post = {
    "/_test/drop-sockets": ({ code = 1011, reason = "InternalServerError" }) => {
      for (const socket of [...deployment.sockets]) socket.drop(code, reason);
    },
    "/_test/transition-delay": ({ ms }) => {
      faults.transitionDelayMs = ms;
    },
    "/_test/silent": ({ silent }) => {
      faults.silent = silent;
      if (!silent) deployment.refreshAll();
    },
    "/_test/down": ({ down }) => server.setDown(down),
    "/_test/fail-http": ({ status, times }) => faults.failHttp(status, times),
    "/_test/drop-on-mutation": ({ path, times, afterCommit }) => faults.dropOnMutation(path, times, afterCommit),
    "/_test/ping-interval": ({ ms }) => deployment.setPingInterval(ms),
    "/_test/fatal-error": ({ error }) => {
      for (const socket of [...deployment.sockets]) socket.fatal(error);
    },
    "/_test/unchained-transition": () => {
      for (const socket of [...deployment.sockets]) socket.sendUnchainedTransition();
    },
    "/_test/query-prefix": ({ path, items }) => {
      faults.prefixQuery(path, items);
      deployment.refreshAll();
    },
    "/_test/env": (variables) => {
      for (const [name, value] of Object.entries(variables)) {
        if (value === null) delete process.env[name];
        else process.env[name] = String(value);
      }
      // A changed variable may change any query's result (one that reads no table too): all run again.
      deployment.refreshAll();
    },
    "/_test/run": async ({ path, args }) => {
      const outcome = await deployment.runInternal(path, fromWire(args ?? {}));
      return outcome.ok ? { status: "success", value: toWire(outcome.value) } : { status: "error", errorMessage: outcome.message, ...(outcome.data !== undefined ? { errorData: toWire(outcome.data) } : {}) };
    },
  };

  const get = {
    "/_test/state": () => ({
      connections: deployment.counters.connections,
      openSockets: deployment.sockets.size,
      executions: deployment.counters.executions,
      clientVersions: deployment.counters.clientVersions,
      down: faults.down,
    }),
    "/_test/calls": () => deployment.records.calls,
    "/_test/changes": () => deployment.records.changes,
  };

  return async function handle(request, response) {
    const url = new URL(request.url, "http://control");
    try {
      if (request.method === "GET" && url.pathname.startsWith("/_test/tables/")) {
        const table = decodeURIComponent(url.pathname.slice("/_test/tables/".length));
        return sendJson(response, 200, toWire(await deployment.documents(table)));
      }
      if (request.method === "GET" && get[url.pathname]) return sendJson(response, 200, await get[url.pathname]());
      if (request.method === "POST" && post[url.pathname]) {
        const text = await readBody(request);
        const body = text.trim() === "" ? {} : JSON.parse(text);
        return sendJson(response, 200, (await post[url.pathname](body)) ?? { ok: true });
      }
      sendJson(response, 404, { error: `no control route ${request.method} ${url.pathname}` });
    } catch (error) {
      sendJson(response, 500, { error: error.message });
    }
  };
}
