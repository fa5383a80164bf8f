"""Find addresses by postcode, from the local gazetteer or the OS Places API.

``provider_for(settings)`` picks the source named by ``ADDRESS_PROVIDER``:

* ``database`` — the ``address`` table, filled by ``import_addresses_csv``
  (``python -m sen_portal.cli import-addresses FILE.csv``);
* ``os_places`` — Ordnance Survey's Places API. When it cannot be reached or
  refuses us, ``AddressLookupUnavailable`` is raised so the page can offer
  manual entry instead of an error.

CSV import format (UTF-8, a header row, extra columns ignored; the importer
itself lives in ``services.address_import`` and is re-exported here)::

    uprn,line1,line2,line3,town,postcode
    999000000001,12 High Street,Hanley,,Stoke-on-Trent,ST1 1AA

``uprn`` (1–12 digits), ``line1``, ``town`` and ``postcode`` are required;
``line2`` and ``line3`` may be empty or left out. Postcodes are normalised
("st11aa" becomes "ST1 1AA"). A row whose UPRN is already held updates that
address. Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, select

from sen_portal.config import Settings
from sen_portal.inbound.postcodes import normalise_postcode
from sen_portal.models.addresses import Address
from sen_portal.services.addresses.address_import import (
    AddressImportError,
    ImportReport,
    RejectedRow,
    import_addresses_csv,
)

__all__ = [
    "AddressImportError",
    "AddressLookupUnavailable",
    "AddressOption",
    "AddressProvider",
    "DatabaseAddressProvider",
    "ImportReport",
    "OsPlacesAddressProvider",
    "RejectedRow",
    "find_addresses",
    "import_addresses_csv",
    "provider_for",
]

log = logging.getLogger(__name__)


class AddressLookupUnavailable(RuntimeError):
    """The address source could not answer; ask the user to type the address instead."""


@dataclass(frozen=True)
class AddressOption:
    uprn: str
    label: str  # "12 High Street, Hanley, Stoke-on-Trent": the lines and town, without the postcode
    line1: str
    line2: str
    line3: str
    town: str
    postcode: str


def make_option(*, uprn: str, line1: str, line2: str, line3: str, town: str, postcode: str) -> AddressOption:
    label = ", ".join(part for part in (line1, line2, line3, town) if part)
    return AddressOption(uprn, label, line1, line2, line3, town, postcode)


# ---- ordering -----------------------------------------------------------------------------

# "12 High Street", "12A High Street", "12-14 High Street": number, suffix, street.
_NUMBERED_STREET = re.compile(r"^(\d+)\s*([A-Za-z]?)(?:\s*-\s*\d+[A-Za-z]?)?\s+(\D.*)$")
_CHUNKS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Digit runs compare as numbers, so "Flat 2" sorts before "Flat 10"."""
    return tuple((1, int(chunk)) if chunk.isdigit() else (0, chunk) for chunk in _CHUNKS.split(text.lower()) if chunk)


def address_sort_key(option: AddressOption) -> tuple[Any, ...]:
    """Street, then house number, then suffix and flat; named houses after the numbered ones."""
    for line in (option.line1, option.line2, option.line3):
        match = _NUMBERED_STREET.match(line)
        if match:
            number, suffix, street = match.groups()
            return (0, street.lower(), int(number), suffix.lower(), _natural(option.label))
    return (1, "", 0, "", _natural(option.label))


def sort_addresses(options: Iterable[AddressOption]) -> list[AddressOption]:
    return sorted(options, key=address_sort_key)


# ---- finding ------------------------------------------------------------------------------


