import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import type { Workspace } from "../../auth/AuthContext";
import { renderInWorkspace } from "../../test/render";
import type { Delivery, Webhook } from "../alerts/types";
import { WebhooksTab } from "./WebhooksTab";

const calls: RequestSpec[] = [];
const hook: Webhook = {
  id: "h1",
  name: "oncall",
  url: "https://hooks.example.com/a",
  format: "slack",
  enabled: true,
  storage_events: false,
  secret_hint: "...wxyz",
  created_at: "2026-10-05T09:00:00Z",
  modified_at: "2026-10-05T09:00:00Z",
};
const delivery: Delivery = {
  id: "d1",
  event_id: "e1",
  event_type: "webhook.test",
  status: "delivered",
  attempts: [
    { attempt: 1, status_code: 500, error: "answered 500", attempted_at: "2026-10-05T09:00:00Z" },
    { attempt: 2, status_code: 200, error: null, attempted_at: "2026-10-05T09:00:02Z" },
  ],
  created_at: "2026-10-05T09:00:00Z",
  finished_at: "2026-10-05T09:00:02Z",
};

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === "/webhooks" && spec.method === "POST") {
      const body = spec.body as { name: string; url: string; format: Webhook["format"] };
      return { ...hook, id: "h2", name: body.name, url: body.url, format: body.format, secret: "whsec_NEWSECRET" };
    }
    if (spec.path === "/webhooks") return [hook];
    if (spec.path === "/webhooks/h1/test") return { event_id: "e1", delivery_id: "d1" };
    if (spec.path === "/webhooks/h1/deliveries") return [delivery];
    if (spec.method === "DELETE") return undefined;
    throw new Error(`unexpected ${spec.method} ${spec.path}`);
  }),
);

function renderTab(role: Workspace["role"]) {
  return renderInWorkspace(
    role,
    "/o/w/settings/webhooks",
    <Route path="/o/:tenant/settings/webhooks" element={<WebhooksTab />} />
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("WebhooksTab", () => {
  it("lists webhooks with the secret's hint only", async () => {
    renderTab("admin");
    const row = (await screen.findByText("oncall")).closest("tr") as HTMLElement;
    expect(within(row).getByText("https://hooks.example.com/a")).toBeTruthy();
    expect(within(row).getByText("...wxyz")).toBeTruthy();
    expect(within(row).getByText("Slack")).toBeTruthy();
  });

  it("adds a webhook and shows its generated secret once", async () => {
    renderTab("admin");
    await screen.findByText("oncall");
    fireEvent.click(screen.getByRole("button", { name: "Add webhook" }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "alerts" } });
    fireEvent.change(screen.getByLabelText("URL"), { target: { value: "https://hooks.example.com/b" } });
    fireEvent.click(screen.getByLabelText(/Also send disk-budget warnings/));
    fireEvent.submit(screen.getByLabelText("Name").closest("form") as HTMLFormElement);
    expect(await screen.findByDisplayValue("whsec_NEWSECRET")).toBeTruthy();
    // No secret typed: none is sent, so the server generates one.
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "alerts",
      url: "https://hooks.example.com/b",
      format: "json",
      enabled: true,
      storage_events: true,
    });
    fireEvent.click(screen.getByRole("button", { name: "I have saved it", hidden: true }));
    await waitFor(() => expect(screen.queryByDisplayValue("whsec_NEWSECRET")).toBeNull());
    expect(screen.getByText("alerts")).toBeTruthy();
    expect(document.body.textContent).not.toContain("whsec_NEWSECRET");
  });

  it("sends a test event and shows the delivery log with each attempt", async () => {
    renderTab("admin");
    await screen.findByText("oncall");
    fireEvent.click(screen.getByRole("button", { name: "Send a test event to oncall" }));
    expect(await screen.findByText(/Test event queued for oncall/)).toBeTruthy();
    expect(calls.some((c) => c.path === "/webhooks/h1/test" && c.method === "POST")).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Delivery log of oncall" }));
    expect(await screen.findByText("webhook.test")).toBeTruthy();
    expect(screen.getByText("delivered")).toBeTruthy();
    expect(screen.getByText(/answered 500/)).toBeTruthy();
  });

  it("deletes only after confirmation", async () => {
    renderTab("admin");
    await screen.findByText("oncall");
    fireEvent.click(screen.getByRole("button", { name: "Delete oncall" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Delete webhook", hidden: true }));
    await waitFor(() => expect(screen.queryByText("oncall")).toBeNull());
    expect(calls.find((c) => c.method === "DELETE")?.path).toBe("/webhooks/h1");
  });

  it("does not ask non-admins for webhooks", () => {
    renderTab("editor");
    expect(screen.getByText("Only admins can manage webhooks")).toBeTruthy();
    expect(calls).toEqual([]);
  });
});
