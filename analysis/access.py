"""Who may see the data once sign-in is on: an allow-list of e-mail addresses and domains.

The list lives in `.streamlit/secrets.toml` beside the `[auth]` section:

    [formatfit]
    allowed_emails = ["ana@example.org"]
    allowed_domains = ["example.org"]

An address is allowed when it is on `allowed_emails`, or when the part after its "@" is one of
`allowed_domains` exactly (a sub-domain is a different domain: list it too). Addresses and
domains compare case-insensitively. An empty or broken list allows nobody: the app fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

ALLOW_SECTION = "formatfit"
EMAILS_KEY = "allowed_emails"
DOMAINS_KEY = "allowed_domains"
# One label of letters, digits and hyphens, then dot-separated labels: "example.org".
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
EMPTY_LIST = (
    f"Sign-in is on, but no one is allowed in yet: set `{EMAILS_KEY}` or `{DOMAINS_KEY}` in "
    f"the `[{ALLOW_SECTION}]` section of `.streamlit/secrets.toml`, then restart the app."
)
NO_SIGN_IN = (
    f"An allow-list is set in the `[{ALLOW_SECTION}]` section of `.streamlit/secrets.toml`, "
    "but sign-in is not (no `[auth]` section), so no one is let in rather than everyone. Add "
    "the `[auth]` section (README, *Sign-in*), or remove the allow-list to run the app open."
)
BROKEN_LIST = (
    f"Sign-in is on, but the allow-list in the `[{ALLOW_SECTION}]` section of "
    "`.streamlit/secrets.toml` cannot be read, so no one is let in. The server's log says "
    "which entry is wrong."
)


class AllowListError(ValueError):
    """The allow-list in the secrets file is not a list of addresses and domains."""


def _domain_of(address: str) -> str | None:
    """The domain of an e-mail address (after its only "@"), or None when it is not one."""
    local, at, domain = address.rpartition("@")
    if not at or not local or "@" in local or not _DOMAIN.match(domain):
        return None
    return domain


def _entries(section: Mapping, key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise AllowListError(f"{ALLOW_SECTION}.{key} must be a list of strings")
    return [v.strip().casefold() for v in value if v.strip()]


@dataclass(frozen=True)
class AllowList:
    """The addresses and domains let in; empty means nobody."""

    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def from_secrets(cls, secrets: Mapping) -> AllowList:
        """Read the `[formatfit]` section of the secrets; AllowListError names a bad entry."""
        section = secrets.get(ALLOW_SECTION, {})
        if not isinstance(section, Mapping):
            raise AllowListError(f"[{ALLOW_SECTION}] must be a section (a table)")
        emails = _entries(section, EMAILS_KEY)
        domains = [d.removeprefix("@") for d in _entries(section, DOMAINS_KEY)]
        for email in emails:
            if _domain_of(email) is None:
                raise AllowListError(f"{ALLOW_SECTION}.{EMAILS_KEY}: {email!r} is not an address")
        for domain in domains:
            if not _DOMAIN.match(domain):
                raise AllowListError(f"{ALLOW_SECTION}.{DOMAINS_KEY}: {domain!r} is not a domain")
        return cls(frozenset(emails), frozenset(domains))

    @staticmethod
    def written(secrets: Mapping) -> bool:
        """Whether the secrets hold an allow-list at all (even an unreadable one)."""
        section = secrets.get(ALLOW_SECTION)
        return section is not None and (
            not isinstance(section, Mapping) or EMAILS_KEY in section or DOMAINS_KEY in section
        )

    @property
    def empty(self) -> bool:
        """Whether nobody at all is let in."""
        return not self.emails and not self.domains

    def allows(self, email: object, email_verified: object = None) -> bool:
        """Whether this signed-in address may see the data.

        An address the identity provider says it has not verified (`email_verified` false) is
        refused: anyone could type it into an account of their own.
        """
        if not isinstance(email, str) or str(email_verified).casefold() == "false":
            return False
        address = email.strip().casefold()
        domain = _domain_of(address)
        if domain is None:
            return False
        return address in self.emails or domain in self.domains
