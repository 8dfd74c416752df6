"""What an astronomer opens: the HTML report, the plots, the summary and the configuration used."""

import re

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers import snakemake
from symfind.validate import validate_config
from symfind.present.plots.scores import latent_plot
from symfind.present.plots.sky import colour_colour_plot, colour_magnitude_plot
from symfind.products import PRODUCTS
from symfind.present.summary import stage_counts, start_here, summary_text

#: Every product the report must show, with a phrase of its caption.
IN_REPORT = {
    "sky_map": "Mollweide projection",
    "colour_colour_plot": "Colour-colour diagrams",
    "colour_magnitude_plot": "Dereddened colour",
    "latent_plot": "latent space",
    "score_histogram": "Histogram of the VAE reconstruction loss",
    "score_boxplot": "Box plot",
    "score_scatter": "ordered by object_id",
    "pca_plot": "PCA of the colour space",
    "detector_comparison": "Detector comparison",
    "detector_comparison_plot": "Detector comparison",
    "cutflow": "Cut-flow",
    "selection_cutflow": "Selection cut-flow",
    "candidates_csv": "candidate table",
    "known_recovery": "known symbiotic stars in the analysed",
    "config_used": "configuration this run used",
    "summary": "End-of-run summary",
    "score_magnitude_plot": "against the u and J magnitudes",
    "candidates_ranked": "ranked by how much they look like the known symbiotic stars",
    "ranking_evaluation": "evaluated on labels it never saw",
    "ranking_evaluation_plot": "evaluated on labels it never saw",
    "ranking_features": "features that drive the ranking",
    "candidate_browser": "The candidate browser",
    "candidate_figures": "Evidence per candidate",
}


def test_report_renders_every_figure_and_table(repo, finished_run):
    workdir, _ = finished_run
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml", "--report", "report.html")
    assert result.returncode == 0, result.stdout[-3000:]
    html = (workdir / "report.html").read_text(encoding="utf-8")
    for key, caption in IN_REPORT.items():
        assert PRODUCTS[key] in html, key
        assert caption in html, (key, caption)
    assert "(J-K)_0 &gt; 0.85" in html  # the workflow description is rendered with this run's config


def test_summary_counts_match_the_products(finished_run):
    results = finished_run[0] / "results"
    text = (results / PRODUCTS["summary"]).read_text()
    selected = len(pd.read_parquet(results / PRODUCTS["selection"], columns=["object_id"]))
    merged = len(pd.read_parquet(results / PRODUCTS["analysed"], columns=["object_id"]))
    n_candidates = int(pd.read_parquet(results / PRODUCTS["vae_scores"])["is_candidate"].sum())
    assert re.search(rf"selected by the query\s+{selected:,d}\n", text)
    assert re.search(rf"analysed \(cuts and colours joined\)\s+{merged:,d}\n", text)
    assert re.search(rf"VAE candidates\s+{n_candidates:,d}\n", text)
    assert PRODUCTS["candidates_vot"] in text and "Known symbiotic stars" in text
    assert "Nothing to be done" not in finished_run[1].stdout and "run summary" in finished_run[1].stdout  # onsuccess printed it


def test_config_used_is_the_validated_config(finished_run, tiny_sample):
    written = yaml.safe_load((finished_run[0] / "results" / PRODUCTS["config_used"]).read_text())
    assert written == validate_config(written)  # complete and valid as it stands
    assert written["sample"]["dir"] == str(tiny_sample) and written["vae"]["epochs"] == 5


def test_stage_counts_follow_the_cutflow():
    selection_flow = pd.DataFrame({"step": ["input", "j_max"], "criterion": ["joined master table", "J < 14"], "rows_left": [100, 40]})
    cutflow = pd.DataFrame({"tile": ["all", "all", "7", "7"], "cut": ["selected", "jk0_min"] * 2, "rows_left": [40, 30, 40, 30]})
    counts = stage_counts(selection_flow, cutflow, 38, 29, 1)
    assert counts == [("rows in: joined master table", 100), ("selected by the query", 40), ("after cut jk0_min", 30),
                      ("with SkyMapper colours", 38), ("analysed (cuts and colours joined)", 29), ("VAE candidates", 1)]
    text = summary_text(counts, pd.DataFrame({"catalogue": ["all"], "n_in_sample": [4], "n_candidates_matched": [1], "recall": [0.25]}),
                        pd.DataFrame(), {"candidates": "results/candidates.csv"})
    assert "1 of    4" in text and "recall 25.0%" in text and "results/candidates.csv" in text


