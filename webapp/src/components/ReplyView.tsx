import type { Segment } from "../lib/segments";
import { GrowingMarkdown, Markdown } from "./Markdown";

/** A reply's segments; with `streaming`, the last one is still growing. */
export function ReplyView({ segments, streaming }: { segments: Segment[]; streaming: boolean }) {
  return (
    <div className="reply">
      {segments.map((segment, index) => {
        const growing = streaming && index === segments.length - 1;
        switch (segment.kind) {
          case "text":
            return (
              <div className="markdown" key={index}>
                {growing ? <GrowingMarkdown text={segment.text} /> : <Markdown text={segment.text} />}
              </div>
            );
          case "reasoning":
            return (
              <details className="reasoning" key={index}>
                <summary>{growing ? "Thinking…" : "Reasoning"}</summary>
                <div className="reasoning-text">{segment.text}</div>
              </details>
            );
          case "tool":
            return (
              <ul className="tools" key={index} aria-label="Tool activity">
                {segment.text
                  .split("\n")
                  .filter((line) => line.trim() !== "")
                  .map((line, lineIndex) => (
                    <li key={lineIndex}>{line}</li>
                  ))}
              </ul>
            );
        }
      })}
    </div>
  );
}
