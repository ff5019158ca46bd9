// Wire shapes of the settings APIs (/api-key, /workspaces, members, invites, playground providers).

export interface ApiKey {
  id: string;
  name: string;
  short_key: string;
  role: string;
  kind: "service" | "personal";
  user_id: string | null;
  created_by: string | null;
  workspace_id: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface ApiKeyCreated extends ApiKey {
  key: string;
}

export type Role = "admin" | "editor" | "viewer";

export interface Member {
  user_id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: string;
}

export interface InviteCreated {
  email: string;
  role: Role;
  expires_at: string;
  token: string;
  invite_url: string;
  accept_url: string;
}

export interface WorkspaceInfo {
  id: string;
  organization_id: string;
  display_name: string;
  created_at: string;
  is_current: boolean;
}

export type ProviderKind = "openai" | "anthropic" | "openai_compatible";

export interface Provider {
  id: string;
  name: string;
  kind: ProviderKind;
  base_url: string | null;
  default_model: string | null;
  has_api_key: boolean;
  api_key_hint: string | null;
  created_at: string;
  updated_at: string;
}

export const KIND_LABEL: Record<ProviderKind, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  openai_compatible: "OpenAI-compatible",
};

export const DEFAULT_BASE_URL: Partial<Record<ProviderKind, string>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
};

/** The environment the LangSmith SDK reads, pointed at this installation. */
export function sdkEnv(key?: string, workspaceId?: string): string {
  const lines = [
    "LANGSMITH_TRACING=true",
    `LANGSMITH_ENDPOINT=${window.location.origin}/api/v1`,
    `LANGSMITH_API_KEY=${key ?? "<your API key>"}`,
  ];
  if (workspaceId) lines.push(`LANGSMITH_WORKSPACE_ID=${workspaceId}`);
  return lines.join("\n");
}
