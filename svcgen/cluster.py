"""The live cluster's nodePorts, through ``kubectl`` (its configuration, contexts and credentials).

svcgen does not talk to the API server itself: ``kubectl get services --all-namespaces -o json``
does, with a timeout, and its output (JSON, so UTF-8) is read like any ``--reserve`` file. When
kubectl is missing, not allowed, or fails, the error quotes kubectl's own message, on one line
and with control characters escaped (it may quote what the API server sent).
"""

from __future__ import annotations

import shutil
import subprocess

from svcgen.errors import UsageError, one_line, shorten
from svcgen.nodeports.reserve import Reservation, reservations_from_text

__all__ = ["KUBECTL_TIMEOUT", "ClusterError", "cluster_reservations"]

KUBECTL_TIMEOUT = 60
"""Seconds kubectl may take to answer (its own request timeout is a little shorter)."""


class ClusterError(UsageError):
    """kubectl is missing, or could not list the cluster's Services."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def cluster_reservations(
    context: str | None = None, *, kubectl: str = "kubectl"
) -> list[Reservation]:
    """Every nodePort and healthCheckNodePort of every Service in the cluster of ``context``.

    Raises:
        ClusterError: kubectl is missing, refused (unauthorised, unknown context), failed or timed
            out.
    """
    executable = shutil.which(kubectl)
    if executable is None:
        raise ClusterError(
            f"svcgen: error: --reserve-cluster: {kubectl} is not installed (or not on PATH); "
            "install it, or reserve a dump instead: --reserve services.yaml"
        )
    argv = [
        executable,
        "get",
        "services",
        "--all-namespaces",
        "-o",
        "json",
        f"--request-timeout={KUBECTL_TIMEOUT - 5}s",
    ]
    if context:
        argv.extend(["--context", context])
    where = f"context {context}" if context else "the current context"
    try:
        result = subprocess.run(argv, capture_output=True, timeout=KUBECTL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ClusterError(
            f"svcgen: error: --reserve-cluster: kubectl did not answer within {KUBECTL_TIMEOUT} s "
            f"({where})"
        ) from None
    if result.returncode != 0:
        # kubectl logs retries before its verdict: quote the verdict ("error: ..."), else all of it.
        stderr = result.stderr.decode("utf-8", "replace")
        verdicts = [
            line.strip() for line in stderr.splitlines() if line.lower().startswith("error")
        ]
        message = (
            verdicts[-1]
            if verdicts
            else " ".join(stderr.split()) or f"exit code {result.returncode}"
        )
        raise ClusterError(
            f"svcgen: error: --reserve-cluster: kubectl get services failed ({where}): "
            f"{shorten(message, 1000)}"
        )
    try:
        output = result.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ClusterError(
            f"svcgen: error: --reserve-cluster: kubectl get services ({where}) printed what is not "
            f"UTF-8 JSON (byte 0x{result.stdout[exc.start]:02x} at offset {exc.start}); check that "
            f"{kubectl} is kubectl itself, not a wrapper"
        ) from None
    return reservations_from_text(output, f"cluster ({where})")
