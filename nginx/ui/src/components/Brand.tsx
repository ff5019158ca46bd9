/** The Tracehouse mark and name (sidebar, login and invite pages). */
export function Brand() {
  return (
    <div className="brand">
      <span className="brand-mark" aria-hidden="true">
        T
      </span>
      Tracehouse
    </div>
  );
}
