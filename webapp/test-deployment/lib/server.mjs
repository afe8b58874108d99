// Starts a test deployment: compiles the functions, serves them over HTTP and the sync WebSocket
// on one port, and the control channel on another.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { compileFunctions } from "./compile.mjs";
import { createControl } from "./control.mjs";
import { CronRunner } from "./crons.mjs";
import { Deployment } from "./deployment.mjs";
import { createHttpApi } from "./http-api.mjs";
import { SyncSocket } from "./sync-socket.mjs";
import { fromWire } from "./wire.mjs";

const SYNC_PATH = /^\/api\/(?:(\d+\.\d+\.\d+[^/]*)\/)?sync$/;

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

/** The public port: refuses connections while down, and can cut every open one. */
class PublicPort {
  #server;
  #connections = new Set();
  #host;
  port = 0;

  constructor(handler, onUpgrade, host) {
    this.#host = host;
    this.#server = createServer(handler);
    this.#server.on("upgrade", onUpgrade);
    this.#server.on("connection", (socket) => {
      this.#connections.add(socket);
      socket.on("close", () => this.#connections.delete(socket));
    });
  }

  async start(port) {
    this.port = await listen(this.#server, port, this.#host);
  }

  async stop() {
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#connections) socket.destroy();
    await closed;
  }
}

export async function startTestDeployment({ functionsDir, port = 0, controlPort = 0, host = "127.0.0.1", watch, env = {}, warn = console.error } = {}) {
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = String(value);
  const compiled = await compileFunctions(functionsDir);
  const deployment = new Deployment(compiled, { watch });
  const webSockets = new WebSocketServer({ noServer: true });

  const onUpgrade = (request, socket, head) => {
    const match = SYNC_PATH.exec(new URL(request.url, "http://deployment").pathname);
    if (!match) return socket.destroy();
    const version = request.headers["convex-client"] ?? (match[1] ? `npm-${match[1]}` : undefined);
    if (version) deployment.counters.clientVersions.push(version);
    webSockets.handleUpgrade(request, socket, head, (ws) => deployment.socketOpened(new SyncSocket(ws, deployment)));
  };
  const api = new PublicPort(createHttpApi(deployment), onUpgrade, host);
  await api.start(port);

  const down = {
    async setDown(isDown) {
      if (isDown === deployment.faults.down) return;
      deployment.faults.down = isDown;
      if (isDown) {
        for (const socket of [...deployment.sockets]) socket.destroy();
        await api.stop();
      } else {
        await api.start(api.port);
      }
    },
  };
  const control = createServer(createControl(deployment, down));
  const controlPortNumber = await listen(control, controlPort, host);

  const crons = new CronRunner(
    compiled.crons,
    (name, args) => deployment.runInternal(name, fromWire(args)).then((outcome) => outcome.ok || warn(`cron ${name} failed: ${outcome.message}`)),
    warn,
  );

  return {
    url: `http://${host}:${api.port}`,
    controlUrl: `http://${host}:${controlPortNumber}`,
    deployment,
    /** Creates an access key with the internal `access:createKey` and returns it. */
    async seedAccessKey(user = "test", label = "test-deployment") {
      const outcome = await deployment.runInternal("access:createKey", { user, label });
      if (!outcome.ok) throw new Error(`access:createKey failed: ${outcome.message}`);
      return outcome.value.key;
    },
    async close() {
      crons.stop();
      deployment.close();
      webSockets.close();
      await Promise.all([deployment.faults.down ? Promise.resolve() : api.stop(), new Promise((resolve) => control.close(resolve))]);
      compiled.cleanup();
    },
  };
}
