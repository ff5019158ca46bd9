import { useMemo } from "react";
import { useApi } from "../../api/hooks";
import type { FeedbackConfig, FeedbackConfigEntry } from "./config";

/**
 * The workspace's feedback configs by key (one per key: the enforced or first, as the API lists
 * them by default). A workspace has few keys, so one request serves every form on the page.
 * Without any (or before they arrive) forms fall back to a free score.
 */
export function useFeedbackConfigs(): Map<string, FeedbackConfig> {
  const state = useApi<FeedbackConfigEntry[]>({ path: "/feedback-configs", query: { limit: 100 } });
  return useMemo(() => {
    const map = new Map<string, FeedbackConfig>();
    for (const entry of state.data ?? []) if (!map.has(entry.feedback_key)) map.set(entry.feedback_key, entry.feedback_config);
    return map;
  }, [state.data]);
}
