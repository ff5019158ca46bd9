"""The rq internals worker/reliable.py relies on still exist with the parameters it uses.

When this fails after an rq upgrade, re-read worker/reliable.py against the new rq before
changing RQ_SEAM: the overrides may no longer do what their docstrings say."""

from __future__ import annotations

import inspect

import pytest
from rq.worker.base import BaseWorker

from worker.reliable import RQ_SEAM, RQ_WORKER_ATTRIBUTES, IngestWorker, ReliableQueue

SEAM = [(cls, name, params) for cls, methods in RQ_SEAM.items() for name, params in methods.items()]


@pytest.mark.parametrize(("cls", "name", "params"), SEAM, ids=[f"{c.__name__}.{n}" for c, n, _ in SEAM])
def test_rq_still_has_the_method_we_rely_on(cls: type, name: str, params: tuple[str, ...]) -> None:
    method = inspect.getattr_static(cls, name, None)
    assert method is not None, f"rq's {cls.__name__} no longer has {name}: see worker/reliable.py"
    found = tuple(p for p in inspect.signature(getattr(cls, name)).parameters if p not in ("self", "cls"))
    assert found == params, f"rq's {cls.__name__}.{name} now takes {found}, not {params}: see worker/reliable.py"


def test_our_overrides_keep_rqs_signatures() -> None:
    """rq calls our overrides the way it calls its own methods."""
    for ours in (ReliableQueue, IngestWorker):
        rqs = ours.__mro__[1]
        for name in RQ_SEAM[rqs]:
            if name in vars(ours):
                theirs = inspect.signature(getattr(rqs, name)).parameters
                assert list(inspect.signature(getattr(ours, name)).parameters) == list(theirs), name


def test_rq_worker_still_sets_the_stop_flags_we_read() -> None:
    source = inspect.getsource(BaseWorker.__init__)
    for attribute in RQ_WORKER_ATTRIBUTES:
        assert f"self.{attribute}" in source, f"rq's worker no longer sets {attribute}: see worker/__main__.py"
