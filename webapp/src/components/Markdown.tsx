import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { splitBlocks } from "../lib/blocks";

const components: Components = {
  // Links from a model open elsewhere, never replacing the chat.
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noreferrer noopener" />,
};

/** Markdown of one piece of text; memoised, so an unchanged piece is never parsed again. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
      {text}
    </ReactMarkdown>
  );
});

/**
 * Markdown of a text that is still growing: each finished block is its own memoised piece,
 * so a new chunk re-parses only the last block, not the whole reply.
 */
export function GrowingMarkdown({ text }: { text: string }) {
  const blocks = splitBlocks(text);
  return (
    <>
      {blocks.map((block, index) => (
        <Markdown key={index} text={block} />
      ))}
    </>
  );
}
