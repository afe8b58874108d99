import { describe, expect, it } from "vitest";
import { splitBlocks } from "./blocks";

describe("splitBlocks", () => {
  it("splits at blank lines", () => {
    expect(splitBlocks("# Title\n\nfirst para\nsame para\n\n- a\n- b")).toEqual([
      "# Title",
      "first para\nsame para",
      "- a\n- b",
    ]);
  });

  it("keeps a fenced code block whole, blank lines included, even while it is still open", () => {
    const text = "intro\n\n```py\ndef f():\n\n    return 1\n```\n\nafter\n\n~~~\nopen\n\nstill open";
    expect(splitBlocks(text)).toEqual([
      "intro",
      "```py\ndef f():\n\n    return 1\n```",
      "after",
      "~~~\nopen\n\nstill open",
    ]);
  });

  it("joins back to the same text, so nothing is lost", () => {
    const text = "a\n\nb\n\n\n```\nx\n\ny\n```\nc";
    expect(
      splitBlocks(text)
        .join("\n\n")
        .replace(/\n{3,}/g, "\n\n"),
    ).toBe(text.replace(/\n{3,}/g, "\n\n"));
  });
});
