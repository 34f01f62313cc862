"""The sign-in allow-list (analysis/access.py): who is let in, and a list that fails closed."""

from __future__ import annotations

import pytest

from analysis.access import AllowList, AllowListError

SECRETS = {
    "auth": {"client_id": "x"},
    "formatfit": {
        "allowed_emails": [" Lead@Example.org ", "coach@partner.com"],
        "allowed_domains": ["ld.example.org", "@Team.Example.com"],
    },
}


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("lead@example.org", True),  # listed, any case
        ("LEAD@EXAMPLE.ORG", True),
        ("coach@partner.com", True),
        ("other@partner.com", False),  # the address is listed, not its domain
        ("ana@ld.example.org", True),  # a listed domain
        ("ana@LD.Example.Org", True),
        ("bo@team.example.com", True),  # "@domain" is read as the domain
        ("x@example.org", False),  # a listed address's domain is not listed
        ("mallory@evil.ld.example.org", False),  # a sub-domain is another domain
        ("mallory@ld.example.org.evil.net", False),
        ("mallory@notld.example.org", False),
        ("ld.example.org", False),  # no "@"
        ("@ld.example.org", False),  # no local part
        ("a@b@ld.example.org", False),  # two "@"
        ("", False),
        (None, False),
        (42, False),
    ],
)
def test_who_is_let_in(email, allowed):
    """Addresses exactly, domains exactly after the last "@", case-insensitively."""
    assert AllowList.from_secrets(SECRETS).allows(email) is allowed


def test_an_address_the_provider_has_not_verified_is_refused():
    """email_verified false (bool or text) refuses; true or absent (Entra ID) lets in."""
    allow = AllowList.from_secrets(SECRETS)
    assert not allow.allows("lead@example.org", False)
    assert not allow.allows("lead@example.org", "false")
    assert allow.allows("lead@example.org", True)
    assert allow.allows("lead@example.org", None)


@pytest.mark.parametrize(
    "secrets",
    [
        {},
        {"formatfit": {}},
        {"formatfit": {"allowed_emails": [], "allowed_domains": []}},
        {"formatfit": {"allowed_emails": ["  "]}},
    ],
)
def test_no_list_lets_nobody_in(secrets):
    """Sign-in with no list at all, or an empty one, fails closed."""
    allow = AllowList.from_secrets(secrets)
    assert allow.empty
    assert not allow.allows("lead@example.org")


@pytest.mark.parametrize(
    "section",
    [
        {"allowed_emails": "lead@example.org, ana@example.org"},  # one string, not a list
        {"allowed_emails": ["example.org"]},  # a domain among the addresses
        {"allowed_domains": ["*.example.org"]},  # no wildcards
        {"allowed_domains": ["lead@example.org"]},  # an address among the domains
        {"allowed_domains": [42]},
        {"allowed_emails": {"lead": "lead@example.org"}},
    ],
)
def test_a_broken_list_is_an_error_that_names_the_setting(section):
    """A list the app cannot read is refused whole (the gate then lets nobody in)."""
    with pytest.raises(AllowListError, match=r"formatfit\.allowed_"):
        AllowList.from_secrets({"formatfit": section})


def test_a_single_address_may_be_written_without_brackets():
    """`allowed_emails = "lead@example.org"` is the one-address list it looks like."""
    allow = AllowList.from_secrets({"formatfit": {"allowed_emails": "lead@example.org"}})
    assert allow.allows("lead@example.org") and not allow.allows("ana@example.org")


def test_the_section_must_be_a_table():
    """`formatfit = "..."` instead of a [formatfit] section is an error, not an open door."""
    with pytest.raises(AllowListError, match=r"\[formatfit\]"):
        AllowList.from_secrets({"formatfit": "lead@example.org"})
