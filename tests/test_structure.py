"""The package's structure: no import circle, no rule that imports the mock sky, the config
schema's lists the same as the code's."""

import ast
import re
from pathlib import Path

import pytest

from conftest import REPO

SRC = REPO / "src" / "symfind"


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """symfind module -> the symfind modules it imports (at module level or inside a function)."""
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        package = [p for p in package if p]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            elif (node.module or "").startswith("symfind"):
                target = node.module.removeprefix("symfind").lstrip(".")
            else:
                continue
            targets = {target} | {f"{target}.{a.name}".lstrip(".") for a in node.names}
            graph[name] |= {t for t in targets if t in modules and t not in ("", name)}
    return graph


def circles(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The pairs of modules each of which reaches the other through imports."""

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    return sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if reaches(b, a)})


def test_no_module_imports_one_that_imports_it_back():
    graph = import_graph()
    assert not circles(graph), circles(graph)
    # the graph is read, and the old circle gone
    assert "io" in graph["query.selection"] and not {"query.tap", "query.sources.tap"} & graph["query.selection"]


def test_the_check_finds_a_circle_through_a_third_module():
    graph = {**import_graph(), "io": {"present.plots.figure"}, "present.plots.figure": {"query.selection"}}
    assert ("io", "query.selection") in circles(graph)


#: The package's layers, in the order of the pipeline: a module reads its own layer and those
#: before it, never one after (docs/architecture.md). The core is the top-level modules; the
#: runners (stages), the mock sky and the config check of the whole workflow sit above them all.
LAYERS = ("core", "query", "photometry", "detect", "rank", "present", "workflow")
WORKFLOW = ("stages", "mock", "validate")


def layer_of(module: str) -> str:
    top = module.split(".")[0]
    if top in WORKFLOW:
        return "workflow"
    return top if top in LAYERS else "core"


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The imports that run from a layer to a later one."""
    rank = {name: k for k, name in enumerate(LAYERS)}
    return sorted((a, b) for a in graph for b in graph[a] if rank[layer_of(b)] > rank[layer_of(a)])


def test_the_folders_name_the_stages_and_imports_run_one_way():
    graph = import_graph()
    assert not upward_imports(graph), upward_imports(graph)
    for layer in LAYERS[1:-1]:  # each stage's subpackage says what it is
        doc = ast.get_docstring(ast.parse((SRC / layer / "__init__.py").read_text()))
        assert doc and "stage" in doc.lower(), layer
    top_level = {name for name in graph if "." not in name and name and (SRC / f"{name}.py").exists()}
    assert top_level == {"config", "columns", "io", "logs", "products", "status", "validate"}, top_level
    assert {layer_of(name) for name in graph} == set(LAYERS)


def test_the_layer_check_finds_an_import_from_a_later_stage():
    graph = {**import_graph(), "detect.features": {"present.evidence"}}
    assert ("detect.features", "present.evidence") in upward_imports(graph)


def test_the_mock_sky_is_outside_the_pipeline():
    graph = import_graph()
    pipeline = [name for name in graph if not name.startswith("mock")]
    assert not [name for name in pipeline if any(t.startswith("mock") for t in graph[name])]
    rule_code = [REPO / "Snakefile", *(REPO / "workflow" / "rules").glob("*.smk"), *(REPO / "workflow" / "scripts").glob("*.py")]
    assert not [p.name for p in rule_code if re.search(r"symfind\.mock|symfind\.sample\b", p.read_text())]


def test_every_runner_is_named_after_its_rule():
    """Each rule's script calls the runner of its own name in symfind.stages."""
    for script in (REPO / "workflow" / "scripts").glob("*.py"):
        calls = re.findall(r"from symfind\.stages\.(\w+) import (\w+)", script.read_text())
        assert len(calls) == 1, script.name
        module, function = calls[0]
        assert script.stem == function or script.stem == "gather", script.name
        assert (SRC / "stages" / f"{module}.py").exists()


def _schema():
    from symfind.config import load_schema

    return load_schema()


def _enum(path: str) -> list:
    node = _schema()
    for key in path.split("."):
        node = node["properties"][key] if key != "items" else node["items"]
        if "$ref" in node:
            node = _schema()["definitions"][node["$ref"].split("/")[-1]]
    return node.get("enum") or node["items"]["enum"]


@pytest.mark.parametrize("path, code", [
    ("vae.features", lambda: [name for name in __import__("symfind.detect.features", fromlist=["x"]).FEATURE_SETS if name != "giant_condition"]),
    ("pca.features", lambda: list(__import__("symfind.detect.features", fromlist=["x"]).COLOUR_FEATURE_SETS)),
    ("rank.features", lambda: [name for name in __import__("symfind.detect.features", fromlist=["x"]).FEATURE_SETS if name != "giant_condition"]),
    ("rank.method", lambda: list(__import__("symfind.rank.ranking", fromlist=["x"]).RANK_METHODS)),
    ("rank.inputs", lambda: list(__import__("symfind.rank.ranking", fromlist=["x"]).RANK_INPUTS)),
    ("vae.model", lambda: list(__import__("symfind.detect.vae", fromlist=["x"]).VAE_MODELS)),
    ("vae.score", lambda: list(__import__("symfind.detect.symbiotic", fromlist=["x"]).VAE_SCORES)),
    ("vae.preset", lambda: [None, *__import__("symfind.config", fromlist=["x"]).VAE_PRESETS]),
    ("source", lambda: list(__import__("symfind.query.sources", fromlist=["x"]).SOURCES)),
])
def test_the_schema_lists_what_the_code_has(path, code):
    assert sorted(map(str, _enum(path))) == sorted(map(str, code()))


def test_library_defaults_are_the_shipped_configuration():
    """A function called without a setting uses the value of config.yaml (one source of truth)."""
    import yaml

    from symfind.config import with_defaults
    from symfind.detect.detectors import configured_variants
    from symfind.query.tap import TapRunner

    shipped = yaml.safe_load((REPO / "config.yaml").read_text())
    runner = TapRunner("http://127.0.0.1:9/tap")
    assert (runner.timeout_s, runner.retries, runner.backoff_s, runner.maxrec) == tuple(
        shipped["tap"][k] for k in ("timeout_s", "retries", "backoff_s", "maxrec"))
    assert with_defaults("vae", {"epochs": 3}) == {**shipped["vae"], "epochs": 3}
    # an empty vae block means the shipped VAE (conditional): its three scores are the ones compared
    assert set(configured_variants({})) == set(configured_variants(shipped["vae"])) == {
        "vae_conditional_symbiotic", "vae_conditional_hot_excess", "vae_conditional_any"}


def test_one_stage_numbering_everywhere():
    from symfind.products import CONFIG_STAGES, STAGES

    for smk in (REPO / "workflow" / "rules").glob("*.smk"):
        text = smk.read_text()
        for number, name in re.findall(r'category="(\d)\. ([^"]+)"', text):
            assert number == "0" and name == "Run" or STAGES[int(number)] == name, (smk.name, number, name)
        if smk.stem in ("common", "gather", "twins"):  # shared, or across stages ("# Stages 1-6")
            continue
        number = int(re.match(r"# Stage (\d):", text).group(1))
        runners = SRC / "stages" / f"{smk.stem}.py"
        if runners.exists():
            assert f"(stage {number})" in runners.read_text().split("\n", 1)[0], runners.name
    config_text = (REPO / "config.yaml").read_text()
    for section, number in CONFIG_STAGES.items():
        comment = re.search(rf"\n((?:#[^\n]*\n)+){section}:\n", config_text).group(1)
        assert f"(stage {number}" in comment, section
        assert not re.search(r"\(stage \d[a-z]", comment), section


def test_the_readme_is_short_and_keeps_no_diary():
    """A newcomer's README: at most ~200 lines, no dated runs (they go to benchmarks/RESULTS.md),
    and its links into the documentation point at pages that exist."""
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    pages = re.findall(r"\]\((docs/[^)]+\.md)\)", text)
    assert pages and all((REPO / page).exists() for page in pages)


def test_the_configuration_reference_is_the_schemas(tmp_path):
    """docs/configuration.md is written from the schema (make docs rewrites it): the committed page
    is what the schema says now."""
    import sys

    sys.path.insert(0, str(REPO / "docs"))
    try:
        from config_reference import write_reference
    finally:
        sys.path.remove(str(REPO / "docs"))
    write_reference(tmp_path / "configuration.md")
    assert (tmp_path / "configuration.md").read_text() == (REPO / "docs" / "configuration.md").read_text(), \
        "docs/configuration.md is stale: run make docs and commit it"
