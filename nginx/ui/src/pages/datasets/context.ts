import { createContext, useContext } from "react";
import { send } from "../../api/client";
import type { Dataset } from "./api";

/** What DatasetPage hands its tabs: the dataset, and a way to refresh it after a write. */
export interface DatasetContextValue {
  tenant: string;
  datasetId: string;
  base: string; // /o/:tenant/datasets/:datasetId
  dataset: Dataset | undefined;
  reloadDataset: () => void;
  canWrite: boolean;
}

export const DatasetContext = createContext<DatasetContextValue | null>(null);

export function useDataset(): DatasetContextValue {
  const value = useContext(DatasetContext);
  if (!value) throw new Error("useDataset outside DatasetPage");
  return value;
}

/**
 * Download an API resource as a file. A plain link would carry the cookie but not the workspace
 * header, so it would read the session's default workspace; fetching names the one in the URL.
 */
export async function download(path: string, filename: string): Promise<void> {
  const response = await send({ path });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
