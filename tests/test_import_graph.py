"""The layers the folders show: a layer imports only itself and the layers below it, features
never reach into each other in a cycle, and no module cycle hides anywhere. Imports inside
functions count too (they hide the coupling otherwise)."""

import ast
from collections import defaultdict
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "portal"

# Units, lowest first; a module belongs to the unit of its longest matching prefix. The app
# factory (`portal`) wires everything and is not a unit.
LAYERS = [
    ("infra", ("portal.infra", "portal.config")),
    ("i18n", ("portal.i18n",)),
    # what the models store (similar_names: the duplicate guard's index keys, issue 12)
    ("vocabulary", ("portal.domain.catalog", "portal.domain.normalize", "portal.domain.similar_names")),
    ("models", ("portal.models",)),
    ("domain", ("portal.domain", "portal.audit")),
    (
        "feature",
        (
            "portal.auth",
            "portal.mail",
            "portal.orders",
            "portal.wizard",
            "portal.trials",
            "portal.people",
            "portal.organization",
            "portal.core",
            "portal.i18n.translation_status",
            "portal.scheduler",
            "portal.cli",
            "portal.demo",
        ),
    ),
]
RANK = {prefix: (rank, name) for rank, (name, prefixes) in enumerate(LAYERS) for prefix in prefixes}


def layer_of(module: str) -> tuple[int, str, str] | None:
    """(rank, layer, unit) of a module: portal.orders.rules -> (5, "feature", "portal.orders")."""
    for prefix in sorted(RANK, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return (*RANK[prefix], prefix)
    return None


@cache
def modules() -> dict[str, ast.Module]:
    found = {}
    for path in PORTAL.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def module_imports() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, tree in known.items():
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "portal":
                # "from portal.domain import matching" imports the module portal.domain.matching
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names
                ]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "portal"]
            edges[name].update(t for t in targets if t != name)
    return edges


def test_every_module_has_a_layer():
    assert {name for name in modules() if name != "portal" and layer_of(name) is None} == set()


def test_the_graph_sees_the_known_imports():
    graph = module_imports()
    assert "portal.mail.outbox" in graph["portal.orders.rules"]
    assert "portal.domain.matching" in graph["portal.wizard.mapping"]
    assert "portal.models" in graph["portal.domain.matching"]


def test_a_layer_imports_only_itself_and_the_layers_below():
    wrong = set()
    for source, targets in module_imports().items():
        if source == "portal":
            continue
        for target in targets:
            if target != "portal" and layer_of(target)[0] > layer_of(source)[0]:
                wrong.add(f"{source} ({layer_of(source)[1]}) -> {target} ({layer_of(target)[1]})")
    assert wrong == set()


def test_features_import_each_other_without_cycles():
    units: dict[str, set[str]] = defaultdict(set)
    for source, targets in module_imports().items():
        if source == "portal" or layer_of(source)[1] != "feature":
            continue
        units[layer_of(source)[2]].update(
            layer_of(t)[2] for t in targets if t != "portal" and layer_of(t)[1] == "feature"
        )
    for unit, targets in units.items():
        targets.discard(unit)
    try:
        tuple(TopologicalSorter(units).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_no_module_cycle_between_layers():
    """Module-level imports (the ones that run at import time) never form a cycle across units."""
    graph = {}
    for name, tree in modules().items():
        if name == "portal":
            continue
        top = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("portal"):
                top.update(
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules() else node.module
                    for a in node.names
                )
        graph[name] = {t for t in top if t != "portal" and layer_of(t)[2] != layer_of(name)[2]}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
