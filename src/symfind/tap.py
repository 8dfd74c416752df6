"""Archive queries over TAP (IVOA Table Access Protocol) with pyvo: tiled, asynchronous, retried.

- :class:`TapRunner` runs one ADQL query as an asynchronous job (UWS), polls it, fetches the
  result and deletes the job. HTTP errors, timeouts and jobs that end in ERROR or ABORTED are
  retried with exponential backoff, a bounded number of times; then :class:`TapError` names the
  service and the piece of work (tile or chunk). A result that hit the service's row limit
  (``QUERY_STATUS = OVERFLOW``) raises :class:`TapOverflow`: it is never kept as if complete.
- :func:`fetch_selection_tile` runs the selection query on one HEALPix tile: a cone that encloses
  the tile, then the exact tile membership locally (``healpy.ang2pix``), so neighbouring tiles
  neither overlap nor leave gaps. A tile that overflows is split into its four children, down to
  ``max_split_depth`` levels; beyond that the stage fails, saying so.
- :func:`fetch_by_upload` uploads identifiers in chunks (``TAP_UPLOAD``) and joins them to a table:
  per-epoch photometry by ``object_id``, Bailer-Jones distances by ``source_id``. No ``TOP``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .selection import Criterion, selection_adql
from .tiles import in_tile

log = logging.getLogger(__name__)


class TapError(RuntimeError):
    """A TAP query failed after its retries; the message names the service and the tile or chunk."""


class TapOverflow(TapError):
    """The service truncated a result at its row limit."""


@dataclass
class TapRunner:
    """Runs ADQL on one TAP service as asynchronous jobs, with bounded retries.

    ``timeout_s`` bounds each job's wall time (polling) and each HTTP request; ``retries`` is the
    number of further attempts after the first; backoff doubles from ``backoff_s``.
    """

    url: str
    maxrec: int | None = None
    timeout_s: float = 600.0
    retries: int = 3
    backoff_s: float = 2.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        import pyvo
        import requests

        session = requests.Session()
        self._timeout_session(session)
        self.service = pyvo.dal.TAPService(self.url, session=session)

    def _timeout_session(self, session) -> None:
        original = session.request
        timeout = self.timeout_s

        def request(method, url, **kwargs):
            kwargs.setdefault("timeout", timeout)
            return original(method, url, **kwargs)

        session.request = request

    def run(self, adql: str, what: str, uploads: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run ``adql`` (``what`` names the work in errors and logs); return the rows as a DataFrame."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff_s * 2 ** (attempt - 1)
                log.warning("%s: attempt %d of %d failed (%s); retrying in %.0f s", what, attempt, self.retries + 1, last, delay)
                self.sleep(delay)
            try:
                return self._run_once(adql, what, uploads)
            except TapOverflow:
                raise
            except Exception as exc:  # network, HTTP, UWS or VOTable errors: all retried
                last = exc
        raise TapError(f"{what}: TAP query to {self.url} failed after {self.retries + 1} attempts: {last}") from last

    def _run_once(self, adql: str, what: str, uploads: Mapping[str, Any] | None) -> pd.DataFrame:
        start = time.perf_counter()
        job = self.service.submit_job(adql, maxrec=self.maxrec, uploads=uploads)
        try:
            job.run()
            job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=self.timeout_s)
            if job.phase != "COMPLETED":
                try:
                    job.raise_if_error()
                    message = "no error message"
                except Exception as exc:  # the service's own error document
                    message = str(exc)
                raise RuntimeError(f"job {job.job_id} ended in {job.phase}: {message}")
            result = job.fetch_result()
        finally:
            try:
                job.delete()
            except Exception:  # cleaning up is best effort; the result is already in hand
                pass
        if str(result.query_status).upper() == "OVERFLOW":
            raise TapOverflow(f"{what}: result truncated at the row limit of {self.url} ({len(result)} rows)")
        frame = result.to_table().to_pandas()
        log.info("%s: %d rows in %.1f s", what, len(frame), time.perf_counter() - start)
        return frame


def tile_cone(nside: int, tile: int, margin_deg: float = 1.0 / 60) -> tuple[float, float, float]:
    """(ra, dec, radius) in deg of a cone that encloses nested HEALPix ``tile`` with a margin."""
    import healpy as hp

    center = np.array(hp.pix2vec(nside, tile, nest=True))
    corners = hp.boundaries(nside, tile, step=8, nest=True)
    cos = np.clip(center @ corners, -1.0, 1.0)
    radius = float(np.degrees(np.arccos(cos.min()))) + margin_deg
    ra, dec = hp.vec2ang(center, lonlat=True)
    return float(ra[0]), float(dec[0]), radius


def tile_adql(criteria: list[Criterion], nside: int, tile: int) -> str:
    """The selection ADQL restricted to the cone around one tile."""
    ra, dec, radius = tile_cone(nside, tile)
    cone = f"1 = CONTAINS(POINT('ICRS', m.raj2000, m.dej2000), CIRCLE('ICRS', {ra:.8f}, {dec:.8f}, {radius:.8f}))"
    return selection_adql(criteria, extra_where=cone)


def fetch_selection_tile(runner: TapRunner, criteria: list[Criterion], nside: int, tile: int, max_split_depth: int = 3) -> pd.DataFrame:
    """The selected objects of one tile; on overflow, the four child tiles, recursively."""
    what = f"selection tile {tile} (nside {nside})"
    try:
        frame = runner.run(tile_adql(criteria, nside, tile), what)
    except TapOverflow as exc:
        if max_split_depth <= 0:
            raise TapOverflow(f"{exc}; the tile cannot be split further (raise tap.max_split_depth or tap.maxrec)") from exc
        log.warning("%s overflowed; splitting into 4 tiles of nside %d", what, 2 * nside)
        parts = [fetch_selection_tile(runner, criteria, 2 * nside, 4 * tile + k, max_split_depth - 1) for k in range(4)]
        return pd.concat(parts, ignore_index=True)
    keep = in_tile(nside, tile, frame["raj2000"], frame["dej2000"])
    return frame.loc[keep].reset_index(drop=True)


def _chunks(values: np.ndarray, size: int):
    for start in range(0, len(values), size):
        yield start // size, values[start : start + size]


def fetch_by_upload(
    runner: TapRunner,
    ids: np.ndarray,
    id_column: str,
    adql_template: str,
    what: str,
    chunk_size: int,
) -> pd.DataFrame:
    """Upload ``ids`` in chunks as table ``TAP_UPLOAD.ids`` (column ``id_column``) and run the template."""
    from astropy.table import Table
    from tqdm import tqdm

    ids = np.unique(np.asarray(ids, dtype=np.int64))
    n_chunks = max(1, -(-len(ids) // chunk_size))
    parts = []
    # a progress bar on a terminal (stderr); the log gets one line per chunk either way
    with tqdm(total=n_chunks, desc=what, unit="chunk", disable=None) as bar:
        for k, chunk in _chunks(ids, chunk_size):
            upload = Table({id_column: chunk})
            parts.append(runner.run(adql_template, f"{what} chunk {k + 1}/{n_chunks} ({len(chunk)} ids)", uploads={"ids": upload}))
            bar.update(1)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


#: Per-epoch photometry of uploaded objects, with the epoch of each image.
EPOCHS_ADQL = (
    "SELECT p.object_id, p.image_id, p.filter, p.mag_psf, p.e_mag_psf, p.flags, i.night_mjd\n"
    "FROM dr2.photometry AS p\n"
    "JOIN TAP_UPLOAD.ids AS u ON p.object_id = u.object_id\n"
    "JOIN dr2.images AS i ON p.image_id = i.image_id"
)

#: Bailer-Jones (2018) distances of uploaded Gaia DR2 sources. ``EXTERNAL`` is an SQL reserved word,
#: so the schema name is a delimited identifier (a strict ADQL parser, such as DaCHS's, needs it).
DISTANCES_ADQL = (
    "SELECT d.source_id, d.r_est, d.r_lo, d.r_hi, d.r_len, d.result_flag, d.modality_flag\n"
    'FROM "external".gaiadr2_geometric_distance AS d\n'
    "JOIN TAP_UPLOAD.ids AS u ON d.source_id = u.source_id"
)


def runner_from_config(tap: Mapping[str, Any], service: str) -> TapRunner:
    """A :class:`TapRunner` for ``tap[service]`` with the configured limits."""
    return TapRunner(
        url=tap[service],
        maxrec=tap.get("maxrec"),
        timeout_s=float(tap["timeout_s"]),
        retries=int(tap["retries"]),
        backoff_s=float(tap["backoff_s"]),
    )


def typed(frame: pd.DataFrame, registry: Mapping[str, str], what: str) -> pd.DataFrame:
    """A TAP result cast to the archive dtypes (errors name the column). A result without rows (an
    empty tile, an upload chunk that matched nothing, or no ids to upload) is the empty table of
    the registry, whatever types the service gave its columns."""
    from .io import coerce_columns, empty_table

    if len(frame) == 0:
        missing = [name for name in registry if len(frame.columns) and name not in frame.columns]
        if missing:  # columns there but not ours: a wrong query or service, not an empty sky
            return coerce_columns(frame, registry, what)
        return empty_table(registry)
    return coerce_columns(frame, registry, what)[list(registry)]

