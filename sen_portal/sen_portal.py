"""The Reflex app: page registration and wiring only."""

import reflex as rx

from sen_portal import routes
from sen_portal.api.app import build_api
from sen_portal.api.security_headers import with_security_headers
from sen_portal.components.titles import EXPIRED_OR_USED, NOT_VALID, form_title, link_page_title, request_title, title
from sen_portal.config import get_settings
from sen_portal.pages.account import account_page as account_settings_page
from sen_portal.pages.account import maintenance_page
from sen_portal.pages.account_details import account_details_page
from sen_portal.pages.account_security import change_email_page, change_password_page, confirm_email_change_page
from sen_portal.pages.authenticator import authenticator_page
from sen_portal.pages.dashboard import dashboard_page
from sen_portal.pages.form_designer import forms_page, publish_page
from sen_portal.pages.form_editor import edit_page
from sen_portal.pages.form_item import item_page
from sen_portal.pages.form_preview import preview_page
from sen_portal.pages.home import home_page
from sen_portal.pages.info import accessibility_page, contact_page, not_found_page, privacy_page
from sen_portal.pages.lookup_lists import lookups_page
from sen_portal.pages.messages import messages_page, thread_page
from sen_portal.pages.password_reset import forgotten_password_page, reset_password_page
from sen_portal.pages.referral import (
    check_page,
    confirmation_page,
    my_requests_page,
    new_request_page,
    section_page,
    view_page,
)
from sen_portal.pages.register import (
    account_page,
    check_details_page,
    check_email_page,
    personal_details_page,
    work_details_page,
)
from sen_portal.pages.sign_in import sign_in_code_page, sign_in_page, signed_out_page
from sen_portal.pages.staff_accounts import staff_accounts_page
from sen_portal.pages.staff_audit import staff_audit_page
from sen_portal.pages.staff_inbox import staff_inbox_page
from sen_portal.pages.staff_notices import staff_notices_page
from sen_portal.pages.staff_referral import staff_referral_page
from sen_portal.pages.unsubscribe import unsubscribe_page
from sen_portal.pages.verify_email import verify_email_page
from sen_portal.services.outbox_runner import run_outbox_forever
from sen_portal.state.account import AccountState
from sen_portal.state.account_details import AccountDetailsState
from sen_portal.state.account_security import ChangeEmailState, ChangePasswordState, ConfirmEmailChangeState
from sen_portal.state.authenticator import AuthenticatorState
from sen_portal.state.dashboard import DashboardState
from sen_portal.state.errors import backend_exception_handler
from sen_portal.state.form_designer import FormsListState, PublishState
from sen_portal.state.form_editor import FormEditorState
from sen_portal.state.form_preview import FormPreviewState
from sen_portal.state.lookup_lists import LookupListsState
from sen_portal.state.messages import MessagesState, ThreadState
from sen_portal.state.my_requests import MyRequestsState
from sen_portal.state.notices import StaffNoticesState
from sen_portal.state.password_reset import ForgottenPasswordState, ResetPasswordState
from sen_portal.state.referral import ReferralState
from sen_portal.state.registration import RegistrationState
from sen_portal.state.sign_in import SignInState
from sen_portal.state.staff_accounts import StaffAccountsState
from sen_portal.state.staff_audit import StaffAuditState
from sen_portal.state.staff_inbox import StaffInboxState
from sen_portal.state.staff_referral import StaffReferralState
from sen_portal.state.unsubscribe import UnsubscribeState
from sen_portal.state.verify_email import VerifyEmailState

settings = get_settings()

app = rx.App(
    # The headers middleware wraps everything, the single-port frontend included.
    api_transformer=[build_api(), with_security_headers],
    stylesheets=["/portal.css"],
    html_lang="en-GB",
    head_components=[rx.el.meta(name="robots", content="noindex"), rx.el.script(src="/portal.js", defer=True)],
    backend_exception_handler=backend_exception_handler,
)
app.register_lifespan_task(run_outbox_forever)


