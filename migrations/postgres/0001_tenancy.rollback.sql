-- Undo 0001_tenancy: drops every tenant table (and so all tenancy data).
DROP TABLE IF EXISTS projects;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS workspaces;
DROP TABLE IF EXISTS organizations;
