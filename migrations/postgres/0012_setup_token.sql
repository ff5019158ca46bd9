-- The one-time setup token: how a person reaches a logged-in UI on an install without accounts,
-- with no password that works on every install. `migrate` makes a fresh token whenever no account
-- exists and logs the link (the logs are the operator's); POST /api/v1/setup spends it to create
-- the first admin. At most one is pending (the latest logged), and only its sha256 is stored:
-- whoever reads this table cannot use it.
-- depends: 0011_identity_ownership

CREATE TABLE setup_token (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    token_hash  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
