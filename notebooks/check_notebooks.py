#!/usr/bin/python3
"""Checks notebooks, as notebooks/run-all.sh uses it, and strips them for committing.

    check_notebooks.py clean NOTEBOOK...      the committed form: no outputs, no execution counts or timings, and a
                                              first code cell tagged "parameters" (where the run directories are set)
    check_notebooks.py executed NOTEBOOK...   after `jupyter nbconvert --execute`: no error output, and an image in
                                              every cell that draws (calls check(fig), which asserts no plot is
                                              empty); a cell that found nothing to draw for its inputs fails too, so
                                              the inputs must exercise every figure (run-all.sh's do)
    check_notebooks.py strip NOTEBOOK...      removes outputs, execution counts and timings in place (what clean checks)

Exits with 1 and one line per problem (file, cell number, what is wrong) when a check fails.
"""
import re
import sys

import nbformat

# A cell that draws ends its figure with a call of the notebooks' check(fig) (not its definition).
DRAWS = re.compile(r"^\s*check\(fig\)\s*$", re.MULTILINE)


def clean_problems(path, nb):
    problems = []
    code = [(i, c) for i, c in enumerate(nb.cells, 1) if c.cell_type == "code"]
    if not code or "parameters" not in code[0][1].metadata.get("tags", []):
        problems.append(f"{path}: the first code cell must be tagged 'parameters' (it holds the run directories)")
    for i, cell in code:
        if cell.outputs or cell.execution_count is not None or "execution" in cell.metadata:
            problems.append(f"{path}: cell {i} has outputs, an execution count or timings; commit notebooks without "
                            f"them: /usr/bin/python3 notebooks/check_notebooks.py strip {path}")
    return problems


def strip(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def executed_problems(path, nb):
    problems = []
    images = 0
    for i, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"{path}: cell {i} raised {out.ename}: {out.evalue}")
        with_image = any("image/png" in out.get("data", {}) for out in cell.outputs)
        images += with_image
        if DRAWS.search(cell.source) and not with_image:
            problems.append(f"{path}: cell {i} draws a figure but has no image output")
    if images == 0:
        problems.append(f"{path}: no figure at all")
    return problems


def main(argv):
    if len(argv) < 3 or argv[1] not in ("clean", "executed", "strip"):
        sys.exit(__doc__)
    if argv[1] == "strip":
        for path in argv[2:]:
            strip(path)
        return
    check = clean_problems if argv[1] == "clean" else executed_problems
    problems = []
    for path in argv[2:]:
        problems += check(path, nbformat.read(path, as_version=4))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{argv[1]}: {len(argv) - 2} notebook(s) ok")


if __name__ == "__main__":
    main(sys.argv)
