#!/usr/bin/python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
"""Validates every line of JSON-lines files against a JSON Schema.

    tests/validate.py SCHEMA FILE...

Prints each invalid line (the first 5) with the reason; exits 1 if any
line is not valid JSON or does not match the schema."""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    # The schema is one of a definition per event kind, each fixing its
    # "event": a line is valid when it matches its own kind's (and no
    # other's can match it). Checked against that one alone, it is checked
    # as much, several times faster than against the whole oneOf.
    by_kind = {}
    for ref in schema.get("oneOf", []):
        name = ref["$ref"].rsplit("/", 1)[-1]
        one = {k: v for k, v in schema.items() if k != "oneOf"}
        one["$ref"] = ref["$ref"]
        by_kind[name] = cls(one)
    bad = lines = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8", errors="strict") as f:
            for n, line in enumerate(f, 1):
                lines += 1
                try:
                    obj = json.loads(line)
                    kind = obj.get("event") if isinstance(obj, dict) else None
                    errors = list(by_kind.get(kind, validator).iter_errors(obj))
                except ValueError as e:
                    errors = [e]
                if errors:
                    bad += 1
                    if bad <= 5:
                        why = min(errors, key=lambda e: len(str(e)))
                        msg = getattr(why, "message", str(why))
                        print(f"{path}:{n}: {msg}: {line.strip()[:300]}")
    print(f"{lines - bad} of {lines} lines valid")
    sys.exit(1 if bad else 0)


main()