def find_addresses(session: Session, postcode: str) -> list[AddressOption]:
    """Addresses held locally for ``postcode`` (any spacing or case), in house-number order."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return []
    rows = session.exec(select(Address).where(Address.postcode == normalised)).all()
    return sort_addresses(
        make_option(
            uprn=row.uprn,
            line1=row.line1,
            line2=row.line2,
            line3=row.line3,
            town=row.town,
            postcode=row.postcode,
        )
        for row in rows
    )


class AddressProvider(Protocol):
    def find(self, session: Session, postcode: str) -> list[AddressOption]:
        """Addresses at ``postcode``; raises AddressLookupUnavailable when the source cannot answer."""
        ...


class DatabaseAddressProvider:
    """The local gazetteer (the ``address`` table)."""

    def find(self, session: Session, postcode: str) -> list[AddressOption]:
        return find_addresses(session, postcode)


def provider_for(settings: Settings) -> AddressProvider:
    """The address source chosen by ``ADDRESS_PROVIDER``."""
    if settings.address_provider == "os_places":
        return OsPlacesAddressProvider(api_key=settings.os_places_api_key, api_url=settings.os_places_api_url)
    return DatabaseAddressProvider()


# ---- OS Places API ------------------------------------------------------------------------

# Words kept lower-case inside place names: "Stoke-on-Trent", "Newcastle-under-Lyme".
_SMALL_WORDS = {"on", "under", "upon", "in", "by", "the", "of", "and", "le", "en", "de"}


def _tidy(text: str) -> str:
    """OS Places returns capitals ("STOKE-ON-TRENT"); show them as people write them."""

    def part(piece: str, first: bool) -> str:
        lower = piece.lower()
        if not first and lower in _SMALL_WORDS:
            return lower
        return lower[:1].upper() + lower[1:]

    words = []
    for word in " ".join(text.split()).split(" "):
        pieces = word.split("-")
        words.append("-".join(part(piece, index == 0) for index, piece in enumerate(pieces)))
    return " ".join(words)


def _looks_numbered(name: str) -> bool:
    """A building "name" that is really a number ("12A", "1-3") goes in front of the street."""
    return bool(re.fullmatch(r"\d+[A-Za-z]?(?:\s*-\s*\d+[A-Za-z]?)?", name))


def option_from_dpa(dpa: dict[str, Any]) -> AddressOption | None:
    """An AddressOption from one OS Places DPA record, or None when it has no UPRN or postcode."""

    def get(key: str) -> str:
        value = dpa.get(key)
        return " ".join(str(value).split()) if value not in (None, "") else ""

    uprn, postcode = get("UPRN"), normalise_postcode(get("POSTCODE"))
    if not uprn or postcode is None:
        return None
    building_name, number = get("BUILDING_NAME"), get("BUILDING_NUMBER")
    dependent_street, street = get("DEPENDENT_THOROUGHFARE_NAME"), get("THOROUGHFARE_NAME")
    if not number and building_name and _looks_numbered(building_name):
        number, building_name = building_name, ""
    premises = ", ".join(_tidy(part) for part in (get("SUB_BUILDING_NAME"), building_name) if part)
    streets = [_tidy(name) for name in (dependent_street, street) if name]
    if number and streets:
        streets[0] = f"{number.upper()} {streets[0]}"
    elif number:
        premises = f"{premises} {number}".strip()
    lines = [_tidy(get("ORGANISATION_NAME")), premises, *streets]
    lines += [_tidy(get(key)) for key in ("DOUBLE_DEPENDENT_LOCALITY", "DEPENDENT_LOCALITY")]
    lines = [line for line in lines if line]
    town = _tidy(get("POST_TOWN"))
    if not lines:  # e.g. a PO Box: fall back to the one-line address without town and postcode
        lines = [
            _tidy(piece)
            for piece in get("ADDRESS").split(",")
            if piece.strip() and piece.strip().upper() not in {postcode, town.upper()}
        ] or [_tidy(get("ADDRESS"))]
    if not lines[0]:
        return None
    line3 = ", ".join(lines[2:])[:200]
    return make_option(
        uprn=uprn[:12],
        line1=lines[0][:200],
        line2=(lines[1] if len(lines) > 1 else "")[:200],
        line3=line3,
        town=town[:100],
        postcode=postcode,
    )


class OsPlacesAddressProvider:
    """Ordnance Survey Places API, ``GET {api_url}/postcode?postcode=...&key=...`` (DPA dataset)."""

    PAGE_SIZE = 100  # the API's maximum per request
    MAX_PAGES = 10  # a postcode with more than 1,000 delivery points is not a real case
    MAX_RESPONSE_BYTES = 5_000_000

    def __init__(self, *, api_key: str, api_url: str, timeout: float = 5.0) -> None:
        if not api_url.startswith(("https://", "http://")):
            raise ValueError("the OS Places API URL must be http(s)")
        self._api_key = api_key
        self._api_url = api_url.rstrip("/")
        self._timeout = timeout

    def find(self, session: Session, postcode: str) -> list[AddressOption]:
        normalised = normalise_postcode(postcode)
        if normalised is None:
            return []
        options: dict[str, AddressOption] = {}
        offset = 0
        for _page in range(self.MAX_PAGES):
            body = self._get(normalised, offset)
            try:
                results = body.get("results") or []
                total = int(body.get("header", {}).get("totalresults", 0))
                for result in results:
                    option = option_from_dpa(result.get("DPA") or {})
                    if option is not None:
                        options.setdefault(option.uprn, option)
            except (AttributeError, TypeError, ValueError) as error:
                log.warning("OS Places answered in an unexpected shape: %s", type(error).__name__)
                raise AddressLookupUnavailable("the address finder gave an answer we could not read") from None
            offset += len(results)
            if not results or offset >= total:
                break
        return sort_addresses(options.values())

    def _get(self, postcode: str, offset: int) -> dict[str, Any]:
        query = urllib.parse.urlencode(
            {
                "postcode": postcode,
                "dataset": "DPA",
                "maxresults": self.PAGE_SIZE,
                "offset": offset,
                "key": self._api_key,
            }
        )
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__ and by settings
            f"{self._api_url}/postcode?{query}", headers={"Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - as above
                raw = response.read(self.MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            # Never log the URL: it carries the API key.
            log.warning("OS Places refused the lookup: HTTP %s", error.code)
            raise AddressLookupUnavailable(f"the address finder answered HTTP {error.code}") from None
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, refused, a garbled reply
            reason = getattr(error, "reason", error)
            log.warning("OS Places could not be reached: %s", type(reason).__name__)
            raise AddressLookupUnavailable("the address finder could not be reached") from None
        if len(raw) > self.MAX_RESPONSE_BYTES:
            raise AddressLookupUnavailable("the address finder's answer was too large")
        try:
            body = json.loads(raw)
        except ValueError:
            raise AddressLookupUnavailable("the address finder gave an answer we could not read") from None
        if not isinstance(body, dict):
            raise AddressLookupUnavailable("the address finder gave an answer we could not read")
        return body
