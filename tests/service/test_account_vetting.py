"""Account vetting and disabling on both databases: emails, sessions ending, audit lines."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from sen_portal.config import settings_from_env
from sen_portal.models import ApprovalStatus, AuditEvent, OutboxMessage, UserAccount
from sen_portal.services import account_vetting as vetting
from sen_portal.services import sessions, sign_in
from sen_portal.services.audit import AuditAction
from tests.service.account_helpers import IP, PASSWORD, SETTINGS, Clock, make_user

pytestmark = pytest.mark.service


@pytest.fixture
def staff(session: Session) -> vetting.Actor:
    user = make_user(session, email="case@council.example.gov.uk", role="caseworker", first_name="Chris")
    assert user.id is not None
    return vetting.Actor(user.id, user.email, "198.51.100.7")


def _pending(session: Session, email: str = "new.senco@school.example.org") -> UserAccount:
    user = make_user(session, email=email)
    user.approval_status = ApprovalStatus.PENDING
    session.add(user)
    session.commit()
    return user


def _mail_to(session: Session, email: str) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email)).all())


def _audit(session: Session, action: AuditAction) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all())


def test_vetting_setting_decides_the_starting_status() -> None:
    assert vetting.initial_status(SETTINGS) == ApprovalStatus.PENDING  # on by default
    off = settings_from_env({"ACCOUNT_VETTING": "false"})
    assert vetting.initial_status(off) == ApprovalStatus.APPROVED


def test_pending_list_holds_verified_waiting_professionals_only(session: Session, staff: vetting.Actor) -> None:
    waiting = _pending(session)
    unverified = make_user(session, email="typo@school.example.org", verified=False)
    unverified.approval_status = ApprovalStatus.PENDING
    session.add(unverified)
    make_user(session, email="approved@school.example.org")
    session.commit()
    assert [user.id for user in vetting.pending_accounts(session)] == [waiting.id]


def test_approval_emails_once_and_is_audited(session: Session, staff: vetting.Actor) -> None:
    user = _pending(session)
    clock = Clock()
    for _ in range(2):  # a double click, or two colleagues at once
        vetting.approve(session, user_id=user.id or 0, actor=staff, settings=SETTINGS, clock=clock)
        session.commit()
    session.refresh(user)
    assert user.approval_status == ApprovalStatus.APPROVED and vetting.may_submit(user)
    mails = _mail_to(session, user.email)
    assert len(mails) == 1 and "approved" in mails[0].subject
    assert "https://portal.example.gov.uk/sign-in" in mails[0].text_body
    [line] = _audit(session, AuditAction.ACCOUNT_APPROVED)
    assert (line.actor_email, line.object_id, line.client_ip) == (staff.email, str(user.id), "198.51.100.7")


def test_rejection_needs_a_reason_closes_the_account_and_ends_its_sessions(
    session: Session, staff: vetting.Actor
) -> None:
    user = _pending(session)
    token = sessions.issue_ticket(session, user_id=user.id or 0)
    opened = sessions.redeem_ticket(session, ticket=token, settings=SETTINGS)
    session.commit()
    assert opened is not None

    with pytest.raises(vetting.VettingError, match="reason"):
        vetting.reject(session, user_id=user.id or 0, actor=staff, reason="   ", settings=SETTINGS)
    vetting.reject(
        session, user_id=user.id or 0, actor=staff, reason="Please register with your school email", settings=SETTINGS
    )
    session.commit()
    session.refresh(user)
    assert user.approval_status == ApprovalStatus.REJECTED and not user.is_active
    assert sessions.resolve(session, token=opened, settings=SETTINGS) is None
    [mail] = _mail_to(session, user.email)
    assert "Please register with your school email" in mail.text_body
    assert len(_audit(session, AuditAction.ACCOUNT_REJECTED)) == 1


def test_disable_ends_sessions_at_once_and_enable_restores_sign_in(session: Session, staff: vetting.Actor) -> None:
    user = make_user(session, email="pro@school.example.org")
    ticket = sessions.issue_ticket(session, user_id=user.id or 0)
    opened = sessions.redeem_ticket(session, ticket=ticket, settings=SETTINGS)
    session.commit()
    assert opened is not None and sessions.resolve(session, token=opened, settings=SETTINGS) is not None

    vetting.set_active(session, user_id=user.id or 0, active=False, actor=staff)
    session.commit()
    assert sessions.resolve(session, token=opened, settings=SETTINGS) is None
    refused = sign_in.check_password(session, email=user.email, password=PASSWORD, ip=IP, settings=SETTINGS)
    assert isinstance(refused, sign_in.PasswordRejected)

    vetting.set_active(session, user_id=user.id or 0, active=True, actor=staff)
    session.commit()
    accepted = sign_in.check_password(session, email=user.email, password=PASSWORD, ip=IP, settings=SETTINGS)
    assert isinstance(accepted, sign_in.PasswordAccepted)
    assert [len(_audit(session, a)) for a in (AuditAction.ACCOUNT_DISABLED, AuditAction.ACCOUNT_ENABLED)] == [1, 1]


def test_staff_cannot_disable_themselves(session: Session, staff: vetting.Actor) -> None:
    with pytest.raises(vetting.VettingError, match="your own"):
        vetting.set_active(session, user_id=staff.user_id, active=False, actor=staff)


def test_find_accounts_by_email_or_name(session: Session, staff: vetting.Actor) -> None:
    make_user(session, email="jo.bloggs@school.example.org", first_name="Jo", last_name="Bloggs")
    assert [u.email for u in vetting.find_accounts(session, text="BLOGGS")] == ["jo.bloggs@school.example.org"]
    assert [u.email for u in vetting.find_accounts(session, text="jo blo")] == ["jo.bloggs@school.example.org"]
    assert vetting.find_accounts(session, text="jo") == []  # too short to search


def test_sign_in_attempts_are_audited_without_typed_text_of_unknown_accounts(session: Session) -> None:
    user = make_user(session)
    sign_in.check_password(session, email=user.email, password="wrong password here", ip=IP, settings=SETTINGS)
    sign_in.check_password(session, email="my secret passphrase", password="x", ip=IP, settings=SETTINGS)
    session.commit()
    failures = _audit(session, AuditAction.SIGN_IN_FAILED)
    assert sorted(event.actor_email for event in failures) == ["", user.email]
    assert all(event.client_ip == IP and event.outcome == "refused" for event in failures)
    assert all("passphrase" not in str(event.detail) for event in failures)


def test_decisions_apply_only_to_waiting_accounts(session: Session, staff: vetting.Actor) -> None:
    # Vetting is no back door to disabling (that is for admins): an approved account cannot be "rejected".
    approved = make_user(session, email="working@school.example.org")
    with pytest.raises(vetting.VettingError, match="not waiting"):
        vetting.reject(session, user_id=approved.id or 0, actor=staff, reason="x", settings=SETTINGS)
    session.rollback()
    session.refresh(approved)
    assert approved.is_active and approved.approval_status == ApprovalStatus.APPROVED

    # Two colleagues at once: the second decision finds the account decided and changes nothing.
    waiting = _pending(session)
    vetting.reject(session, user_id=waiting.id or 0, actor=staff, reason="Not a professional", settings=SETTINGS)
    session.commit()
    with pytest.raises(vetting.VettingError, match="not waiting"):
        vetting.approve(session, user_id=waiting.id or 0, actor=staff, settings=SETTINGS)
    session.rollback()
    session.refresh(waiting)
    assert waiting.approval_status == ApprovalStatus.REJECTED and not waiting.is_active
    assert [m.category for m in _mail_to(session, waiting.email)] == ["account_rejected"]


def test_only_active_staff_can_decide(session: Session) -> None:
    waiting = _pending(session)
    professional = make_user(session, email="peer@school.example.org")
    with pytest.raises(vetting.VettingError, match="Only council staff"):
        vetting.approve(
            session,
            user_id=waiting.id or 0,
            actor=vetting.Actor(professional.id or 0, professional.email),
            settings=SETTINGS,
        )


def test_search_text_is_not_a_wildcard(session: Session, staff: vetting.Actor) -> None:
    make_user(session, email="someone@school.example.org")
    assert vetting.find_accounts(session, text="%%%") == []
    assert vetting.find_accounts(session, text="___") == []


def test_a_rejection_reason_with_an_address_is_refused_because_it_is_emailed(
    session: Session, staff: vetting.Actor
) -> None:
    user = _pending(session)
    with pytest.raises(vetting.VettingError, match="must not contain a web address"):
        vetting.reject(
            session, user_id=user.id or 0, actor=staff, reason="Verify at https://evil.example", settings=SETTINGS
        )
    assert _mail_to(session, user.email) == []
