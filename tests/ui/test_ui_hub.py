"""The prompt hub's agents, skills, public prompts and the workspace's hub handle, in a real browser.

Repos are pushed with the official SDK (push_agent, push_skill, create_prompt(is_public=True)); a
person finds them in the prompts page's type filter, reads an agent's files, and an admin renames
the workspace's handle in Settings, which the SDK's /settings then reports.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from langsmith import Client
from langsmith.schemas import FileEntry, SkillEntry

from tests.ui.test_ui_browser import expect, shot
from tests.ui.test_ui_queues import browser, page, workspace  # noqa: F401  (the fixtures this module uses)


def test_agents_and_skills_with_their_files_and_public_prompts(page: Any, workspace: dict[str, Any]) -> None:  # noqa: F811
    client: Client = workspace["client"]
    suffix = uuid.uuid4().hex[:6]
    agent, skill, public = f"support-agent-{suffix}", f"refunds-{suffix}", f"shared-{suffix}"
    client.push_skill(skill, files={"SKILL.md": FileEntry(content="# Refunds\nWithin 30 days.")})
    client.push_agent(
        agent,
        files={
            "AGENTS.md": FileEntry(content="# Support agent\nBe brief and kind."),
            "tools/search.py": FileEntry(content="def search(query):\n    return []\n"),
            "skills/refunds": SkillEntry(repo_handle=skill),
        },
        description="answers tickets",
    )
    client.create_prompt(public, description="shared with everyone", is_public=True)
    client.create_prompt(f"private-{suffix}")

    ws = workspace["workspace_id"]
    page.goto(f"/o/{ws}/prompts")
    public_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=public))
    expect(public_row.get_by_text("public", exact=True)).to_be_visible()
    private_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"private-{suffix}"))
    expect(private_row.get_by_text("public", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=agent)).to_have_count(0)  # prompts only, until asked

    page.get_by_role("group", name="Repo type").get_by_role("button", name="Agents").click()
    expect(page.get_by_role("link", name=agent)).to_be_visible()
    expect(page.get_by_role("link", name=public)).to_have_count(0)
    shot(page, "hub_agents")
    page.get_by_role("link", name=agent).click()

    # The agent's files: the first (AGENTS.md, as markdown), then one picked, then a linked skill.
    expect(page.get_by_role("heading", name="Support agent", exact=True)).to_be_visible()
    page.get_by_role("button", name="tools/search.py").click()
    expect(page.get_by_text("def search(query):")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^skills.refunds")).click()
    page.get_by_role("link", name=skill).click()
    expect(page.get_by_role("heading", name="Refunds", exact=True)).to_be_visible()
    shot(page, "hub_skill_files")


def test_an_admin_sets_the_workspace_hub_handle(page: Any, workspace: dict[str, Any]) -> None:  # noqa: F811
    handle = f"team-{uuid.uuid4().hex[:8]}"
    page.goto(f"/o/{workspace['workspace_id']}/settings/workspace")
    page.get_by_role("button", name=re.compile("^(Set handle|Change)$")).click()
    field = page.get_by_role("textbox", name="Hub handle")
    field.fill("No Spaces")
    expect(page.get_by_role("alert")).to_contain_text("lowercase")
    field.fill(handle)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("code", has_text=handle)).to_be_visible()
    shot(page, "hub_handle")
    assert workspace["tenant"].client.get("/settings").json()["tenant_handle"] == handle
