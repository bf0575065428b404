#!/usr/bin/python3
"""Checks notebooks, as notebooks/run-all.sh uses it, and strips them for committing.

    check_notebooks.py clean NOTEBOOK...      the committed form: no outputs, no execution counts or timings, and a
                                              first code cell tagged "parameters" (where the run directories are set)
    check_notebooks.py executed NOTEBOOK...   after `jupyter nbconvert --execute`: no error output, and an image in
                                              every cell that draws (calls check(fig), which asserts no plot is
                                              empty); a cell that found nothing to draw for its inputs fails too, so
                                              the inputs must exercise every figure (run-all.sh's do)
    check_notebooks.py strip NOTEBOOK...      removes outputs, execution counts and timings in place (what clean checks)
    check_notebooks.py runs RUN_DIR...        the run directories the notebooks read: manifest.json, every line of
                                              metrics.jsonl and best/eval.json (and those of intermediate/, where a
                                              task distillation keeps its first stage) against docs/schema/

Exits with 1 and one line per problem (file, cell number or line, what is wrong) when a check fails.
"""
import json
import os
import re
import sys

# The run records' schemas, which the Java writers are tested against too (org.tinybert.run).
SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema")
RUN_FILES = (("manifest.json", "manifest.v1.schema.json", False),
             ("metrics.jsonl", "metrics-round.v1.schema.json", True),
             ("best/eval.json", "eval.v1.schema.json", False))

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
    import nbformat
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


def subset_problems(schema, value, where, root):
    """The problems of value against the subset of JSON Schema that docs/schema uses, for a Python without
    jsonschema: type, required, properties, additionalProperties, items, enum, anyOf and local $ref."""
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return subset_problems(target, value, where, root)
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool}
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = False
        for t in types:
            if t in ("number", "integer"):
                ok |= isinstance(value, (int, float)) and not isinstance(value, bool) and (
                    t == "number" or float(value).is_integer())
            elif t == "null":
                ok |= value is None
            else:
                ok |= isinstance(value, kinds[t])
        if not ok:
            return [f"{where}: expected {schema['type']}, found {value!r}"]
    problems = []
    if "enum" in schema and not any(type(e) is type(value) and e == value for e in schema["enum"]):
        problems.append(f"{where}: expected one of {schema['enum']}, found {value!r}")
    if "anyOf" in schema and all(subset_problems(s, value, where, root) for s in schema["anyOf"]):
        problems.append(f"{where}: matches none of {schema['anyOf']}: {value!r}")
    if isinstance(value, dict):
        problems += [f"{where}: required {r} missing" for r in schema.get("required", []) if r not in value]
        for key, v in value.items():
            if key in schema.get("properties", {}):
                problems += subset_problems(schema["properties"][key], v, f"{where}.{key}", root)
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}.{key}: not in the schema")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += subset_problems(schema["additionalProperties"], v, f"{where}.{key}", root)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            problems += subset_problems(schema["items"], v, f"{where}[{i}]", root)
    return problems


def schema_problems(schema, value):
    try:
        import jsonschema
    except ImportError:
        return subset_problems(schema, value, "$", schema)
    validator = jsonschema.Draft202012Validator(schema)
    return [f"$.{'.'.join(str(p) for p in e.absolute_path)}: {e.message}".replace("$.:", "$:")
            for e in validator.iter_errors(value)]


def run_problems(run):
    """The records of one run directory, and of its intermediate/ stage when it has one, against docs/schema."""
    problems = []
    stages = [run] + [os.path.join(run, "intermediate")] * os.path.isdir(os.path.join(run, "intermediate"))
    for stage in stages:
        if not os.path.isfile(os.path.join(stage, "manifest.json")):
            problems.append(f"{stage}: no manifest.json (expected a training job's --output directory)")
            continue
        for name, schema_file, lines in RUN_FILES:
            path = os.path.join(stage, name)
            if not os.path.isfile(path):
                if name != "best/eval.json":
                    problems.append(f"{path}: no such file")
                continue
            with open(os.path.join(SCHEMAS, schema_file), encoding="utf-8") as f:
                schema = json.load(f)
            with open(path, encoding="utf-8") as f:
                docs = [(i, l) for i, l in enumerate(f, 1) if l.strip()] if lines else [(None, f.read())]
            for line, text in docs:
                at = f"{path}" + (f" line {line}" if line else "")
                try:
                    value = json.loads(text)
                except ValueError as e:
                    problems.append(f"{at}: malformed JSON: {e}")
                    continue
                problems += [f"{at}: {p}" for p in schema_problems(schema, value)]
    return problems


def main(argv):
    if len(argv) < 3 or argv[1] not in ("clean", "executed", "strip", "runs"):
        sys.exit(__doc__)
    if argv[1] == "strip":
        for path in argv[2:]:
            strip(path)
        return
    problems = []
    if argv[1] == "runs":
        for path in argv[2:]:
            problems += run_problems(path)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            sys.exit(1)
        print(f"runs: {len(argv) - 2} run(s) ok")
        return
    import nbformat
    check = clean_problems if argv[1] == "clean" else executed_problems
    for path in argv[2:]:
        problems += check(path, nbformat.read(path, as_version=4))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{argv[1]}: {len(argv) - 2} notebook(s) ok")


if __name__ == "__main__":
    main(sys.argv)
