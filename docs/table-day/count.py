#!/usr/bin/env python3
"""Counts the commands and keystrokes of a transcript: every character of
every non-comment line, plus Enter. Usage: count.py FILE..."""
import sys

for path in sys.argv[1:]:
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
    commands = [l for l in lines if l.strip() and not l.lstrip().startswith("#")]
    keys = sum(len(c) + 1 for c in commands)
    print(f"{path}: {len(commands)} commands, {keys} keystrokes")
