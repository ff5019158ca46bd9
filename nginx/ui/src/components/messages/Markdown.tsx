import ReactMarkdown from "react-markdown";

// Markdown for model text. No raw HTML (react-markdown escapes it without rehype-raw) and the
// default URL sanitiser drops javascript: links. Links open in a new tab.
export function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
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
    </div>
  );
}
