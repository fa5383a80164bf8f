"""The address gazetteer: finding by postcode, CSV import, and the OS Places provider."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from sen_portal.config import settings_from_env
from sen_portal.models import Address
from sen_portal.services.addresses.finder import (
    AddressImportError,
    AddressLookupUnavailable,
    DatabaseAddressProvider,
    OsPlacesAddressProvider,
    find_addresses,
    import_addresses_csv,
    provider_for,
)
from sen_portal.services.platform.seed import DEMO_ADDRESSES_CSV

pytestmark = pytest.mark.service

HEADER = "uprn,line1,line2,line3,town,postcode\n"


def write_csv(tmp_path: Path, body: str, name: str = "addresses.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def address_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Address)).one()


# ---- finding ------------------------------------------------------------------------------


def test_demo_postcode_lists_its_addresses_in_house_number_order(session: Session) -> None:
    import_addresses_csv(session, DEMO_ADDRESSES_CSV)

    found = find_addresses(session, "ST4 1HH")

    assert [option.label for option in found] == [
        "2 Glebe Street, Stoke, Stoke-on-Trent",
        "4 Glebe Street, Stoke, Stoke-on-Trent",
        "6 Glebe Street, Stoke, Stoke-on-Trent",
        "8 Glebe Street, Stoke, Stoke-on-Trent",
        "10 Glebe Street, Stoke, Stoke-on-Trent",
        "10A Glebe Street, Stoke, Stoke-on-Trent",
        "12 Glebe Street, Stoke, Stoke-on-Trent",
        "Flat 1, 14 Glebe Street, Stoke, Stoke-on-Trent",
        "Flat 2, 14 Glebe Street, Stoke, Stoke-on-Trent",
        "Flat 3, 14 Glebe Street, Stoke, Stoke-on-Trent",
        "Flat 10, 14 Glebe Street, Stoke, Stoke-on-Trent",
        "Glebe House, Glebe Street, Stoke, Stoke-on-Trent",
    ]
    first = found[0]
    assert (first.line1, first.line2, first.line3, first.town, first.postcode) == (
        "2 Glebe Street",
        "Stoke",
        "",
        "Stoke-on-Trent",
        "ST4 1HH",
    )
    assert first.uprn.startswith("9990000")


def test_postcode_is_matched_whatever_the_case_and_spacing(session: Session) -> None:
    import_addresses_csv(session, DEMO_ADDRESSES_CSV)

    expected = [option.uprn for option in find_addresses(session, "ST1 1AA")]

    assert len(expected) >= 5
    assert [option.uprn for option in find_addresses(session, " st11aa ")] == expected
    assert find_addresses(session, "ST1 1AA")[0].label == "1 Tontine Street, Hanley, Stoke-on-Trent"


def test_sorting_is_by_street_then_number_not_by_text_or_insertion(session: Session, tmp_path: Path) -> None:
    rows = [
        ("101", "10 Mill Lane", ""),
        ("102", "Mill House", "Mill Lane"),
        ("103", "Flat 10", "3 Mill Lane"),
        ("104", "2 Mill Lane", ""),
        ("105", "10A Mill Lane", ""),
        ("106", "Flat 2", "3 Mill Lane"),
        ("107", "1 Mill Lane", ""),
        ("108", "1 Abbey Road", ""),
    ]
    body = HEADER + "".join(f"{uprn},{line1},{line2},Fenton,Stoke-on-Trent,ST4 2AB\n" for uprn, line1, line2 in rows)
    import_addresses_csv(session, write_csv(tmp_path, body))

    found = find_addresses(session, "ST4 2AB")

    assert [option.uprn for option in found] == ["108", "107", "104", "106", "103", "101", "105", "102"]


def test_unknown_or_malformed_postcode_finds_nothing(session: Session) -> None:
    import_addresses_csv(session, DEMO_ADDRESSES_CSV)

    assert find_addresses(session, "ST4 1HH")  # the data is there ...
    assert find_addresses(session, "ST4 9ZZ") == []  # ... but not for this postcode
    assert find_addresses(session, "not a postcode") == []
    assert find_addresses(session, "") == []


def test_database_provider_answers_from_the_table(session: Session) -> None:
    import_addresses_csv(session, DEMO_ADDRESSES_CSV)

    provider = provider_for(settings_from_env({}))

    assert isinstance(provider, DatabaseAddressProvider)
    assert provider.find(session, "st4 1hh") == find_addresses(session, "ST4 1HH")


# ---- CSV import ---------------------------------------------------------------------------


def test_demo_file_imports_cleanly(session: Session) -> None:
    report = import_addresses_csv(session, DEMO_ADDRESSES_CSV)

    assert report.rejected == []
    assert report.rows_read == report.imported >= 300
    assert address_count(session) == report.imported
    uprns = session.exec(select(Address.uprn)).all()
    assert all(uprn.startswith("9990000") and len(uprn) == 12 for uprn in uprns)
    postcodes = set(session.exec(select(Address.postcode)).all())
    assert {postcode.split(" ")[0] for postcode in postcodes} <= {"ST1", "ST2", "ST3", "ST4", "ST5", "ST6"}
    assert len(find_addresses(session, "ST4 1HH")) >= 5
    assert len(find_addresses(session, "ST1 1AA")) >= 5


def test_import_reports_each_rejected_row_with_its_reasons(session: Session, tmp_path: Path) -> None:
    body = (
        HEADER
        + "1001,1 Mill Lane,,,Stoke-on-Trent,st4 2ab\n"  # row 2: fine (postcode normalised)
        + ",2 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n"  # row 3: no UPRN
        + "1003,3 Mill Lane,,,Stoke-on-Trent,XX\n"  # row 4: bad postcode
        + "1004,,,,Stoke-on-Trent,ST4 2AB\n"  # row 5: no line1
        + "1005,5 Mill Lane,,,,ST4 2AB\n"  # row 6: no town
        + "12AB,6 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n"  # row 7: UPRN not digits
        + "1001,1 Mill Lane again,,,Stoke-on-Trent,ST4 2AB\n"  # row 8: UPRN repeated
        + ",,,,,\n"  # blank line from a spreadsheet: skipped, not counted
        + '1009,"Flat 1, Mill Court",Mill Lane,Fenton,Stoke-on-Trent,ST4 2AB\n'  # row 10: quoted comma
    )
    report = import_addresses_csv(session, write_csv(tmp_path, body))

    assert (report.rows_read, report.imported, report.updated) == (8, 2, 0)
    rejected = {rejection.row: rejection.reasons for rejection in report.rejected}
    assert rejected == {
        3: ("missing UPRN",),
        4: ("invalid postcode 'XX'",),
        5: ("missing line1",),
        6: ("missing town",),
        7: ("UPRN must be 1 to 12 digits, got '12AB'",),
        8: ("UPRN 1001 is also on row 2",),
    }
    assert str(report.rejected[0]) == "row 3: missing UPRN"
    saved = session.exec(select(Address).where(Address.uprn == "1001")).one()
    assert saved.postcode == "ST4 2AB"
    assert saved.line1 == "1 Mill Lane"
    assert session.exec(select(Address.line1).where(Address.uprn == "1009")).one() == "Flat 1, Mill Court"


def test_row_with_several_problems_lists_them_all(session: Session, tmp_path: Path) -> None:
    report = import_addresses_csv(session, write_csv(tmp_path, HEADER + ",,,,,nope\n"))

    assert report.imported == 0
    assert report.rejected[0].reasons == ("missing UPRN", "missing line1", "missing town", "invalid postcode 'nope'")


def test_reimport_updates_by_uprn_instead_of_duplicating(session: Session, tmp_path: Path) -> None:
    first = HEADER + "2001,1 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n2002,2 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n"
    import_addresses_csv(session, write_csv(tmp_path, first))
    before = session.exec(select(Address).where(Address.uprn == "2002")).one()
    created_at, updated_at = before.created_at, before.updated_at

    second = (
        HEADER
        + "2001,1 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n"  # unchanged
        + "2002,2 Mill Lane,Fenton,,Stoke-on-Trent,ST4 2AB\n"  # gains a locality
        + "2003,3 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n"  # new
    )
    report = import_addresses_csv(session, write_csv(tmp_path, second, "second.csv"))

    assert (report.rows_read, report.imported, report.updated, report.unchanged) == (3, 1, 1, 1)
    assert report.rejected == []
    assert address_count(session) == 3
    after = session.exec(select(Address).where(Address.uprn == "2002")).one()
    assert after.line2 == "Fenton"
    assert after.created_at == created_at
    assert after.updated_at >= updated_at
    assert [option.uprn for option in find_addresses(session, "ST4 2AB")] == ["2001", "2002", "2003"]


def test_header_may_be_in_any_case_with_a_byte_order_mark_and_no_optional_columns(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "UPRN,Line1,Town,Postcode,Notes\n3001,1 Mill Lane,Stoke-on-Trent,ST4 2AB,ignored\n", encoding="utf-8-sig"
    )

    report = import_addresses_csv(session, path)

    assert (report.imported, report.rejected) == (1, [])
    assert find_addresses(session, "ST4 2AB")[0].label == "1 Mill Lane, Stoke-on-Trent"


def test_file_without_the_required_columns_is_refused(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,address\n1,somewhere\n")

    with pytest.raises(AddressImportError, match="missing: uprn, line1, town, postcode"):
        import_addresses_csv(session, path)
    assert address_count(session) == 0


def test_file_that_is_not_csv_is_refused(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + "6001," + "x" * 200_000 + ",,,Stoke-on-Trent,ST4 2AB\n")

    with pytest.raises(AddressImportError, match="not valid CSV"):
        import_addresses_csv(session, path)


def test_file_that_is_not_utf8_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "4001,1 Caf\xe9 Street,,,Stoke-on-Trent,ST4 2AB\n").encode("latin-1"))

    with pytest.raises(AddressImportError, match="UTF-8"):
        import_addresses_csv(session, path)


# ---- OS Places ----------------------------------------------------------------------------

GOOD_KEY = "test-key-0123456789"


def dpa(uprn: str | None, address: str, **fields: str) -> dict:
    """One result as OS Places returns it (DPA dataset, JSON), with the usual extra fields."""
    record = {
        "ADDRESS": address,
        "POST_TOWN": "STOKE-ON-TRENT",
        "POSTCODE": address.rsplit(", ", 1)[-1],
        "RPC": "1",
        "X_COORDINATE": 387400.0,
        "Y_COORDINATE": 344800.0,
        "STATUS": "APPROVED",
        "LOGICAL_STATUS_CODE": "1",
        "CLASSIFICATION_CODE": "RD04",
        "CLASSIFICATION_CODE_DESCRIPTION": "Terraced",
        "LOCAL_CUSTODIAN_CODE": 3455,
        "LOCAL_CUSTODIAN_CODE_DESCRIPTION": "STOKE-ON-TRENT",
        "COUNTRY_CODE": "E",
        "COUNTRY_CODE_DESCRIPTION": "This record is within England",
        "POSTAL_ADDRESS_CODE": "D",
        "POSTAL_ADDRESS_CODE_DESCRIPTION": "A record which is linked to PAF",
        "BLPU_STATE_CODE": None,
        "BLPU_STATE_CODE_DESCRIPTION": "Unknown/Not applicable",
        "TOPOGRAPHY_LAYER_TOID": "osgb1000000000000001",
        "LAST_UPDATE_DATE": "10/02/2016",
        "ENTRY_DATE": "12/01/2001",
        "LANGUAGE": "EN",
        "MATCH": 1.0,
        "MATCH_DESCRIPTION": "EXACT",
        "DELIVERY_POINT_SUFFIX": "1A",
        **fields,
    }
    if uprn is not None:
        record["UPRN"] = uprn
        record["UDPRN"] = "2" + uprn[-7:]
    return {"DPA": record}


OS_RESULTS = {
    "ST4 1HH": [
        dpa(
            "100031234567",
            "FLAT 2, 14 GLEBE STREET, STOKE-ON-TRENT, ST4 1HH",
            SUB_BUILDING_NAME="FLAT 2",
            BUILDING_NUMBER="14",
            THOROUGHFARE_NAME="GLEBE STREET",
        ),
        dpa(
            "3455000001",
            "STOKE-ON-TRENT CITY COUNCIL, CIVIC CENTRE, GLEBE STREET, STOKE-ON-TRENT, ST4 1HH",
            ORGANISATION_NAME="STOKE-ON-TRENT CITY COUNCIL",
            BUILDING_NAME="CIVIC CENTRE",
            THOROUGHFARE_NAME="GLEBE STREET",
        ),
        dpa(
            "100031234510",
            "10, GLEBE STREET, STOKE-ON-TRENT, ST4 1HH",
            BUILDING_NUMBER="10",
            THOROUGHFARE_NAME="GLEBE STREET",
        ),
        dpa(
            "100031234502",
            "2, GLEBE STREET, STOKE-ON-TRENT, ST4 1HH",
            BUILDING_NUMBER="2",
            THOROUGHFARE_NAME="GLEBE STREET",
        ),
        dpa(None, "SOMETHING WITHOUT A UPRN, STOKE-ON-TRENT, ST4 1HH"),
        dpa(
            "100031234511",
            "10A, GLEBE STREET, STOKE-ON-TRENT, ST4 1HH",
            BUILDING_NAME="10A",
            THOROUGHFARE_NAME="GLEBE STREET",
        ),
    ],
    "ST1 1AA": [
        dpa(
            "100031111101",
            "1, TONTINE STREET, HANLEY, STOKE-ON-TRENT, ST1 1AA",
            BUILDING_NUMBER="1",
            THOROUGHFARE_NAME="TONTINE STREET",
            DEPENDENT_LOCALITY="HANLEY",
        )
    ],
}


@dataclass
class FakeOsPlaces:
    url: str
    requests: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def os_places() -> Iterator[FakeOsPlaces]:
    """A local stand-in for api.os.uk answering like the real Places API."""
    fake = FakeOsPlaces(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            fake.requests.append({"path": parts.path, **query})
            if parts.path != "/search/places/v1/postcode":
                return self.reply(404, {"error": {"statuscode": 404, "message": "Resource not found"}})
            if query.get("key") != GOOD_KEY:
                return self.reply(
                    401, {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
                )
            postcode = query.get("postcode", "")
            if postcode == "ST3 9ZZ":  # a server that hangs
                fake.release.wait(10)
                return self.reply(200, {"header": {"totalresults": 0}})
            if postcode == "ST3 9ZY":
                return self.reply_raw(200, b"<html>gateway error</html>")
            if postcode == "ST3 9ZW":  # not HTTP at all
                self.wfile.write(b"garbage\r\n\r\n")
                return None
            if postcode == "ST3 9ZX":
                return self.reply(503, {"error": {"statuscode": 503, "message": "Service unavailable"}})
            results = OS_RESULTS.get(postcode, [])
            offset, size = int(query.get("offset", 0)), int(query.get("maxresults", 100))
            header = {
                "uri": f"https://api.os.uk/search/places/v1/postcode?postcode={postcode}",
                "query": f"postcode={postcode}",
                "offset": offset,
                "totalresults": len(results),
                "format": "JSON",
                "dataset": "DPA",
                "lr": "EN,CY",
                "maxresults": size,
                "epoch": "117",
                "output_srs": "EPSG:27700",
            }
            body: dict = {"header": header}
            if results:  # like the real API, no "results" key at all when nothing matched
                body["results"] = results[offset : offset + size]
            return self.reply(200, body)

        def reply(self, status: int, body: dict) -> None:
            self.reply_raw(status, json.dumps(body).encode())

        def reply_raw(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/search/places/v1"
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


def os_provider(fake: FakeOsPlaces, key: str = GOOD_KEY, timeout: float = 2.0) -> OsPlacesAddressProvider:
    return OsPlacesAddressProvider(api_key=key, api_url=fake.url, timeout=timeout)


# The OS Places provider never touches the database, so these tests pass no session.


def test_os_places_results_become_options_in_house_number_order(os_places: FakeOsPlaces) -> None:
    found = os_provider(os_places).find(None, "st41hh")  # type: ignore[arg-type]

    assert [(option.uprn, option.label) for option in found] == [
        ("100031234502", "2 Glebe Street, Stoke-on-Trent"),
        ("100031234510", "10 Glebe Street, Stoke-on-Trent"),
        ("100031234511", "10A Glebe Street, Stoke-on-Trent"),
        ("100031234567", "Flat 2, 14 Glebe Street, Stoke-on-Trent"),
        ("3455000001", "Stoke-on-Trent City Council, Civic Centre, Glebe Street, Stoke-on-Trent"),
    ]
    flat = found[3]
    assert (flat.line1, flat.line2, flat.line3, flat.town, flat.postcode) == (
        "Flat 2",
        "14 Glebe Street",
        "",
        "Stoke-on-Trent",
        "ST4 1HH",
    )
    council = found[4]
    assert (council.line1, council.line2, council.line3) == (
        "Stoke-on-Trent City Council",
        "Civic Centre",
        "Glebe Street",
    )
    assert os_places.requests == [
        {
            "path": "/search/places/v1/postcode",
            "postcode": "ST4 1HH",
            "dataset": "DPA",
            "maxresults": "100",
            "offset": "0",
            "key": GOOD_KEY,
        }
    ]


def test_os_places_locality_goes_on_the_second_line(os_places: FakeOsPlaces) -> None:
    [option] = os_provider(os_places).find(None, "ST1 1AA")  # type: ignore[arg-type]

    assert option.label == "1 Tontine Street, Hanley, Stoke-on-Trent"
    assert (option.line1, option.line2) == ("1 Tontine Street", "Hanley")


def test_os_places_pages_through_long_results(os_places: FakeOsPlaces) -> None:
    provider = os_provider(os_places)
    provider.PAGE_SIZE = 2

    found = provider.find(None, "ST4 1HH")  # type: ignore[arg-type]

    assert len(found) == 5
    assert [request["offset"] for request in os_places.requests] == ["0", "2", "4"]


def test_os_places_unknown_postcode_is_an_empty_list(os_places: FakeOsPlaces) -> None:
    assert os_provider(os_places).find(None, "ST6 9ZZ") == []  # type: ignore[arg-type]
    assert len(os_places.requests) == 1


def test_malformed_postcode_is_not_sent_to_os_places(os_places: FakeOsPlaces) -> None:
    assert os_provider(os_places).find(None, "ST4") == []  # type: ignore[arg-type]
    assert os_places.requests == []


def test_os_places_rejected_key_means_unavailable_without_leaking_the_key(
    os_places: FakeOsPlaces, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    with pytest.raises(AddressLookupUnavailable, match="401") as raised:
        os_provider(os_places, key="wrong-secret-key").find(None, "ST4 1HH")  # type: ignore[arg-type]

    assert "wrong-secret-key" not in str(raised.value)
    assert "wrong-secret-key" not in caplog.text


@pytest.mark.parametrize("postcode", ["ST3 9ZY", "ST3 9ZX", "ST3 9ZW"], ids=["not-json", "http-503", "not-http"])
def test_os_places_bad_answers_mean_unavailable(os_places: FakeOsPlaces, postcode: str) -> None:
    with pytest.raises(AddressLookupUnavailable):
        os_provider(os_places).find(None, postcode)  # type: ignore[arg-type]


def test_os_places_timeout_means_unavailable(os_places: FakeOsPlaces) -> None:
    with pytest.raises(AddressLookupUnavailable, match="could not be reached"):
        os_provider(os_places, timeout=0.3).find(None, "ST3 9ZZ")  # type: ignore[arg-type]


def test_os_places_connection_refused_means_unavailable() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = OsPlacesAddressProvider(api_key=GOOD_KEY, api_url=f"http://127.0.0.1:{port}/search/places/v1", timeout=2)

    with pytest.raises(AddressLookupUnavailable, match="could not be reached"):
        provider.find(None, "ST4 1HH")  # type: ignore[arg-type]


def test_settings_choose_the_os_places_provider(os_places: FakeOsPlaces) -> None:
    settings = settings_from_env(
        {"ADDRESS_PROVIDER": "os_places", "OS_PLACES_API_KEY": GOOD_KEY, "OS_PLACES_API_URL": os_places.url}
    )

    provider = provider_for(settings)

    assert isinstance(provider, OsPlacesAddressProvider)
    assert [option.uprn for option in provider.find(None, "ST1 1AA")] == ["100031111101"]  # type: ignore[arg-type]


# ---- the import-addresses command ---------------------------------------------------------


@pytest.fixture
def cli_on_sqlite(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI's settings and engine at the migrated test database (emptied first)."""
    from sen_portal.config import get_settings
    from sen_portal.db import get_engine, make_engine

    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM address")
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield sqlite_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine.dispose()


