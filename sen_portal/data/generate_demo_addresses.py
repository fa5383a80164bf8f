"""Regenerate ``demo_addresses.csv``: fictional addresses on real-sounding Stoke-on-Trent streets.

Deterministic (fixed seed), so running it again gives the same file:
``python -m sen_portal.data.generate_demo_addresses``. UPRNs are in the fake
range 999000000001 upwards, which no real property uses. Two postcodes are
fixed because tests and demos rely on them: ST4 1HH (Glebe Street, Stoke, with
flats and a named house to show the ordering) and ST1 1AA (Tontine Street, Hanley).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "demo_addresses.csv"
TOWN = "Stoke-on-Trent"
FIRST_UPRN = 999000000001
# Inward-code letters never include C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# area, outward code, postcode sectors used there, streets
AREAS: list[tuple[str, str, tuple[int, ...], tuple[str, ...]]] = [
    (
        "Hanley",
        "ST1",
        (1, 2, 3, 4, 5),
        (
            "Piccadilly",
            "Broad Street",
            "Albion Street",
            "Bethesda Street",
            "Marsh Street North",
            "Old Hall Street",
            "Clough Street",
            "Regent Road",
            "Trinity Street",
            "Hope Street",
        ),
    ),
    ("Bucknall", "ST2", (8, 9), ("Werrington Road", "Eaves Lane", "Ruxley Road")),
    (
        "Longton",
        "ST3",
        (1, 2, 4),
        ("The Strand", "Trentham Road", "Commerce Street", "Normacot Road", "Edensor Road", "Chaplin Road"),
    ),
    (
        "Stoke",
        "ST4",
        (1, 4, 7),
        ("Church Street", "London Road", "Honeywall", "Boothen Road", "Campbell Road", "Penkhull New Road"),
    ),
    ("Fenton", "ST4", (2, 3), ("City Road", "Christchurch Street", "Victoria Road", "Glebedale Road", "Manor Street")),
    (
        "Burslem",
        "ST6",
        (1, 3, 4),
        ("Queen Street", "Waterloo Road", "Moorland Road", "Newcastle Street", "Westport Road", "Hamil Road"),
    ),
    (
        "Tunstall",
        "ST6",
        (5, 6),
        ("Roundwell Street", "America Street", "Madison Street", "Furlong Road", "Victoria Park Road", "Sun Street"),
    ),
]
HOUSE_NAMES = ("The Cottage", "Rose Cottage", "The Old Vicarage", "Ivy House", "Fern Lea", "The Laurels")


def fixed_postcodes(next_uprn) -> list[list[str]]:
    rows = []
    for number in ("2", "4", "6", "8", "10", "10A", "12"):
        rows.append([next_uprn(), f"{number} Glebe Street", "Stoke", "", TOWN, "ST4 1HH"])
    for flat in (1, 2, 3, 10):
        rows.append([next_uprn(), f"Flat {flat}", "14 Glebe Street", "Stoke", TOWN, "ST4 1HH"])
    rows.append([next_uprn(), "Glebe House", "Glebe Street", "Stoke", TOWN, "ST4 1HH"])
    for number in range(1, 20, 2):
        rows.append([next_uprn(), f"{number} Tontine Street", "Hanley", "", TOWN, "ST1 1AA"])
    return rows


def generate() -> list[list[str]]:
    rng = random.Random(20261128)
    counter = iter(range(FIRST_UPRN, FIRST_UPRN + 10_000))

    def next_uprn() -> str:
        return str(next(counter))

    rows = fixed_postcodes(next_uprn)
    used = {"ST4 1HH", "ST1 1AA"}
    for area, outward, sectors, streets in AREAS:
        for street in streets:
            # One postcode for the odd side of the street, one for the even side.
            for first_number in (1, 2):
                while True:
                    postcode = (
                        f"{outward} {rng.choice(sectors)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
                    )
                    if postcode not in used:
                        used.add(postcode)
                        break
                start = first_number + 2 * rng.randrange(0, 20)
                for number in range(start, start + 2 * rng.randint(3, 6), 2):
                    if rng.random() < 0.06:
                        for flat in range(1, rng.randint(2, 4) + 1):
                            rows.append([next_uprn(), f"Flat {flat}", f"{number} {street}", area, TOWN, postcode])
                    else:
                        rows.append([next_uprn(), f"{number} {street}", area, "", TOWN, postcode])
                if rng.random() < 0.15:
                    rows.append([next_uprn(), rng.choice(HOUSE_NAMES), street, area, TOWN, postcode])
    return rows


def render(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["uprn", "line1", "line2", "line3", "town", "postcode"])
    writer.writerows(rows)
    return buffer.getvalue()


if __name__ == "__main__":
    OUTPUT.write_text(render(generate()), encoding="utf-8")
    print(f"wrote {OUTPUT}")  # noqa: T201 - a developer script
