import { Outlet, useOutletContext, useParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { PageHeader, Tabs } from "../../components/Page";
import { ErrorState } from "../../components/States";
import type { Project } from "../../api/types";

export interface ProjectContext {
  project: Project | undefined; // undefined while loading: tabs fetch their data in parallel
  projectId: string;
}

export function useProject(): ProjectContext {
  return useOutletContext<ProjectContext>();
}

/** A project's header and its tabs: runs, threads, monitoring, alerts, settings (retention). */
export function ProjectLayout() {
  const { tenant = "", projectId = "" } = useParams();
  const state = useApi<Project>({ path: `/sessions/${projectId}` });
  const base = `/o/${tenant}/projects/p/${projectId}`;
  if (state.error && !state.data) return <ErrorState error={state.error} retry={state.reload} />;
  return (
    <div className="project-page">
      <PageHeader
        title={state.data?.name ?? "Project"}
        subtitle={state.data?.description || undefined}
        crumbs={[{ label: "Projects", to: `/o/${tenant}/projects` }]}
      />
      <Tabs
        label="Project views"
        tabs={[
          { to: base, label: "Runs", end: true },
          { to: `${base}/threads`, label: "Threads" },
          { to: `${base}/monitoring`, label: "Monitoring" },
          { to: `${base}/alerts`, label: "Alerts" },
          { to: `${base}/settings`, label: "Settings" },
        ]}
      />
      <Outlet context={{ project: state.data, projectId } satisfies ProjectContext} />
    </div>
  );
}
