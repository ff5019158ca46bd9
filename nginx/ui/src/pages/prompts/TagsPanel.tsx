import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { useMutation } from "../../api/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/States";
import { formatRelative, formatTime } from "../../lib/format";
import { shortHash, TAG_NAME, tagsPath, type PromptCommit, type PromptTag } from "./api";

/** The repo's commit tags: create one on the selected commit, move one to it, delete one. */
export function TagsPanel({
  owner,
  repo,
  tags,
  loaded = true,
  selected,
  canWrite,
  onSelect,
  onChanged,
}: {
  owner: string;
  repo: string;
  tags: PromptTag[];
  /** false while the tags load: "No tags yet" then would contradict the chips that follow. */
  loaded?: boolean;
  selected: PromptCommit | null;
  canWrite: boolean;
  onSelect: (hash: string) => void;
  onChanged: () => void;
}) {
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<PromptTag | null>(null);

  const save = useMutation(async (tagName: string, commitId: string, exists: boolean) => {
    if (exists) {
      await api({ path: `${tagsPath(owner, repo)}/${tagName}`, method: "PATCH", body: { commit_id: commitId } });
    } else {
      await api({ path: tagsPath(owner, repo), method: "POST", body: { tag_name: tagName, commit_id: commitId } });
    }
    onChanged();
    return true;
  });
  const remove = useMutation(async (tagName: string) => {
    await api({ path: `${tagsPath(owner, repo)}/${tagName}`, method: "DELETE" });
    onChanged();
    return true;
  });

  const existing = tags.find((t) => t.tag_name === name.trim());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const tagName = name.trim();
    if (!selected) return;
    if (!TAG_NAME.test(tagName) || tagName === "latest") {
      setProblem("Use letters, digits, '.', '-' or '_' (and not 'latest', which always means the newest commit).");
      return;
    }
    setProblem(null);
    if (await save.mutate(tagName, selected.id, Boolean(existing))) setName("");
  };

  return (
    <section className="card tags-panel" aria-labelledby="tags-heading">
      <h3 id="tags-heading">Tags</h3>
      {!loaded ? null : tags.length === 0 ? (
        // Plain words, no example tag in code style: a lone "prod" beside "No tags" read as a tag.
        <p className="muted small">
          No tags yet. Tag a commit to give it a name that code pulls as <code>{repo}:name</code>; moving the tag to
          another commit then changes what the code gets, without changing the code.
        </p>
      ) : (
        <ul className="tag-rows">
          {tags.map((tag) => {
            const onSelected = selected?.id === tag.commit_id;
            return (
              <li key={tag.id} className="tag-row">
                <span className="badge accent">{tag.tag_name}</span>
                <button
                  type="button"
                  className="btn-link mono"
                  title={`Show commit ${tag.commit_hash} (tag set ${formatRelative(tag.updated_at)}, ${formatTime(tag.updated_at)})`}
                  onClick={() => onSelect(tag.commit_hash)}
                >
                  {shortHash(tag.commit_hash)}
                </button>
                <span className="spacer" />
                {canWrite && selected && !onSelected && (
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={`Move tag ${tag.tag_name} to commit ${shortHash(selected.commit_hash)}`}
                    title={`Move to ${shortHash(selected.commit_hash)}`}
                    disabled={save.pending}
                    onClick={() => void save.mutate(tag.tag_name, selected.id, true)}
                  >
                    Move
                  </button>
                )}
                {canWrite && (
                  <button
                    type="button"
                    className="btn btn-small btn-quiet btn-danger"
                    aria-label={`Delete tag ${tag.tag_name}`}
                    onClick={() => {
                      remove.clearError();
                      setDeleting(tag);
                    }}
                  >
                    Delete
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {canWrite && selected && (
        <form className="row tag-form" onSubmit={(event) => void submit(event)}>
          <input
            aria-label={`New tag for commit ${shortHash(selected.commit_hash)}`}
            placeholder="tag name, e.g. prod"
            value={name}
            maxLength={100}
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" className="btn btn-small" disabled={!name.trim() || save.pending}>
            {existing ? "Move" : "Tag"} {shortHash(selected.commit_hash)}
          </button>
        </form>
      )}
      <FormError error={problem} />
      <FormError error={save.error} />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete tag"
        confirmLabel="Delete tag"
        pending={remove.pending}
        error={remove.error}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting && (await remove.mutate(deleting.tag_name))) setDeleting(null);
        }}
      >
        <p>
          Delete the tag <strong>{deleting?.tag_name}</strong> (on {shortHash(deleting?.commit_hash)})? Code that pulls{" "}
          <code>
            {repo}:{deleting?.tag_name}
          </code>{" "}
          will fail until the tag exists again. The commit itself stays.
        </p>
      </ConfirmDialog>
    </section>
  );
}
