"""Document links and the download route come from one constant (routes.DOCUMENT_DOWNLOAD)."""

from __future__ import annotations

import pytest
from starlette.routing import Match

from sen_portal import routes
from sen_portal.api.documents import document_routes

pytestmark = pytest.mark.unit


def test_a_document_link_is_answered_by_the_download_route() -> None:
    [route] = document_routes()

    match, scope = route.matches({"type": "http", "path": routes.document_path("d3adb33f"), "method": "GET"})

    assert match == Match.FULL
    assert scope["path_params"] == {"public_id": "d3adb33f"}
