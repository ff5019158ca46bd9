"""SQL of the login routes (Postgres); the users table's shared SQL is in app/core/tenancy/queries.py."""

# Whether an account is already part of an organization: managed by it, or a member of one of
# its workspaces. Only then may that organization's admins learn that the account exists.
SELECT_USER_IN_ORG = """
SELECT (u.organization_id IS NOT DISTINCT FROM %(organization_id)s
        OR EXISTS (SELECT 1 FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
                   WHERE m.user_id = u.id AND w.organization_id = %(organization_id)s)) AS in_org
FROM users u WHERE u.id = %(id)s
"""
