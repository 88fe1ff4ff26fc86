#!/usr/bin/env python3
"""Print a build's timeline from ansible-runner's job events, one line per task end.

    cattle build -keep-artifacts=DIR template.json
    python3 benchmarks/events.py DIR/cattle-*/

Each line: seconds since the first event, the task's own time (from its runner_on_start on
that host to its end), the event, the host and the task. ``--all`` prints every event with the
time since the previous one instead.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os

ENDS = ("runner_on_ok", "runner_on_skipped", "runner_on_failed", "runner_on_unreachable")
SHOWN = ENDS + ("playbook_on_play_start", "playbook_on_include", "playbook_on_stats")


def load_events(directory):
    events = []
    for path in glob.glob(os.path.join(directory, "*", "job_events", "*.json")):
        with open(path, encoding="utf-8") as handle:
            events.append(json.load(handle))
    return sorted(events, key=lambda event: event["counter"])


def timestamp(event):
    return datetime.datetime.fromisoformat(event["created"]).timestamp()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="the directory -keep-artifacts made (cattle-*)")
    parser.add_argument("--all", action="store_true", help="every event, with the time since the previous one")
    args = parser.parse_args(argv)
    events = load_events(args.directory)
    if not events:
        raise SystemExit(f"no job events below {args.directory}")
    first = previous = timestamp(events[0])
    started = {}
    for event in events:
        data = event.get("event_data") or {}
        name = data.get("task") or data.get("play") or ""
        host = data.get("host", "")
        when = timestamp(event)
        kind = event["event"]
        if kind == "runner_on_start":
            started[(host, data.get("task_uuid"))] = when
        if args.all:
            print(f"{when - first:7.3f} +{when - previous:6.3f} {kind:26s} {host:10s} {name[:70]}")
        elif kind in SHOWN:
            own = when - started.pop((host, data.get("task_uuid")), when) if kind in ENDS else 0.0
            print(f"{when - first:7.3f} {own:6.3f} {kind:26s} {host:10s} {name[:70]}")
        previous = when


if __name__ == "__main__":
    main()
