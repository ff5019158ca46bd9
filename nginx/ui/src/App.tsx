import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useParams, useSearchParams } from "react-router-dom";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Loading } from "./components/States";
import { TenantLayout } from "./components/Layout";
import { InvitePage } from "./pages/InvitePage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ProjectsPage } from "./pages/projects/ProjectsPage";
import { SetupPage } from "./pages/SetupPage";
import { ProjectLayout } from "./pages/project/ProjectLayout";
import { ProjectRetentionPage } from "./pages/retention/ProjectRetentionPage";
import { RunsPage } from "./pages/runs/RunsPage";
import { PublicTracePage } from "./pages/trace/PublicTracePage";
import { TracePage } from "./pages/trace/TracePage";

// The pages people land on most (projects, runs, a trace) are in the main bundle so the runs
// table paints without a chunk round trip; the rest load on first visit.
const ThreadsPage = lazy(() => import("./pages/threads/ThreadsPage"));
const MonitoringPage = lazy(() => import("./pages/monitoring/MonitoringPage"));
const AlertsPage = lazy(() => import("./pages/alerts/AlertsPage"));
const DatasetsPage = lazy(() => import("./pages/datasets/DatasetsPage"));
const DatasetPage = lazy(() => import("./pages/datasets/DatasetPage"));
const ComparePage = lazy(() => import("./pages/experiments/ComparePage"));
const PromptsPage = lazy(() => import("./pages/prompts/PromptsPage"));
const PromptPage = lazy(() => import("./pages/prompts/PromptPage"));
const DirectoryPage = lazy(() => import("./pages/prompts/DirectoryPage"));
const PlaygroundPage = lazy(() => import("./pages/playground/PlaygroundPage"));
const SettingsPage = lazy(() => import("./pages/settings/SettingsPage"));
const QueuesPage = lazy(() => import("./pages/queues/QueuesPage"));
const ReviewPage = lazy(() => import("./pages/queues/ReviewPage"));

function HomeRedirect() {
  const { me, checking } = useAuth();
  const location = useLocation();
  if (checking) return <Loading />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <Navigate to={`/o/${me.workspace_id}/projects`} replace />;
}

/** `push_prompt` prints {host}/prompts/{repo}/{hash8}?organizationId={workspace}: open that commit. */
function PromptLinkRedirect() {
  const { repo = "", commit } = useParams();
  const [params] = useSearchParams();
  const { me, checking } = useAuth();
  const workspace = params.get("organizationId") ?? me?.workspace_id;
  if (!workspace) return checking ? <Loading /> : <Navigate to="/login" replace />;
  const query = commit ? `?commit=${encodeURIComponent(commit)}` : "";
  return <Navigate to={`/o/${workspace}/prompts/-/${encodeURIComponent(repo)}${query}`} replace />;
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<HomeRedirect />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="/invite/:token" element={<InvitePage />} />
        <Route path="/setup" element={<SetupPage />} />
        {/* A shared trace, read without a login: the address the SDK's share_run prints. */}
        <Route path="/public/:token/r" element={<PublicTracePage />} />
        <Route path="/public/:token/r/:runId" element={<PublicTracePage />} />
        <Route path="/prompts/:repo" element={<PromptLinkRedirect />} />
        <Route path="/prompts/:repo/:commit" element={<PromptLinkRedirect />} />
        <Route path="/o/:tenant" element={<TenantLayout />}>
          <Route index element={<Navigate to="projects" replace />} />
          <Route path="projects" element={<ProjectsPage />} />
          <Route path="projects/p/:projectId" element={<ProjectLayout />}>
            <Route index element={<RunsPage />} />
            <Route path="threads" element={<ThreadsPage />} />
            <Route path="threads/:threadId" element={<ThreadsPage />} />
            <Route path="monitoring" element={<MonitoringPage />} />
            <Route path="settings" element={<ProjectRetentionPage />} />
            <Route path="alerts" element={<AlertsPage />} />
          </Route>
          <Route path="projects/p/:projectId/r/:runId" element={<TracePage />} />
          <Route path="datasets" element={<DatasetsPage />} />
          <Route path="datasets/:datasetId/compare" element={<ComparePage />} />
          <Route path="datasets/:datasetId/*" element={<DatasetPage />} />
          <Route path="prompts" element={<PromptsPage />} />
          <Route path="prompts/:owner/:repo" element={<PromptPage />} />
          <Route path="prompts/:owner/:repo/files" element={<DirectoryPage />} />
          <Route path="queues" element={<QueuesPage />} />
          <Route path="queues/:queueId" element={<ReviewPage />} />
          <Route path="playground" element={<PlaygroundPage />} />
          <Route path="settings/*" element={<SettingsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <AppRoutes />
      </AuthProvider>
    </BrowserRouter>
  );
}
