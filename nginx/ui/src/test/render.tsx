// Component tests render a page the way the app mounts it: inside workspace "w" with a role, at an
// address under /o/:tenant, so useParams, useOutletContext and role checks see what they would.
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Routes } from "react-router-dom";
import { WorkspaceContext, type Workspace } from "../auth/AuthContext";

export function renderInWorkspace(role: Workspace["role"], url: string, routes: ReactNode) {
  return render(
    <WorkspaceContext.Provider value={{ id: "w", name: "W", role }}>
      <MemoryRouter initialEntries={[url]}>
        <Routes>{routes}</Routes>
      </MemoryRouter>
    </WorkspaceContext.Provider>,
  );
}
