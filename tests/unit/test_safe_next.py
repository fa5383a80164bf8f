"""After sign-in we only ever go to a path on this site."""

from __future__ import annotations

import pytest

from sen_portal.state.sign_in import safe_next

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "raw",
    [
        "https://evil.example/",
        "//evil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_anything_that_could_leave_the_site_goes_to_the_dashboard(raw: str) -> None:
    assert safe_next(raw) == "/dashboard"


@pytest.mark.parametrize("raw", ["/requests", "/requests/view?id=abc", "%2Faccount%2Fdetails"])
def test_paths_on_this_site_are_kept(raw: str) -> None:
    assert safe_next(raw).startswith("/")
    assert safe_next(raw) != "/dashboard"
