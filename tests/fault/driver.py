"""The "app process" of the fault tests: runs the portal's real use cases in a process of its own.

The tests start it with ``python -m tests.fault.driver COMMAND ...`` and the portal's settings in
its environment (database, document store, SMTP), optionally with ``SEN_FAULT_POINT`` set, so
a SIGKILL from ``sen_portal.services.platform.faults`` hits a real process in the middle of the real code
path. It calls what the request pages' handlers call (``services.referral_journey``: start,
streamed upload, save, submit) and what the in-app sender runs (``outbox.send_due``).

Commands (each prints JSON lines on stdout, flushed at once so a killed run still told what it did):

* ``journey USER_ID [PUBLIC_ID]``: start a draft (or continue ``PUBLIC_ID``), upload every required
  document not uploaded yet, save each section with a complete answer set, send it, then send the
  outbox until nothing is due — what a user and the in-app sender do, start to finish.
* ``outbox``: send what is due until nothing is (the sender after a restart).
* ``serve``: read ``ping`` / ``submit USER_ID PUBLIC_ID`` lines on stdin and answer each with one
  JSON line; keeps its connection pool across them (a web worker living through a database restart).
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import text

from sen_portal.config import get_settings
from sen_portal.db import get_engine, session_scope
from sen_portal.email.transports import transport_for
from sen_portal.services.platform.outbox import send_due
from sen_portal.services.referrals import referral_journey as journey
from tests.unit.test_ehc_definition import COMPLETE
from tests.unit.test_file_types import minimal_pdf

FORM = "ehc_needs_assessment"
# Required document slots and how many files each needs (the EHC form's minimums).
REQUIRED_FILES = {"sen_support_plans": 2, "progress_data": 1, "signed_consent_form": 1}


@dataclass
class Chunk:
    """What ``rx.upload_files_chunk`` hands the streaming handler."""

    filename: str
    offset: int
    content_type: str
    data: bytes


def say(**values: object) -> None:
    print(json.dumps(values), flush=True)


async def _chunks(name: str, data: bytes, size: int = 1024) -> AsyncIterator[Chunk]:
    for offset in range(0, len(data), size):
        yield Chunk(name, offset, "application/pdf", data[offset : offset + size])


def _uploaded(user_id: int, public_id: str) -> dict[str, int]:
    view = journey.check_view(user_id, public_id)
    counts: dict[str, int] = {}
    for row in view.documents:
        counts[row["slot"]] = counts.get(row["slot"], 0) + 1
    return counts


def _fill_in(user_id: int, public_id: str) -> None:
    have = _uploaded(user_id, public_id)
    for slot, wanted in REQUIRED_FILES.items():
        for number in range(have.get(slot, 0), wanted):
            name = f"{slot}-{number}.pdf"
            # Different bytes per file: the same file twice in a slot is refused as a duplicate.
            content = minimal_pdf() + f"% {name}\n".encode()
            outcome = asyncio.run(journey.receive_upload(user_id, public_id, slot, _chunks(name, content)))
            assert not outcome.refused, outcome.message
            say(step="uploaded", slot=slot, name=name)
    definition, _lookups = journey.definition_for(user_id, public_id)
    answers = copy.deepcopy(COMPLETE)
    for section in definition.sections:
        section_answers = {f.name: answers[f.name] for f in section.fields if f.name in answers}
        # Ticked checkboxes arrive as form entries, as the page posts them.
        ticked = {f.name: list(answers[f.name]) for f in section.fields if f.type == "checkboxes" and f.name in answers}
        result = journey.save(user_id, public_id, section.key, section_answers, ticked)
        assert result.errors == {}, (section.key, result.errors)
    say(step="saved")


def journey_run(user_id: int, public_id: str | None) -> None:
    if public_id is None:
        public_id, _first = journey.start(user_id, FORM)
    say(step="draft", public_id=public_id)
    if journey.check_view(user_id, public_id).status == "draft":  # a sent one is only sent again (idempotent)
        _fill_in(user_id, public_id)
    reference = journey.submit(user_id, public_id, get_settings())
    say(step="submitted", reference=reference)
    outbox_run()


def outbox_run() -> None:
    transport = transport_for(get_settings())
    sent = 0
    while True:
        report = send_due(get_engine(), transport)
        sent += report.sent
        if not (report.sent or report.retried or report.dead):
            break
    say(step="outbox", sent=sent)


def serve() -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "ping":
                with session_scope() as session:
                    session.execute(text("SELECT 1"))
                say(outcome="ok")
            elif words[0] == "submit":
                reference = journey.submit(int(words[1]), words[2], get_settings())
                say(outcome="sent", reference=reference)
        except journey.TryAgainLater:
            say(outcome="try_again", message=journey.TRY_AGAIN)
        except Exception as error:
            say(outcome="error", error=f"{type(error).__name__}: {error}"[:500])


def main(argv: list[str]) -> int:
    command, *rest = argv
    if command == "journey":
        journey_run(int(rest[0]), rest[1] if len(rest) > 1 else None)
    elif command == "outbox":
        outbox_run()
    elif command == "serve":
        serve()
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
