"""Per-rule environments and execution profiles."""

import ast
import re

import pytest
import yaml

from conftest import REPO
from helpers import rule_blocks, snakemake


def _rules(repo):
    """(rule name, conda env text, script file) for every rule in workflow/rules (a rule made in a
    loop is named by its ``name:``)."""
    found = []
    for smk, name, block in rule_blocks(repo):
        conda = re.search(r"conda:\s*\n\s*(.+)", block)
        script = re.search(r'script:\s*\n\s*"([^"]+)"', block)
        found.append((name, conda and conda.group(1), script and (smk.parent / script.group(1)).resolve()))
    return found


def _module_path(repo, module: str):
    path = repo / "src" / "symfind" / (module.replace(".", "/") + ".py")
    return path if path.exists() else path.with_suffix("") / "__init__.py"


def _targets(module: str, nodes) -> set[str]:
    """The symfind modules (dotted, below symfind) that the import statements ``nodes`` of ``module`` name."""
    package = module.split(".")[:-1] if not _module_path(REPO, module).name == "__init__.py" else module.split(".")
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names if _module_path(REPO, f"{target}.{alias.name}").exists())
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symfind."):
            found.add(node.module.removeprefix("symfind."))
    return {t for t in found if t and _module_path(REPO, t).exists()}


def _reaches_vae(module: str, seen: set) -> bool:
    """Whether importing symfind module ``module`` imports the VAE (its module-level imports, recursively)."""
    if module == "detect.vae":
        return True
    if module in seen:
        return False
    seen.add(module)
    tree = ast.parse(_module_path(REPO, module).read_text())
    return any(_reaches_vae(t, seen) for t in _targets(module, tree.body))


def _needs_torch(module: str, function: str) -> bool:
    """Whether calling ``symfind.<module>.<function>`` imports the VAE (the module's imports and the
    function's own)."""
    tree = ast.parse(_module_path(REPO, module).read_text())
    body = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function)
    local = [node for node in ast.walk(body) if isinstance(node, ast.ImportFrom)]
    return any(_reaches_vae(t, set()) for t in _targets(module, [*tree.body, *local]))


def test_every_rule_has_the_right_env(repo):
    rules = _rules(repo)
    assert len(rules) >= 15
    for name, conda, script in rules:
        if name == "all":
            continue
        assert conda, f"rule {name} has no conda env"
        calls = [(m, f) for m, f in re.findall(r"from symfind\.([\w.]+) import (\w+)", script.read_text()) if m != "logs"]
        assert calls, f"rule {name}'s script calls no symfind function"
        needs_torch = any(_needs_torch(m, f) for m, f in calls)
        if name == "extinction":  # SFD in the core environment, an mwdust map in its own
            assert "mwdust.yaml" in conda and "core.yaml" in conda and 'startswith("mwdust:")' in conda, conda
            continue
        if conda == "SOURCE_ENV":  # the rules that read the source: envs/hats.yaml for source: hats
            assert name in ("select_objects", "fetch_epochs", "fetch_distances") and not needs_torch, name
            continue
        expected = "torch.yaml" if needs_torch else "core.yaml"
        assert conda.strip('"').endswith(expected), f"rule {name} uses {conda}, expected envs/{expected}"


def test_the_hats_env_has_lsdb_beside_the_core(repo):
    hats = " ".join(map(str, yaml.safe_load((repo / "envs" / "hats.yaml").read_text())["dependencies"]))
    core = yaml.safe_load((repo / "envs" / "core.yaml").read_text())["dependencies"]
    assert "lsdb" in hats and "dask-jobqueue" in hats and "torch" not in hats
    assert all(str(d) in hats for d in core), "envs/hats.yaml holds every core dependency"
    common = (repo / "workflow" / "rules" / "common.smk").read_text()
    assert 'SOURCE_ENV = "../../envs/hats.yaml" if SOURCE == "hats"' in common


def test_torch_and_mwdust_are_isolated(repo):
    core = yaml.safe_load((repo / "envs" / "core.yaml").read_text())["dependencies"]
    flat = " ".join(str(d) for d in core)
    assert "torch" not in flat and "mwdust" not in flat
    assert "pytorch" in " ".join(map(str, yaml.safe_load((repo / "envs" / "torch.yaml").read_text())["dependencies"]))


def test_slurm_profile_plans(repo, tmp_path):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    result = snakemake(repo, tmp_path, "--profile", str(repo / "workflow" / "profiles" / "slurm"), "-n")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "train_vae" in result.stdout and "select_objects" in result.stdout


def test_local_profile_plans(repo, tmp_path):
    result = snakemake(repo, tmp_path, "--profile", str(repo / "workflow" / "profiles" / "local"), "-n")
    assert result.returncode == 0, result.stdout[-3000:]
