#!/usr/bin/env python3
"""The longest source files and functions of the tree, for keeping both small.

usage: scripts/longest.py [--files N] [--functions N] [--check] [DIR...]

Prints the N longest .cc/.h files and the N longest functions (of the
layer directories by default).  With --check it exits 1 when a file outside
matchers/ is over 800 lines or a function anywhere is over 150 lines (the
limits docs/architecture.md sets), listing each.

A function is found the simple way: a '{' opened at namespace level whose
head (the text since the previous ';', '}' or '{') has a '(' and is not a
class, struct, enum, union, namespace or initialiser.  Comments and string
literals are blanked first, so their braces do not count.
"""
import argparse
import os
import re
import sys

LAYERS = ["base", "engine", "matchers", "loader", "verifier", "cli"]
FILE_LIMIT = 800
FUNCTION_LIMIT = 150
FILE_LIMIT_EXEMPT = ("matchers/",)


def blank_comments_and_strings(text):
    """Replaces comments and string/char literals by spaces, keeping newlines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = ")" + m.group(1) + '"'
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


NOT_FUNCTION = re.compile(r"\b(class|struct|enum|union|namespace)\b|=\s*$|^\s*extern\s")


def functions(path):
    """Yields (name, first_line, line_count) for each function in the file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = blank_comments_and_strings(f.read())
    depth = 0
    scope = []  # for each open brace: True if it is a namespace/class-like scope
    head_start = 0
    current = None  # (name, start_line, depth)
    line = 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c in ";":
            if current is None:
                head_start = i + 1
        elif c == "{":
            head = text[head_start:i]
            if current is None:
                if "(" in head and not NOT_FUNCTION.search(head.strip()):
                    name = re.findall(r"([~\w:]+)\s*\(", head)
                    current = (name[0] if name else "?", line - head.count("\n", head.rfind(")")), depth)
                    scope.append(False)
                else:
                    scope.append(True)
                head_start = i + 1
            else:
                scope.append(False)
            depth += 1
        elif c == "}":
            depth -= 1
            if scope:
                scope.pop()
            if current is not None and depth == current[2]:
                yield current[0], current[1], line - current[1] + 1
                current = None
            if current is None:
                head_start = i + 1


def sources(dirs):
    for d in dirs:
        for root, _, names in os.walk(d):
            for name in sorted(names):
                if name.endswith((".cc", ".h")):
                    yield os.path.join(root, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--functions", type=int, default=15)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(top)
    dirs = args.dirs or [d for d in LAYERS if os.path.isdir(d)]

    file_sizes, funcs = [], []
    for path in sources(dirs):
        with open(path, encoding="utf-8", errors="replace") as f:
            file_sizes.append((sum(1 for _ in f), path))
        for name, first, count in functions(path):
            funcs.append((count, f"{path}:{first}", name))
    file_sizes.sort(reverse=True)
    funcs.sort(reverse=True)

    print(f"longest files ({len(file_sizes)} files):")
    for count, path in file_sizes[: args.files]:
        print(f"  {count:6d}  {path}")
    print(f"longest functions ({len(funcs)} functions):")
    for count, where, name in funcs[: args.functions]:
        print(f"  {count:6d}  {where}  {name}")

    if not args.check:
        return 0
    over = [f"file {p}: {c} lines (limit {FILE_LIMIT})" for c, p in file_sizes
            if c > FILE_LIMIT and not p.startswith(FILE_LIMIT_EXEMPT)]
    over += [f"function {name} at {where}: {c} lines (limit {FUNCTION_LIMIT})"
             for c, where, name in funcs if c > FUNCTION_LIMIT]
    for o in over:
        print("over the limit: " + o)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
