"""The `nlstate` command line. Data goes to stdout, messages to stderr.

Exit codes: 0 success / in sync; 2 changes pending or drift; 1 error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import select
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from nlstate import __version__
from nlstate.collector import paused_gc
from nlstate.netlink import NetlinkError
from nlstate.output import render

if TYPE_CHECKING:
    from nlstate.model import State

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
# apply lists the steps of plans up to this long; longer ones are outlined (by action and
# type of object) unless --all-steps, and show progress on a terminal
LONG_PLAN = 200

log = logging.getLogger("nlstate")


def _add_common(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("--netns", metavar="NAME",
                        help="work in network namespace NAME (/run/netns/NAME)")
    parser.add_argument("-o", "--output", choices=formats, default=formats[0],
                        help=f"output format (default {formats[0]})")


def cmd_show(args: argparse.Namespace) -> int:
    from nlstate.observe import observe

    state = observe(args.netns, include_kernel=args.all)
    if args.exact:
        from nlstate.observe.exact import exact_document

        sys.stdout.write(render(exact_document(state), args.output))
    else:
        sys.stdout.write(render(state.document(), args.output))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from nlstate.load import LoadError, file_name, load_file

    failed = False
    for path in args.files:
        try:
            state = load_file(path)
        except LoadError as exc:
            failed = True
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        print(f"{file_name(path)}: valid ({_summary(state)})", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    from nlstate.diff import diff
    from nlstate.load import LoadError, file_name, load_file, load_text, read_file
    from nlstate.observe import observe
    from nlstate.plan import PlanError, make_plan

    try:
        text = read_file(args.file)
        desired = load_text(text, file_name(args.file))
        current = (load_file(args.current) if args.current
                   else observe(args.netns, include_kernel=False))
    except LoadError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    result = diff(desired, current, allow_recreate=args.allow_recreate)
    if result.conflicts:
        for conflict in result.conflicts:
            print(f"nlstate: conflict: {conflict}", file=sys.stderr)
        return EXIT_ERROR
    try:
        plan = make_plan(result, current)
    except PlanError as exc:
        for line in str(exc).splitlines():
            print(f"nlstate: {line}", file=sys.stderr)
        return EXIT_ERROR
    if args.output == "json":
        sys.stdout.write(json.dumps(plan.document(), indent=2) + "\n")
        print(plan.summary(), file=sys.stderr)
    else:
        sys.stdout.write(plan.text(highlight=sys.stdout.isatty()))
    if args.out:
        saved = {**plan.document(), "file": file_name(args.file), "desired": text,
                 "allow-recreate": args.allow_recreate, "netns": args.netns}
        try:
            Path(args.out).write_text(json.dumps(saved, indent=2) + "\n")
        except OSError as exc:
            print(f"nlstate: the plan cannot be saved to {args.out}: {exc.strerror}",
                  file=sys.stderr)
            return EXIT_ERROR
        print(f"nlstate: plan saved to {args.out}", file=sys.stderr)
    return EXIT_CHANGES if plan.steps else EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    from nlstate.apply.lock import LockBusyError, namespace_lock
    from nlstate.apply.pending import (
        PendingError,
        arm,
        disarm,
        read_pending,
        refuse_if_pending,
    )
    from nlstate.apply.run import ApplyError, Source, StalePlanError, apply_state
    from nlstate.apply.undo import Snapshot
    from nlstate.load import LoadError, file_name, load_text, read_file
    from nlstate.plan import Plan, PlanError

    fingerprint = None
    allow_recreate = args.allow_recreate
    if args.plan and args.file:
        print("nlstate: apply takes FILE or --plan PLAN.json, not both (a saved plan holds "
              "the file it was made from)", file=sys.stderr)
        return EXIT_ERROR
    try:
        if args.plan:
            try:
                saved = json.loads(read_file(args.plan))
                source = Source(saved["desired"], saved["file"])
                fingerprint = saved["fingerprint"]
            except (ValueError, TypeError, KeyError) as exc:
                print(f"nlstate: {file_name(args.plan)}: not a plan saved by `nlstate plan "
                      f"--out` ({type(exc).__name__}: {exc})", file=sys.stderr)
                return EXIT_ERROR
            allow_recreate = bool(saved.get("allow-recreate"))
        elif args.file:
            source = Source(read_file(args.file), file_name(args.file))
        else:
            print("nlstate: apply needs FILE (- for standard input) or --plan PLAN.json",
                  file=sys.stderr)
            return EXIT_ERROR
        desired = load_text(source.text, source.filename)
    except LoadError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR

    progress = _Progress(enabled=sys.stderr.isatty())

    def show(plan: Plan) -> None:
        if not plan.steps:
            return
        long_plan = len(plan.steps) > LONG_PLAN
        if args.output == "json":
            sys.stdout.write(json.dumps(plan.document(), indent=2) + "\n")
        elif long_plan and not args.all_steps:
            sys.stdout.write(plan.outline())
            print(f"nlstate: {len(plan.steps)} steps, not listed (`nlstate plan` lists them, "
                  "as does apply --all-steps)", file=sys.stderr)
        else:
            sys.stdout.write(plan.text(highlight=sys.stdout.isatty()))
        sys.stdout.flush()
        progress.total = len(plan.steps) if long_plan else 0

    def arm_reverter(snapshot: Snapshot) -> None:
        arm(snapshot, args.netns, args.confirm_within)

    try:
        with namespace_lock(args.netns, args.wait):
            refuse_if_pending(args.netns)
            try:
                outcome = apply_state(desired, args.netns, allow_recreate=allow_recreate,
                                      source=source, fingerprint=fingerprint, on_plan=show,
                                      before_write=(arm_reverter if args.confirm_within
                                                    is not None else None),
                                      progress=progress)
            except ApplyError as exc:
                progress.close()
                if exc.rolled_back and read_pending(args.netns) is not None:
                    disarm(args.netns)  # back as before: nothing left to revert
                raise
    except (ApplyError, StalePlanError, LockBusyError, PlanError, PendingError) as exc:
        _error(exc)
        return EXIT_ERROR
    progress.close()
    if not outcome.plan.steps:
        print("nlstate: nothing to do: the state matches the file", file=sys.stderr)
        return EXIT_OK
    print(f"nlstate: applied {outcome.done} step(s); the state matches the file",
          file=sys.stderr)
    if args.confirm_within is not None:
        return _await_confirmation(args.netns, args.confirm_within)
    return EXIT_OK


class _Progress:
    """Steps done so far, on one line of a terminal (stderr) that is rewritten at most ten
    times a second; nothing when `total` is 0 (a short plan) or not enabled."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.total = 0
        self._shown_at = 0.0
        self._shown = False

    def __call__(self, done: int) -> None:
        if not (self.enabled and self.total):
            return
        now = time.monotonic()
        if now - self._shown_at < 0.1 and done < self.total:
            return
        self._shown_at = now
        self._shown = True
        sys.stderr.write(f"\rnlstate: applying: {done}/{self.total} steps "
                         f"({100 * done // self.total}%)")
        sys.stderr.flush()

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            self._shown = False


