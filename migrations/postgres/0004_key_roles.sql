-- Roles on API keys: admin (manage keys and members), editor (read and write data), viewer
-- (read only). Existing keys keep the access they had, which was everything: admin.
-- depends: 0003_sharing_and_feedback_tokens

ALTER TABLE api_keys ADD COLUMN role text NOT NULL DEFAULT 'admin'
    CHECK (role IN ('admin', 'editor', 'viewer'));