app.add_page(home_page, route=routes.HOME, title=f"{settings.service_name} – {settings.council_name}")
app.add_page(accessibility_page, route=routes.ACCESSIBILITY, title=title("Accessibility statement"))
app.add_page(privacy_page, route=routes.PRIVACY, title=title("Privacy notice"))
app.add_page(contact_page, route=routes.CONTACT, title=title("Contact the SEN team"))
app.add_page(not_found_page, route="404", title=title("Page not found"))

# Registration
app.add_page(
    personal_details_page,
    route=routes.REGISTER,
    title=form_title("Your details – Create an account", RegistrationState),
)
app.add_page(
    account_page, route=routes.REGISTER_ACCOUNT, title=form_title("Your account – Create an account", RegistrationState)
)
app.add_page(
    work_details_page, route=routes.REGISTER_WORK, title=form_title("Your work – Create an account", RegistrationState)
)
app.add_page(
    check_details_page,
    route=routes.REGISTER_CHECK,
    title=form_title("Check your details – Create an account", RegistrationState),
    on_load=RegistrationState.check_page_loaded,
)
app.add_page(check_email_page, route=routes.REGISTER_CHECK_EMAIL, title=title("Check your email"))
app.add_page(
    verify_email_page,
    route=routes.VERIFY_EMAIL,
    title=link_page_title(
        VerifyEmailState,
        {"checking": "Activate your account", "valid": "Activate your account", "activated": "Your account is set up"}
        | EXPIRED_OR_USED,
        NOT_VALID,
    ),
    on_load=VerifyEmailState.load,
)

# Sign-in and the signed-in area
app.add_page(sign_in_page, route=routes.SIGN_IN, title=form_title("Sign in", SignInState), on_load=SignInState.load)
app.add_page(
    sign_in_code_page,
    route=routes.SIGN_IN_CODE,
    title=form_title("Enter your code", SignInState),
    on_load=SignInState.code_page_loaded,
)
app.add_page(signed_out_page, route=routes.SIGNED_OUT, title=title("You have signed out"))
app.add_page(dashboard_page, route=routes.DASHBOARD, title=title("Your dashboard"), on_load=DashboardState.load)
app.add_page(
    forgotten_password_page,
    route=routes.FORGOTTEN_PASSWORD,
    title=form_title("Reset your password", ForgottenPasswordState),
    on_load=ForgottenPasswordState.load,
)
app.add_page(
    reset_password_page,
    route=routes.RESET_PASSWORD,
    title=link_page_title(
        ResetPasswordState,
        {
            "checking": "Choose a new password",
            "valid": "Choose a new password",
            "done": "Your password has been changed",
        }
        | EXPIRED_OR_USED,
        NOT_VALID,
    ),
    on_load=ResetPasswordState.load,
)

# Account settings
app.add_page(account_settings_page, route=routes.ACCOUNT, title=title("Account settings"), on_load=AccountState.load)
app.add_page(
    account_details_page,
    route=routes.ACCOUNT_DETAILS,
    title=form_title("Change your details", AccountDetailsState),
    on_load=AccountDetailsState.load,
)
app.add_page(
    change_password_page,
    route=routes.ACCOUNT_PASSWORD,
    title=form_title("Change your password", ChangePasswordState),
    on_load=ChangePasswordState.load,
)
app.add_page(
    change_email_page,
    route=routes.ACCOUNT_EMAIL,
    title=form_title("Change your email address", ChangeEmailState),
    on_load=ChangeEmailState.load,
)
app.add_page(
    maintenance_page,
    route=routes.ACCOUNT_MAINTENANCE,
    title=title("Emails about maintenance"),
    on_load=AccountState.load_maintenance,
)
app.add_page(
    authenticator_page,
    route=routes.ACCOUNT_AUTHENTICATOR,
    title=title("Authenticator app"),
    on_load=AuthenticatorState.load,
)
app.add_page(
    confirm_email_change_page,
    route=routes.CONFIRM_EMAIL_CHANGE,
    title=link_page_title(
        ConfirmEmailChangeState,
        {
            "checking": "Confirm your new email address",
            "valid": "Confirm your new email address",
            "changed": "Your email address has been changed",
        }
        | EXPIRED_OR_USED,
        NOT_VALID,
    ),
    on_load=ConfirmEmailChangeState.load,
)

