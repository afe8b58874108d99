import { act, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Chunk, ChunkKind } from "../lib/functions";
import { installFake, SignedIn, type FakeConvex } from "../test/fakeConvex";
import { StreamingReply } from "./StreamingReply";

vi.mock("convex/react", async () => (await import("../test/fakeConvex")).fakeConvexReact);

/** The server side of `messages:chunks`: one attempt's stored chunks, answered by window. */
class ChunkStore {
  readonly chunks: Chunk[] = [];
  constructor(private backend: FakeConvex) {
    backend.onQuery("messages:chunks", (args) => {
      if (args.messageId !== "msg_1" || args.attempt !== 1) return [];
      const from = args.fromSequence as number;
      return this.chunks.filter((c) => c.sequence >= from).slice(0, 100);
    });
  }
  append(kind: ChunkKind, ...texts: string[]) {
    act(() => {
      for (const text of texts) this.chunks.push({ sequence: this.chunks.length, kind, text });
      this.backend.changed();
    });
  }
}

function windowsSubscribed(backend: FakeConvex): number[] {
  return backend
    .subscriptions("messages:chunks")
    .map((args) => args.fromSequence as number)
    .sort((a, b) => a - b);
}

describe("StreamingReply", () => {
  let backend: FakeConvex;
  let store: ChunkStore;

  beforeEach(() => {
    backend = installFake();
    store = new ChunkStore(backend);
  });

  function renderReply() {
    return render(
      <SignedIn>
        <StreamingReply messageId="msg_1" attempt={1} />
      </SignedIn>,
    );
  }

  it("shows that the worker is working before the first chunk, reading only the first window", () => {
    renderReply();
    expect(screen.getByText("Working…")).toBeTruthy();
    expect(windowsSubscribed(backend)).toEqual([0]);
    expect(backend.subscriptions("messages:chunks")[0]).toEqual({ messageId: "msg_1", attempt: 1, fromSequence: 0 });
  });

  it("renders text as markdown, reasoning folded and tool lines as status lines, in sequence order", () => {
    renderReply();
    store.append("reasoning", "Let me look ", "at the files.");
    store.append("tool", "read src/app.ts: running\n", "read src/app.ts: completed\n");
    store.append("text", "The **answer** is:\n\n", "```ts\nconst x = 1;\n```\n");

    const reasoning = screen.getByText("Let me look at the files.").closest("details")!;
    expect(reasoning.open).toBe(false);
    const tools = screen.getByRole("list", { name: "Tool activity" });
    expect(
      within(tools)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["read src/app.ts: running", "read src/app.ts: completed"]);
    expect(screen.getByText("answer").tagName).toBe("STRONG");
    expect(screen.getByText("const x = 1;").closest("pre")).not.toBeNull();

    const order = [reasoning, tools, screen.getByText("answer")];
    for (let i = 1; i < order.length; i++) {
      expect(order[i - 1].compareDocumentPosition(order[i]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }
  });

  it("opens the next window only once the previous one is full, as a reply grows past several windows", () => {
    const { container } = renderReply();
    const words = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `w${from + i} `);

    store.append("text", ...words(0, 99));
    expect(windowsSubscribed(backend)).toEqual([0]);

    store.append("text", ...words(99, 100));
    expect(windowsSubscribed(backend)).toEqual([0, 100]);

    store.append("text", ...words(100, 250));
    expect(windowsSubscribed(backend)).toEqual([0, 100, 200]);
    expect(backend.everSubscribed.some((s) => s.args.fromSequence === 300)).toBe(false);

    const text = container.textContent ?? "";
    expect(text).toContain("w0 w1 w2");
    expect(text).toContain("w99 w100 w101");
    expect(text).toContain("w199 w200");
    expect(text.trim().endsWith("w249")).toBe(true);
    // every word once, in order
    const seen = text.match(/w\d+/g)!.map((w) => Number(w.slice(1)));
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));

    store.append("text", ...words(250, 300));
    expect(windowsSubscribed(backend)).toEqual([0, 100, 200, 300]);
  });

  it("keeps each window's query arguments fixed while chunks arrive", () => {
    renderReply();
    store.append("text", ...Array.from({ length: 150 }, (_, i) => `c${i}`));
    const before = backend.everSubscribed.length;
    for (let i = 0; i < 20; i++) store.append("text", "more");
    // new chunks re-run the open windows' queries; they never open new subscriptions
    expect(backend.everSubscribed.length).toBe(before);
    expect(windowsSubscribed(backend)).toEqual([0, 100]);
  });
});
