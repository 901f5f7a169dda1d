"""`authlib-tui explain`: what a pasted authdaemond, maildrop or Postfix pipe line means.

For each line it knows: the meaning, the cause, the check that confirms it and
the fix in this platform's commands; a line of normal work (a delivery, a
login, a start) is said to be normal, and the run ends with how many lines were
failures, normal or unknown. `-` reads a pasted excerpt or a whole log
from stdin. Exit 0 when at least one line was explained, 1 when none was, 64 on
bad usage. `--catalogue` prints docs/failures.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import path_flags
from tui.core.discovery.discover import discover
from tui.core.explain.failures_doc import render_failures_markdown
from tui.core.explain.line import Explanation, explain_lines, read_lines, uncompressed
from tui.core.explain.remedies import PlatformFacts
from tui.core.logs.rotated import READ_ERRORS
from tui.core.platforms.platform import Platform
from tui.core.safe_text import safe_text
from tui.core.settings import SettingsError, load_settings

EXIT_NONE_EXPLAINED = 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:  # argparse's _SubParsersAction
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "explain", help="explain pasted log lines: meaning, cause, check and fix",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("lines", nargs="*", metavar="LINE",
                        help="a log line (syslog, journald -o short, or the bare message); "
                        "`-` reads lines from stdin")
    parser.add_argument("--json", action="store_true", help="one JSON document, for tools")
    parser.add_argument("--platform", choices=[platform.value for platform in Platform],
                        help="give fixes for this platform instead of the one discovered")
    parser.add_argument("--catalogue", action="store_true",
                        help="print every known message as Markdown (docs/failures.md)")
    return parser


def _usage_error(message: str) -> int:
    print(f"authlib-tui explain: {message}", file=sys.stderr)
    return EXIT_USAGE


def _facts(args: argparse.Namespace) -> PlatformFacts:
    flags = path_flags(args)
    if args.platform:
        flags["platform"] = args.platform
    return PlatformFacts.from_discovery(discover(load_settings(flags)))


def _input_lines(args: argparse.Namespace, damage: list[str]) -> Iterator[str]:
    """The lines to explain; a damaged .gz on stdin ends them and leaves its reason in `damage`.

    A cut or corrupt archive (a copy taken while logrotate was still compressing it)
    still has its first lines explained, like `zcat` prints what it could read.
    """
    if args.lines == ["-"]:
        if sys.stdin.isatty():
            print("Paste the log lines, then Ctrl-D.", file=sys.stderr)
        try:
            yield from read_lines(uncompressed(sys.stdin.buffer))  # a .gz log piped in, too
        except READ_ERRORS as exc:
            damage.append(safe_text(str(exc), 200))
        return
    for argument in args.lines:
        yield from argument.splitlines() or [""]


def _platform_line(facts: PlatformFacts) -> str:
    given = facts.reason.startswith(("--", "env ", "config "))  # a setting, not discovery
    word = "assumed" if facts.assumed else "given" if given else "found"
    return f"Platform ({word}): {facts.label} — {facts.reason}"


def _write_text(out: TextIO, explanation: Explanation, facts: PlatformFacts) -> None:
    signature = explanation.signature
    out.write(f"\nline {explanation.line_number}: {explanation.line}\n")
    out.write(f"  {explanation.severity_label}  {signature.id}: {signature.short}\n")
    out.write(f"  Meaning: {signature.meaning}\n")
    if explanation.normal:
        return  # nothing is wrong: no cause, no fix
    out.write(f"  Cause:   {explanation.cause}\n")
    if explanation.confirm:
        out.write(f"  Confirm: {explanation.confirm}\n")
    out.write(f"  Fix ({facts.label}): {explanation.fix}\n")
    if signature.wizard_step:
        check = f", check {explanation.check}" if explanation.check else ""
        out.write(f"  Wizard: step {signature.wizard_step}{check}\n")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:  # `explain - < log | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    if args.catalogue:
        if args.lines:
            return _usage_error("give either --catalogue or lines to explain, not both.")
        sys.stdout.write(render_failures_markdown())
        return 0
    if not args.lines:
        return _usage_error("give a log line to explain, or `-` to read lines from stdin.")
    if "-" in args.lines and args.lines != ["-"]:
        return _usage_error("`-` reads stdin and cannot be mixed with lines given as arguments.")
    if not any(line.strip() for line in args.lines):
        return _usage_error("the line to explain is empty.")
    try:
        facts = _facts(args)
    except SettingsError as exc:
        return _usage_error(str(exc))
    out = sys.stdout
    explained = read = normal = 0
    if args.json:
        platform = {"id": facts.platform.value, "label": facts.label, "assumed": facts.assumed,
                    "reason": facts.reason}
        out.write('{"platform": ' + json.dumps(platform) + ', "explained": [')
    else:
        out.write(_platform_line(facts) + "\n")
    damage: list[str] = []
    for item in explain_lines(_input_lines(args, damage), facts):
        if isinstance(item, int):
            read = item
            continue
        if args.json:
            out.write(("," if explained else "") + "\n  " + json.dumps(item.as_dict()))
        else:
            _write_text(out, item, facts)
        explained += 1
        normal += item.normal
        out.flush()
    failures, unknown = explained - normal, read - explained
    if args.json:
        out.write(f'\n], "lines_read": {read}, "lines_explained": {explained}, '
                  f'"lines_failed": {failures}, "lines_normal": {normal}, '
                  f'"lines_unknown": {unknown}}}\n')
    else:
        lines = f"{read} line{'s' if read != 1 else ''}"
        out.write(f"\n{explained} of {lines} explained.\n"
                  f"{lines}: {failures} failure{'s' if failures != 1 else ''}, {normal} normal, "
                  f"{unknown} unknown.\n")
    if damage:
        out.flush()
        lines = f"{read} line{'s' if read != 1 else ''}"
        return _usage_error(f"the compressed log on stdin is damaged ({damage[0]}): "
                            f"only the {lines} before the damage were read.")
    return 0 if explained else EXIT_NONE_EXPLAINED
