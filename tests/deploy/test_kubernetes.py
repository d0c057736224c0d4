"""deploy/kubernetes renders (base and each overlay), every resource is valid against the
Kubernetes schemas (kubernetes-validate bundles them: no network), and the manifests keep
what production needs: probes per process kind, resource requests and limits, disruption
budgets, a network policy, secrets by reference, non-root read-only containers, and commands
the `haztrak` CLI accepts."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from haztrak.entrypoints.cli.main import build_parser
from tests.bench.run import MEMORY_LIMIT_MIB
from tests.deploy.kustomize import Resource, build, pod_spec

KUBERNETES = Path(__file__).parents[2] / "deploy" / "kubernetes"
TARGETS = ["base", "overlays/small", "overlays/large"]
# the oldest Kubernetes these manifests are for, and the newest whose schemas are bundled
VERSIONS = ["1.30.0", f"{kubernetes_validate.latest_version()}.0"]
SECRETS = {"HT_SECRET_KEY", "HT_DATABASE_URL", "HT_REDIS_URL"}


@pytest.fixture(scope="module", params=TARGETS)
def rendered(request: pytest.FixtureRequest) -> list[Resource]:
    return build(KUBERNETES / request.param)


def _by_kind(resources: list[Resource], kind: str) -> dict[str, Resource]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def _containers(resource: Resource) -> list[dict[str, Any]]:
    spec = pod_spec(resource)
    assert spec is not None
    return [*spec.get("initContainers", []), *spec["containers"]]


def _mib(quantity: str) -> float:
    units = {"Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for unit, factor in units.items():
        if quantity.endswith(unit):
            return float(quantity.removesuffix(unit)) * factor
    return float(quantity) / 2**20


@pytest.mark.parametrize("version", VERSIONS)
def test_every_resource_is_valid_against_the_kubernetes_schemas(
    rendered: list[Resource], version: str
) -> None:
    assert len(rendered) >= 12
    for resource in rendered:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_pieces_are_all_there(rendered: list[Resource]) -> None:
    deployments = _by_kind(rendered, "Deployment")
    assert set(deployments) == {"haztrak-api", "haztrak-worker", "haztrak-scheduler"}
    assert set(_by_kind(rendered, "Job")) == {"haztrak-migrate"}
    assert set(_by_kind(rendered, "Service")) == {"haztrak-api"}
    assert "haztrak-api" in _by_kind(rendered, "HorizontalPodAutoscaler")
    assert _by_kind(rendered, "Secret") == {}  # secrets are referenced, never written here
    for hpa in _by_kind(rendered, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    budgets = _by_kind(rendered, "PodDisruptionBudget").values()
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        covering = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(covering) == 1, f"{name} has no PodDisruptionBudget"
    policies = _by_kind(rendered, "NetworkPolicy")
    assert policies["haztrak"]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policies["haztrak"]["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "haztrak"
    }
    assert "ingress" not in policies["haztrak"]["spec"]  # nothing gets in but HTTP to the API
    (api_port,) = policies["haztrak-api-ingress"]["spec"]["ingress"][0]["ports"]
    assert api_port["port"] == 8000


def test_every_command_and_probe_is_one_the_cli_accepts(rendered: list[Resource]) -> None:
    parser = build_parser()
    for resource in rendered:
        if pod_spec(resource) is None:
            continue
        for container in _containers(resource):
            assert container["image"].startswith("haztrak:")
            parser.parse_args(container["args"])
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                command = container.get(probe, {}).get("exec", {}).get("command")
                if command:
                    assert command[0] == "haztrak", shlex.join(command)
                    parser.parse_args(command[1:])


def test_each_process_kind_has_probes_that_fit_it(rendered: list[Resource]) -> None:
    deployments = _by_kind(rendered, "Deployment")
    (api,) = deployments["haztrak-api"]["spec"]["template"]["spec"]["containers"]
    assert api["args"] == ["serve"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/api/health"
    assert api["startupProbe"]["httpGet"]["path"] == "/api/health"
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/health/ready"
    for kind in ("worker", "scheduler"):
        (container,) = deployments[f"haztrak-{kind}"]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [kind]
        for probe in ("startupProbe", "livenessProbe"):
            assert container[probe]["exec"]["command"] == ["haztrak", kind, "--check"]
        assert "httpGet" not in str(container)  # no HTTP check for a process without HTTP
    # no pod of a release starts before the migration Job has brought the schema to it
    (migrate,) = _by_kind(rendered, "Job")["haztrak-migrate"]["spec"]["template"]["spec"][
        "containers"
    ]
    assert migrate["args"] == ["migrate"]
    for deployment in deployments.values():
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        assert init["args"] == ["migrate", "--check"]


def test_containers_are_non_root_read_only_limited_and_get_secrets_by_reference(
    rendered: list[Resource],
) -> None:
    config = next(iter(_by_kind(rendered, "ConfigMap").values()))
    assert not SECRETS & set(config["data"])
    var_dir = config["data"]["HT_VAR_DIR"]
    for resource in rendered:
        spec = pod_spec(resource)
        if spec is None:
            continue
        name = resource["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
        assert spec["automountServiceAccountToken"] is False
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in _containers(resource):
            where = f"{name}/{container['name']}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), where
            # the writable places: HT_VAR_DIR and /tmp, each an emptyDir
            mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
            assert "emptyDir" in mounts[var_dir], where
            assert "emptyDir" in mounts["/tmp"], where
            for variable in container.get("env", []):
                if variable["name"] in SECRETS:
                    assert "value" not in variable, where
                    assert variable["valueFrom"]["secretKeyRef"]["name"] == "haztrak", where
    api = _by_kind(rendered, "Deployment")["haztrak-api"]
    (container,) = api["spec"]["template"]["spec"]["containers"]
    # the benchmark's memory budget for one API process fits under its limit, with room
    assert _mib(container["resources"]["limits"]["memory"]) >= 2 * MEMORY_LIMIT_MIB
    assert _mib(container["resources"]["requests"]["memory"]) >= MEMORY_LIMIT_MIB


def test_the_overlays_size_the_installation() -> None:
    small, large = (
        {(r["kind"], r["metadata"]["name"]): r for r in build(KUBERNETES / "overlays" / size)}
        for size in ("small", "large")
    )
    for resources in (small, large):
        assert all(r["metadata"]["namespace"] == "haztrak" for r in resources.values())

    def replicas(resources: dict[tuple[str, str], Resource], name: str) -> int:
        count: int = resources[("Deployment", name)]["spec"]["replicas"]
        return count

    assert replicas(small, "haztrak-worker") == 1
    assert replicas(large, "haztrak-worker") == 4
    assert replicas(large, "haztrak-scheduler") == 2  # safe: each job runs once per window
    assert replicas(small, "haztrak-api") < replicas(large, "haztrak-api")
    assert large[("ConfigMap", "haztrak")]["data"]["HT_WORKER_THREADS"] == "8"
    assert ("HorizontalPodAutoscaler", "haztrak-worker") in large
    hpa = large[("HorizontalPodAutoscaler", "haztrak-api")]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (4, 12)
