import { templateSegments, type TemplateFormat } from "./manifest";

/** A template with its {variables} highlighted. */
export function TemplateText({
  text,
  format,
  className,
}: {
  text: string;
  format: TemplateFormat;
  className?: string;
}) {
  return (
    <span className={className}>
      {templateSegments(text, format).map((segment, i) =>
        segment.variable ? (
          <mark key={i} className="tpl-var" title={`variable: ${segment.variable}`}>
            {segment.text}
          </mark>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </span>
  );
}
