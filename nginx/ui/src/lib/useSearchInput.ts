import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";

/**
 * A search box whose text is debounced into a URL parameter, so a search is shareable and
 * survives reload without a request per keystroke. Returns the box's text and its setter.
 *
 * - The URL gets the trimmed text (none: the parameter is removed), replacing the history entry:
 *   typing is not navigation.
 * - A new search drops `resetParam` (the page or offset), since it starts from the first page.
 * - When the parameter changes from outside (back/forward, a link), the box follows; it does not
 *   when the change is its own, so a keystroke made meanwhile is never overwritten.
 */
export function useSearchInput(
  param: string,
  { resetParam, delay = 250 }: { resetParam?: string; delay?: number } = {},
): [string, (text: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(param) ?? "";
  const [text, setText] = useState(value);
  const written = useRef(value);

  useEffect(() => {
    if (value !== written.current) setText(value);
    written.current = value;
  }, [value]);

  useEffect(() => {
    const wanted = text.trim();
    if (wanted === value) return;
    const timer = window.setTimeout(() => {
      written.current = wanted;
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (wanted) next.set(param, wanted);
          else next.delete(param);
          if (resetParam) next.delete(resetParam);
          return next;
        },
        { replace: true },
      );
    }, delay);
    return () => window.clearTimeout(timer);
  }, [text, value, param, resetParam, delay, setParams]);

  return [text, setText];
}
