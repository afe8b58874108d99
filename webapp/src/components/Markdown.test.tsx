import { act, render } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Chunk } from "../lib/functions";
import { installFake, SignedIn, type FakeConvex } from "../test/fakeConvex";
import { StreamingReply } from "./StreamingReply";

vi.mock("convex/react", async () => (await import("../test/fakeConvex")).fakeConvexReact);

// Counts what react-markdown is asked to parse, to see what a new chunk costs.
const parsed = vi.hoisted(() => [] as string[]);
vi.mock("react-markdown", async (importOriginal) => {
  const actual = await importOriginal<typeof import("react-markdown")>();
  const Counting = (props: Parameters<typeof actual.default>[0]) => {
    parsed.push(String(props.children));
    return actual.default(props);
  };
  return { ...actual, default: Counting };
});

describe("a long streaming reply", () => {
  let backend: FakeConvex;
  const chunks: Chunk[] = [];

  beforeEach(() => {
    backend = installFake();
    chunks.length = 0;
    parsed.length = 0;
    backend.onQuery("messages:chunks", (args) =>
      chunks.filter((c) => c.sequence >= (args.fromSequence as number)).slice(0, 100),
    );
  });

  function append(text: string) {
    act(() => {
      chunks.push({ sequence: chunks.length, kind: "text", text });
      backend.changed();
    });
  }

  it("parses only the growing last block on each chunk, never the finished ones again", () => {
    render(
      <SignedIn>
        <StreamingReply messageId="msg_1" attempt={1} />
      </SignedIn>,
    );
    for (let i = 0; i < 150; i++) append(`Paragraph ${i} has some words.\n\n`);
    append("The last one is still");

    parsed.length = 0;
    append(" growing");

    expect(parsed).toEqual(["The last one is still growing"]);
  });

  it("parses a finished code block once, while the text after it grows", () => {
    render(
      <SignedIn>
        <StreamingReply messageId="msg_1" attempt={1} />
      </SignedIn>,
    );
    append("```ts\nconst a = 1;\n\nconst b = 2;\n```\n\n");
    append("After");
    parsed.length = 0;
    append(" the code");
    append(" more");

    expect(parsed).toEqual(["After the code", "After the code more"]);
  });
});
