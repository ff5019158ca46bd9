"""`python -m playground`: serve the playground API (compose `playground` service)."""

from app.core.serve import serve
from app.core.settings import PlaygroundSettings, load_settings_or_exit

if __name__ == "__main__":
    serve("playground.asgi:app", load_settings_or_exit(PlaygroundSettings, "playground"), "playground")
