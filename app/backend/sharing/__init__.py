"""Public, read-only links to a run and its trace (`/runs/{id}/share`, `/public/{token}/...`)."""
