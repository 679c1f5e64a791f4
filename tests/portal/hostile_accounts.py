"""The hostile-input walk's targets for accounts (allauth's pages and the person's own)."""

from django.urls import reverse

from tests.portal.hostile import Target


def account_targets(member):
    """Accounts (allauth's pages and the person's own): sign-in, sign-up, email, password,
    two-factor and single sign-on."""
    login = {"login": "x@example.org", "password": "p"}
    signup = {"email": "x@example.org", "password1": "p", "password2": "p"}
    password = {"oldpassword": "p", "password1": "p", "password2": "p"}
    signed_in = [
        "accounts:home",
        "account_email",
        "account_reauthenticate",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "mfa_reauthenticate_webauthn",
        "account_set_password",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "socialaccount_connections",
    ]
    targets = {
        name: [Target(reverse(name), ["next"], ["code"], user=member)] for name in signed_in
    }
    targets.update(
        {
            "accounts:request_access": [
                Target(
                    "/account/request-access/",
                    [],
                    ["organisation", "reason"],
                    {"reason": "I work there"},
                    user=member,
                )
            ],
            "accounts:export": [Target("/account/data.json", user=member)],
            "accounts:reconfirm": [Target("/account/reconfirm/x/", [], ["x"], {"x": "1"})],
            # GET only: a valid POST would delete the account the walk signs in as.
            "accounts:delete": [Target("/account/delete/", user=member)],
            "account_login": [Target("/account/login/", ["next"], list(login), login)],
            "account_logout": [Target("/account/logout/", ["next"], ["next"])],
            "account_inactive": [Target("/account/inactive/")],
            "account_signup": [Target("/account/signup/", ["next"], list(signup), signup)],
            "account_email_verification_sent": [Target("/account/confirm-email/")],
            "account_confirm_email": [Target("/account/confirm-email/x:1:y/", [], ["key"])],
            "account_change_password": [
                Target("/account/password/change/", [], list(password), password, user=member)
            ],
            "account_reset_password": [
                Target("/account/password/reset/", [], ["email"], {"email": "x@example.org"})
            ],
            "account_reset_password_done": [Target("/account/password/reset/done/")],
            "account_reset_password_from_key": [
                Target("/account/password/reset/key/1-set-password/", [], ["password1"])
            ],
            "account_reset_password_from_key_done": [Target("/account/password/reset/key/done/")],
            "account_confirm_login_code": [Target("/account/login/code/confirm/", [], ["code"])],
            "mfa_authenticate": [Target("/account/2fa/authenticate/", [], ["code"])],
            "mfa_remove_webauthn": [Target("/account/2fa/webauthn/keys/1/remove/", user=member)],
            "mfa_edit_webauthn": [Target("/account/2fa/webauthn/keys/1/edit/", user=member)],
            "socialaccount_login_cancelled": [Target("/account/3rdparty/login/cancelled/")],
            "socialaccount_login_error": [Target("/account/3rdparty/login/error/")],
            "socialaccount_signup": [Target("/account/3rdparty/signup/", [], ["email"])],
            "openid_connect_login": [Target("/account/oidc/nobody/login/", ["process", "next"])],
            "openid_connect_callback": [
                Target("/account/oidc/nobody/login/callback/", ["code", "state", "error"])
            ],
        }
    )
    # allauth's old addresses for the single sign-on pages, kept for links in old emails.
    for route in ["login/cancelled/", "login/error/", "signup/", "connections/"]:
        targets[f"account/social/{route}"] = [Target(f"/account/social/{route}")]
    return targets
