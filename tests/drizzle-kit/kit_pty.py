#!/usr/bin/env python3
"""Answers drizzle-kit's interactive rename questions from a script.

drizzle-kit generate asks, on a terminal only, whether a table/column/enum/schema that appeared
was created or renamed from one that disappeared ("Is nickname column in users table created or
renamed from another column?"), with a menu whose first entry is "+ <new> create ..." and then
one "~ <old> › <new> rename ..." entry per candidate. This runs the command in a pseudo-terminal
and, for each question in turn, picks the menu entry containing the next ANSWER (arrow-down
presses, then Enter). Each ANSWER is matched against the menu lines with colors stripped, e.g.
"create" picks "+ nickname create column", "nick › nickname" picks the rename.

Usage: kit_pty.py [--answer TEXT]... -- COMMAND [ARG]...
Exits with the command's status; 3 when a question came that no --answer was left for, 4 on a
timeout (60 s without output).
"""
import os
import pty
import re
import select
import sys

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
QUESTION = re.compile(r"created or renamed from another", re.I)


def main() -> int:
    args = sys.argv[1:]
    answers = []
    while args and args[0] == "--answer":
        answers.append(args[1])
        args = args[2:]
    if not args or args[0] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    cmd = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    screen = b""  # output since the last answer, colors stripped
    transcript = b""
    status = 0
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            sys.stdout.write(transcript.decode(errors="replace"))
            print("\nkit_pty: timed out waiting for drizzle-kit", file=sys.stderr)
            os.kill(pid, 9)
            return 4
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk
        screen += ANSI.sub(b"", chunk)
        text = screen.decode(errors="replace").replace("\r", "")
        m = QUESTION.search(text)
        if not m:
            continue
        # The menu follows the question line; wait until the last entry (a rename) is drawn.
        lines = [l for l in text[m.end():].split("\n")[1:] if l.strip()]
        if not lines or not any("rename" in l for l in lines):
            continue
        # Give hanji a moment to finish drawing every entry.
        more, _, _ = select.select([fd], [], [], 0.3)
        if more:
            continue
        if not answers:
            sys.stdout.write(transcript.decode(errors="replace"))
            print("\nkit_pty: a question came with no --answer left for it", file=sys.stderr)
            os.kill(pid, 9)
            return 3
        want = answers.pop(0)
        index = next((i for i, l in enumerate(lines) if want in l), None)
        if index is None:
            sys.stdout.write(transcript.decode(errors="replace"))
            print(f"\nkit_pty: no menu entry contains {want!r}: {lines}", file=sys.stderr)
            os.kill(pid, 9)
            return 3
        os.write(fd, b"\x1b[B" * index + b"\r")
        screen = b""
    _, st = os.waitpid(pid, 0)
    status = os.waitstatus_to_exitcode(st)
    sys.stdout.write(ANSI.sub(b"", transcript).decode(errors="replace").replace("\r", ""))
    return status


if __name__ == "__main__":
    sys.exit(main())
