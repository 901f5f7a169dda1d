"""`authlib-tui train`: practise incidents on the real lab (root).

    authlib-tui train                 the scenarios, with difficulty and what each practises
    authlib-tui train SCENARIO        start one: the lab breaks, you get the symptom and the app
    authlib-tui train --random        a scenario you did not choose
    authlib-tui train --history       everyone's results on this machine
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.core.training.scenarios import SCENARIOS, SCENARIOS_BY_ID
from tui.core.training.session import default_history_path, history_problem, read_history
from tui.core.training.shipped_recordings import shipped_scenarios


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train", help="practise incidents on the built-in lab (root)", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", nargs="?", help="a scenario id (see `authlib-tui train`)")
    parser.add_argument("--random", action="store_true", help="pick a scenario at random")
    parser.add_argument("--history", action="store_true", help="print the training history")
    parser.add_argument("--history-file", type=Path, default=None,
                        help=f"the history (default {default_history_path()})")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the lab")
    return parser


def _list() -> int:
    print("Scenarios (authlib-tui train ID, or --random):\n")
    recorded = set(shipped_scenarios())
    for scenario in SCENARIOS:
        mark = "▶" if scenario.id in recorded else " "
        print(f"{mark} {scenario.id:26} {scenario.difficulty:7} {scenario.practises}")
    print("\n▶ a recording of the incident on a real lab ships with it: "
          "authlib-tui replay --scenario ID")
    return 0


def _history(path: Path) -> int:
    results = read_history(path)
    if not results:
        print(f"No training results in {path} yet.")
        return 0
    print(f"{'started':25} {'trainee':12} {'scenario':26} {'answer':26} right  diag   fix  hints")
    for r in results:
        diag = "–" if r.seconds_to_diagnosis is None else f"{r.seconds_to_diagnosis:.0f}s"
        fix = "–" if r.seconds_to_fix is None else f"{r.seconds_to_fix:.0f}s"
        print(f"{r.started:25} {r.trainee[:12]:12} {r.scenario:26} {(r.diagnosis or '–'):26} "
              f"{'yes' if r.right else 'no':5} {diag:>5} {fix:>5} {r.hints_used:>5}"
              + ("  (abandoned)" if r.abandoned else ""))
    return 0


def run(args: argparse.Namespace) -> int:
    history = args.history_file or default_history_path()
    if args.history:
        return _history(history)
    if args.scenario is None and not args.random:
        return _list()
    if args.random:
        scenario = random.choice(SCENARIOS)
    elif args.scenario in SCENARIOS_BY_ID:
        scenario = SCENARIOS_BY_ID[args.scenario]
    else:
        print(f"authlib-tui: no scenario {args.scenario!r}; `authlib-tui train` lists them",
              file=sys.stderr)
        return EXIT_USAGE
    if os.geteuid() != 0:
        print("authlib-tui: training runs the real lab, which needs root", file=sys.stderr)
        return EXIT_USAGE
    problem = history_problem(history)
    if problem is not None:
        print(f"authlib-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from tui.app.run import run_training_app
    from tui.lab.training import finish_training, start_training

    lab, session = start_training(scenario, args.dir)
    try:
        print(f"Lab ready in {lab.root}. In another terminal, a shell at ApisCP's paths with "
              f"cpcmd/upcp: authlib-tui lab --dir {lab.root} shell")
        run_training_app(str(lab.settings_file), session)
    finally:
        result = finish_training(lab, session, history)
    verdict = "right" if result.right else "wrong"
    print(f"{scenario.id}: diagnosis {verdict} ({result.diagnosis or 'none'}), "
          f"fixed: {'yes' if result.fixed else 'no'}, hints {result.hints_used}; "
          f"recorded in {history}. The lab is gone.")
    return 0
