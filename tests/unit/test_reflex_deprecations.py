"""Every page builds without a Reflex deprecation warning (`make run` printed two: form controls
submitted by `id`, which Reflex 0.11 stops submitting)."""

from __future__ import annotations

from typing import Any

import pytest
from reflex_base.utils import console

pytestmark = pytest.mark.unit


def test_no_page_uses_a_deprecated_reflex_feature(monkeypatch: pytest.MonkeyPatch) -> None:
    from sen_portal.sen_portal import app

    deprecated: list[str] = []

    def record(*, feature_name: str, **_: Any) -> None:
        deprecated.append(feature_name)

    monkeypatch.setattr(console, "deprecate", record)

    for page in app._unevaluated_pages.values():
        page.component()

    assert len(app._unevaluated_pages) > 30
    assert deprecated == []