def _await_confirmation(netns: str | None, seconds: float) -> int:
    again = f"nlstate confirm{f' --netns {netns}' if netns else ''}"
    if not sys.stdin.isatty():
        print(f"nlstate: it is reverted in {seconds:g} s unless confirmed: `{again}`",
              file=sys.stderr)
        return EXIT_OK
    print(f"nlstate: press Enter within {seconds:g} s to keep it (or run `{again}`); "
          "otherwise it is reverted", file=sys.stderr)
    ready, _, _ = select.select([sys.stdin], [], [], seconds)
    if not ready:
        print("nlstate: not confirmed: it is being reverted", file=sys.stderr)
        return EXIT_ERROR
    sys.stdin.readline()
    from nlstate.apply.pending import disarm

    return _pending_action(netns, 10.0, disarm, "confirmed")


def cmd_confirm(args: argparse.Namespace) -> int:
    from nlstate.apply.pending import disarm

    return _pending_action(args.netns, args.wait, disarm, "confirmed: the change stays")


def cmd_rollback(args: argparse.Namespace) -> int:
    from nlstate.apply.pending import roll_back_now

    return _pending_action(args.netns, args.wait, roll_back_now,
                           "rolled back: the state is as it was before the change")


def _pending_action(netns: str | None, wait: float, action: Callable[[str | None], None],
                    done: str) -> int:
    """Confirm or roll back the change awaiting confirmation, under the namespace's lock."""
    from nlstate.apply.lock import LockBusyError, namespace_lock
    from nlstate.apply.pending import PendingError

    try:
        with namespace_lock(netns, wait):
            action(netns)
    except (PendingError, LockBusyError) as exc:
        _error(exc)
        return EXIT_ERROR
    print(f"nlstate: {done}", file=sys.stderr)
    return EXIT_OK


def cmd_revert_pending(args: argparse.Namespace) -> int:
    from nlstate.apply.pending import revert_when_due

    revert_when_due(args.netns, args.token)
    return EXIT_OK


