// Settings → Model prices: the workspace's model price map (the shipped defaults and its own
// entries), a "test a model name" field that shows which entry prices it, and, for admins, add,
// edit, delete (a default is overridden by editing it and disabled by deleting it). Prices are
// shown and typed per 1M tokens, and sent per token as decimal text: the shift is done on the
// digits, so no float rounding creeps into a price. `?model=NAME` opens "Add price" prefilled (the
// "No prices for NAME" notes link here).
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, ApiError } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { FormDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, type Column } from "../../components/Table";
import { RowButton, SettingsSection, SettingsTable } from "./parts";

const PATH = "/model-price-map";

export interface ModelPrice {
  id: string;
  tenant_id: string | null;
  name: string;
  match_pattern: string;
  match_path: string[];
  provider: string | null;
  start_time: string | null;
  prompt_cost: string;
  completion_cost: string;
  prompt_cost_details: Record<string, string>;
  completion_cost_details: Record<string, string>;
  is_default: boolean;
  default_id: string | null;
  disabled: boolean;
}

interface PriceMatch {
  model_name: string;
  match: ModelPrice | null;
}

const COLUMNS: Column[] = [
  { label: "Name" },
  { label: "Model pattern" },
  { label: "Provider" },
  { label: "From" },
  { label: "Input / 1M" },
  { label: "Output / 1M" },
  { label: "Cached read / 1M" },
  { label: "Source" },
  ACTIONS_COLUMN,
];

/** "0.0000025" (per token) → "2.5" (per 1M tokens), exactly, by moving the decimal point. */
export function perMillion(perToken: string | number | undefined | null): string {
  return shift(String(perToken ?? ""), 6);
}

/** "2.5" (per 1M tokens) → "0.0000025" (per token); null when the text is not a plain decimal. */
export function perToken(perMillionText: string): string | null {
  const text = perMillionText.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return shift(text, -6);
}

