#!/usr/bin/env python3
"""Validates a bitbucket-pipelines.yml against Bitbucket's published schema (jsonschema and
PyYAML), then checks every key the file uses is one the schema knows: the schema does not
reject unknown keys, so a misspelt `scirpt:` would otherwise pass. Prints what is wrong and
exits 1; prints `valid` and exits 0.

    scripts/validate-pipelines.py FILE SCHEMA
"""
import json
import sys

import jsonschema
import yaml


def known_keys(schema):
    """Every property name the schema defines anywhere."""
    keys = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                keys.add(key)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return keys


# Mappings whose keys are the user's own names: branch and tag globs, custom pipeline names,
# a pipe's variables, definitions of caches and services.
FREE_KEYS = {"variables", "branches", "tags", "custom", "pull-requests", "bookmarks", "caches", "services"}


def unknown_keys(instance, known, path=""):
    problems = []
    if isinstance(instance, dict):
        for key, value in instance.items():
            if key not in known:
                problems.append(f"{path}/{key}: not a key of Bitbucket's pipelines schema")
            if key in FREE_KEYS and isinstance(value, dict):
                for name, inner in value.items():
                    problems += unknown_keys(inner, known, f"{path}/{key}/{name}")
            else:
                problems += unknown_keys(value, known, f"{path}/{key}")
    elif isinstance(instance, list):
        for index, value in enumerate(instance):
            problems += unknown_keys(value, known, f"{path}/{index}")
    return problems


def main():
    with open(sys.argv[1]) as handle:
        instance = yaml.safe_load(handle)
    with open(sys.argv[2]) as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft7Validator(schema)
    problems = [
        "/" + "/".join(str(p) for p in error.absolute_path) + ": " + error.message
        for error in validator.iter_errors(instance)
    ]
    problems += unknown_keys(instance, known_keys(schema))
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("valid")


if __name__ == "__main__":
    main()
