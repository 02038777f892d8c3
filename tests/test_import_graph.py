"""The layers the folders show: lower layers never import a feature, and features import each
other without cycles. Imports inside functions count too (they hide the coupling otherwise)."""
import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "portal"
# Feature packages and modules: each with its blueprint, views, forms, rules, templates.
FEATURES = {"auth", "mail", "orders", "wizard", "trials", "people", "organization", "core",
            "scheduler", "cli"}


def _unit(module: str) -> str | None:
    """portal.orders.rules -> orders; portal -> None (the app factory, which wires everything)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def import_graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PORTAL.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts).removesuffix(".__init__")
        source = _unit(module)
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "portal":
                targets = [node.module] if node.module != "portal" else [f"portal.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "portal"]
            edges[source].update(t for t in map(_unit, targets) if t and t != source)
    return edges


def test_the_graph_sees_the_known_imports():
    graph = import_graph()
    assert "mail" in graph["orders"] and "orders" in graph["wizard"] and "models" in graph["matching"]


def test_lower_layers_never_import_a_feature():
    wrong = {f"{source} -> {target}" for source, targets in import_graph().items() if source not in FEATURES
             for target in targets if target in FEATURES}
    assert wrong == set()


def test_features_import_each_other_without_cycles():
    graph = import_graph()
    features = {source: {t for t in targets if t in FEATURES} for source, targets in graph.items() if source in FEATURES}
    try:
        tuple(TopologicalSorter(features).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
