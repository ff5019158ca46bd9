import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { Outlet, Route } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import type { Project } from "../../api/types";
import type { Workspace } from "../../auth/AuthContext";
import { renderInWorkspace } from "../../test/render";
import type { ProjectContext } from "../project/ProjectLayout";
import { ProjectRetentionPage } from "./ProjectRetentionPage";
import { WorkspaceRetentionCard } from "./WorkspaceRetentionCard";
import { effectiveDays, type WorkspaceRetention } from "./retention";

const calls: RequestSpec[] = [];
let workspace: WorkspaceRetention = {
  default_trace_tier: "longlived",
  shortlived_ttl_days: 14,
  longlived_ttl_days: 400,
  payload_ttl_days: null,
};
const project: Project = { id: "p1", name: "chat", trace_tier: null, longlived_ttl_days: null, payload_ttl_days: null };

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === "/retention" && spec.method === "PATCH") {
      workspace = { ...workspace, ...(spec.body as Partial<WorkspaceRetention>) };
      return workspace;
    }
    if (spec.path === "/retention") return workspace;
    if (spec.path === "/sessions/p1" && spec.method === "PATCH") return { ...project, ...(spec.body as object) };
    throw new Error(`unexpected ${spec.method} ${spec.path}`);
  }),
);

function withRole(role: Workspace["role"], element: React.ReactNode) {
  return renderInWorkspace(
    role,
    "/o/w/projects/p/p1/settings",
    <Route
      path="/o/:tenant/projects/p/:projectId"
      element={<Outlet context={{ project, projectId: "p1" } satisfies ProjectContext} />}
    >
      <Route path="settings" element={element} />
    </Route>
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
  workspace = { default_trace_tier: "longlived", shortlived_ttl_days: 14, longlived_ttl_days: 400, payload_ttl_days: null };
});

describe("retention", () => {
  it("resolves a project's days from its own choices, else the workspace's", () => {
    expect(effectiveDays(workspace, {})).toEqual({ tier: "longlived", days: 400, payloadDays: 400 });
    expect(effectiveDays(workspace, { trace_tier: "shortlived", payload_ttl_days: 30 })).toEqual({
      tier: "shortlived",
      days: 14,
      payloadDays: 14,
    });
    expect(effectiveDays({ ...workspace, payload_ttl_days: 7 }, {}).payloadDays).toBe(7);
  });

  it("shows the workspace's tiers to a viewer without a way to change them", async () => {
    withRole("viewer", <WorkspaceRetentionCard isAdmin={false} />);
    expect(await screen.findByText("400 days")).toBeTruthy();
    expect(screen.getByText("kept as long as their runs")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Change retention" })).toBeNull();
  });

  it("lets an admin change the tiers, checking them before sending", async () => {
    withRole("admin", <WorkspaceRetentionCard isAdmin />);
    fireEvent.click(await screen.findByRole("button", { name: "Change retention" }));
    fireEvent.change(screen.getByLabelText("Short-lived tier (days)"), { target: { value: "500" } });
    fireEvent.click(screen.getByRole("button", { name: "Save retention" }));
    expect(await screen.findByText(/cannot be longer than the long-lived/)).toBeTruthy();
    expect(calls.some((c) => c.method === "PATCH")).toBe(false);

    fireEvent.change(screen.getByLabelText("Short-lived tier (days)"), { target: { value: "7" } });
    fireEvent.click(screen.getByRole("checkbox"));
    fireEvent.change(screen.getByLabelText("Payload retention (days)"), { target: { value: "30" } });
    fireEvent.click(screen.getByRole("button", { name: "Save retention" }));
    await waitFor(() => expect(screen.getByText("7 days")).toBeTruthy());
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({
      default_trace_tier: "longlived",
      shortlived_ttl_days: 7,
      longlived_ttl_days: 400,
      payload_ttl_days: 30,
    });
    expect(screen.getByText(/expire after 30 days/)).toBeTruthy();
  });

  it("lets an admin put a project on the short tier, and tells a viewer who can", async () => {
    withRole("admin", <ProjectRetentionPage />);
    expect(await screen.findByText("400 days")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Tier"), { target: { value: "shortlived" } });
    fireEvent.click(screen.getByRole("button", { name: "Save retention" }));
    expect(await screen.findByRole("status")).toBeTruthy();
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ trace_tier: "shortlived", payload_ttl_days: null });
    expect(screen.getByText("14 days")).toBeTruthy();
    cleanup();

    withRole("viewer", <ProjectRetentionPage />);
    expect(await screen.findByText("Only workspace admins change retention.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Save retention" })).toBeNull();
  });
});
