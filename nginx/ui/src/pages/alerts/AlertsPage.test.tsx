import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Outlet, Route } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import type { Workspace } from "../../auth/AuthContext";
import { renderInWorkspace } from "../../test/render";
import AlertsPage from "./AlertsPage";
import type { AlertRule, Incident, Webhook } from "./types";

const calls: RequestSpec[] = [];
const rule: AlertRule = {
  id: "r1",
  project_id: "p1",
  name: "errors",
  metric: "error_rate",
  feedback_key: null,
  window_minutes: 15,
  comparison: "gt",
  threshold: 0.25,
  breaches_to_fire: 2,
  oks_to_resolve: 3,
  webhook_ids: ["h1"],
  enabled: true,
  state: "firing",
  streak: 0,
  last_value: 0.5,
  last_evaluated_at: "2026-10-05T09:00:00Z",
  created_at: "2026-10-05T08:00:00Z",
  modified_at: "2026-10-05T08:00:00Z",
};
const hook = { id: "h1", name: "oncall", enabled: true } as Webhook;
const incident: Incident = {
  id: "i1",
  fired_at: "2026-10-05T09:00:00Z",
  fired_value: 0.5,
  resolved_at: null,
  resolved_value: null,
};

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === "/alert-rules" && spec.method === "POST") {
      return { ...rule, ...(spec.body as object), id: "r2", state: "ok", last_evaluated_at: null, last_value: null };
    }
    if (spec.path === "/alert-rules") return [rule];
    if (spec.path === "/webhooks") return [hook];
    if (spec.path === "/alert-rules/r1/history") return [incident];
    if (spec.method === "DELETE") return undefined;
    throw new Error(`unexpected ${spec.method} ${spec.path}`);
  }),
);

function renderPage(role: Workspace["role"]) {
  return renderInWorkspace(
    role,
    "/o/w/projects/p/p1/alerts",
    <Route path="/o/:tenant/projects/p/:projectId" element={<Outlet context={{ project: undefined, projectId: "p1" }} />}>
      <Route path="alerts" element={<AlertsPage />} />
    </Route>
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("AlertsPage", () => {
  it("lists the project's rules with their state and condition", async () => {
    renderPage("admin");
    const row = (await screen.findByText("errors")).closest("tr") as HTMLElement;
    expect(within(row).getByText("firing")).toBeTruthy();
    expect(within(row).getByText("Error rate > 25.0% over 15 min")).toBeTruthy();
    expect(within(row).getByText("50.0%")).toBeTruthy();
    expect(calls.find((c) => c.path === "/alert-rules")?.query).toEqual({ project_id: "p1" });
  });

  it("creates a rule with the error rate entered in percent and the chosen webhook", async () => {
    renderPage("admin");
    await screen.findByText("errors");
    fireEvent.click(screen.getByRole("button", { name: "New alert rule" }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "too many errors" } });
    fireEvent.change(screen.getByLabelText("Threshold (%)"), { target: { value: "10" } });
    fireEvent.change(screen.getByLabelText("Window (minutes)"), { target: { value: "30" } });
    await screen.findByLabelText(/oncall/);
    fireEvent.click(screen.getByLabelText(/oncall/));
    fireEvent.submit(screen.getByLabelText("Name").closest("form") as HTMLFormElement);
    await screen.findByText("too many errors");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      project_id: "p1",
      name: "too many errors",
      metric: "error_rate",
      feedback_key: null,
      window_minutes: 30,
      comparison: "gt",
      threshold: 0.1,
      breaches_to_fire: 3,
      oks_to_resolve: 3,
      webhook_ids: ["h1"],
      enabled: true,
    });
  });

  it("asks for a feedback key only for the feedback average", async () => {
    renderPage("admin");
    await screen.findByText("errors");
    fireEvent.click(screen.getByRole("button", { name: "New alert rule" }));
    expect(screen.queryByLabelText("Feedback key")).toBeNull();
    fireEvent.change(screen.getByLabelText("Metric"), { target: { value: "feedback_avg" } });
    expect(screen.getByLabelText("Feedback key")).toBeTruthy();
    expect(screen.getByLabelText("Threshold")).toBeTruthy();
  });

  it("shows a rule's history", async () => {
    renderPage("viewer");
    await screen.findByText("errors");
    fireEvent.click(screen.getByRole("button", { name: "History of errors" }));
    expect(await screen.findByText("still firing")).toBeTruthy();
  });

  it("deletes only after confirmation; viewers get no write buttons", async () => {
    renderPage("admin");
    await screen.findByText("errors");
    fireEvent.click(screen.getByRole("button", { name: "Delete errors" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Delete rule", hidden: true }));
    await waitFor(() => expect(screen.queryByText("errors")).toBeNull());
    expect(calls.find((c) => c.method === "DELETE")?.path).toBe("/alert-rules/r1");
    cleanup();
    calls.length = 0;
    renderPage("viewer");
    await screen.findByText("errors");
    expect(screen.queryByRole("button", { name: "New alert rule" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Edit errors" })).toBeNull();
    expect(calls.some((c) => c.path === "/webhooks")).toBe(false);
  });
});
