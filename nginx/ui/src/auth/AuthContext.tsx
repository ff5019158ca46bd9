import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError, currentTenant, expectCsrfToken, onUnauthorized, setCsrfToken, setTenant } from "../api/client";

export interface Workspace {
  id: string;
  name: string;
  role: "admin" | "editor" | "viewer";
}

export interface Me {
  user: { id: string; email: string; display_name: string } | null;
  workspace_id: string;
  organization_id?: string;
  role: string;
  csrf_token?: string | null;
  workspaces?: Workspace[];
}

interface AuthValue {
  me: Me | null; // null: not logged in
  checking: boolean;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(() => {
    expectCsrfToken(); // before any page renders and sends its first POST
    return null;
  });
  const [checking, setChecking] = useState(true);

  const refresh = useCallback(async () => {
    try {
      // Ask for the default workspace (no X-Tenant-Id); pages pick theirs from the URL. The tenant
      // is restored as soon as the request is built: clearing it for longer would change the
      // cache keys of pages rendering meanwhile (a refetch, sent without the workspace header).
      const tenant = currentTenant();
      setTenant(null);
      const request = api<Me>({ path: "/auth/me" });
      setTenant(tenant);
      const answer = await request;
      setCsrfToken(answer.csrf_token ?? null);
      setMe(answer.user ? answer : null);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn("auth check failed", err);
      setCsrfToken(null); // no session: requests waiting for a token go on (and get their 401)
      setMe(null);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    return onUnauthorized(() => setMe(null));
  }, [refresh]);

  const login = useCallback(
    async (email: string, password: string) => {
      const answer = await api<{ csrf_token: string }>({ path: "/auth/login", method: "POST", body: { email, password } });
      setCsrfToken(answer.csrf_token);
      await refresh();
    },
    [refresh],
  );

  const logout = useCallback(async () => {
    try {
      await api({ path: "/auth/logout", method: "POST" });
    } finally {
      setCsrfToken(null);
      setMe(null);
    }
  }, []);

  const value = useMemo(() => ({ me, checking, login, logout, refresh }), [me, checking, login, logout, refresh]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The workspace the current page is in (from /o/:tenant) and the caller's role there. */
export const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error("useWorkspace outside a workspace route");
  return value;
}