function shift(text: string, places: number): string {
  const match = /^(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match || (!match[1] && !match[2])) return text;
  const digits = (match[1] || "") + (match[2] || "");
  let point = (match[1] || "").length + Number(match[3] ?? 0) + places;
  let padded = digits;
  if (point <= 0) {
    padded = "0".repeat(1 - point) + padded;
    point = 1;
  } else if (point > padded.length) {
    padded = padded + "0".repeat(point - padded.length);
  }
  const whole = padded.slice(0, point).replace(/^0+(?=\d)/, "");
  const fraction = padded.slice(point).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

function source(p: ModelPrice): string {
  if (p.is_default) return "Default";
  if (p.default_id) return p.disabled ? "Default, disabled" : "Default, changed here";
  return "This workspace";
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function ModelPricesTab() {
  const { role } = useWorkspace();
  const isAdmin = role === "admin";
  const prices = useApi<ModelPrice[]>({ path: PATH });
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState<ModelPrice | "new" | null>(null);
  const [prefill, setPrefill] = useState<string | null>(null);

  // "Add a price" links carry the model name: open the dialog for it once.
  const wanted = params.get("model");
  useEffect(() => {
    if (wanted && isAdmin) {
      setPrefill(wanted);
      setEditing("new");
    }
  }, [wanted, isAdmin]);

  const close = () => {
    setEditing(null);
    setPrefill(null);
    if (wanted) setParams({}, { replace: true });
  };

  const refresh = () => {
    invalidate(PATH);
    prices.reload();
  };

  const remove = useConfirmedAction(async (price: ModelPrice) => {
    await api({ path: `${PATH}/${price.id}`, method: "DELETE" });
    refresh();
  });
  const deleting = remove.target;

  return (
    <SettingsSection
      id="prices-heading"
      title="Model prices"
      description={
        <>
          LLM runs are priced when they are ingested, from the model name and token counts. This workspace&apos;s own
          entries win over the shipped defaults; of several that match, the latest start date in force wins.
          {isAdmin ? "" : " Only admins can change prices."}
        </>
      }
      actions={
        isAdmin && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
            Add price
          </button>
        )
      }
    >
      <MatchTester />
      <SettingsTable
        state={prices}
        label="Loading model prices"
        className="prices-table"
        columns={COLUMNS}
        empty={<EmptyState title="No model prices">Add a price to have LLM runs priced.</EmptyState>}
      >
        {(data) =>
          data.map((p) => (
            <tr key={p.id} className={p.disabled ? "muted" : undefined}>
              <td>
                <strong>{p.name}</strong>
              </td>
              <td>
                <code>{p.match_pattern}</code>
              </td>
              <td>{p.provider ?? <span className="muted">any</span>}</td>
              <td className="nowrap">{p.start_time ? p.start_time.slice(0, 10) : <span className="muted">always</span>}</td>
              <td className="num">${perMillion(p.prompt_cost)}</td>
              <td className="num">${perMillion(p.completion_cost)}</td>
              <td className="num">
                {p.prompt_cost_details.cache_read !== undefined ? (
                  `$${perMillion(p.prompt_cost_details.cache_read)}`
                ) : (
                  <span className="muted">–</span>
                )}
              </td>
              <td>
                <span className="badge">{source(p)}</span>
              </td>
              <td className="num nowrap">
                {isAdmin && (
                  <>
                    <RowButton label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                      Edit
                    </RowButton>{" "}
                    {!(p.default_id && p.disabled) && (
                      <RowButton danger label={`${p.is_default ? "Disable" : "Delete"} ${p.name}`} onClick={() => remove.ask(p)}>
                        {p.is_default ? "Disable" : "Delete"}
                      </RowButton>
                    )}
                    {p.default_id && p.disabled && (
                      <RowButton label={`Restore ${p.name}`} onClick={() => remove.ask(p)}>
                        Restore
                      </RowButton>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))
        }
      </SettingsTable>
      <PriceDialog
        open={editing !== null}
        price={editing === "new" ? null : editing}
        model={prefill}
        onClose={close}
        onSaved={() => {
          refresh();
          close();
        }}
      />
      <ConfirmAction
        action={remove}
        title={deleting?.is_default ? "Disable default price" : "Delete price"}
        confirmLabel={deleting?.is_default ? "Disable" : deleting?.default_id ? "Restore default" : "Delete price"}
      >
        <p>
          {deleting?.is_default ? (
            <>
              Stop pricing runs with the default entry <strong>{deleting.name}</strong> in this workspace?
            </>
          ) : deleting?.default_id ? (
            <>
              Go back to the shipped default for <strong>{deleting.name}</strong>?
            </>
          ) : (
            <>
              Delete <strong>{deleting?.name}</strong>?
            </>
          )}{" "}
          Runs ingested from now on use the table without it; run <code>./tracehouse costs recompute</code> to re-price
          stored runs.
        </p>
      </ConfirmAction>
    </SettingsSection>
  );
}

/** "Test a model name": which entry would price a run of it started now. */
function MatchTester() {
  const [name, setName] = useState("");
  const [result, setResult] = useState<PriceMatch | { error: string } | null>(null);
  const test = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    try {
      setResult(await api<PriceMatch>({ path: `${PATH}/match`, query: { model_name: name.trim() } }));
    } catch (err) {
      setResult({ error: err instanceof ApiError ? err.message : String(err) });
    }
  };
  return (
    <form className="row price-test" onSubmit={test} aria-label="Which price applies to a model">
      <label className="field">
        <span>Test a model name</span>
        <input value={name} placeholder="gpt-4o-mini" onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="submit" className="btn">
        Test
      </button>
      {result && (
        <p role="status" className="price-test-result">
          {"error" in result ? (
            result.error
          ) : result.match ? (
            <>
              <code>{result.model_name}</code> is priced by <strong>{result.match.name}</strong> (
              {source(result.match).toLowerCase()}): ${perMillion(result.match.prompt_cost)} input, $
              {perMillion(result.match.completion_cost)} output per 1M tokens.
            </>
          ) : (
            <>
              No price matches <code>{result.model_name}</code>: its runs show &quot;No prices&quot;.
            </>
          )}
        </p>
      )}
    </form>
  );
}

function PriceDialog({
  open,
  price,
  model,
  onClose,
  onSaved,
}: {
  open: boolean;
  price: ModelPrice | null;
  model: string | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [name, setName] = useState("");
  const [pattern, setPattern] = useState("");
  const [provider, setProvider] = useState("");
  const [start, setStart] = useState("");
  const [input, setInput] = useState("");
  const [output, setOutput] = useState("");
  const [cacheRead, setCacheRead] = useState("");
  const [cacheWrite, setCacheWrite] = useState("");
  const [reasoning, setReasoning] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setName(price?.name ?? model ?? "");
    setPattern(price?.match_pattern ?? (model ? `^${escapeRegex(model)}$` : ""));
    setProvider(price?.provider ?? "");
    setStart(price?.start_time ? price.start_time.slice(0, 10) : "");
    setInput(price ? perMillion(price.prompt_cost) : "");
    setOutput(price ? perMillion(price.completion_cost) : "");
    setCacheRead(price?.prompt_cost_details.cache_read ? perMillion(price.prompt_cost_details.cache_read) : "");
    setCacheWrite(price?.prompt_cost_details.cache_creation ? perMillion(price.prompt_cost_details.cache_creation) : "");
    setReasoning(price?.completion_cost_details.reasoning ? perMillion(price.completion_cost_details.reasoning) : "");
    setProblem(null);
  }, [open, price, model]);

  const save = useMutation(async (body: Record<string, unknown>) =>
    api<ModelPrice>({ path: price ? `${PATH}/${price.id}` : PATH, method: price ? "PUT" : "POST", body }),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const prompt = perToken(input);
    const completion = perToken(output);
    if (prompt === null || completion === null) {
      setProblem("Input and output prices are dollars per 1M tokens, like 2.5.");
      return;
    }
    const details = (pairs: [string, string][]) => {
      const out: Record<string, string> = {};
      for (const [key, text] of pairs) {
        if (!text.trim()) continue;
        const value = perToken(text);
        if (value === null) throw new Error(`The ${key.replace("_", " ")} price must be dollars per 1M tokens.`);
        out[key] = value;
      }
      return out;
    };
    let promptDetails: Record<string, string>;
    let completionDetails: Record<string, string>;
    try {
      promptDetails = details([
        ["cache_read", cacheRead],
        ["cache_creation", cacheWrite],
      ]);
      completionDetails = details([["reasoning", reasoning]]);
    } catch (err) {
      setProblem((err as Error).message);
      return;
    }
    setProblem(null);
    const saved = await save.mutate({
      name: name.trim(),
      match_pattern: pattern,
      provider: provider.trim() || null,
      start_time: start ? `${start}T00:00:00Z` : null,
      prompt_cost: prompt,
      completion_cost: completion,
      prompt_cost_details: promptDetails,
      completion_cost_details: completionDetails,
    });
    if (saved) onSaved();
  };

  return (
    <FormDialog
      open={open}
      title={price ? `Edit ${price.name}` : "Add model price"}
      onClose={onClose}
      onSubmit={submit}
      errors={[problem, save.error]}
      autoComplete="off"
      submitLabel={price ? "Save" : "Add price"}
      pendingLabel="Saving…"
      pending={save.pending}
    >
      {price?.is_default && (
        <p className="muted">Saving changes this default entry for this workspace only; deleting your change restores it.</p>
      )}
      <div className="form-grid">
        <Field label="Name">
          <input required autoFocus value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Provider (optional)">
          <input value={provider} placeholder="openai" maxLength={64} onChange={(e) => setProvider(e.target.value)} />
        </Field>
      </div>
      <label className="field">
        <span>Model name pattern (regular expression)</span>
        <input required className="mono" value={pattern} maxLength={200} onChange={(e) => setPattern(e.target.value)} />
        <small className="muted">Searched in the run&apos;s model name: anchor it, as in ^gpt-4o(-mini)?$.</small>
      </label>
      <Field label="In force from (optional, UTC)">
        <input type="date" value={start} onChange={(e) => setStart(e.target.value)} />
      </Field>
      <div className="form-grid">
        <Field label="Input $ per 1M tokens">
          <input required inputMode="decimal" value={input} placeholder="2.5" onChange={(e) => setInput(e.target.value)} />
        </Field>
        <Field label="Output $ per 1M tokens">
          <input required inputMode="decimal" value={output} placeholder="10" onChange={(e) => setOutput(e.target.value)} />
        </Field>
        <Field label="Cached read $ per 1M (optional)">
          <input inputMode="decimal" value={cacheRead} onChange={(e) => setCacheRead(e.target.value)} />
        </Field>
        <Field label="Cache write $ per 1M (optional)">
          <input inputMode="decimal" value={cacheWrite} onChange={(e) => setCacheWrite(e.target.value)} />
        </Field>
        <Field label="Reasoning $ per 1M (optional)">
          <input inputMode="decimal" value={reasoning} onChange={(e) => setReasoning(e.target.value)} />
        </Field>
      </div>
    </FormDialog>
  );
}
