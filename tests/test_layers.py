"""The library's layering, checked on the source (imports and module-level state by AST)."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "spinncer"
#: What no backend may import: the layers above it.
ABOVE_BACKENDS = ("spinncer.analysis", "spinncer.communication", "spinncer.plots",
                  "spinncer.cli", "spinncer.simulate", "spinncer.mapping", "spinncer.validation")
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


def backend_modules():
    return sorted((PACKAGE / "backends").glob("*.py"))


@pytest.mark.parametrize("path", backend_modules(), ids=lambda p: p.name)
def test_layers_backend_imports_nothing_above_it(path):
    module = f"spinncer.backends.{path.stem}"
    bad = [name for name in imported_modules(path.read_text(), module)
           if name.startswith(ABOVE_BACKENDS)]
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", backend_modules(), ids=lambda p: p.name)
def test_layers_backend_keeps_no_module_level_mutable_state(path):
    assert mutable_state(path.read_text()) == []


def test_layers_checks_can_fail():
    source = ("from ..communication import cell_order\nimport spinncer.plots\n"
              "_session = {}\nclass S:\n    cache = dict()\ndef f():\n    global _session\n")
    names = imported_modules(source, "spinncer.backends.x")
    assert "spinncer.communication" in names and "spinncer.plots" in names
    assert len(mutable_state(source)) == 3


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
