import { Route, Routes, useParams } from "react-router-dom";
import { PageHeader, Tabs } from "../../components/Page";
import { NotFoundPage } from "../NotFoundPage";
import { ApiKeysTab } from "./ApiKeysTab";
import { MembersTab } from "./MembersTab";
import { ModelPricesTab } from "./ModelPricesTab";
import { ProvidersTab } from "./ProvidersTab";
import { WebhooksTab } from "./WebhooksTab";
import { StorageTab } from "./StorageTab";
import { WorkspaceTab } from "./WorkspaceTab";
import "./settings.css";

export default function SettingsPage() {
  const { tenant = "" } = useParams();
  const base = `/o/${tenant}/settings`;
  return (
    <div className="settings-page">
      <PageHeader title="Settings" subtitle="API keys, people, model providers, model prices, webhooks and the workspace itself." />
      <Tabs
        label="Settings sections"
        tabs={[
          { to: base, label: "API keys", end: true },
          { to: `${base}/members`, label: "Members" },
          { to: `${base}/providers`, label: "Model providers" },
          { to: `${base}/webhooks`, label: "Webhooks" },
          { to: `${base}/prices`, label: "Model prices" },
          { to: `${base}/workspace`, label: "Workspace" },
          { to: `${base}/storage`, label: "Storage" },
        ]}
      />
      <Routes>
        <Route index element={<ApiKeysTab />} />
        <Route path="members" element={<MembersTab />} />
        <Route path="providers" element={<ProvidersTab />} />
        <Route path="webhooks" element={<WebhooksTab />} />
        <Route path="prices" element={<ModelPricesTab />} />
        <Route path="workspace" element={<WorkspaceTab />} />
        <Route path="storage" element={<StorageTab />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
