import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import { invalidate } from "../../api/hooks";
import type { Workspace } from "../../auth/AuthContext";
import { renderInWorkspace } from "../../test/render";
import { ModelPricesTab, perMillion, perToken, type ModelPrice } from "./ModelPricesTab";

const calls: RequestSpec[] = [];
const base: ModelPrice = {
  id: "d1",
  tenant_id: null,
  name: "gpt-4o",
  match_pattern: "^gpt-4o$",
  match_path: ["model"],
  provider: "openai",
  start_time: null,
  prompt_cost: "0.0000025",
  completion_cost: "0.00001",
  prompt_cost_details: { cache_read: "0.00000125" },
  completion_cost_details: {},
  is_default: true,
  default_id: null,
  disabled: false,
};
const own: ModelPrice = {
  ...base,
  id: "o1",
  tenant_id: "w",
  name: "house",
  match_pattern: "^house$",
  provider: null,
  start_time: "2026-01-01T00:00:00Z",
  prompt_cost: "0.000001",
  completion_cost: "0.000002",
  prompt_cost_details: {},
  is_default: false,
};

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === "/model-price-map" && spec.method === "POST") return { ...own, id: "o2", ...(spec.body as object) };
    if (spec.path === "/model-price-map") return [own, base];
    if (spec.path === "/model-price-map/match") {
      const name = (spec.query as { model_name: string }).model_name;
      return { model_name: name, provider: null, start_time: "", match: name === "gpt-4o" ? base : null };
    }
    if (spec.method === "DELETE") return undefined;
    throw new Error(`unexpected ${spec.method} ${spec.path}`);
  }),
);

function renderTab(role: Workspace["role"], entry = "/o/w/settings/prices") {
  return renderInWorkspace(
    role,
    entry,
    <Route path="/o/:tenant/settings/prices" element={<ModelPricesTab />} />
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
  invalidate("/model-price-map");
});

describe("per-1M and per-token prices", () => {
  it("convert exactly by moving the decimal point", () => {
    expect(perToken("2.5")).toBe("0.0000025");
    expect(perToken("0.075")).toBe("0.000000075");
    expect(perToken("15")).toBe("0.000015");
    expect(perToken("0")).toBe("0");
    expect(perToken("2,5")).toBeNull();
    expect(perToken("-1")).toBeNull();
    expect(perMillion("0.0000025")).toBe("2.5");
    expect(perMillion("7.5E-8")).toBe("0.075");
    expect(perMillion("0.00001")).toBe("10");
  });
});

describe("ModelPricesTab", () => {
  it("lists the workspace's entries and the defaults per 1M tokens, with their source", async () => {
    renderTab("admin");
    const row = (await screen.findByText("house")).closest("tr") as HTMLElement;
    expect(within(row).getByText("$1")).toBeTruthy();
    expect(within(row).getByText("This workspace")).toBeTruthy();
    expect(within(row).getByText("2026-01-01")).toBeTruthy();
    const gpt = screen.getByText("gpt-4o").closest("tr") as HTMLElement;
    expect(within(gpt).getByText("$2.5")).toBeTruthy();
    expect(within(gpt).getByText("$1.25")).toBeTruthy();
    expect(within(gpt).getByText("Default")).toBeTruthy();
    expect(within(gpt).getByRole("button", { name: "Disable gpt-4o" })).toBeTruthy();
  });

  it("tests a model name against the table", async () => {
    renderTab("viewer");
    await screen.findByText("house");
    fireEvent.change(screen.getByLabelText("Test a model name"), { target: { value: "gpt-4o" } });
    fireEvent.click(screen.getByRole("button", { name: "Test" }));
    expect((await screen.findByRole("status")).textContent).toContain("is priced by gpt-4o (default): $2.5 input");
    fireEvent.change(screen.getByLabelText("Test a model name"), { target: { value: "mystery" } });
    fireEvent.click(screen.getByRole("button", { name: "Test" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("No price matches mystery"));
    expect(calls.find((c) => c.path === "/model-price-map/match")?.query).toEqual({ model_name: "gpt-4o" });
  });

  it("opens Add price prefilled from a link and sends per-token prices", async () => {
    renderTab("admin", "/o/w/settings/prices?model=my.model");
    const name = (await screen.findByLabelText("Name")) as HTMLInputElement;
    expect(name.value).toBe("my.model");
    expect((screen.getByLabelText(/Model name pattern/) as HTMLInputElement).value).toBe("^my\\.model$");
    fireEvent.change(screen.getByLabelText("Input $ per 1M tokens"), { target: { value: "0.6" } });
    fireEvent.change(screen.getByLabelText("Output $ per 1M tokens"), { target: { value: "2.4" } });
    fireEvent.change(screen.getByLabelText("Cached read $ per 1M (optional)"), { target: { value: "0.15" } });
    fireEvent.submit(name.closest("form") as HTMLFormElement);
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "my.model",
      match_pattern: "^my\\.model$",
      provider: null,
      start_time: null,
      prompt_cost: "0.0000006",
      completion_cost: "0.0000024",
      prompt_cost_details: { cache_read: "0.00000015" },
      completion_cost_details: {},
    });
  });

  it("refuses a price that is not a decimal before sending it", async () => {
    renderTab("admin");
    await screen.findByText("house");
    fireEvent.click(screen.getByRole("button", { name: "Add price" }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "x" } });
    fireEvent.change(screen.getByLabelText(/Model name pattern/), { target: { value: "^x$" } });
    fireEvent.change(screen.getByLabelText("Input $ per 1M tokens"), { target: { value: "cheap" } });
    fireEvent.change(screen.getByLabelText("Output $ per 1M tokens"), { target: { value: "1" } });
    fireEvent.submit(screen.getByLabelText("Name").closest("form") as HTMLFormElement);
    expect(await screen.findByText(/dollars per 1M tokens, like 2.5/)).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("gives viewers no way to change prices", async () => {
    renderTab("viewer");
    await screen.findByText("house");
    expect(screen.queryByRole("button", { name: "Add price" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Edit|Delete|Disable/ })).toBeNull();
    expect(screen.getByText(/Only admins can change prices/)).toBeTruthy();
  });
});
