"""Builders for sign-in and account emails (codes, locks, resets, changes). Pure, like ``builders``.

None of them carries child data; codes and links appear only in the body, never
in the subject (which shows on lock screens and in notification previews).
"""

from __future__ import annotations

from sen_portal.email.builders import Branding, render
from sen_portal.email.message import EmailMessage


def login_code_email(
    *, to: str, first_name: str, code: str, expires_in_minutes: int, reset_link: str, branding: Branding
) -> EmailMessage:
    return render(
        "login_code",
        to=to,
        subject=f"Your sign-in code for the {branding.service_name}",
        category="login_code",
        branding=branding,
        first_name=first_name,
        code=code,
        expires_in_minutes=expires_in_minutes,
        reset_link=reset_link,
    )


def sign_in_locked_email(*, to: str, first_name: str, reset_link: str, branding: Branding) -> EmailMessage:
    return render(
        "sign_in_locked",
        to=to,
        subject=f"Someone tried to sign in to your {branding.service_name} account",
        category="sign_in_locked",
        branding=branding,
        first_name=first_name,
        reset_link=reset_link,
    )


def password_reset_email(
    *, to: str, first_name: str, link: str, expires_in_minutes: int, branding: Branding
) -> EmailMessage:
    return render(
        "password_reset",
        to=to,
        subject=f"Reset your password for the {branding.service_name}",
        category="password_reset",
        branding=branding,
        first_name=first_name,
        link=link,
        expires_in_minutes=expires_in_minutes,
    )


def set_password_email(
    *, to: str, first_name: str, link: str, expires_in_hours: int, branding: Branding
) -> EmailMessage:
    """A staff account was created for ``to``: choose a password to start using it."""
    return render(
        "set_password",
        to=to,
        subject=f"Set up your {branding.service_name} account",
        category="set_password",
        branding=branding,
        first_name=first_name,
        link=link,
        expires_in_hours=expires_in_hours,
    )


def password_changed_email(*, to: str, first_name: str, reset_link: str, branding: Branding) -> EmailMessage:
    return render(
        "password_changed",
        to=to,
        subject=f"Your {branding.service_name} password has been changed",
        category="password_changed",
        branding=branding,
        first_name=first_name,
        reset_link=reset_link,
    )


def email_change_confirm_email(
    *, to: str, first_name: str, link: str, expires_in_hours: int, branding: Branding
) -> EmailMessage:
    """To the *new* address: the link that makes the change."""
    return render(
        "email_change_confirm",
        to=to,
        subject=f"Confirm your new email address for the {branding.service_name}",
        category="email_change_confirm",
        branding=branding,
        first_name=first_name,
        link=link,
        expires_in_hours=expires_in_hours,
    )


def email_change_requested_email(
    *, to: str, first_name: str, masked_new_email: str, reset_link: str, branding: Branding
) -> EmailMessage:
    """To the *old* address: someone asked to move the account to another address."""
    return render(
        "email_change_requested",
        to=to,
        subject=f"A change of email address was requested for your {branding.service_name} account",
        category="email_change_requested",
        branding=branding,
        first_name=first_name,
        masked_new_email=masked_new_email,
        reset_link=reset_link,
    )


def email_in_use_email(*, to: str, branding: Branding) -> EmailMessage:
    """To an address that already has an account, instead of telling the requester it is taken."""
    return render(
        "email_in_use",
        to=to,
        subject=f"Your email address and the {branding.service_name}",
        category="email_in_use",
        branding=branding,
    )


def two_factor_email(
    *, to: str, first_name: str, change: str, remaining_codes: int, reset_link: str, branding: Branding
) -> EmailMessage:
    """``change`` is "enabled", "disabled" or "recovery_code_used"."""
    if change not in {"enabled", "disabled", "recovery_code_used"}:
        raise ValueError(f"unknown two-factor change {change!r}")
    return render(
        "two_factor",
        to=to,
        subject=f"Security settings changed on your {branding.service_name} account",
        category=f"two_factor_{change}",
        branding=branding,
        first_name=first_name,
        change=change,
        remaining_codes=remaining_codes,
        reset_link=reset_link,
    )


def account_approved_email(*, to: str, first_name: str, link: str, branding: Branding) -> EmailMessage:
    return render(
        "account_approved",
        to=to,
        subject=f"Your {branding.service_name} account has been approved",
        category="account_approved",
        branding=branding,
        first_name=first_name,
        link=link,
    )


def account_rejected_email(*, to: str, first_name: str, reason: str, branding: Branding) -> EmailMessage:
    return render(
        "account_rejected",
        to=to,
        subject=f"Your {branding.service_name} account request",
        category="account_rejected",
        branding=branding,
        first_name=first_name,
        reason=reason,
    )
