import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import type { Workspace } from "../../auth/AuthContext";
import { renderInWorkspace } from "../../test/render";
import { ApiKeysTab } from "./ApiKeysTab";
import type { ApiKey } from "./types";

const calls: RequestSpec[] = [];
const listed: ApiKey = {
  id: "k1",
  name: "ci",
  short_key: "th_abc_…",
  role: "editor",
  kind: "service",
  user_id: null,
  created_by: "u1",
  workspace_id: "w",
  created_at: "2026-10-05T09:00:00Z",
  expires_at: null,
  last_used_at: null,
};

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === "/api-key" && spec.method === "POST") {
      const body = spec.body as { name: string; role: string };
      return { ...listed, id: "k2", name: body.name, role: body.role, short_key: "th_new_…", key: "th_new_SECRET" };
    }
    if (spec.path === "/api-key") return [listed];
    if (spec.path.endsWith("/members")) return [{ user_id: "u1", email: "a@x.io", display_name: "Ada", role: "admin", created_at: "" }];
    if (spec.method === "DELETE") return undefined;
    throw new Error(`unexpected ${spec.method} ${spec.path}`);
  }),
);

function renderTab(role: Workspace["role"]) {
  return renderInWorkspace(
    role,
    "/o/w/settings",
    <Route path="/o/:tenant/settings" element={<ApiKeysTab />} />
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("ApiKeysTab", () => {
  it("lists keys with their creator, and the list and members load in parallel", async () => {
    renderTab("admin");
    expect(await screen.findByText("ci")).toBeTruthy();
    expect(screen.getByText("th_abc_…")).toBeTruthy();
    expect(await screen.findByText("by Ada")).toBeTruthy();
    expect(calls.slice(0, 2).map((c) => c.path).sort()).toEqual(["/api-key", "/workspaces/w/members"]);
  });

  it("shows a new key once, then lists it without the secret", async () => {
    renderTab("admin");
    await screen.findByText("ci");
    fireEvent.click(screen.getByRole("button", { name: "Create key" }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "prod-tracing" } });
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "viewer" } });
    const form = screen.getByLabelText("Name").closest("form") as HTMLFormElement;
    fireEvent.submit(form);
    const key = (await screen.findByDisplayValue("th_new_SECRET")) as HTMLInputElement;
    expect(key.readOnly).toBe(true);
    expect(screen.getByText(/shown only this once/)).toBeTruthy();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ name: "prod-tracing", role: "viewer", expires_at: undefined });
    fireEvent.click(screen.getByRole("button", { name: "I have saved it", hidden: true }));
    await waitFor(() => expect(screen.queryByDisplayValue("th_new_SECRET")).toBeNull());
    const row = screen.getByText("prod-tracing").closest("tr") as HTMLElement;
    expect(within(row).getByText("th_new_…")).toBeTruthy();
    expect(document.body.textContent).not.toContain("th_new_SECRET");
  });

  it("revokes only after confirmation", async () => {
    renderTab("admin");
    await screen.findByText("ci");
    fireEvent.click(screen.getByRole("button", { name: "Revoke key ci (th_abc_…)" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Revoke key", hidden: true }));
    await waitFor(() => expect(screen.queryByText("ci")).toBeNull());
    expect(calls.find((c) => c.method === "DELETE")?.path).toBe("/api-key/k1");
  });

  it("does not ask non-admins for the key list", async () => {
    renderTab("editor");
    expect(screen.getByText("Only admins can list this workspace's keys")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create personal token" })).toBeTruthy();
    expect(calls).toEqual([]);
  });
});
