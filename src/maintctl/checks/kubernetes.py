"""Kubernetes: pods running and ready, or nodes Ready ("Pods: 45/45 Running", "Nodes: 6/6 Ready").

Through lightkube, an optional extra (`pip install 'maintctl[kubernetes]'`): the client
loads only when such a check runs, and its absence is this check's error, not the run's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from maintctl.checks.base import Check, CheckError, Observation, Params


class KubernetesParams(Params):
    resource: Literal["pods", "nodes"] = "pods"
    namespace: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    labels: dict[str, str] = Field(default_factory=dict, max_length=20)
    min_ready: int | None = Field(default=None, ge=0)
    kubeconfig: str | None = None  # else in-cluster, then $KUBECONFIG, then ~/.kube/config
    server: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=2_000)
    token_file: str | None = None
    token_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
    ca_file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> KubernetesParams:
        if self.kubeconfig and self.server:
            raise ValueError("give kubeconfig or server, not both")
        if self.token_file and self.token_env:
            raise ValueError("give token_file or token_env, not both")
        if self.resource == "nodes" and self.namespace:
            raise ValueError("nodes belong to no namespace; remove namespace")
        return self


def pod_ready(pod: dict[str, Any]) -> bool:
    """Running with its Ready condition true, from the pod's documented JSON."""
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and _condition(status, "Ready")


def node_ready(node: dict[str, Any]) -> bool:
    return _condition(node.get("status") or {}, "Ready")


def _condition(status: dict[str, Any], kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True" for c in status.get("conditions") or []
    )


def counted(objects: list[dict[str, Any]], resource: str) -> tuple[int, int]:
    """(ready, total); pods that ran to completion (Succeeded) are not expected to be running."""
    if resource == "nodes":
        return sum(node_ready(n) for n in objects), len(objects)
    live = [p for p in objects if (p.get("status") or {}).get("phase") != "Succeeded"]
    return sum(pod_ready(p) for p in live), len(live)


class KubernetesCheck(Check):
    PARAMS = KubernetesParams

    async def observe(self) -> Observation:
        params = self.spec.params
        assert isinstance(params, KubernetesParams)
        try:
            from lightkube import ApiError, AsyncClient
            from lightkube.resources.core_v1 import Node, Pod
        except ImportError:
            raise CheckError(
                "the Kubernetes client is not installed; pip install 'maintctl[kubernetes]'"
            ) from None
        # The check's own timeout (Check.run) bounds the client; its default of 10s is a backstop.
        labels: dict[str, Any] | None = dict(params.labels) or None
        client = AsyncClient(config=self._config(), trust_env=False)
        try:
            if params.resource == "nodes":
                found = [n.to_dict() async for n in client.list(Node, labels=labels)]
            else:
                found = [
                    p.to_dict()
                    async for p in client.list(
                        Pod, namespace=params.namespace or "*", labels=labels
                    )
                ]
        except ApiError as exc:
            raise CheckError(
                f"the Kubernetes API refused ({exc.status.code}: {exc.status.reason})"
            ) from None
        finally:
            await client.close()
        ready, total = counted(found, params.resource)
        word = "Ready" if params.resource == "nodes" else "Running"
        wanted = total if params.min_ready is None else params.min_ready
        ok = ready >= wanted and total > 0
        message = f"{ready}/{total} {word}"
        if total == 0:
            message += " (none found)"
        return Observation(ok, ready, message)

    def _config(self) -> Any:
        from lightkube import KubeConfig
        from lightkube.config.models import Cluster, User

        params = self.spec.params
        assert isinstance(params, KubernetesParams)
        if params.server is None:
            if params.kubeconfig:
                return KubeConfig.from_file(
                    self.spec.base_dir / Path(params.kubeconfig).expanduser()
                )
            return KubeConfig.from_env()
        ca = str(self.spec.base_dir / params.ca_file) if params.ca_file else None
        token = self._token(params)
        user = User(token=token) if token else User()
        return KubeConfig.from_one(
            cluster=Cluster(server=params.server, certificate_auth=ca), user=user
        )

    def _token(self, params: KubernetesParams) -> str | None:
        if params.token_env:
            token = os.environ.get(params.token_env, "").strip()
            if not token:
                raise CheckError(f"the environment variable {params.token_env} is not set")
        elif params.token_file:
            try:
                token = (self.spec.base_dir / params.token_file).read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise CheckError(f"the token file {params.token_file} cannot be read") from None
        else:
            return None
        self._secrets.append(token)
        return token


CHECK = KubernetesCheck