def test_summary_says_what_it_cannot_count():
    """A catalogue none of whose stars was analysed, and a label set without a labelled star, print no 'nan'."""
    recovery = pd.DataFrame({"catalogue": ["mine", "all"], "n_in_sample": [0, 3], "n_candidates_matched": [0, 1],
                             "recall": [np.nan, 1 / 3]})
    comparison = pd.DataFrame({"detector": ["vae_conditional_hot_excess", "lof"], "errors": ["used", "ignored"],
                               "labels": ["catalogue", "catalogue"], "top_fraction": [0.02, 0.02], "recall": [np.nan, np.nan]})
    text = summary_text([("analysed", 10)], recovery, comparison, {})
    assert "nan" not in text.lower()
    assert "mine" in text and "no star of it was analysed" in text and "recall 33.3%" in text
    assert "n/a (no labelled star)" in text


def _evaluation(rank_recall, vae_recall, fraction=0.02):
    return pd.DataFrame({"method": ["rank:pu_bagging", "vae", "rank:pu_bagging"], "top_fraction": [fraction, fraction, fraction],
                         "split": ["mean", "mean", "0"], "recall": [rank_recall, vae_recall, 0.0]})


@pytest.mark.parametrize("evaluation, problem, first, reason", [
    (_evaluation(0.8, 0.5), None, "r/ranked.csv", "the ranking finds 80% in its top 2%, the VAE alone 50%"),
    (_evaluation(0.3, 0.6), None, "r/cands.csv", "the ranking finds 30% in its top 2%, the VAE alone 60%"),
    (_evaluation(0.3, 0.6, fraction=0.05), None, "r/cands.csv", "in its top 5%"),  # 2% not evaluated: the largest that was
    (_evaluation(np.nan, np.nan).iloc[:0], None, "r/ranked.csv", "too few to test it on hidden ones"),
    (_evaluation(0.8, 0.5).iloc[:0], "needs at least 1 known symbiotic star", "r/cands.csv", "could not run on this sky"),
])
def test_summary_says_which_list_to_start_from(evaluation, problem, first, reason):
    lines = start_here("r/ranked.csv", "r/cands.csv", evaluation, "pu_bagging", 0.02, 12, problem,
                       "snakemake --report r/report.html --configfile my.yaml", browser="r/candidates.html")
    text = "\n".join(lines)
    assert lines[0] == "Start here:" and lines[1].startswith(f"  1. {first}")
    assert "r/ranked.csv" in text and "r/cands.csv" in text and reason in text
    assert "12 candidates" in text and "r/candidates.html" in text
    assert "snakemake --report r/report.html --configfile my.yaml" in text
    if problem:
        assert problem in text


def test_run_summary_names_both_lists_and_the_report_command(finished_run):
    results = finished_run[0] / "results"
    text = (results / PRODUCTS["summary"]).read_text()
    head = text[:text.index("Objects per stage:")]
    assert "Start here:" in head
    assert PRODUCTS["candidates_ranked"] in head and PRODUCTS["candidates_csv"] in head
    assert "snakemake --report results/report.html --configfile test_config.yaml" in head
    assert PRODUCTS["candidates_ranked_fits"] in text and PRODUCTS["candidates_ranked_vot"] in text


@pytest.fixture
def small_frames():
    rng = np.random.default_rng(1)
    n = 200
    merged = pd.DataFrame({"object_id": np.arange(n), **{c: rng.normal(10, 1, n) for c in
                           ("j_m", "h_m", "k_m", "u_psf", "g_psf", "r_psf", "w1mpro", "w2mpro", "w3mpro", "w4mpro")},
                           "jk0": rng.normal(1.1, 0.1, n), "abs_j": rng.normal(-4, 1, n)})
    merged.loc[:49, "w4mpro"] = np.nan  # W4 missing for a quarter: that panel shows the rest
    merged.loc[:9, "abs_j"] = np.nan  # no distance
    losses = pd.DataFrame({"object_id": np.arange(n), "anomaly_score": rng.lognormal(0, 1, n),
                           "is_candidate": np.arange(n) < 4, "latent_1": rng.normal(size=n), "latent_2": rng.normal(size=n)})
    matches = pd.DataFrame({"object_id": [5, 6]})
    return merged, losses, matches