def test_import_command_prints_the_report_and_commits(
    cli_on_sqlite: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sen_portal.cli import main
    from sen_portal.db import make_engine

    body = HEADER + "5001,1 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n,2 Mill Lane,,,Stoke-on-Trent,ST4 2AB\n"

    assert main(["import-addresses", str(write_csv(tmp_path, body))]) == 0

    out = capsys.readouterr().out
    assert "read 2, imported 1, updated 0, unchanged 0, rejected 1" in out
    assert "row 3: missing UPRN" in out
    engine = make_engine(cli_on_sqlite)
    with Session(engine) as fresh:
        assert fresh.exec(select(Address.uprn)).all() == ["5001"]
    engine.dispose()


def test_import_command_fails_for_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sen_portal.cli import main

    assert main(["import-addresses", str(tmp_path / "nowhere.csv")]) == 1
    assert "No such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("a\x00b", "line1 contains characters we cannot store"),
        ("a\x1bb", "line1 contains characters we cannot store"),
        ("a\ud800b", "line1 contains characters we cannot store"),  # its bytes, as some exporters write them
    ],
)
def test_a_row_with_nul_or_a_lone_surrogate_is_rejected_with_its_row_number(
    session: Session, tmp_path: Path, bad: str, reason: str
) -> None:
    """Issue 20 item 4: it was reported as imported (and PostgreSQL would refuse the whole import)."""
    body = f"uprn,line1,town,postcode\n999000000001,1 High Street,Leek,ST13 5AA\n999000000002,{bad},Leek,ST13 5AA\n"
    path = tmp_path / "addresses.csv"
    path.write_bytes(body.encode("utf-8", "surrogatepass"))
    report = import_addresses_csv(session, path)
    assert [str(rejection) for rejection in report.rejected] == [f"row 3: {reason}"]
    assert report.imported == 1
    session.commit()  # PostgreSQL accepts what was imported


def test_imported_text_loses_bidi_controls(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "uprn,line1,town,postcode\n999000000003,\u202e1 High Street,Leek,ST13 5AA\n")
    import_addresses_csv(session, path)
    assert session.exec(select(Address.line1).where(Address.uprn == "999000000003")).one() == "1 High Street"
