import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <div className="state state-empty" role="status">
      <strong>Page not found</strong>
      <div className="state-hint">
        <Link to="/">Go to your projects</Link>
      </div>
    </div>
  );
}