def test_plots_draw_what_they_say(small_frames, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    merged, losses, matches = small_frames
    drawn = []
    monkeypatch.setattr(plt, "close", lambda fig: drawn.append(fig))
    colour_colour_plot(merged, losses, matches, tmp_path / "cc.png")
    colour_magnitude_plot(merged, losses, matches, {"jk_min": 0.85, "abs_j_max": 0.0}, tmp_path / "cmd.png")
    latent_plot(losses, tmp_path / "latent.png")
    cc, cmd, latent = drawn
    titles = [ax.get_title() for ax in cc.axes]
    assert titles == ["2MASS (200 with both colours)", "SkyMapper (200 with both colours)", "AllWISE (150 with both colours)"]
    for ax in cc.axes + cmd.axes[:1]:
        assert "(mag" in ax.get_xlabel() and "(mag" in ax.get_ylabel()  # every axis says its unit
    assert "10 without distance not shown" in cmd.axes[0].get_title()
    legend = [t.get_text() for t in cmd.axes[0].get_legend().get_texts()]
    assert legend == ["analysed objects (200)", "VAE candidates (4)", "known symbiotic stars (2)"]
    assert len(latent.axes) == 2  # one pair of latent dimensions and the colour bar
    for name in ("cc.png", "cmd.png", "latent.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_evidence_says_how_much_brighter_the_u_nights_were():
    """The evidence text gives det_bias_u and det_bias_v beside the detection fractions, and leaves
    out a band whose bias is unknown (u or v on every night)."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from symfind.present.evidence import evidence_facts

    row = pd.Series({"rank": 3, "n_nights_gr": 10, "det_frac_u": 0.2, "det_frac_v": 1.0, "det_bias_u": -0.93,
                     "det_bias_v": np.nan})
    lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row, None, {}, 0, 100, 50)
    at = lines.index("of 10 g-and-r nights: u on 20%, v on 100%")
    assert lines[at + 1] == "  against the others: u nights -0.93 mag in g"
    lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row.drop(["det_bias_u", "det_bias_v"]), None, {}, 0, 100, 50)
    assert not any("against the others" in line for line in lines)


def test_evidence_says_how_far_v_flickers_beyond_what_u_allows():
    """The evidence's flickering line ends with v's test against u's where it was made, and says
    nothing of it where it was not (no night of two u exposures: NaN)."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from symfind.columns import FLICKER_BEYOND_U
    from symfind.present.evidence import evidence_facts

    row = pd.Series({"rank": 3, "flicker_dof_u": 2, "flicker_rms_u": 0.0, "flicker_sig_u": 0.1, "flicker_dof_v": 1,
                     "flicker_rms_v": 0.34, "flicker_sig_v": 124.3, FLICKER_BEYOND_U: 21.46})
    lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row, None, {}, 0, 100, 50)
    assert "within a night: u rms 0.000 mag, 0.1 dex; v rms 0.340 mag, 124.3 dex; v beyond what u allows 21.5 dex" in lines
    row[FLICKER_BEYOND_U] = np.nan
    lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row, None, {}, 0, 100, 50)
    assert "within a night: u rms 0.000 mag, 0.1 dex; v rms 0.340 mag, 124.3 dex" in lines


def test_evidence_says_a_flicker_is_beyond_what_the_light_over_the_giant_allows():
    """A u flicker of 0.32 mag rms where the light beyond the giant allows 0.19 mag: the
    evidence says so and that the score leaves it out; within the bound, or without one (NaN,
    pd.NA, or no column), nothing is added."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from symfind.columns import flicker_allowed_rms_name
    from symfind.present.evidence import evidence_facts

    row = pd.Series({"rank": 3, "flicker_dof_u": 2, "flicker_rms_u": 0.32, "flicker_sig_u": 22.6,
                     flicker_allowed_rms_name("u"): 0.19}, dtype=object)
    lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row, None, {}, 0, 100, 50)
    assert ("within a night: u rms 0.320 mag, 22.6 dex (beyond the 0.190 mag its light over the giant allows: "
            "not in the score)") in lines
    for allowed in (0.5, np.nan, pd.NA):
        row[flicker_allowed_rms_name("u")] = allowed
        lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row, None, {}, 0, 100, 50)
        assert "within a night: u rms 0.320 mag, 22.6 dex" in lines
    lines = evidence_facts(SimpleNamespace(ranked_rank=np.nan), row.drop(flicker_allowed_rms_name("u")), None, {}, 0, 100, 50)
    assert "within a night: u rms 0.320 mag, 22.6 dex" in lines
