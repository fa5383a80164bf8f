"""Lookup lists: idempotent seeding that keeps staff edits, type-ahead search, retired entries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from sen_portal.models import LookupEntry
from sen_portal.services.lookups.lists import (
    DOCUMENT_TYPE,
    PROFESSIONAL_ROLE,
    SETTING,
    SHIPPED_LISTS,
    LookupDataError,
    LookupOption,
    active_options,
    is_active_value,
    label_for,
    search_lookup,
    seed_lookup_list,
)

pytestmark = pytest.mark.service


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed_all(session: Session) -> dict[str, int]:
    return {key: seed_lookup_list(session, key, path) for key, path in SHIPPED_LISTS.items()}


def entry(session: Session, list_key: str, value: str) -> LookupEntry:
    return session.exec(select(LookupEntry).where(LookupEntry.list_key == list_key, LookupEntry.value == value)).one()


def entry_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LookupEntry)).one()


def labels(options: list[LookupOption]) -> list[str]:
    return [option.label for option in options]


def test_shipped_lists_have_the_expected_entries() -> None:
    roles = csv_rows(SHIPPED_LISTS[PROFESSIONAL_ROLE])
    assert [row["label"] for row in roles][:3] == ["SENCO", "Headteacher", "Class teacher"]
    assert roles[-1] == {"value": "other", "label": "Other"}
    assert len(roles) == 16
    assert [row["label"] for row in csv_rows(SHIPPED_LISTS[DOCUMENT_TYPE])] == [
        "SEN support plan",
        "Progress and attainment data",
        "Specialist report",
        "Signed consent form",
        "Other",
    ]
    assert len(csv_rows(SHIPPED_LISTS[SETTING])) >= 24


def test_seeding_is_idempotent(session: Session) -> None:
    first = seed_all(session)
    total = entry_count(session)

    second = seed_all(session)

    assert first == {key: len(csv_rows(path)) for key, path in SHIPPED_LISTS.items()}
    assert second == dict.fromkeys(SHIPPED_LISTS, 0)
    assert entry_count(session) == total == sum(first.values())


def test_role_options_keep_the_file_order_with_other_last(session: Session) -> None:
    seed_all(session)

    options = active_options(session, PROFESSIONAL_ROLE)

    assert labels(options) == [row["label"] for row in csv_rows(SHIPPED_LISTS[PROFESSIONAL_ROLE])]
    assert options[0] == LookupOption("senco", "SENCO")
    assert options[-1] == LookupOption("other", "Other")


@pytest.mark.parametrize("typed", ["SE", "se", " sE ", "senco"])
def test_typing_se_offers_senco_first(session: Session, typed: str) -> None:
    seed_all(session)

    found = search_lookup(session, PROFESSIONAL_ROLE, typed)

    assert found[0] == LookupOption("senco", "SENCO")


def test_word_starts_rank_before_matches_inside_words(session: Session) -> None:
    seed_all(session)

    found = search_lookup(session, PROFESSIONAL_ROLE, "thera")

    # "therapist" starts a word in the first two (list order between them); "Physiotherapist" only contains it.
    assert labels(found) == [
        "Speech and language therapist",
        "Occupational therapist",
        "Physiotherapist",
    ]


def test_word_starts_rank_before_the_list_order(session: Session) -> None:
    seed_all(session)

    found = search_lookup(session, PROFESSIONAL_ROLE, "te")

    # "Headteacher" comes earlier in the list, but "te" only starts a word in the other two.
    assert labels(found)[:3] == ["Class teacher", "Specialist teacher", "Headteacher"]


def test_label_start_ranks_before_later_words(session: Session) -> None:
    seed_all(session)

    found = search_lookup(session, PROFESSIONAL_ROLE, "s")

    assert labels(found)[:5] == [
        "SENCO",
        "Speech and language therapist",
        "School nurse",
        "Social worker",
        "Specialist teacher",
    ]
    assert "Educational psychologist" in labels(found)  # contains an "s", ranked later


def test_several_typed_words_match_in_any_position(session: Session) -> None:
    seed_all(session)

    assert labels(search_lookup(session, SETTING, "hanley pri")) == ["Hanley St Luke's CE Primary School"]
    assert labels(search_lookup(session, SETTING, "luke's")) == ["Hanley St Luke's CE Primary School"]
    assert search_lookup(session, SETTING, "hanley zzz") == []


def test_search_is_limited_and_per_list(session: Session) -> None:
    seed_all(session)

    assert len(search_lookup(session, SETTING, "school", limit=3)) == 3
    assert search_lookup(session, DOCUMENT_TYPE, "other") == [LookupOption("other", "Other")]
    assert search_lookup(session, PROFESSIONAL_ROLE, "zzz") == []
    assert search_lookup(session, "no_such_list", "se") == []


def test_wildcard_characters_are_matched_literally(session: Session) -> None:
    seed_all(session)

    assert search_lookup(session, PROFESSIONAL_ROLE, "%") == []
    assert search_lookup(session, PROFESSIONAL_ROLE, "_") == []


def test_empty_query_offers_the_start_of_the_list(session: Session) -> None:
    seed_all(session)

    assert labels(search_lookup(session, PROFESSIONAL_ROLE, "  ", limit=2)) == ["SENCO", "Headteacher"]


def test_retired_entries_are_not_offered_but_still_readable(session: Session) -> None:
    seed_all(session)
    assert is_active_value(session, PROFESSIONAL_ROLE, "health_visitor")
    entry(session, PROFESSIONAL_ROLE, "health_visitor").is_active = False
    session.flush()

    assert "Health visitor" not in labels(search_lookup(session, PROFESSIONAL_ROLE, "health"))
    assert "Health visitor" not in labels(active_options(session, PROFESSIONAL_ROLE))
    assert not is_active_value(session, PROFESSIONAL_ROLE, "health_visitor")
    assert label_for(session, PROFESSIONAL_ROLE, "health_visitor") == "Health visitor"
    # the rest of the list is untouched
    assert is_active_value(session, PROFESSIONAL_ROLE, "school_nurse")


def test_unknown_values_are_neither_active_nor_labelled(session: Session) -> None:
    seed_all(session)

    assert not is_active_value(session, PROFESSIONAL_ROLE, "astronaut")
    assert not is_active_value(session, DOCUMENT_TYPE, "senco")  # exists, but in another list
    assert label_for(session, PROFESSIONAL_ROLE, "astronaut") is None


def test_reseeding_keeps_staff_edits(session: Session) -> None:
    seed_all(session)
    senco = entry(session, PROFESSIONAL_ROLE, "senco")
    senco.label = "SENCo (special educational needs co-ordinator)"
    senco.sort_order = 999
    entry(session, PROFESSIONAL_ROLE, "paediatrician").is_active = False
    session.flush()

    assert seed_all(session) == dict.fromkeys(SHIPPED_LISTS, 0)

    senco = entry(session, PROFESSIONAL_ROLE, "senco")
    assert (senco.label, senco.sort_order) == ("SENCo (special educational needs co-ordinator)", 999)
    assert entry(session, PROFESSIONAL_ROLE, "paediatrician").is_active is False
    assert (
        labels(search_lookup(session, PROFESSIONAL_ROLE, "SE"))[0] == "SENCo (special educational needs co-ordinator)"
    )


def test_reseeding_adds_new_values_from_the_file(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text("value,label\nsenco,SENCO\nother,Other\n", encoding="utf-8")
    assert seed_lookup_list(session, PROFESSIONAL_ROLE, path) == 2

    path.write_text("value,label\nsenco,Renamed in the file\nportage,Portage worker\nother,Other\n", encoding="utf-8")
    assert seed_lookup_list(session, PROFESSIONAL_ROLE, path) == 1

    assert labels(active_options(session, PROFESSIONAL_ROLE)) == ["SENCO", "Portage worker", "Other"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("code,name\nsenco,SENCO\n", "header value,label"),
        ("value,label\nsenco,\n", "row 2: both value and label"),
        ("value,label\nsenco,SENCO\nsenco,Again\n", "row 3: the value 'senco' appears twice"),
        ("value,label\nsenco,SENCO\nep,Educational\x00psychologist\n", "row 3: contains characters we cannot store"),
    ],
)
def test_malformed_lookup_file_is_refused(session: Session, tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")

    with pytest.raises(LookupDataError, match=message):
        seed_lookup_list(session, PROFESSIONAL_ROLE, path)
    assert entry_count(session) == 0
