"""authpgsqlrc as authlib's shared config file loader reads it: marker, keys, the file."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.pattern_parts import FILE
from tui.core.logs.catalogue.programs import AUTHLIB
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import BOOTSTRAP_FIX, Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "marker-missing-kept-old",
        rf"^marker line not found in {FILE} will try again later",
        Severity.ERROR,
        "authpgsqlrc changed and lost its ##NAME: MARKER: line; workers that had loaded it keep "
        "the old settings, fresh workers fail every lookup.",
        wizard_step=WizardStep.AUTHPGSQLRC_MARKER,
        short="authpgsqlrc lost its MARKER line; old settings kept",
        sources=(
            Source(AUTHLIB, "authconfigfile.cpp",
                   "marker line not found in %s will try again later"),
        ),
        examples=("marker line not found in /etc/courier/authpgsqlrc will try "
                  "again later",),
        remedy=Remedy(
            "{authpgsqlrc} was changed and lost its `##NAME: MARKER:` line; running workers keep "
            "the old settings, new ones fail.",
            "`grep -n '^##NAME: MARKER:' {authpgsqlrc}`",
            "Put `##NAME: MARKER:0` back in {authpgsqlrc} (usually after the last setting), then "
            "`{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "marker-missing",
        rf"^marker line not found in {FILE}(?:\s|$)",
        Severity.ERROR,
        "authpgsqlrc has no ##NAME: MARKER: line, so authpgsql refuses it and every lookup "
        "fails (usually sysconftool was not run after an upgrade).",
        wizard_step=WizardStep.AUTHPGSQLRC_MARKER,
        short="authpgsqlrc has no ##NAME: MARKER: line",
        sources=(
            Source(AUTHLIB, "authconfigfile.cpp",
                   "marker line not found in %s (probably forgot to run sysconftool after an "
                   "upgrade)"),
        ),
        examples=("marker line not found in /etc/courier/authpgsqlrc (probably forgot to "
                  "run sysconftool after an upgrade)",),
        remedy=Remedy(
            "{authpgsqlrc} has no `##NAME: MARKER:` line (sysconftool was not run after an "
            "upgrade, or the file was written by hand).",
            "`grep -n '^##NAME: MARKER:' {authpgsqlrc}`",
            "Add `##NAME: MARKER:0` to {authpgsqlrc}, then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "pgsql-connection-missing",
        rf"^PGSQL_CONNECTION not found in {FILE}$",
        Severity.ERROR,
        "authpgsqlrc has no PGSQL_CONNECTION; authlib 0.67+ ignores the old PGSQL_HOST/"
        "PGSQL_USERNAME/PGSQL_PASSWORD keys.",
        wizard_step=WizardStep.AUTHPGSQLRC_OLD_KEYS,
        short="no PGSQL_CONNECTION (old PGSQL_HOST-style file?)",
        sources=(Source(AUTHLIB, "authconfigfile.cpp", "%s not found in %s"),),
        examples=("PGSQL_CONNECTION not found in /etc/courier/authpgsqlrc",),
        remedy=Remedy(
            "{authpgsqlrc} has no PGSQL_CONNECTION; authlib 0.67+ ignores the old PGSQL_HOST/"
            "PGSQL_USERNAME/PGSQL_PASSWORD keys.",
            "`authlib-tui check` (config-old-keys).",
            "Replace the old keys with one `PGSQL_CONNECTION host=… port=… user=… password=… "
            "dbname=…` line in {authpgsqlrc}, then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "pgsql-required-key-missing",
        rf"^PGSQL_(?:USER_TABLE|CRYPT_PWFIELD) not found in {FILE}$",
        Severity.ERROR,
        "authpgsqlrc lacks PGSQL_USER_TABLE or PGSQL_CRYPT_PWFIELD, required unless all three "
        "custom SELECT clauses are set.",
        wizard_step=WizardStep.AUTHPGSQLRC_REQUIRED_KEYS,
        short="authpgsqlrc lacks a required key",
        sources=(Source(AUTHLIB, "authconfigfile.cpp", "%s not found in %s"),),
        examples=("PGSQL_USER_TABLE not found in /etc/courier/authpgsqlrc",),
        remedy=Remedy(
            "{authpgsqlrc} lacks PGSQL_USER_TABLE or PGSQL_CRYPT_PWFIELD, which are needed unless "
            "all three custom SELECT clauses are set.",
            "`authlib-tui check` (config-connection).",
            "Add the key (or the custom clauses) to {authpgsqlrc}, then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "pgsql-old-key-missing",
        r"^authpgsql: PGSQL_\w+ (?:and PGSQL_\w+ )?not set in ",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql misses a required authpgsqlrc key.",
        wizard_step=WizardStep.AUTHPGSQLRC_REQUIRED_KEYS,
        short="old authpgsql misses an authpgsqlrc key",
        sources=(
            Source(AUTHLIB, "authpgsqllib.c (0.66)", "authpgsql: PGSQL_USERNAME not set in %s"),
        ),
        examples=("authpgsql: PGSQL_USERNAME not set in /etc/authlib/authpgsqlrc.",),
        remedy=Remedy(
            "An old authpgsql misses a key it requires in {authpgsqlrc}.",
            "`grep ^PGSQL_ {authpgsqlrc}`",
            "Add the key named in the line to {authpgsqlrc}, then `{restart}`.",
        ),
    ),
    Signature(
        "config-file-missing",
        r"^stat\((?P<file>.+)\) failed",
        Severity.ERROR,
        "A module's config file (e.g. authpgsqlrc) does not exist at the path authlib was built "
        "with.",
        wizard_step=WizardStep.CONFIG_FILE_ACCESS,
        short="module config file does not exist",
        sources=(Source(AUTHLIB, "authconfigfile.cpp", "stat(%s) failed"),),
        examples=("stat(/etc/courier/authpgsqlrc) failed",),
        remedy=Remedy(
            "The module's config file is not where authlib was built to look (a package split, or "
            "the file was moved).",
            "`ls -l` the path in the line.",
            "Restore the file at that path (the package's example is authpgsqlrc.dist), then "
            "`{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "config-file-unreadable",
        rf"^Cannot open {FILE}$",
        Severity.ERROR,
        "A module's config file exists but authdaemond cannot read it (mode or owner).",
        wizard_step=WizardStep.CONFIG_FILE_ACCESS,
        short="module config file unreadable by authdaemond",
        sources=(Source(AUTHLIB, "authconfigfile.cpp", "Cannot open %s"),),
        examples=("Cannot open /etc/courier/authpgsqlrc",),
        remedy=Remedy(
            "authdaemond cannot read the module's config file: its mode or owner changed.",
            "`ls -l` the path in the line; authdaemond reads it as root or {mail_user}.",
            "`chown root:{mail_group}` and `chmod 0640` the file, then `{restart}`.",
        ),
    ),
)

FAMILY = Family("authpgsqlrc", Channel.AUTHDAEMOND, SIGNATURES)
