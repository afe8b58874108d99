import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// An OpenAI-compatible chat server on 127.0.0.1 for OpenCode: what it answers depends on the last
// user text. "[[slow]]" streams SLOW_CHUNKS "tick " pieces SLOW_DELAY_MS apart (for Stop);
// OpenCode's title requests get "Fake title"; anything else streams REPLY in small pieces,
// CHUNK_DELAY_MS apart, so the page sees it grow.

export const PROVIDER = "fake";
export const MODEL = "fake-model";
export const SLOW = "[[slow]]";
export const SLOW_CHUNKS = 400;
const SLOW_DELAY_MS = 100;
// Slow enough that a loaded machine still shows the reply growing in several steps.
const CHUNK_DELAY_MS = 300;

export const REPLY = [
  "Here is what ",
  "I found in **this directory**:\n\n",
  "- `notes.md` holds ",
  "the project notes\n",
  "- nothing else yet\n\n",
  "A first step ",
  "could be:\n\n",
  "```sh\n",
  "mkdir src && touch src/main.ts\n",
  "```\n\n",
  "Hello from ",
  "the fake model.",
];

type ChatBody = {
  messages?: { role: string; content: unknown }[];
  tools?: unknown[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  model?: string;
};

export type FakeModel = {
  /** The base URL for OpenCode's provider, ending in /v1. */
  url: string;
  /** OPENCODE_CONFIG_CONTENT naming this server as provider `fake` with `fake/fake-model` the default. */
  openCodeConfig: string;
  close(): Promise<void>;
};

export async function startFakeModel(): Promise<FakeModel> {
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    openCodeConfig: JSON.stringify({
      autoupdate: false,
      share: "disabled",
      provider: {
        [PROVIDER]: {
          npm: "@ai-sdk/openai-compatible",
          name: "Fake OpenAI",
          options: { baseURL: url, apiKey: "sk-fake" },
          models: { [MODEL]: { name: "Fake Model", tool_call: true, limit: { context: 32000, output: 4000 } } },
        },
      },
      model: `${PROVIDER}/${MODEL}`,
      small_model: `${PROVIDER}/${MODEL}`,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse) {
  if (request.method === "GET" && request.url?.endsWith("/models")) {
    return json(response, 200, { object: "list", data: [{ id: MODEL, object: "model", owned_by: "fake" }] });
  }
  if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
    return json(response, 404, { error: { message: "not found" } });
  }
  const body = JSON.parse(await readBody(request)) as ChatBody;
  const pieces = plan(body);
  if (!body.stream) {
    return json(response, 200, {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? MODEL,
      choices: [{ index: 0, message: { role: "assistant", content: pieces.texts.join("") }, finish_reason: "stop" }],
      usage: usage(),
    });
  }
  await stream(request, response, body, pieces);
}

function plan(body: ChatBody): { texts: string[]; delayMs: number } {
  const messages = body.messages ?? [];
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => textOf(m.content))
    .join(" ");
  const lastUser = textOf([...messages].reverse().find((m) => m.role === "user")?.content);
  if (system.toLowerCase().includes("title") && !body.tools?.length) {
    return { texts: ["Fake title"], delayMs: 0 };
  }
  if (lastUser.includes(SLOW)) {
    return { texts: Array.from({ length: SLOW_CHUNKS }, () => "tick "), delayMs: SLOW_DELAY_MS };
  }
  return { texts: REPLY, delayMs: CHUNK_DELAY_MS };
}

async function stream(
  request: IncomingMessage,
  response: ServerResponse,
  body: ChatBody,
  pieces: { texts: string[]; delayMs: number },
) {
  let gone = false;
  request.on("close", () => (gone = true));
  response.on("close", () => (gone = true));
  response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "close" });
  const created = Math.floor(Date.now() / 1000);
  const event = (delta: object, finish: string | null = null) =>
    response.write(
      `data: ${JSON.stringify({
        id: "chatcmpl-1",
        object: "chat.completion.chunk",
        created,
        model: body.model ?? MODEL,
        choices: [{ index: 0, delta, finish_reason: finish }],
      })}\n\n`,
    );
  event({ role: "assistant", content: "" });
  for (const text of pieces.texts) {
    if (gone) return;
    event({ content: text });
    if (pieces.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, pieces.delayMs));
  }
  if (gone) return;
  event({}, "stop");
  if (body.stream_options?.include_usage) {
    response.write(
      `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created, model: body.model ?? MODEL, choices: [], usage: usage() })}\n\n`,
    );
  }
  response.end("data: [DONE]\n\n");
}

function usage() {
  return { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === "object" && (part as { type?: string }).type === "text"
          ? String((part as { text?: string }).text ?? "")
          : "",
      )
      .join("\n");
  }
  return "";
}

function json(response: ServerResponse, status: number, body: object) {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    request.on("error", reject);
  });
}
