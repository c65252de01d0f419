"""Check a workflow configuration against its JSON schema, reporting one line per problem.

Snakemake's own `validate` prints the whole schema fragment; this names the key, what the
schema expects and what was found, as an :class:`~spinncer.errors.InputError`.

The schema (``workflow/schemas/config.schema.yaml``) is the one source of allowed values: the
CLI's arguments that set a config value are converted and checked by :func:`arg_type` built
from the same schema entry, and take their help from its description (:func:`arg_help`).
"""
import argparse
import functools
import json
from pathlib import Path

import jsonschema
import yaml

from .errors import InputError
from .options import BACKENDS, ID_REMAPS, STIMULUS_TYPES
from .params import MODEL_VARIANTS
from .stimulus import PROTOCOLS

#: Config keys (paths through the schema's ``properties``/``items``) whose allowed values are
#: spinncer's option sets (:mod:`spinncer.options`); :func:`load_schema` fills in their
#: ``enum``, so that the schema file does not restate them.
OPTION_SETS = (
    (("simulation", "backends", "items"), BACKENDS),
    (("analysis", "compare", "items", "items"), BACKENDS),
    (("validation", "backends", "items"), BACKENDS),
    (("validation", "reference"), BACKENDS),
    (("validation", "backend_seeds", "propertyNames"), BACKENDS),
    (("spinnaker", "id_remap"), ID_REMAPS),
    (("stimulus", "type", "items"), STIMULUS_TYPES),
    (("stimulus", "protocol"), (None, *PROTOCOLS)),
    (("sweeps", "additionalProperties", "type", "items"), STIMULUS_TYPES),
    (("model", "variant"), tuple(MODEL_VARIANTS)),
)

_EXPECTATIONS = {
    "minimum": "a value >= {}",
    "exclusiveMinimum": "a value > {}",
    "maximum": "a value <= {}",
    "exclusiveMaximum": "a value < {}",
    "type": "type {}",
    "enum": "one of {}",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
    "pattern": "a string matching {}",
}


# The schema beside the package in the source tree (the project is installed editable).
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


def load_schema(path):
    """The schema at `path` with the enums of :data:`OPTION_SETS` filled in."""
    with open(path) as handle:
        schema = yaml.safe_load(handle)
    for keys, values in OPTION_SETS:
        node = schema
        for key in keys:
            node = node[key] if key in ("items", "additionalProperties", "propertyNames") \
                else node["properties"][key]
        node["enum"] = list(values)
    return schema


def _describe(error):
    """(expected, found) of a jsonschema error, in words."""
    template = _EXPECTATIONS.get(error.validator)
    expected = template.format(error.validator_value) if template else error.message
    return expected, repr(error.instance)


def check_config(config, schema_path, source="config"):
    """Raise InputError for the most relevant schema violation of `config`, if any."""
    schema = load_schema(schema_path)
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        return
    key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    where = f"{source}: key '{key}'"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        raise InputError(where, f"only the keys {allowed}", f"unknown key(s) {unknown}")
    if error.validator == "required":
        raise InputError(where, f"the keys {error.validator_value}", error.message)
    raise InputError(where, *_describe(error))


@functools.cache
def _package_schema():
    """The package's schema, parsed once per process (the CLI's parser reads 13 keys of it)."""
    return load_schema(SCHEMA_PATH)


@functools.cache
def _node(key):
    entry = _package_schema()
    for part in key.split("."):
        entry = entry["properties"][part]
    return entry


def schema_entry(key):
    """The schema of config key `key` ('section.name'); for a list, that of its items."""
    entry = _node(key)
    return entry.get("items", entry) if entry.get("type") == "array" else entry


def arg_type(key):
    """argparse ``type=`` for a CLI argument that sets config key `key`: converts to the
    schema's type and checks its bounds, naming the key in the message."""
    entry = schema_entry(key)
    convert = {"integer": int, "number": float}.get(entry.get("type"), str)
    validator = jsonschema.Draft202012Validator(entry)

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected type {entry.get('type')} (config key {key}), found {text!r}") from None
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is not None:
            expected, found = _describe(error)
            raise argparse.ArgumentTypeError(f"expected {expected} (config key {key}), "
                                             f"found {found}")
        return value

    parse.__name__ = key  # argparse names the type in its own messages
    return parse


def arg_help(key):
    """Help text of a CLI argument that sets config key `key`: the schema's description."""
    return f"{_node(key).get('description', '')} (config {key}); default: %(default)s"


def config_sources(workflow_configfiles):
    """Readable name of the config files in use, for messages."""
    return ", ".join(Path(p).name for p in workflow_configfiles) or "config"


def _allowed(entry):
    """The values a schema entry allows, in words ('' when any value of its type)."""
    parts = []
    for word, bound in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="),
                        ("exclusiveMaximum", "<")):
        if word in entry:
            parts.append(f"{bound} {entry[word]}")
    if "enum" in entry:
        parts.append("one of " + ", ".join("null" if v is None else str(v) for v in entry["enum"]))
    if "pattern" in entry:
        parts.append(f"matches `{entry['pattern']}`")
    if "minItems" in entry or "maxItems" in entry:
        low, high = entry.get("minItems", 0), entry.get("maxItems")
        parts.append(f"{low} items" if low == high else
                     f"{low}{'..' + str(high) if high else '+'} items")
    for key, label in (("items", "each"), ("additionalProperties", "each value"),
                       ("propertyNames", "keys")):
        if isinstance(entry.get(key), dict) and _allowed(entry[key]):
            parts.append(f"{label}: {_allowed(entry[key])}")
    return "; ".join(parts)


def _type(entry):
    kind = entry.get("type", "enum" if "enum" in entry else "")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    if isinstance(entry.get("items"), dict) and "type" in entry["items"]:
        kind += f" of {entry['items']['type']}"
    return kind


def _cell(value):
    return " ".join(str(value).split()).replace("|", "\\|")


def schema_markdown(schema):
    """config/README.md: one table per section of the workflow configuration schema."""
    lines = ["# Configuration keys", "",
             "Generated from `workflow/schemas/config.schema.yaml` by "
             "`python -m spinncer.config > config/README.md` (a test checks it is up to date).", "",
             f"{schema.get('description', '')}. `config/config.yaml` is the paper reproduction, "
             "`config/smoke.yaml` the 100 x 100 µm smoke run; a key missing from a config file "
             "takes its default.", ""]
    for section, body in schema["properties"].items():
        required = set(body.get("required", []))
        lines += [f"## `{section}`", "", "| key | type | default | allowed | description |",
                  "|---|---|---|---|---|"]
        if "properties" not in body:  # a map of named entries (e.g. sweeps: {name: {...}})
            body = {"properties": {f"<name>.{k}": v for k, v in
                                   body.get("additionalProperties", {}).get("properties",
                                                                            {}).items()}}
            lines[-2:-2] = [f"`{section}` maps names of your choice to entries with these keys.",
                            ""]
        rows = [(name, entry) for name, entry in body["properties"].items()]
        while rows:
            name, entry = rows.pop(0)
            if entry.get("type") == "object" and "properties" in entry:
                rows[:0] = [(f"{name}.{k}", v) for k, v in entry["properties"].items()]
                continue
            default = "(required)" if name in required else json.dumps(entry.get("default"))
            lines.append(f"| `{section}.{name}` | {_cell(_type(entry))} | {_cell(default)} | "
                         f"{_cell(_allowed(entry))} | {_cell(entry.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(schema_markdown(load_schema(SCHEMA_PATH)), end="")
