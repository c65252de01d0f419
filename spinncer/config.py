"""Check a workflow configuration against its JSON schema, reporting one line per problem.

Snakemake's own `validate` prints the whole schema fragment; this names the key, what the
schema expects and what was found, as an :class:`~spinncer.errors.InputError`.
"""
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


def load_schema(path):
    """The schema at `path` with the enums of :data:`OPTION_SETS` filled in."""
    with open(path) as handle:
        schema = yaml.safe_load(handle)
    for keys, values in OPTION_SETS:
        node = schema
        for key in keys:
            node = node[key] if key in ("items", "additionalProperties") \
                else node["properties"][key]
        node["enum"] = list(values)
    return schema


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
    template = _EXPECTATIONS.get(error.validator)
    expected = template.format(error.validator_value) if template else error.message
    raise InputError(where, expected, repr(error.instance))


def config_sources(workflow_configfiles):
    """Readable name of the config files in use, for messages."""
    return ", ".join(Path(p).name for p in workflow_configfiles) or "config"
