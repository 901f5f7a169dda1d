"""What an authdaemond reply means on disk: group, ApisCP site, home and maildir.

The daemon answers with numbers and strings (uid, gid, HOME, MAILDIR). An admin
needs "admin2 → site2, /home/virtual/site2/fst/home/bar/ exists". On ApisCP the
gid's group `adminN` names the site `siteN`, and the HOME the daemon returns
(`/home/bar/`) is the path *inside* the site's composite filesystem, i.e.
`<virtual_root>/siteN/fst/home/bar/` on the host.

Every file check tolerates permission errors and says so in `notes` instead of
raising, because the tool is often run as a user who cannot see everything.
"""

from __future__ import annotations

import grp
import pwd
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

DEFAULT_VIRTUAL_ROOT = Path("/home/virtual")
_APISCP_SITE_GROUP = re.compile(r"^admin(\d+)$")


@dataclass(frozen=True)
class AccountContext:
    """The account as it exists on this machine, with notes on anything odd or unchecked."""

    uid: int
    gid: int
    group: str | None
    site: str | None
    site_id: int | None
    site_root: Path | None
    site_confirmed: bool
    home: str
    home_path: Path | None
    home_exists: bool
    home_owner: str | None
    maildir: str | None
    maildir_path: Path | None
    maildir_exists: bool
    notes: tuple[str, ...] = ()
    virtual_root: Path = DEFAULT_VIRTUAL_ROOT


class _State(Enum):
    PRESENT = "present"
    MISSING = "missing"
    DENIED = "denied"


def _probe(path: Path) -> _State:
    """`Path.exists()` raises on EACCES in Python 3.11; these checks must not."""
    try:
        path.stat()
    except PermissionError:
        return _State.DENIED
    except (OSError, ValueError):
        return _State.MISSING
    return _State.PRESENT


def _group_from_file(gid: int, group_file: Path, notes: list[str]) -> str | None:
    """Look the gid up in a group(5)-format file (the lab's stand-in for the real system)."""
    try:
        text = group_file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        notes.append(f"group file {group_file} cannot be read ({exc.strerror}); group unknown")
        return None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(":")
        if len(fields) >= 3 and fields[2].strip() == str(gid):
            return fields[0].strip() or None
    notes.append(f"gid {gid} is not in {group_file}")
    return None


def _group_from_nss(gid: int, notes: list[str]) -> str | None:
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        notes.append(f"gid {gid} has no group name on this system")
        return None


def _user_text(uid: int) -> str:
    """'bar (uid 21015)', or just 'uid 21015' when the uid has no name here."""
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (KeyError, OverflowError):
        return f"uid {uid}"


def _site_paths(path_text: str, site_root: Path | None, virtual_root: Path) -> list[Path]:
    """Where a daemon-side absolute path may live on the host: inside the site first."""
    literal = Path(path_text)
    candidates: list[Path] = []
    if site_root is not None and literal.is_absolute() and not literal.is_relative_to(virtual_root):
        candidates.append(site_root / "fst" / literal.relative_to(literal.anchor))
    candidates.append(literal)
    return candidates


def _first_present(candidates: list[Path], what: str, notes: list[str]) -> Path | None:
    for candidate in candidates:
        state = _probe(candidate)
        if state is _State.PRESENT:
            return candidate
        if state is _State.DENIED:
            notes.append(f"cannot check {what} {candidate}: permission denied")
    return None


def _with_slash(path: Path, like: str) -> str:
    """Show a path with the trailing slash the daemon's value had, so they read alike."""
    text = str(path)
    return text + "/" if like.endswith("/") and not text.endswith("/") else text


def account_context(
    uid: int,
    gid: int,
    home: str,
    maildir: str | None,
    group_file: Path | None = None,
    virtual_root: Path = DEFAULT_VIRTUAL_ROOT,
) -> AccountContext:
    """Resolve gid → group → site, and find the home and maildir on disk."""
    notes: list[str] = []

    group = (
        _group_from_file(gid, group_file, notes)
        if group_file is not None
        else _group_from_nss(gid, notes)
    )

    site: str | None = None
    site_id: int | None = None
    site_root: Path | None = None
    site_confirmed = False
    match = _APISCP_SITE_GROUP.match(group or "")
    if match:
        site_id = int(match.group(1))
        site = f"site{site_id}"
        state = _probe(virtual_root / site)
        if state is _State.PRESENT:
            site_root = virtual_root / site
            site_confirmed = True
        elif state is _State.DENIED:
            notes.append(f"cannot check {virtual_root / site}: permission denied")
        else:
            notes.append(f"group {group} suggests {site}, but {virtual_root / site} does not exist")

    home_path = _first_present(_site_paths(home, site_root, virtual_root), "home", notes)
    home_owner: str | None = None
    if home_path is not None:
        try:
            owner_uid = home_path.stat().st_uid
        except OSError:
            owner_uid = None
        if owner_uid is not None:
            home_owner = _user_text(owner_uid)
            if owner_uid != uid:
                notes.append(
                    f"home is owned by {home_owner}, but the account's uid is {uid}; "
                    "delivery runs as the account's uid"
                )
    elif home:
        notes.append(f"home {home} does not exist (or cannot be seen) on this machine")

    maildir_text = maildir.strip() if maildir and maildir.strip() else None
    maildir_path: Path | None = None
    if maildir_text is None:
        notes.append("no MAILDIR in the reply: maildrop uses its built-in default under HOME")
    elif Path(maildir_text).is_absolute():
        maildir_path = _first_present(
            _site_paths(maildir_text, site_root, virtual_root), "maildir", notes
        )
    elif home_path is not None:
        candidate = home_path / maildir_text
        maildir_path = _first_present([candidate], "maildir", notes)
    if maildir_text is not None and maildir_path is None and home_path is not None:
        notes.append(f"maildir {maildir_text} does not exist")
    if maildir_path is not None and not all(
        _probe(maildir_path / sub) is _State.PRESENT for sub in ("cur", "new", "tmp")
    ):
        notes.append(f"maildir {maildir_text} has no cur/, new/ and tmp/: not a maildir yet")

    return AccountContext(
        uid=uid,
        gid=gid,
        group=group,
        site=site,
        site_id=site_id,
        site_root=site_root,
        site_confirmed=site_confirmed,
        home=home,
        home_path=home_path,
        home_exists=home_path is not None,
        home_owner=home_owner,
        maildir=maildir_text,
        maildir_path=maildir_path,
        maildir_exists=maildir_path is not None,
        notes=tuple(notes),
        virtual_root=virtual_root,
    )


def describe_account(ctx: AccountContext) -> str:
    """One line for a lookup result, e.g. `group admin2 → site2 (/home/virtual/site2), ...`."""
    group_part = f"gid {ctx.gid} (no group name)" if ctx.group is None else f"group {ctx.group}"
    if ctx.site is not None:
        if ctx.site_confirmed and ctx.site_root is not None:
            group_part += f" → {ctx.site} ({ctx.site_root})"
        else:
            group_part += f" → {ctx.site} (no {ctx.virtual_root / ctx.site})"

    if ctx.home_path is not None:
        home_part = f"home {_with_slash(ctx.home_path, ctx.home)} exists"
        if ctx.home_owner is not None:
            home_part += f", owner {ctx.home_owner}"
    else:
        home_part = f"home {ctx.home or '(empty)'} missing"

    if ctx.maildir is None:
        maildir_part = "no maildir given"
    else:
        maildir_part = f"maildir {ctx.maildir} {'exists' if ctx.maildir_exists else 'missing'}"

    return f"{group_part}, {home_part}; {maildir_part}"