def _seconds(least: float) -> Callable[[str], float]:
    """An argparse type: a number of seconds, at least `least`."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not least <= value < float("inf"):
            raise argparse.ArgumentTypeError(f"{text} seconds: give at least {least:g}")
        return value
    return parse


def _error(exc: Exception) -> None:
    for line in str(exc).splitlines():
        print(f"nlstate: {line}", file=sys.stderr)


def _summary(state: State) -> str:
    counts = [(len(state.interfaces), "interface"), (len(state.routes), "route"),
              (len(state.route_rules), "rule"), (len(state.neighbors), "neighbour"),
              (len(state.nexthops), "nexthop")]
    return ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts)


def cmd_schema(args: argparse.Namespace) -> int:
    if args.markdown:
        from nlstate.docs import reference

        sys.stdout.write(reference())
        return EXIT_OK
    from nlstate.model import StateFile

    schema = StateFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "nlstate desired-state file"
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nlstate",
        description="Declarative network state for Linux, spoken straight to the kernel "
                    "over rtnetlink.")
    parser.add_argument("--version", action="version", version=f"nlstate {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log messages on stderr (-vv for debug)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    show = commands.add_parser("show", help="print the current state as a state file")
    _add_common(show, ("yaml", "json"))
    show.add_argument("--all", action="store_true",
                      help="include what the kernel owns (local table, kernel routes, "
                           "link-local addresses, default rules, learned neighbours)")
    show.add_argument("--exact", action="store_true",
                      help="say every address list and flag, and purge unlisted routes, "
                           "rules, neighbours and nexthops: applied later, the file gives "
                           "back exactly this state (a backup)")
    show.set_defaults(func=cmd_show)

    validate = commands.add_parser(
        "validate", help="check state files without touching the kernel (exit 1 if invalid)")
    validate.add_argument("files", nargs="+", metavar="FILE",
                          help="state file (YAML or JSON; - for standard input)")
    validate.set_defaults(func=cmd_validate)

    plan = commands.add_parser(
        "plan", help="print the steps that would make the kernel's state the file's, "
                     "without changing anything (exit 0: none, 2: changes, 1: error)")
    plan.add_argument("file", metavar="FILE",
                      help="desired state file (YAML or JSON; - for standard input)")
    _add_common(plan, ("text", "json"))
    plan.add_argument("--out", metavar="PLAN.json",
                      help="also save the plan as JSON (for `nlstate apply --plan`)")
    plan.add_argument("--current", metavar="STATE.yml",
                      help="plan against this saved state (`nlstate show` output) instead "
                           "of the kernel's: needs no privileges")
    plan.add_argument("--allow-recreate", action="store_true",
                      help="delete and create again the links whose changes cannot be made "
                           "in place (else those are errors)")
    plan.set_defaults(func=cmd_plan)

    apply = commands.add_parser(
        "apply", help="make the state the file's: plan, send, verify; roll back on failure "
                      "(exit 0: done or nothing to do, 1: failed)")
    apply.add_argument("file", metavar="FILE", nargs="?",
                       help="desired state file (YAML or JSON; - for standard input)")
    _add_common(apply, ("text", "json"))
    apply.add_argument("--plan", metavar="PLAN.json",
                       help="apply a plan saved by `nlstate plan --out`, refused if the state "
                            "has changed since it was made")
    apply.add_argument("--allow-recreate", action="store_true",
                       help="delete and create again the links whose changes cannot be made "
                            "in place")
    apply.add_argument("--all-steps", action="store_true",
                       help=f"list every step of a long plan (default: a plan of over "
                            f"{LONG_PLAN} steps is outlined by action and type of object)")
    apply.add_argument("--wait", metavar="SECONDS", type=_seconds(0), default=0.0,
                       help="wait this long for another apply on the namespace to finish "
                            "(default: fail at once)")
    apply.add_argument("--confirm-within", metavar="SECONDS", type=_seconds(1),
                       help="revert unless `nlstate confirm` (or Enter, on a terminal) comes "
                            "within SECONDS, even if this process or the session dies")
    apply.set_defaults(func=cmd_apply)

    for name, func, text in (
            ("confirm", cmd_confirm, "keep a change applied with --confirm-within"),
            ("rollback", cmd_rollback, "revert a change applied with --confirm-within now")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--netns", metavar="NAME",
                             help="the namespace NAME (/run/netns/NAME)")
        command.add_argument("--wait", metavar="SECONDS", type=_seconds(0), default=10.0,
                             help="wait this long for a running apply (default 10)")
        command.set_defaults(func=func)
    revert = commands.add_parser("revert-pending")  # the detached reverter; not for people
    revert.add_argument("--netns")
    revert.add_argument("--token", required=True)
    revert.set_defaults(func=cmd_revert_pending)

    schema = commands.add_parser("schema", help="print the JSON Schema of the state file")
    schema.add_argument("--markdown", action="store_true",
                        help="print the reference (docs/reference.md) instead")
    schema.set_defaults(func=cmd_schema)
    return parser


def run() -> NoReturn:
    """The `nlstate` command: main(), then an exit that skips the interpreter's teardown
    (freeing what a 100k-route apply holds takes 40 ms and changes nothing)."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader gone (a closed pipe): nothing to say
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="nlstate: %(message)s", stream=sys.stderr)
    try:
        # Every command is one run that builds large, long-lived object graphs with few
        # cycles: a full collection (0.11 s at 100k routes) would free next to nothing.
        # A long-running command (a watch loop) must not run under this.
        with paused_gc():
            code: int = args.func(args)
        return code
    except NetlinkError as exc:
        print(f"nlstate: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except PermissionError as exc:
        print(f"nlstate: {exc.strerror}: run as root or with CAP_NET_ADMIN", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
