"""`python -m app.platform`: serve the platform API (compose `platform` service)."""

from app.core.serve import serve
from app.core.settings import PlatformSettings, load_settings_or_exit

if __name__ == "__main__":
    serve("app.platform.asgi:app", load_settings_or_exit(PlatformSettings, "platform"), "platform")