# Requests (forms drawn from their definitions)
app.add_page(my_requests_page, route=routes.MY_REFERRALS, title=title("Your requests"), on_load=MyRequestsState.load)
app.add_page(new_request_page, route=routes.NEW_REFERRAL, title=title("Start a request"), on_load=ReferralState.start)
app.add_page(
    section_page,
    route=routes.REFERRAL_SECTION,
    title=request_title(ReferralState, ReferralState.section_title),
    on_load=ReferralState.load_section,
)
app.add_page(
    check_page,
    route=routes.REFERRAL_CHECK,
    title=request_title(ReferralState, "Check your answers"),
    on_load=ReferralState.load_check,
)
app.add_page(
    confirmation_page,
    route=routes.REFERRAL_CONFIRMATION,
    title=request_title(ReferralState, "Request sent"),
    on_load=ReferralState.load_view,
)
app.add_page(
    view_page,
    route=routes.REFERRAL_VIEW,
    title=request_title(ReferralState, "Request " + ReferralState.reference),
    on_load=ReferralState.load_view,
)

# Staff pages (their handlers re-check the role; professionals are refused and audited).
app.add_page(
    staff_accounts_page,
    route=routes.STAFF_ACCOUNTS,
    title=form_title("Accounts", StaffAccountsState),
    on_load=StaffAccountsState.load,
)
# Council staff (caseworkers and admins; every handler re-checks the role)
app.add_page(staff_inbox_page, route=routes.STAFF_INBOX, title=title("Referrals"), on_load=StaffInboxState.load)
app.add_page(staff_referral_page, route=routes.STAFF_REFERRAL, title=title("Referral"), on_load=StaffReferralState.load)
app.add_page(staff_audit_page, route=routes.STAFF_AUDIT, title=title("Audit log"), on_load=StaffAuditState.load)

# Portal messages and maintenance notices
app.add_page(messages_page, route=routes.MESSAGES, title=title("Messages"), on_load=MessagesState.load)
app.add_page(
    thread_page,
    route=routes.MESSAGE_THREAD,
    title=form_title("Messages about a request", ThreadState),
    on_load=ThreadState.load,
)
app.add_page(
    staff_notices_page,
    route=routes.STAFF_NOTICES,
    title=form_title("Maintenance notices", StaffNoticesState),
    on_load=StaffNoticesState.load,
)
app.add_page(
    unsubscribe_page,
    route=routes.UNSUBSCRIBE,
    title=title("Unsubscribe from maintenance emails"),
    on_load=UnsubscribeState.load,
)
# Form designer and lookup lists (admins only)
app.add_page(forms_page, route=routes.STAFF_FORMS, title=title("Forms"), on_load=FormsListState.load)
app.add_page(edit_page, route=routes.STAFF_FORM_EDIT, title=title("Edit form"), on_load=FormEditorState.load)
app.add_page(item_page, route=routes.STAFF_FORM_ITEM, title=title("Edit question"), on_load=FormEditorState.load_item)
app.add_page(preview_page, route=routes.STAFF_FORM_PREVIEW, title=title("Preview form"), on_load=FormPreviewState.load)
app.add_page(publish_page, route=routes.STAFF_FORM_PUBLISH, title=title("Publish form"), on_load=PublishState.load)
app.add_page(lookups_page, route=routes.STAFF_LOOKUPS, title=title("Lookup lists"), on_load=LookupListsState.load)
