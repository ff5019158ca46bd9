import ReactMarkdown from "react-markdown";

// No raw HTML (react-markdown escapes it without rehype-raw) and the default URL sanitiser drops
// javascript: links. Links open in a new tab. Loaded on demand by Markdown.tsx.
export default function MarkdownRenderer({ text }: { text: string }) {
  return (
    <ReactMarkdown
      skipHtml
      components={{
        a: ({ href, children }) => (
          <a href={href} target="_blank" rel="noreferrer noopener">
            {children}
          </a>
        ),
        img: ({ src, alt }) => <img src={typeof src === "string" ? src : undefined} alt={alt ?? ""} loading="lazy" />,
      }}
    >
      {text}
    </ReactMarkdown>
  );
}
