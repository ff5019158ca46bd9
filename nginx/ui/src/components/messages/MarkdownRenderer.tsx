import type { ReactNode } from "react";
import ReactMarkdown, { defaultUrlTransform } from "react-markdown";
import { imagePolicy, resolveUrl, SAFE_DATA_IMAGE, UntrustedImage } from "./UntrustedImage";

export { imagePolicy };

// Run data is untrusted: model output can be steered by a prompt injection. So
// - no remote images (UntrustedImage.tsx says why and what shows);
// - links only for http(s), mailto and same-page URLs, with rel="noopener noreferrer nofollow";
//   javascript:, data: and other schemes are plain text.
// - raw HTML is shown as the literal text it is, never as HTML (and never silently dropped).
// Loaded on demand by Markdown.tsx.

const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL react-markdown may keep: its default rules, plus data: URLs of safe raster images. */
export function urlTransform(url: string, key: string): string {
  if (key === "src" && SAFE_DATA_IMAGE.test(url)) return url;
  return defaultUrlTransform(url);
}

/** A link target, or null when the href must not become a link (javascript:, data:, vbscript:, ...). */
export function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  const url = resolveUrl(href);
  return url && LINK_PROTOCOLS.has(url.protocol) ? href : null;
}

type MdNode = { type: string; value?: string; children?: MdNode[]; data?: Record<string, unknown> };

/** A remark plugin: raw HTML becomes visible text. react-markdown drops HTML nodes, so text that
 * starts with an HTML block (`<div>hello</div>\nworld`) would otherwise vanish from the view. */
function remarkHtmlAsText() {
  const visit = (node: MdNode, inBlock: boolean) => {
    node.children = node.children?.map((child) => {
      if (child.type !== "html") {
        visit(child, inBlock || child.type === "paragraph" || child.type === "heading");
        return child;
      }
      const text: MdNode = { type: "text", value: child.value ?? "" };
      // An HTML block sits where a paragraph would: wrap it, keeping its line breaks visible.
      return inBlock ? text : { type: "paragraph", children: [text], data: { hProperties: { className: ["md-html"] } } };
    });
  };
  return (tree: MdNode) => visit(tree, false);
}

/** A remark plugin: a single newline inside a paragraph is a line break (as remark-breaks does).
 * Prompts and model replies are written as plain text, where a newline means a new line;
 * CommonMark would join the lines (a system prompt's rules would merge into one paragraph).
 * Only text nodes are touched: code blocks and inline code keep their newlines as they are. */
function remarkKeepLineBreaks() {
  const visit = (node: MdNode) => {
    if (!node.children) return;
    node.children = node.children.flatMap((child) => {
      if (child.type !== "text" || !child.value?.includes("\n")) {
        visit(child);
        return [child];
      }
      return child.value.split(/\r?\n/).flatMap((line, i): MdNode[] => {
        const text: MdNode[] = line ? [{ type: "text", value: line }] : [];
        return i === 0 ? text : [{ type: "break" }, ...text];
      });
    });
  };
  return (tree: MdNode) => visit(tree);
}

function Link({ href, children }: { href: string | undefined; children?: ReactNode }) {
  const target = safeHref(href);
  if (target === null) return <span className="md-link-blocked">{children}</span>;
  return (
    <a href={target} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

export default function MarkdownRenderer({ text }: { text: string }) {
  return (
    <ReactMarkdown
      remarkPlugins={[remarkHtmlAsText, remarkKeepLineBreaks]}
      urlTransform={urlTransform}
      components={{
        a: ({ href, children }) => <Link href={href}>{children}</Link>,
        img: ({ src, alt }) => <UntrustedImage src={typeof src === "string" ? src : undefined} alt={alt ?? ""} />,
      }}
    >
      {text}
    </ReactMarkdown>
  );
}
