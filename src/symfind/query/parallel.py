"""Dask for the stages that read HATS catalogues (``source: hats``): where their partitions run.

The ``dask`` config section says where (:func:`dask_client`):

- by default a local cluster of the rule's threads (one single-threaded worker process each, so
  that pandas' and pyarrow's work in one partition does not hold the others back); with one
  thread, no cluster at all: Dask's synchronous scheduler in the job's own process;
- ``scheduler: ADDRESS`` (``tcp://host:8786``): an existing cluster, which the job only uses;
- ``cluster: slurm``: workers started as SLURM jobs through dask-jobqueue (``SLURMCluster``), with
  the account and partition of the SLURM profile (``profiles/slurm/config.yaml``,
  ``default-resources``) unless ``dask.slurm`` names others.

Progress goes to the job's log: a line every few seconds with the tasks done (Dask's own progress
bar writes to a terminal that a Snakemake job does not have).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..io import InputError
from ..config import REPOSITORY

log = logging.getLogger(__name__)

#: The values of config key ``dask.cluster``.
DASK_CLUSTERS = ("local", "slurm")

#: The SLURM profile whose account and partition a ``dask.cluster: slurm`` run takes by default.
SLURM_PROFILE = REPOSITORY / "profiles" / "slurm" / "config.yaml"


def slurm_profile_resources(profile: str | Path = SLURM_PROFILE) -> dict[str, str]:
    """``slurm_account`` and ``slurm_partition`` of the profile's ``default-resources`` (those it
    sets; none where the profile or the key is absent)."""
    import yaml

    path = Path(profile)
    if not path.exists():
        return {}
    resources = (yaml.safe_load(path.read_text()) or {}).get("default-resources") or {}
    return {key: str(resources[key]) for key in ("slurm_account", "slurm_partition") if resources.get(key)}


def slurm_cluster(settings: Mapping[str, Any], workers: int):
    """A dask-jobqueue ``SLURMCluster`` of ``workers`` single-core jobs, each of ``dask.slurm.memory``
    and ``walltime``, in the configured (or the profile's) account and partition."""
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError as exc:
        raise InputError("config key 'dask.cluster': slurm needs dask-jobqueue (pip install -e '.[hats]')") from exc
    slurm = dict(settings.get("slurm") or {})
    profile = slurm_profile_resources()
    account = slurm.get("account") or profile.get("slurm_account")
    partition = slurm.get("partition") or profile.get("slurm_partition")
    cluster = SLURMCluster(cores=1, processes=1, memory=str(slurm.get("memory", "4GB")),
                           walltime=str(slurm.get("walltime", "01:00:00")), account=account, queue=partition)
    cluster.scale(jobs=workers)
    return cluster


@contextmanager
def dask_client(settings: Mapping[str, Any] | None, threads: int = 1) -> Iterator[Any]:
    """The Dask client the body computes with (``None``: the synchronous scheduler, in this
    process), closed after it; see the module docstring for what ``settings`` (``dask``) select.
    ``threads``: the rule's threads, the local cluster's workers unless ``dask.workers`` says."""
    import dask

    settings = dict(settings or {})
    workers = int(settings.get("workers") or threads or 1)
    address = settings.get("scheduler")
    kind = settings.get("cluster") or "local"
    timeout_s = float(settings.get("timeout_s", 300))
    if kind not in DASK_CLUSTERS:
        raise InputError(f"config key 'dask.cluster': {kind!r} is not one of {', '.join(DASK_CLUSTERS)}")
    if not address and kind == "local" and workers <= 1:
        log.info("Dask: the synchronous scheduler (one thread)")
        with dask.config.set(scheduler="synchronous"):
            yield None
        return
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if address:
            client = Client(address, timeout=f"{timeout_s}s")
            log.info("Dask: the cluster at %s (%d workers)", address, len(client.scheduler_info().get("workers", {})))
        elif kind == "slurm":
            cluster = slurm_cluster(settings, workers)
            client = Client(cluster)
            log.info("Dask: %d SLURM worker jobs submitted (dask-jobqueue):\n%s", workers, cluster.job_script())
            try:
                client.wait_for_workers(1, timeout=timeout_s)
            except TimeoutError as exc:
                client.close()
                raise InputError(f"config key 'dask.timeout_s': no SLURM worker job started within {timeout_s:g} s "
                                 "(squeue shows why: the partition, the account, the memory asked for)") from exc
            log.info("Dask: the first of the SLURM workers runs")
        else:
            # forked workers: a spawned one would import the job's script (Snakemake's __main__) again
            with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.WARNING)
            client = Client(cluster)
            log.info("Dask: a local cluster of %d workers", workers)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise InputError(f"config key 'dask.scheduler': cannot reach the Dask scheduler at {address!r}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def compute_logged(tasks: list, what: str, every_s: float = 5.0) -> list:
    """``dask.compute(*tasks)``, with a line in the log every ``every_s`` seconds that says how many
    of the ``what`` are done (the distributed scheduler's futures; the synchronous one logs the
    start and the end only)."""
    import time

    import dask

    try:
        from distributed import as_completed, get_client

        client = get_client()
    except (ImportError, ValueError):
        log.info("computing %d %s", len(tasks), what)
        return list(dask.compute(*tasks))
    futures = client.compute(tasks)
    index = {future.key: k for k, future in enumerate(futures)}
    results: list = [None] * len(futures)
    last, done = time.monotonic(), 0
    for future in as_completed(futures):
        results[index[future.key]] = future.result()
        done += 1
        if time.monotonic() - last > every_s or done == len(futures):
            log.info("%d of %d %s done", done, len(futures), what)
            last = time.monotonic()
    return results
