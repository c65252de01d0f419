"""The library's layering, checked on the source (imports and module-level state by AST)."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "spinncer"
#: The layers of shared/design.md, top to bottom, each a tuple of module-name prefixes: a module
#: imports only from its own layer and the layers below it. Refined where the code taught
#: better: the backends import the SpiNNaker vocabulary and the recording sample (partition,
#: numerics, recording) below them, and every layer uses the cited tables and small helpers of
#: the base (params, options, errors, ...). Inside a layer, :func:`test_layers_no_import_cycle`
#: keeps the order strict.
LAYERS = (
    ("cli", ("spinncer.cli", "spinncer.__main__", "spinncer.commands")),
    ("workflow-facing steps", (
        "spinncer.scaffold.build", "spinncer.scaffold.download", "spinncer.scaffold.summary",
        "spinncer.scaffold.bsb_compile", "spinncer.scaffold.bsb_strategies",
        "spinncer.scaffold.bsb_particles", "spinncer.stimulus", "spinncer.simulate",
        "spinncer.analysis", "spinncer.plots", "spinncer.validation", "spinncer.mapping",
        "spinncer.communication", "spinncer.sweep", "spinncer.config", "spinncer.envs",
        "spinncer.nwb", "spinncer.spinnaker_provenance", "spinncer.cluster")),
    ("backends", ("spinncer.backends",)),
    ("model", ("spinncer.partition", "spinncer.numerics", "spinncer.recording",
               "spinncer.routing")),
    ("io", ("spinncer.results", "spinncer.scaffold", "spinncer.npz", "spinncer.atomic",
            "spinncer.provenance", "spinncer.console")),
    ("base", ("spinncer.params", "spinncer.options", "spinncer.errors", "spinncer.timegrid",
              "spinncer.arrays", "spinncer")),
)
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter"}
MUTABLE_NODES = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def imported_modules(source, module):
    """Absolute names of the modules `source` (of dotted `module`) imports, relative resolved."""
    package = module.split(".")[:-1]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            names += [stem] + [f"{stem}.{alias.name}" for alias in node.names]
    return names


def mutable_state(source):
    """Module- and class-level names bound to mutable containers, and `global` statements."""
    found = []
    tree = ast.parse(source)
    bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    for body in bodies:
        for node in body:
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value:
                value = node.value
                called = value.func.id if isinstance(value, ast.Call) and \
                    isinstance(value.func, ast.Name) else None
                if isinstance(value, MUTABLE_NODES) or called in MUTABLE_CALLS:
                    found.append(f"line {node.lineno}: {ast.unparse(node).splitlines()[0]}")
    found += [f"line {n.lineno}: global" for n in ast.walk(tree) if isinstance(n, ast.Global)]
    return found


def layer_of(module):
    """Index in :data:`LAYERS` of dotted `module` (its longest listed prefix; the bare package
    name covers only the package's own __init__), None if unlisted."""
    found = [(len(prefix), index) for index, (_, prefixes) in enumerate(LAYERS)
             for prefix in prefixes
             if module == prefix or ("." in prefix and module.startswith(prefix + "."))]
    return max(found)[1] if found else None


def unit_of(module):
    """The unit a module belongs to: its subpackage of spinncer, or itself."""
    return ".".join(module.split(".")[:2])


def library_imports(package=PACKAGE):
    """{module: names of spinncer modules it imports} over every source file of `package`."""
    graph = {}
    for path in sorted(package.rglob("*.py")):
        parts = (package.name, *path.relative_to(package).with_suffix("").parts)
        module = ".".join(parts)  # a package's __init__ resolves relative imports inside it
        names = imported_modules(path.read_text(), module)
        graph[module.removesuffix(".__init__")] = sorted(
            {n for n in names if n.startswith(f"{package.name}.")})
    return graph


def upward_imports(graph):
    """'module (layer) imports name (layer)' for every import from a layer above."""
    bad = []
    for module, names in graph.items():
        for name in names:
            if layer_of(name) is not None and layer_of(name) < layer_of(module):
                bad.append(f"{module} ({LAYERS[layer_of(module)][0]}) imports {name} "
                           f"({LAYERS[layer_of(name)][0]})")
    return bad


def unit_cycle(graph):
    """A cycle of imports between units (subpackages, top-level modules), [] if none."""
    edges = {}
    for module, names in graph.items():
        edges.setdefault(unit_of(module), set()).update(
            unit_of(n) for n in names if unit_of(n) != unit_of(module))
    state, path = {}, []

    def visit(unit):
        state[unit] = "open"
        path.append(unit)
        for nxt in sorted(edges.get(unit, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[unit] = "done"
        path.pop()
        return []

    for unit in sorted(edges):
        if unit not in state and (cycle := visit(unit)):
            return cycle
    return []


def backend_modules():
    return sorted((PACKAGE / "backends").glob("*.py"))


def test_layers_every_module_has_a_layer():
    assert [m for m in library_imports() if layer_of(m) is None] == []


def test_layers_imports_only_go_downwards():
    """Lazy imports inside functions count too."""
    assert upward_imports(library_imports()) == []


def test_layers_no_import_cycle_between_units():
    """A subpackage is one unit: none of its modules imports a unit that imports it (as
    scaffold/build.py importing partition, which imports the scaffold package, once did)."""
    assert unit_cycle(library_imports()) == []


@pytest.mark.parametrize("path", backend_modules(), ids=lambda p: p.name)
def test_layers_backend_keeps_no_module_level_mutable_state(path):
    assert mutable_state(path.read_text()) == []


def test_layers_checks_can_fail():
    source = ("from ..communication import cell_order\nimport spinncer.plots\n"
              "_session = {}\nclass S:\n    cache = dict()\ndef f():\n    global _session\n")
    names = imported_modules(source, "spinncer.backends.x")
    assert "spinncer.communication" in names and "spinncer.plots" in names
    assert len(mutable_state(source)) == 3
    bad = upward_imports({"spinncer.backends.x": names})
    assert len(bad) == 3 and "spinncer.backends.x (backends) imports spinncer.plots" in bad[-1]
    # the old scaffold/build.py: downwards by layer, but a cycle between two units
    scaffold = {"spinncer.scaffold.build": ["spinncer.partition"],
                "spinncer.partition": ["spinncer.scaffold", "spinncer.scaffold.Scaffold"]}
    assert upward_imports(scaffold) == []
    assert unit_cycle(scaffold) == ["spinncer.partition", "spinncer.scaffold",
                                    "spinncer.partition"]
    assert layer_of("spinncer.newmodule") is None


def test_layers_numerics_imports_partition_at_module_level():
    """The SpiNNaker vocabulary sits below numerics, communication and the backend."""
    for name in ("numerics", "communication", "backends/spinnaker"):
        source = (PACKAGE / f"{name}.py").read_text()
        top = [n for n in ast.parse(source).body if isinstance(n, ast.ImportFrom)]
        assert any(n.module and n.module.endswith("partition") for n in top), name
    assert "communication" not in " ".join(
        imported_modules((PACKAGE / "numerics.py").read_text(), "spinncer.numerics"))


def test_layers_every_backend_has_one_session_class():
    from spinncer.backends import SESSION_CLASSES
    from spinncer.options import BACKENDS
    assert sorted(row[0] for row in SESSION_CLASSES) == sorted(BACKENDS)
