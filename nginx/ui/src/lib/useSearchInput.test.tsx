import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter, useLocation, useNavigate } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSearchInput } from "./useSearchInput";

function Box() {
  const [text, setText] = useSearchInput("q", { resetParam: "page" });
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <>
      <input aria-label="Search" value={text} onChange={(e) => setText(e.target.value)} />
      <output aria-label="URL">{location.search}</output>
      <button type="button" onClick={() => navigate("?q=other")}>
        Go
      </button>
    </>
  );
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("useSearchInput", () => {
  it("writes the trimmed text to the URL after a pause, dropping the page", () => {
    render(
      <MemoryRouter initialEntries={["/?page=3&sort=name"]}>
        <Box />
      </MemoryRouter>,
    );
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "ab " } });
    expect(screen.getByLabelText("URL").textContent).toBe("?page=3&sort=name");
    act(() => vi.advanceTimersByTime(250));
    expect(screen.getByLabelText("URL").textContent).toBe("?sort=name&q=ab");
    // Its own write does not rewrite what is being typed.
    expect((screen.getByLabelText("Search") as HTMLInputElement).value).toBe("ab ");
  });

  it("follows the URL when it changes from outside", () => {
    render(
      <MemoryRouter initialEntries={["/?q=first"]}>
        <Box />
      </MemoryRouter>,
    );
    expect((screen.getByLabelText("Search") as HTMLInputElement).value).toBe("first");
    fireEvent.click(screen.getByRole("button", { name: "Go" }));
    expect((screen.getByLabelText("Search") as HTMLInputElement).value).toBe("other");
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByLabelText("URL").textContent).toBe("?q=other");
  });
});
