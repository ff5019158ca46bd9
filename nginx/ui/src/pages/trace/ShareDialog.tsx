import { api } from "../../api/client";
import { useApi, useMutation } from "../../api/hooks";
import { CopyButton } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import { ErrorState, FormError, Loading } from "../../components/States";

type ShareState = { share_token: string } | null;

/** The public, read-only page of a shared run's trace (the address the SDK's share_run prints). */
export function publicLink(token: string): string {
  return `${window.location.origin}/public/${token}/r`;
}

/**
 * Share a run (and so its whole trace) by a public link, or stop sharing it. The API mints the
 * token; unsharing deletes it, so the old link answers 404 from then on.
 */
export function ShareDialog({ runId, canWrite, onClose }: { runId: string; canWrite: boolean; onClose: () => void }) {
  const state = useApi<ShareState>({ path: `/runs/${runId}/share` });
  const share = useMutation(() => api<{ share_token: string }>({ path: `/runs/${runId}/share`, method: "PUT", body: {} }));
  const unshare = useMutation(() => api<unknown>({ path: `/runs/${runId}/share`, method: "DELETE" }));
  const token = state.data?.share_token ?? null;

  const doShare = async () => {
    const made = await share.mutate();
    if (made) state.setData(made);
  };
  const doUnshare = async () => {
    const done = await unshare.mutate();
    if (done !== undefined) state.setData(null);
  };

  return (
    <Dialog open title="Share this trace" onClose={onClose}>
      {state.error ? (
        <ErrorState error={state.error} retry={state.reload} />
      ) : state.data === undefined ? (
        <Loading label="Checking whether the trace is shared" />
      ) : token ? (
        <div className="stack">
          <p role="status">
            <span className="badge ok">Shared</span> Anyone with this link can read this run and the rest of its trace, without
            logging in.
          </p>
          <div className="share-link row">
            <input className="mono" readOnly value={publicLink(token)} aria-label="Public link" onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={publicLink(token)} className="btn" accessibleName="Copy public link" label="Copy link" />
          </div>
          <FormError error={unshare.error} />
          <div className="row">
            {canWrite && (
              <button type="button" className="btn btn-danger" onClick={() => void doUnshare()} disabled={unshare.pending}>
                {unshare.pending ? "Unsharing…" : "Stop sharing"}
              </button>
            )}
            <span className="spacer" />
            <button type="button" className="btn btn-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <div className="stack">
          <p role="status">
            <span className="badge">Not shared</span> Only members of this workspace can see this trace.
          </p>
          <p className="muted">Sharing creates a public link to this run and its trace; stopping sharing revokes the link at once.</p>
          <FormError error={share.error} />
          <div className="row">
            <span className="spacer" />
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            {canWrite && (
              <button type="button" className="btn btn-primary" onClick={() => void doShare()} disabled={share.pending} autoFocus>
                {share.pending ? "Creating link…" : "Create public link"}
              </button>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
