import { Suspense, useMemo } from "react";
import { Navigate, NavLink, Outlet, useLocation, useNavigate, useParams } from "react-router-dom";
import { setTenant } from "../api/client";
import { useAuth, WorkspaceContext, type Workspace } from "../auth/AuthContext";
import { ErrorState, Loading } from "./States";
import { Brand } from "./Brand";
import { StorageBanner } from "./StorageBanner";

const NAV = [
  { to: "projects", label: "Projects", icon: "▤" },
  { to: "datasets", label: "Datasets & experiments", icon: "◫" },
  { to: "queues", label: "Annotation queues", icon: "☑" },
  { to: "prompts", label: "Prompts", icon: "✎" },
  { to: "playground", label: "Playground", icon: "▷" },
  { to: "settings", label: "Settings", icon: "⚙" },
];

function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: Workspace[] }) {
  const navigate = useNavigate();
  return (
    <label className="workspace-switcher">
      <span className="label">Workspace</span>
      <select
        aria-label="Workspace"
        value={current}
        onChange={(event) => navigate(`/o/${event.target.value}/projects`)}
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Everything under /o/:tenant: the sidebar, and the workspace every request is scoped to. */
export function TenantLayout() {
  const { tenant = "" } = useParams();
  const { me, checking, logout } = useAuth();
  const location = useLocation();
  // Set before children render (and fire their requests): the URL names the workspace, so
  // pages fetch in parallel with the login check instead of waiting for it.
  setTenant(tenant);
  const workspace = useMemo<Workspace>(() => {
    const found = me?.workspaces?.find((w) => w.id === tenant);
    return found ?? { id: tenant, name: "", role: (me?.role as Workspace["role"]) ?? "viewer" };
  }, [me, tenant]);

  if (!checking && !me) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  const member = !me || me.workspaces?.some((w) => w.id === tenant);
  return (
    <WorkspaceContext.Provider value={workspace}>
      <div className="app-shell">
        <aside className="sidebar">
          <Brand />
          {me?.workspaces && <WorkspaceSwitcher current={tenant} workspaces={me.workspaces} />}
          <nav aria-label="Main" className="main-nav">
            {NAV.map((item) => (
              <NavLink key={item.to} to={`/o/${tenant}/${item.to}`} className="nav-link">
                <span className="nav-icon" aria-hidden="true">
                  {item.icon}
                </span>
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="sidebar-footer">
            {me?.user && (
              <div className="who" title={me.user.email}>
                {me.user.display_name || me.user.email}
                <span className="role">{workspace.role}</span>
              </div>
            )}
            <button type="button" className="btn btn-quiet" onClick={() => void logout()}>
              Log out
            </button>
          </div>
        </aside>
        <main className="content" id="main">
          {member && <StorageBanner />}
          {member ? (
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          ) : (
            <ErrorState
              title="No access to this workspace"
              error={new Error("You are not a member of this workspace. Pick one of yours on the left.")}
            />
          )}
        </main>
      </div>
    </WorkspaceContext.Provider>
  );
}
