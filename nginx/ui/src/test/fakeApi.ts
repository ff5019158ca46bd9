// Component tests answer the API themselves: the real api/client module with `api` replaced by
// the test's own answers. vi.mock is hoisted above imports, so a test loads this lazily:
//   vi.mock("../../api/client", async (importOriginal) =>
//     (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec, client) => { ... }));
import { vi } from "vitest";
import type { RequestSpec } from "../api/client";

type Client = typeof import("../api/client");

export async function fakeApi(
  importOriginal: () => Promise<unknown>,
  answer: (spec: RequestSpec, client: Client) => Promise<unknown>,
): Promise<Client> {
  const client = (await importOriginal()) as Client;
  return { ...client, api: vi.fn((spec: RequestSpec) => answer(spec, client)) as Client["api"] };
}
