import { lazy, Suspense } from "react";

// The markdown renderer is a third of the app's JavaScript and the runs table never needs it,
// so it loads on first use; until then the text shows as plain, wrapped text.
const MarkdownRenderer = lazy(() => import("./MarkdownRenderer"));

/** Model text rendered as markdown (no raw HTML). */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
      <Suspense fallback={<p className="md-plain">{text}</p>}>
        <MarkdownRenderer text={text} />
      </Suspense>
    </div>
  );
}
