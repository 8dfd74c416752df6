"""Per-rule environments and execution profiles."""

import re

import pytest
import yaml

from helpers import snakemake


def _rules(repo):
    """(rule name, conda env file, script file) for every rule in workflow/rules."""
    found = []
    for smk in sorted((repo / "workflow" / "rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"\n\s*rule ", text)[1:]:
            name = block.split(":", 1)[0].strip()
            conda = re.search(r'conda:\s*\n\s*"([^"]+)"', block)
            script = re.search(r'script:\s*\n\s*"([^"]+)"', block)
            found.append((name, conda and conda.group(1), script and (smk.parent / script.group(1)).resolve()))
    return found


def test_every_env_file_parses(repo):
    for env in (repo / "envs").glob("*.yaml"):
        spec = yaml.safe_load(env.read_text())
        assert "conda-forge" in spec["channels"] and any(str(d).startswith("python") for d in spec["dependencies"]), env


def test_every_rule_has_the_right_env(repo):
    rules = _rules(repo)
    assert len(rules) >= 15
    for name, conda, script in rules:
        if name == "all":
            continue
        assert conda, f"rule {name} has no conda env"
        modules = set(re.findall(r"from symfind\.(\w+) import", script.read_text()))
        assert modules, f"rule {name}'s script calls no symfind function"
        sources = {m: (repo / "src" / "symfind" / f"{m}.py").read_text() for m in modules}
        needs_torch = "vae" in modules or any(re.search(r"^from \.vae import", src, re.M) for src in sources.values())
        needs_mwdust = name == "extinction_mwdust"
        expected = "torch.yaml" if needs_torch else "mwdust.yaml" if needs_mwdust else "core.yaml"
        assert conda.endswith(expected), f"rule {name} uses {conda}, expected envs/{expected}"


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
