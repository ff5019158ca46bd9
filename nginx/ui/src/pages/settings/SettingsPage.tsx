import { Route, Routes, useParams } from "react-router-dom";
import { PageHeader, Tabs } from "../../components/Page";
import { NotFoundPage } from "../NotFoundPage";
import { ApiKeysTab } from "./ApiKeysTab";
import { MembersTab } from "./MembersTab";
import { ProvidersTab } from "./ProvidersTab";
import { StorageTab } from "./StorageTab";
import { WorkspaceTab } from "./WorkspaceTab";
import "./settings.css";

export default function SettingsPage() {
  const { tenant = "" } = useParams();
  const base = `/o/${tenant}/settings`;
  return (
    <div className="settings-page">
      <PageHeader title="Settings" subtitle="API keys, people, model providers and the workspace itself." />
      <Tabs
        label="Settings sections"
        tabs={[
          { to: base, label: "API keys", end: true },
          { to: `${base}/members`, label: "Members" },
          { to: `${base}/providers`, label: "Model providers" },
          { to: `${base}/workspace`, label: "Workspace" },
          { to: `${base}/storage`, label: "Storage" },
        ]}
      />
      <Routes>
        <Route index element={<ApiKeysTab />} />
        <Route path="members" element={<MembersTab />} />
        <Route path="providers" element={<ProvidersTab />} />
        <Route path="workspace" element={<WorkspaceTab />} />
        <Route path="storage" element={<StorageTab />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
