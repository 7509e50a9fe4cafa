#!/usr/bin/env python3
"""Checks the include order of the C++ sources (the rule of .clang-format and docs/ARCHITECTURE.md).

Includes come in blocks, in this order: the anchor ("pg/common/pg_headers.h", first in every
src/pg file; in a src/core or src/build .cpp file, its own header: one of the same folder whose name starts
its own, as float_distance.h for float_distance_avx2.cpp), then further PostgreSQL headers
inside extern "C" { } (src/pg only), then system and library headers <...>, then project headers
"...". clang-format sorts within blocks; this checks the order of the blocks.

Usage: scripts/check-include-order.py [FILE...]   (default: every tracked .cpp/.h of src/ and test/)
Prints one line per file out of order and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

ANCHOR, POSTGRES, SYSTEM, PROJECT = range(4)


def categories(path):
    """The include lines of path, each with its category."""
    result = []
    in_extern_c = False
    for line in open(path, encoding='utf-8'):
        text = line.strip()
        if text.startswith('extern "C" {'):
            in_extern_c = True
            continue
        if in_extern_c and text == '}':
            in_extern_c = False
            continue
        m = re.match(r'#\s*include\s+([<"])([^>"]+)[>"]', text)
        if not m:
            continue
        header = m.group(2)
        if header == 'pg/common/pg_headers.h':
            category = ANCHOR
        elif in_extern_c:
            category = POSTGRES
        elif m.group(1) == '<':
            category = SYSTEM
        else:
            category = PROJECT
        result.append((category, header))
    return result


def own_header(path, header):
    """Whether header is the own header of the src/core or src/build file path."""
    if not path.startswith(('src/core/', 'src/build/')):
        return False
    stem = os.path.splitext(os.path.basename(header))[0]
    return (os.path.dirname(header) == os.path.dirname(path)[len('src/'):] and
            os.path.splitext(os.path.basename(path))[0].startswith(stem))


def problems(path):
    includes = categories(path)
    if not includes:
        return None
    if path.startswith('src/pg/') and path != 'src/pg/common/pg_headers.h' and includes[0][1] != 'pg/common/pg_headers.h':
        return 'the first include is not "pg/common/pg_headers.h"'
    order = []
    for i, (category, header) in enumerate(includes):
        if i == 0 and category == PROJECT and own_header(path, header):
            category = ANCHOR
        order.append(category)
        if i > 0 and category < order[i - 1]:
            return '"%s" comes after "%s"' % (header, includes[i - 1][1])
    return None


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    paths = sys.argv[1:] or [p for p in subprocess.check_output(['git', 'ls-files', 'src', 'test'], text=True).split()
                             if p.endswith(('.cpp', '.h'))]
    bad = 0
    for path in paths:
        problem = problems(path)
        if problem:
            print('%s: include order: %s' % (path, problem))
            bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
