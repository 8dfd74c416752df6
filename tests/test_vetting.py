"""The astronomer in the loop: labels files, the ranking with vetted positives and negatives, the
"next to vet" order, and the browser's verdicts in a real Chromium."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers import planned_jobs, snakemake
from symfind.rank import ranking
from symfind.io import InputError
from symfind.products import PRODUCTS
from symfind.rank.vetting import CHOICES, LABEL_COLUMNS, read_labels, vetted_masks

PARAMS = {"method": "pu_bagging", "features": "colors", "inputs": [], "n_bags": 10, "n_trees": 10, "label_fraction": 0.5,
          "n_splits": 3, "top_fractions": [0.05], "seed": 3}


def _labels(path, rows, columns=LABEL_COLUMNS):
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def _wait_for(condition, timeout_s: float = 30.0) -> bool:
    """Poll ``condition`` (a browser's asynchronous work) until it holds or ``timeout_s`` passes."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def test_labels_file_keeps_the_latest_verdict_per_object(tmp_path):
    first = _labels(tmp_path / "a.csv", [[1, "symbiotic", "", "", "2026-12-01T10:00:00Z"],
                                         [2, "not_symbiotic", "mira_lpv", "LPV in ASAS-SN", "2026-12-01T10:01:00Z"]])
    second = _labels(tmp_path / "b.csv", [[1, "not_symbiotic", "composite_or_blend", "A-star lines", "2026-12-02T09:00:00Z"],
                                          [3, "uncertain", "", "needs a spectrum, \"soon\"", ""]])
    verdicts = read_labels([first, second], [1, 2, 3, 4])
    assert verdicts["object_id"].tolist() == [1, 2, 3]
    assert verdicts.set_index("object_id").loc[1, ["verdict", "class", "labels_file"]].tolist() == \
        ["not_symbiotic", "composite_or_blend", str(second)]
    assert verdicts.set_index("object_id").loc[3, "note"] == 'needs a spectrum, "soon"'
    yes, no = vetted_masks(np.array([1, 2, 3, 4]), verdicts)
    assert yes.tolist() == [False, False, False, False] and no.tolist() == [True, True, False, False]
    # the older file given last does not win over a later time
    assert read_labels([second, first], [1, 2, 3]).set_index("object_id").loc[1, "verdict"] == "not_symbiotic"


@pytest.mark.parametrize("rows, columns, expected", [
    ([[99, "symbiotic", "", "", ""]], LABEL_COLUMNS, r"row 2, column object_id: 99 is not an analysed object"),
    ([[1, "symbiotic", "", "", ""], [2, "maybe", "", "", ""]], LABEL_COLUMNS, r"row 3, column verdict: 'maybe'"),
    ([[1, "symbiotic", "mira_lpv", "", ""]], LABEL_COLUMNS, r"row 2, column class: 'mira_lpv' is not a class of verdict 'symbiotic'"),
    ([["x1", "symbiotic", "", "", ""]], LABEL_COLUMNS, r"row 2, column object_id: 'x1' is not an object id"),
    ([[1, "symbiotic", "", ""]], ("object_id", "verdict", "class", "note"), r"lacks column\(s\) time"),
    ([[1, "symbiotic", "", "", "yesterday"]], LABEL_COLUMNS, r"row 2, column time: 'yesterday'"),
])
def test_a_bad_labels_file_is_refused_naming_the_file_row_and_column(tmp_path, rows, columns, expected):
    path = _labels(tmp_path / "bad.csv", rows, columns)
    with pytest.raises(InputError, match=expected) as error:
        read_labels(path, [1, 2, 3])
    assert str(path) in str(error.value)


def _sky(n=400, seed=5):
    """A scored table of ``n`` objects: 30 'symbiotic' (catalogued: 20) with u - v and u - g low,
    20 impostors with u - g and v - g low (blue like them in u - g, the jump the other way)."""
    rng = np.random.default_rng(seed)
    colours = {name: rng.normal(0, 1, n) for name in ("u_v", "u_g", "v_g", "g_r", "r_i", "i_z")}
    table = pd.DataFrame({"object_id": np.arange(1, n + 1), "raj2000": rng.uniform(0, 360, n), "dej2000": rng.uniform(-80, 0, n),
                          "anomaly_score": rng.random(n), "rank": np.arange(1, n + 1), "score_colour_rule": rng.random(n),
                          **colours})
    symbiotic, impostor = np.arange(30), np.arange(30, 50)
    table.loc[symbiotic, ["u_v", "u_g"]] -= 3.0  # a nebula: u gains more than v
    table.loc[impostor, ["u_g", "v_g"]] -= 3.0  # an A star: v gains as much as u
    matches = pd.DataFrame({"object_id": table["object_id"].iloc[:20], "name": [f"SySt {k}" for k in range(20)],
                            "catalogue": "test", "separation_arcsec": 0.1})
    return table, matches


def _scored(monkeypatch, table):
    from symfind.detect import scored

    monkeypatch.setattr(scored, "scored_rows", lambda frame: frame)
    monkeypatch.setattr(ranking, "ranking_features", lambda rows, feature_set, inputs=(): (
        rows[["u_v", "u_g", "v_g", "g_r", "r_i", "i_z"]].to_numpy(dtype=float), ["u_v", "u_g", "v_g", "g_r", "r_i", "i_z"]))


def test_vetted_negatives_leave_the_top_and_vetted_positives_become_labels(monkeypatch, tmp_path):
    table, matches = _sky()
    _scored(monkeypatch, table)
    params = {**PARAMS, "draw_factor": 2}  # bags of 50 drawn negatives: a few impostors in each
    before, _, _ = ranking.rank_objects(table, matches, params)
    top = before.dropna(subset=["rank"]).sort_values("rank")["object_id"].head(30).tolist()
    impostors = [i for i in top if 31 <= i <= 50][:5]
    found = [i for i in top if 21 <= i <= 30][:2]
    assert len(impostors) >= 3 and found
    labels = _labels(tmp_path / "labels.csv", [[i, "not_symbiotic", "composite_or_blend", "", "2026-12-02T10:00:00Z"] for i in impostors]
                     + [[i, "symbiotic", "", "spectrum", "2026-12-02T10:05:00Z"] for i in found])
    after, _, _ = ranking.rank_objects(table, matches, params, verdicts=read_labels(labels, table["object_id"]))
    by_id = after.set_index("object_id")
    assert by_id.loc[impostors, "rank"].isna().all() and by_id.loc[found, "rank"].isna().all()  # labels, not candidates
    assert (by_id.loc[impostors, "vetted_verdict"] == "not_symbiotic").all()
    assert (by_id.loc[found, "vetted_file"] == str(labels)).all()
    # what the astronomer rejected taught the forests: the impostors not yet vetted fall too
    rest = [i for i in range(31, 51) if i not in impostors]

    def mean_score(frame, ids):
        return float(frame.set_index("object_id").loc[ids, "rank_score"].mean())

    assert mean_score(after, rest) < 0.7 * mean_score(before, rest)
    # next to vet: the unvetted objects only, most disagreement first
    order = after.dropna(subset=["vet_order"]).sort_values("vet_order")
    assert not set(order["object_id"]) & set(impostors + found) and set(order["object_id"]).isdisjoint(range(1, 21))
    spread = order["rank_disagreement"].to_numpy()
    assert np.all(np.diff(spread) <= 1e-12) and spread[0] > 0


def test_the_evaluation_never_gives_a_hidden_star_through_a_verdict(monkeypatch):
    """A vetted symbiotic star that a split hides is not given to the ranker in that split."""
    table, matches = _sky()
    _scored(monkeypatch, table)
    seen = []
    real = ranking.rank_scores

    def spy(method, X, known, anomaly, params, seed, prior=None, negatives=None, threads=1):
        seen.append((known.copy(), None if negatives is None else negatives.copy()))
        return real(method, X, known, anomaly, params, seed, prior, negatives, threads)

    monkeypatch.setattr(ranking, "rank_scores", spy)
    verdicts = pd.DataFrame({"object_id": [1, 2, 3, 40], "verdict": ["symbiotic"] * 3 + ["not_symbiotic"],
                             "class": ["", "", "", "artefact"], "note": "", "time": "", "labels_file": "l.csv"})
    evaluation, problem = ranking.evaluate_objects(table, matches, PARAMS, verdicts=verdicts)
    assert problem is None and len(seen) > 0
    labels = table["object_id"].isin(matches["object_id"]).to_numpy()
    splits = list(ranking.split_labels(labels, PARAMS["label_fraction"], PARAMS["n_splits"], PARAMS["seed"]))
    per_split = len(seen) // len(splits)
    for k, (given, hidden) in enumerate(splits):
        for known, negatives in seen[k * per_split:(k + 1) * per_split]:
            assert not (known & hidden).any() and (known & given).sum() == given.sum()
            if negatives is not None:
                assert negatives[39] and negatives.sum() == 1


#: What the ranking's labels may rerun: the ranking, its evaluation and what reads the ranked list.
RANKING_AND_READERS = {"rank_candidates", "evaluate_ranking", "ranked_tables", "candidate_evidence", "summary", "all"}
#: ...and, where the config names a new labels file, the record of the configuration and its readers.
CONFIG_RECORD = {"config_used", "candidate_table"}


def test_a_labels_file_reruns_only_the_ranking_and_its_readers(repo, finished_run, tmp_path):
    """Naming a labels file in the config plans the ranking, its evaluation, what reads the ranked
    list and the configuration's record, never the selection, the colours or the VAE; a changed
    labels file then reruns the ranking and its readers only. The ranked list made with it takes
    the vetted negative out of the top and says by which file."""
    import shutil

    workdir = tmp_path / "run"
    shutil.copytree(finished_run[0], workdir, symlinks=True)  # file times kept: the copy is up to date
    results = workdir / "results"
    ranked = pd.read_csv(results / PRODUCTS["candidates_ranked"])
    first = int(ranked.dropna(subset=["rank"]).sort_values("rank")["object_id"].iloc[0])
    labels = _labels(workdir / "labels_test.csv", [[first, "not_symbiotic", "mira_lpv", "", "2026-12-02T11:00:00Z"]])
    (workdir / "vetting.yaml").write_text(yaml.safe_dump({"vetting": {"labels": [labels.name]}}))
    configs = ("--configfile", "test_config.yaml", "vetting.yaml")
    plan = snakemake(repo, workdir, *configs, "-n")
    assert plan.returncode == 0, plan.stdout[-3000:]
    jobs = planned_jobs(plan.stdout)
    assert {"rank_candidates", "evaluate_ranking"} <= jobs and jobs <= RANKING_AND_READERS | CONFIG_RECORD, jobs
    run = snakemake(repo, workdir, *configs)
    assert run.returncode == 0, run.stdout[-3000:]
    out = pd.read_csv(results / PRODUCTS["candidates_ranked"], dtype={"vetted_file": str}, keep_default_na=False)
    row = out.set_index("object_id").loc[first]
    assert row["rank"] == "" and row["vetted_verdict"] == "not_symbiotic" and row["vetted_file"] == labels.name
    assert int(out[out["rank"] != ""].astype({"rank": int}).sort_values("rank")["object_id"].iloc[0]) != first
    time.sleep(1.0)
    _labels(labels, [[first, "not_symbiotic", "mira_lpv", "a later look", "2026-12-02T12:00:00Z"]])
    again = snakemake(repo, workdir, *configs, "-n")
    assert again.returncode == 0, again.stdout[-3000:]
    assert {"rank_candidates", "evaluate_ranking"} <= planned_jobs(again.stdout) <= RANKING_AND_READERS, again.stdout[-3000:]


def test_a_bad_labels_file_stops_the_ranking_and_writes_nothing(finished_run, tmp_path):
    from symfind.stages.ranking import rank_candidates

    results = finished_run[0] / "results"
    first = int(pd.read_csv(results / PRODUCTS["candidates_ranked"])["object_id"].iloc[0])
    bad = _labels(tmp_path / "labels_bad.csv", [[first, "nope", "", "", ""]])
    with pytest.raises(InputError, match=r"labels_bad.csv, row 2, column verdict"):
        rank_candidates(results / PRODUCTS["scored"], results / PRODUCTS["known_matches"], {}, tmp_path / "r.csv",
                        tmp_path / "i.csv", labels_files=[bad])
    assert not (tmp_path / "r.csv").exists()


def _page(tmp_path, n=6):
    """A browser page of ``n`` candidates (tiny figures), its vet order the reverse of its rows."""
    from PIL import Image

    from symfind.present.browser import browser_html

    figure = tmp_path / "f.png"
    Image.new("RGB", (20, 10), (200, 50, 50)).save(figure)
    rows = pd.DataFrame({"lists": "ranked", "ranked_rank": np.arange(1, n + 1), "vae_rank": np.arange(1, n + 1),
                         "object_id": 1000 + np.arange(n), "raj2000": 10.0 + np.arange(n), "dej2000": -30.0,
                         "known": "", "rank_score": np.linspace(0.9, 0.5, n), "score_hot_excess": 1.0, "u_excess": 1.0,
                         "jk0": 1.0, "abs_j": -4.0, "excess_features": "", "halpha_ew": np.nan, "gaia_class": "",
                         "vet_order": pd.array(np.arange(n, 0, -1), dtype="Int64"),
                         "rank_disagreement": np.linspace(0.1, 0.3, n), "verdict": "",
                         "vetted_verdict": "", "vetted_class": "", "vetted_file": ""})
    rows.loc[n - 1, ["vetted_verdict", "vetted_file"]] = ["symbiotic", "labels_2026.csv"]
    page = tmp_path / "candidates.html"
    page.write_text(browser_html(rows, {int(i): figure for i in rows["object_id"]},
                                 {"symfind_version": "test", "date": "2026-12-02", "config_sha256": "0" * 64}, "test page"))
    return page, rows


@pytest.fixture()
def served(tmp_path):
    """The test's folder over http://127.0.0.1 on a free port (headless Chromium keeps a file://
    page's storage unreliably across reloads; the page itself is opened from file:// in the SAMP
    test): yields the base URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_verdicts_survive_a_reload_are_exported_and_imported_in_chromium(tmp_path, served):
    from selenium.webdriver.common.by import By

    from test_evidence import _browser

    page, rows = _page(tmp_path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = _browser()
    try:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        driver.get(f"{served}/{page.name}")  # a fresh browser profile: nothing stored yet
        assert not driver.find_element(By.ID, "storage-warning").is_displayed()

        def row(oid):
            return driver.find_element(By.CSS_SELECTOR, f'#candidates tbody tr[data-object="{oid}"]')

        def verdict_cell(oid):
            return row(oid).find_elements(By.TAG_NAME, "td")[-1].text

        def click(element):
            """A real click, on the element scrolled to the middle (not under the sticky header)."""
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()

        chosen = {1000: CHOICES[0], 1001: CHOICES[1], 1002: CHOICES[4]}
        for oid, (verdict, cls, label) in chosen.items():
            click(row(oid))
            assert _wait_for(lambda: driver.find_element(By.ID, "detail-title").text.startswith(f"object {oid}"))
            note = driver.find_element(By.ID, "verdict-note")
            note.clear()
            note.send_keys(f"note for {oid}, with a comma")
            click(driver.find_element(By.XPATH, f'//div[@id="verdict-buttons"]/button[text()="{label}"]'))
            assert _wait_for(lambda: verdict_cell(oid) == label), (oid, verdict_cell(oid))
        assert "not yet exported" in driver.find_element(By.ID, "vetting-status").text
        driver.find_element(By.ID, "export-labels").click()
        exported = downloads / "symfind_labels.csv"
        assert _wait_for(lambda: exported.exists() and exported.stat().st_size > 0)
        assert "not yet exported" not in driver.find_element(By.ID, "vetting-status").text
        driver.refresh()
        for oid, (_, _, label) in chosen.items():
            assert verdict_cell(oid) == label
        assert verdict_cell(1005).startswith("symbiotic [labels_2026.csv]")  # the labels file's verdict, from the run
        # next to vet: the unvetted ones by their vet order (1004, 1003), the vetted ones after
        driver.find_element(By.ID, "order-next").click()
        order = [int(r.get_attribute("data-object")) for r in driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")]
        assert order[:2] == [1004, 1003] and set(order[2:]) == {1000, 1001, 1002, 1005}
        verdicts = read_labels(exported, rows["object_id"])  # the library reads what the page wrote
        assert verdicts["object_id"].tolist() == list(chosen)
        assert [tuple(v) for v in verdicts[["verdict", "class"]].to_numpy()] == [c[:2] for c in chosen.values()]
        assert verdicts["note"].tolist() == [f"note for {oid}, with a comma" for oid in chosen]
        # a fresh browser storage, the file imported: the verdicts are back
        driver.execute_script("window.localStorage.clear()")
        driver.refresh()
        assert verdict_cell(1000) == ""
        driver.find_element(By.ID, "import-labels").send_keys(str(exported))
        assert _wait_for(lambda: verdict_cell(1001) == chosen[1001][2])
        assert [verdict_cell(oid) for oid in chosen] == [c[2] for c in chosen.values()]
        assert "imported 3" in driver.find_element(By.ID, "vetting-status").text
        # a bad file is refused, naming the row and the column, and changes nothing
        bad = _labels(tmp_path / "bad.csv", [[1003, "perhaps", "", "", ""]])
        driver.find_element(By.ID, "import-labels").send_keys(str(bad))
        assert _wait_for(lambda: "refused" in driver.find_element(By.ID, "vetting-status").text)
        assert "row 2, column verdict" in driver.find_element(By.ID, "vetting-status").text and verdict_cell(1003) == ""
    finally:
        driver.quit()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_send_to_topcat_delivers_the_votable_over_the_samp_web_profile(tmp_path):
    """A real SAMP hub (pyvo.samp, web profile on its own port, the registration accepted by a test
    dialog) and a listening client: the page's "send to TOPCAT" delivers table.load.votable with the
    URL of the candidates' VOTable beside the page, and a row click coord.pointAt.sky at the row's
    coordinates; with no hub the page says so."""
    import queue
    import threading

    from pyvo.samp import SAMPHubServer, SAMPIntegratedClient
    from selenium.webdriver.common.by import By

    from test_evidence import _browser

    page, rows = _page(tmp_path)
    (tmp_path / "candidates.vot").write_text("<VOTABLE/>")

    class AcceptingDialog:
        """The hub's web-profile dialog: accepts every page (the hub adds the two queues)."""

        def run(self):
            while not stop.is_set():
                try:
                    self.queue_request.get(timeout=0.1)
                except queue.Empty:
                    continue
                self.queue_result.put(True)

    stop = threading.Event()
    dialog = AcceptingDialog()
    port = _free_port()
    hub = SAMPHubServer(web_profile=True, web_profile_dialog=dialog, web_port=port, lockfile=str(tmp_path / "samp.lock"))
    hub.start(wait=False)
    threading.Thread(target=dialog.run, daemon=True).start()
    received = queue.Queue()
    client = SAMPIntegratedClient(name="listener")
    driver = None
    try:
        client.connect(hub=hub)
        for mtype in ("table.load.votable", "coord.pointAt.sky"):
            client.bind_receive_notification(mtype, lambda private_key, sender_id, mtype, params, extra: received.put((mtype, params)))
        driver = _browser()
        driver.get(page.as_uri() + f"?samp_port={port}")
        driver.find_element(By.ID, "samp-send").click()
        mtype, params = received.get(timeout=30)
        assert mtype == "table.load.votable"
        assert params["url"] == (tmp_path / "candidates.vot").as_uri() and params["name"] == "symfind candidates"
        _wait_for(lambda: "sent" in driver.find_element(By.ID, "samp-status").text)
        target = driver.find_element(By.CSS_SELECTOR, '#candidates tbody tr[data-object="1002"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        target.click()
        mtype, params = received.get(timeout=30)
        assert mtype == "coord.pointAt.sky" and float(params["ra"]) == pytest.approx(12.0) and float(params["dec"]) == -30.0
    finally:
        stop.set()
        if driver is not None:
            driver.quit()
        if client.is_connected:
            client.disconnect()
        hub.stop()
    # no hub: the page says plainly what to do
    driver = _browser()
    try:
        driver.get(page.as_uri() + f"?samp_port={_free_port()}")
        driver.find_element(By.ID, "samp-send").click()
        _wait_for(lambda: "no SAMP hub" in driver.find_element(By.ID, "samp-status").text)
        assert "no SAMP hub answers" in driver.find_element(By.ID, "samp-status").text
    finally:
        driver.quit()
