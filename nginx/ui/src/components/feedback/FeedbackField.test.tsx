import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Widget } from "./config";
import { FeedbackField } from "./FeedbackField";

afterEach(cleanup);

function Harness({ widget, onSubmit }: { widget: Widget; onSubmit: (draft: string) => void }) {
  const [draft, setDraft] = useState("");
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(draft);
      }}
    >
      <FeedbackField id="f" label="correctness" widget={widget} draft={draft} onDraft={setDraft} />
    </form>
  );
}

const categorical: Widget = {
  kind: "categorical",
  choices: [
    { label: "wrong", score: 0, value: "wrong" },
    { label: "partly", score: 0.5, value: "partly" },
    { label: "right", score: 1, value: "right" },
  ],
};

describe("FeedbackField", () => {
  it("picks a category with its number key and submits on Enter", () => {
    const submit = vi.fn();
    render(<Harness widget={categorical} onSubmit={submit} />);
    const group = screen.getByRole("radiogroup", { name: "correctness" });
    fireEvent.keyDown(group, { key: "3" });
    expect(screen.getByRole("radio", { name: /right/ })).toHaveProperty("ariaChecked", "true");
    expect(document.activeElement).toBe(screen.getByRole("radio", { name: /right/ }));
    fireEvent.keyDown(group, { key: "Enter" });
    expect(submit).toHaveBeenCalledWith("2");
  });

  it("keeps one tab stop per key: the picked category, else the first", () => {
    render(<Harness widget={categorical} onSubmit={() => {}} />);
    const tabbable = () => screen.getAllByRole("radio").map((b) => b.tabIndex);
    expect(tabbable()).toEqual([0, -1, -1]);
    fireEvent.click(screen.getByRole("radio", { name: /partly/ }));
    expect(tabbable()).toEqual([-1, 0, -1]);
    fireEvent.keyDown(screen.getByRole("radiogroup"), { key: "ArrowRight" });
    expect(tabbable()).toEqual([-1, -1, 0]);
  });

  it("shows a continuous key's range and a freeform key's text box", () => {
    render(<Harness widget={{ kind: "continuous", min: 0, max: 10 }} onSubmit={() => {}} />);
    expect(screen.getByLabelText(/correctness/)).toHaveProperty("placeholder", "0–10");
    expect(screen.getByText("(0–10)")).toBeTruthy();
    cleanup();
    const submit = vi.fn();
    render(<Harness widget={{ kind: "freeform" }} onSubmit={submit} />);
    fireEvent.change(screen.getByLabelText("correctness"), { target: { value: "cites a stale doc" } });
    fireEvent.submit(screen.getByLabelText("correctness").closest("form") as HTMLFormElement);
    expect(submit).toHaveBeenCalledWith("cites a stale doc");
  });
});
