-- Personal access tokens act as their user: their role is the user's current role in the
-- workspace (api_keys.user_id, from 0005). Keys also remember who created them.
-- depends: 0006_invites

ALTER TABLE api_keys ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL;
