"""The backend's link signer, loaded from Postgres once and kept on the app state; every resource
that hands out signed download links (run and example attachments) asks here."""

from __future__ import annotations

from litestar.datastructures import State

from app.core.signing import Signer, load_signer


async def signer_of(state: State) -> Signer:
    signer = state.get("signer")
    if signer is None:
        signer = await load_signer(state.stores.postgres, state.settings.auth.secret_key)
        state.signer = signer
    return signer
