// "Add a price" next to a "No prices for X" note: opens Settings → Model prices with the model
// name filled in, so the note leads straight to its fix.
import { Link, useParams } from "react-router-dom";

export function addPricePath(tenant: string, model: string): string {
  return `/o/${tenant}/settings/prices?model=${encodeURIComponent(model)}`;
}

/** One link per unpriced model (the first three; the rest are in the note). */
export function AddPriceLinks({ models, className }: { models: string[]; className?: string }) {
  const { tenant = "" } = useParams();
  const named = models.filter((m) => m).slice(0, 3);
  if (!named.length) return null;
  return (
    <span className={className ?? "add-price-links"}>
      {named.map((model, i) => (
        <span key={model}>
          {i > 0 && " · "}
          <Link to={addPricePath(tenant, model)}>
            Add a price{named.length > 1 ? ` for ${model}` : ""}
            {named.length === 1 && <span className="sr-only"> for {model}</span>}
          </Link>
        </span>
      ))}
    </span>
  );
}
