// Prompt hub wire shapes (LangSmith's /repos, /commits, /tags, /likes) and paths.

export interface PromptRepo {
  id: string;
  repo_handle: string;
  /** The owning workspace's hub handle; full_name is `owner/repo_handle`. */
  full_name: string;
  owner: string | null;
  description: string;
  readme: string;
  tags: string[];
  is_public: boolean;
  is_archived: boolean;
  created_at: string;
  updated_at: string;
  num_likes: number;
  num_downloads: number;
  num_commits: number;
  last_commit_hash: string | null;
  /** Tracehouse addition; older servers leave it out. */
  last_commit_at?: string | null;
  liked_by_auth_user: boolean;
  /** The owning workspace: another one's for a public repo listed with is_public=true. */
  tenant_id?: string;
  /** What the repo holds (/repos lists agents and skills only when asked for them); older
   * servers leave it out (a prompt). */
  repo_type?: RepoType | null;
}

export type RepoType = "prompt" | "agent" | "skill";

/** A directory repo's entry (the SDK's FileEntry / AgentEntry / SkillEntry). */
export type DirectoryEntry =
  | { type: "file"; content: string }
  | { type: "agent" | "skill"; repo_handle: string; owner?: string | null; commit_hash?: string | null };

/** An agent's or skill's files at a commit (GET /platform/hub/repos/{owner}/{repo}/directories). */
export interface Directory {
  commit_id: string;
  commit_hash: string;
  files: Record<string, DirectoryEntry>;
}

export const directoryPath = (owner: string, repo: string) => `/platform/hub/repos/${owner}/${repo}/directories`;

export interface RepoList {
  repos: PromptRepo[];
  total: number;
}

export interface PromptCommit {
  id: string;
  commit_hash: string;
  parent_id: string | null;
  parent_commit_hash: string | null;
  description: string | null;
  created_at: string;
  num_downloads: number;
}

export interface CommitList {
  commits: PromptCommit[];
  total: number;
}

export interface PulledCommit {
  id: string;
  commit_hash: string;
  manifest: Record<string, unknown>;
  description: string | null;
}

export interface PromptTag {
  id: string;
  tag_name: string;
  commit_id: string;
  commit_hash: string;
  created_at: string;
  updated_at: string;
}

export const repoPath = (owner: string, repo: string) => `/repos/${owner}/${repo}`;
export const commitsPath = (owner: string, repo: string) => `/commits/${owner}/${repo}`;
export const tagsPath = (owner: string, repo: string) => `/repos/${owner}/${repo}/tags`;
export const likesPath = (owner: string, repo: string) => `/likes/${owner}/${repo}`;

export const HANDLE = /^[a-z0-9_-]{1,100}$/;
/** A workspace's hub handle (GET /settings `tenant_handle`), as POST /settings/handle checks it. */
export const TENANT_HANDLE = /^[a-z][a-z0-9_-]{2,63}$/;
export const TAG_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function shortHash(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 8) : "";
}

/** The identifier the SDK pulls: `repo:hash` in one's own workspace, `owner/repo:hash` otherwise. */
export function pullRef(owner: string, repo: string, hash?: string | null): string {
  const name = owner === "-" ? repo : `${owner}/${repo}`;
  return hash ? `${name}:${hash}` : name;
}
