import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import MarkdownRenderer, { imagePolicy, safeHref } from "./MarkdownRenderer";

afterEach(cleanup);

const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";

function md(text: string): HTMLElement {
  return render(<MarkdownRenderer text={text} />).container;
}

describe("untrusted markdown: images", () => {
  it("does not load a remote image; offers it as a link naming the host", () => {
    const root = md("Here: ![chart](https://evil.example/x.png?q=secret)");
    expect(root.querySelector("img")).toBeNull();
    expect(root.innerHTML).not.toMatch(/<img[^>]*evil\.example/);
    const link = root.querySelector("a.md-img-blocked") as HTMLAnchorElement;
    expect(link.textContent).toContain("remote image blocked: evil.example");
    expect(link.getAttribute("href")).toBe("https://evil.example/x.png?q=secret");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
  });

  it("blocks protocol-relative and reference-style remote images too", () => {
    const root = md("![a](//evil.example/a.png)\n\n![b][ref]\n\n[ref]: http://evil.example:8080/b.gif");
    expect(root.querySelectorAll("img")).toHaveLength(0);
    const hosts = [...root.querySelectorAll("a.md-img-blocked")].map((a) => a.textContent);
    expect(hosts.join(" ")).toContain("evil.example");
    expect(hosts.join(" ")).toContain("evil.example:8080");
  });

  it("shows same-origin images (attachments) and safe data: images", () => {
    const root = md(`![att](/api/v1/runs/1/attachments/a.png) ![here](${window.location.origin}/x.png) ![px](${PNG})`);
    const srcs = [...root.querySelectorAll("img")].map((img) => img.getAttribute("src"));
    expect(srcs).toEqual(["/api/v1/runs/1/attachments/a.png", `${window.location.origin}/x.png`, PNG]);
  });

  it("never loads SVG or other data: images, nor javascript: sources", () => {
    const root = md("![s](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) ![h](data:text/html,<b>x</b>) ![j](javascript:alert(1))");
    expect(root.querySelectorAll("img")).toHaveLength(0);
    expect(root.querySelectorAll("a")).toHaveLength(0);
    expect(root.querySelectorAll(".md-img-blocked")).toHaveLength(3);
  });

  it("classifies sources", () => {
    expect(imagePolicy("https://evil.example/x.png")).toEqual({ kind: "remote", host: "evil.example" });
    expect(imagePolicy("/api/x.png")).toEqual({ kind: "inline" });
    expect(imagePolicy(PNG)).toEqual({ kind: "inline" });
    expect(imagePolicy("data:image/svg+xml;base64,AAAA")).toEqual({ kind: "blocked" });
    expect(imagePolicy(undefined)).toEqual({ kind: "blocked" });
  });
});

describe("untrusted markdown: links", () => {
  it("renders http(s) links with noopener noreferrer nofollow", () => {
    const link = md("[docs](https://example.com/docs)").querySelector("a") as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe("https://example.com/docs");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(link.getAttribute("target")).toBe("_blank");
  });

  it.each([
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox)",
    "<javascript:alert(1)>",
    "[click][r]\n\n[r]: javascript:alert(1)",
  ])("leaves %s inert", (text) => {
    const root = md(text);
    expect(root.querySelector("a")).toBeNull();
    expect(root.querySelectorAll("[href], [src], [action], [formaction]")).toHaveLength(0);
    expect(root.textContent).not.toBe(""); // the text stays readable
  });

  it("judges hrefs as a browser would", () => {
    expect(safeHref(" javascript:alert(1)")).toBeNull();
    expect(safeHref("java\tscript:alert(1)")).toBeNull();
    expect(safeHref("mailto:a@example.com")).toBe("mailto:a@example.com");
    expect(safeHref("#section")).toBe("#section");
  });
});

describe("untrusted markdown: raw HTML", () => {
  it("shows an HTML block as its literal text instead of dropping it", () => {
    const root = md("<div>hello</div>\nworld");
    expect(root.querySelector("div")).toBeNull();
    expect(root.textContent).toContain("<div>hello</div>");
    expect(root.textContent).toContain("world");
  });

  it("never turns HTML into elements, inline or block", () => {
    const root = md('Hi <img src="https://evil.example/p.png" onerror="alert(1)"> there\n\n<script>alert(1)</script>\n\n<iframe src="https://evil.example"></iframe>');
    for (const tag of ["img", "script", "iframe"]) expect(root.querySelector(tag)).toBeNull();
    expect(root.textContent).toContain('<img src="https://evil.example/p.png" onerror="alert(1)">');
    expect(root.textContent).toContain("<script>alert(1)</script>");
    expect(root.textContent).toContain("there");
  });

  it("keeps ordinary markdown working", () => {
    const root = md("# Title\n\nSome **bold** and `code`.\n\n- a\n- b");
    expect(root.querySelector("h1")?.textContent).toBe("Title");
    expect(root.querySelector("strong")?.textContent).toBe("bold");
    expect(root.querySelectorAll("li")).toHaveLength(2);
  });
});

describe("markdown line breaks", () => {
  it("keeps single newlines as line breaks (a system prompt's rules stay on their lines)", () => {
    const root = md("You are a support bot.\nRule 1: be brief.\nRule 2: be kind.\n\nNew paragraph.");
    const paragraphs = root.querySelectorAll("p");
    expect(paragraphs).toHaveLength(2);
    expect(paragraphs[0].querySelectorAll("br")).toHaveLength(2);
    expect(paragraphs[0].textContent?.split("\n")).toEqual(["You are a support bot.", "Rule 1: be brief.", "Rule 2: be kind."]);
  });

  it("keeps breaks inside emphasis and leaves code blocks' newlines as text", () => {
    const root = md("**one\ntwo**\n\n```\nx = 1\ny = 2\n```\n\nuse `a\nb` inline");
    expect(root.querySelector("strong br")).not.toBeNull();
    const code = root.querySelector("pre code");
    expect(code?.textContent).toBe("x = 1\ny = 2\n");
    expect(code?.querySelector("br")).toBeNull();
    expect(root.querySelector("p:last-child code br")).toBeNull();
  });

  it("adds no HTML while doing so", () => {
    const root = md("line <b>one</b>\n<i>two</i> <script>alert(1)</script>");
    for (const tag of ["b", "i", "script"]) expect(root.querySelector(tag)).toBeNull();
    expect(root.textContent).toContain("<i>two</i>");
    expect(root.querySelectorAll("br")).toHaveLength(1);
  });
});
