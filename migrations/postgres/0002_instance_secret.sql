-- A per-installation secret for signing URLs (attachment downloads). Generated here on first
-- migrate so `cp .env.example .env && docker compose up -d` needs no secret picked by hand;
-- SECRET_KEY in .env overrides it.
-- depends: 0001_tenancy

CREATE TABLE instance_settings (
    key    text PRIMARY KEY,
    value  text NOT NULL
);
INSERT INTO instance_settings (key, value)
-- gen_random_uuid() is core Postgres (13+) and cryptographically random: two give 244 bits.
VALUES ('signing_secret', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
ON CONFLICT (key) DO NOTHING;
