-- The prompt hub (wire §7): a workspace's prompts ("repos") with their versions ("commits",
-- LangChain manifests kept exactly as sent), movable tags naming a commit, and one like per
-- caller. Everything hangs off prompt_repos, which belongs to a workspace, so deleting a repo
-- or a workspace takes its commits, tags and likes with it.
-- depends: 0008_datasets

CREATE TABLE prompt_repos (
    id             uuid PRIMARY KEY,
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    handle         text NOT NULL,
    description    text NOT NULL DEFAULT '',
    readme         text NOT NULL DEFAULT '',
    tags           text[] NOT NULL DEFAULT '{}',
    is_public      boolean NOT NULL DEFAULT false,
    is_archived    boolean NOT NULL DEFAULT false,
    num_downloads  bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, handle)
);

CREATE TABLE prompt_commits (
    id             uuid PRIMARY KEY,
    repo_id        uuid NOT NULL REFERENCES prompt_repos (id) ON DELETE CASCADE,
    -- Commit order: timestamps can tie, an identity cannot.
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    commit_hash    text NOT NULL,
    parent_id      uuid REFERENCES prompt_commits (id) ON DELETE SET NULL,
    parent_hash    text,
    manifest       jsonb NOT NULL,
    description    text,
    num_downloads  bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (repo_id, commit_hash)
);
CREATE INDEX prompt_commits_repo_seq_idx ON prompt_commits (repo_id, seq DESC);

CREATE TABLE prompt_tags (
    id          uuid PRIMARY KEY,
    repo_id     uuid NOT NULL REFERENCES prompt_repos (id) ON DELETE CASCADE,
    tag_name    text NOT NULL,
    commit_id   uuid NOT NULL REFERENCES prompt_commits (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (repo_id, tag_name)
);

-- The liker is a user id for UI sessions, else the API key's id: one like per caller.
CREATE TABLE prompt_likes (
    repo_id     uuid NOT NULL REFERENCES prompt_repos (id) ON DELETE CASCADE,
    liker       uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo_id, liker)
);
