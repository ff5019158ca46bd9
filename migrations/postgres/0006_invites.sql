-- Invitations to a workspace: a link with a random token (stored hashed) that creates the
-- account and its membership when accepted.
-- depends: 0005_users_and_sessions

CREATE TABLE invites (
    id            uuid PRIMARY KEY,
    token_hash    bytea NOT NULL UNIQUE,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz
);
