// Convex's HTTP function API: /api/query, /api/mutation, /api/action, /api/query_ts,
// /api/query_at_ts, /api/query_batch, GET /api/query and /api/run/<module>/<function>.
import { argsFromWire, encodeForFormat, encodeTs } from "./wire.mjs";

const NO_AUTH_PROVIDER =
  "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.";

export function sendJson(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

export function readBody(request) {
  return new Promise((resolve, reject) => {
    const parts = [];
    request.on("data", (part) => parts.push(part));
    request.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    request.on("error", reject);
  });
}

const requestError = (response, status, code, message) => sendJson(response, status, { code, message });

function clientVersion(request) {
  return request.headers["convex-client"];
}

/** The answer of one function call in the HTTP shape: 200 with status success or error. */
function udfResponse(outcome, format) {
  if (outcome.ok) return { status: "success", value: encodeForFormat(outcome.value, format) };
  return { status: "error", errorMessage: outcome.message, ...(outcome.data !== undefined ? { errorData: encodeForFormat(outcome.data, format) } : {}) };
}

export function createHttpApi(deployment) {
  async function call(kind, path, wireArgs, format) {
    let args;
    try {
      args = argsFromWire(wireArgs);
    } catch (error) {
      return { status: "error", errorMessage: `Invalid arguments for ${path}: ${error.message}` };
    }
    const outcome = kind === "query" ? await deployment.httpQuery(path, args) : await deployment.runClient(path, kind, args);
    return udfResponse(outcome, format);
  }

  return async function handle(request, response) {
    const url = new URL(request.url, "http://deployment");
    const version = clientVersion(request);
    if (version !== undefined) {
      deployment.counters.clientVersions.push(version);
      if (!/^[A-Za-z0-9_.-]+-\d+\.\d+\.\d+/.test(version)) return requestError(response, 400, "InvalidClientVersion", `Invalid Convex-Client header ${version}`);
    }
    const failStatus = url.pathname.startsWith("/api/") ? deployment.faults.takeHttpFailure() : 0;
    if (failStatus) {
      return requestError(response, failStatus, failStatus >= 500 ? "InternalServerError" : "BadRequest", "injected failure");
    }
    const authorization = request.headers.authorization;
    if (authorization && /^bearer /i.test(authorization)) return requestError(response, 401, "NoAuthProvider", NO_AUTH_PROVIDER);
    if (authorization) return requestError(response, 401, "BadAdminKey", "The provided admin key was invalid for this instance");

    let body = {};
    if (request.method === "POST") {
      const text = await readBody(request);
      try {
        body = text.trim() === "" ? {} : JSON.parse(text);
      } catch {
        return requestError(response, 400, "BadJsonBody", "The request body is not valid JSON");
      }
    }
    const route = `${request.method} ${url.pathname}`;
    const kindMatch = /^POST \/api\/(query|mutation|action)$/.exec(route);
    if (kindMatch) {
      if (typeof body.path !== "string") return requestError(response, 400, "BadRequest", "path is required");
      return sendJson(response, 200, await call(kindMatch[1], body.path, body.args, body.format));
    }
    if (route === "GET /api/query") {
      let args;
      try {
        args = JSON.parse(url.searchParams.get("args") ?? "{}");
      } catch {
        return requestError(response, 400, "BadRequest", "args must be JSON");
      }
      return sendJson(response, 200, await call("query", url.searchParams.get("path") ?? "", args, url.searchParams.get("format")));
    }
    if (route === "POST /api/query_ts") return sendJson(response, 200, { ts: encodeTs(deployment.clock.current) });
    if (route === "POST /api/query_at_ts") {
      // Without history the query runs at the latest timestamp, as a query at a recent ts usually reads.
      return sendJson(response, 200, await call("query", body.path, body.args, body.format));
    }
    if (route === "POST /api/query_batch") {
      const results = [];
      for (const query of body.queries ?? []) results.push(await call("query", query.path, query.args, query.format));
      return sendJson(response, 200, { results });
    }
    const run = /^POST \/api\/run\/(.+)\/([^/]+)$/.exec(route);
    if (run) {
      const path = `${run[1]}:${run[2]}`;
      const func = await deployment.kindOf(path);
      return sendJson(response, 200, await call(func ?? "query", path, body.args ?? {}, body.format));
    }
    return requestError(response, 404, "NotFound", `No route for ${request.method} ${url.pathname}`);
  };
}
