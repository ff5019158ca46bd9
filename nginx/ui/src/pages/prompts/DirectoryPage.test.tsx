import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import DirectoryPage from "./DirectoryPage";

const calls: RequestSpec[] = [];

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    return {
      commit_id: "c1",
      commit_hash: "abcdef1234567890",
      files: {
        "tools/search.py": { type: "file", content: "def search(q):\n    return []" },
        "AGENTS.md": { type: "file", content: "# Support agent" },
        "skills/refunds": { type: "skill", repo_handle: "refunds", owner: null, commit_hash: null },
      },
    };
  }),
);

afterEach(cleanup);

describe("DirectoryPage", () => {
  it("asks for the repo's files by type and shows the one picked", async () => {
    render(
      <MemoryRouter initialEntries={["/o/w/prompts/-/support/files?type=agent"]}>
        <Routes>
          <Route path="/o/:tenant/prompts/:owner/:repo/files" element={<DirectoryPage />} />
        </Routes>
      </MemoryRouter>,
    );
    expect(await screen.findByRole("heading", { name: "Support agent" })).toBeTruthy(); // AGENTS.md, first in order, as markdown
    expect(calls[0]).toMatchObject({ path: "/platform/hub/repos/-/support/directories", query: { repo_type: "agent" } });
    fireEvent.click(screen.getByRole("button", { name: "tools/search.py" }));
    expect(screen.getByText(/def search\(q\):/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: /skills\/refunds/ }));
    expect(screen.getByRole("link", { name: "refunds" }).getAttribute("href")).toBe("/o/w/prompts/-/refunds/files?type=skill");
  });
});
