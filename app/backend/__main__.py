"""`python -m app.backend`: serve the backend API (compose `backend` service)."""

from app.core.serve import serve
from app.core.settings import BackendSettings, load_settings_or_exit

if __name__ == "__main__":
    serve("app.backend.asgi:app", load_settings_or_exit(BackendSettings, "backend"), "backend")
