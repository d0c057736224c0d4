"""The part of kustomize that deploy/kubernetes uses, in Python (no kustomize binary here):
resources, namespace, labels, images, replicas and JSON 6902 patches. Anything else in a
kustomization.yaml is refused, so a new feature there cannot go unchecked."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]
WORKLOADS = {"Deployment", "StatefulSet", "ReplicaSet"}

SUPPORTED = {
    "apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas", "patches",
}  # fmt: skip


def load_documents(path: Path) -> list[Resource]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def build(directory: Path) -> list[Resource]:
    """What `kustomize build DIRECTORY` prints, as a list of resources."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unsupported = set(kustomization) - SUPPORTED
    assert not unsupported, f"{directory}: {sorted(unsupported)} is not rendered by this test"
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        resources += build(path) if path.is_dir() else load_documents(path)
    for patch in kustomization.get("patches", []):
        targets = [r for r in resources if _matches(r, patch["target"])]
        assert targets, f"{directory}: the patch target {patch['target']} matches nothing"
        for resource in targets:
            _apply_json_patch(resource, yaml.safe_load(patch["patch"]))
    for replica in kustomization.get("replicas", []):
        (target,) = [
            r
            for r in resources
            if r["kind"] in WORKLOADS and r["metadata"]["name"] == replica["name"]
        ]
        target["spec"]["replicas"] = replica["count"]
    for label_set in kustomization.get("labels", []):
        assert not label_set.get("includeSelectors"), "selectors are written out in full"
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(label_set["pairs"])
    for image in kustomization.get("images", []):
        for container in _containers(resources):
            name, _, _ = container["image"].partition(":")
            if name == image["name"]:
                new = image.get("newName", name)
                container["image"] = f"{new}:{image['newTag']}" if "newTag" in image else new
    if "namespace" in kustomization:
        for resource in resources:
            resource["metadata"]["namespace"] = kustomization["namespace"]
    return resources


def _matches(resource: Resource, target: dict[str, str]) -> bool:
    return all(
        (resource["kind"] if key == "kind" else resource["metadata"].get(key)) == value
        for key, value in target.items()
    )


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    if resource["kind"] in {"Deployment", "Job", "StatefulSet", "DaemonSet"}:
        spec: dict[str, Any] = resource["spec"]["template"]["spec"]
        return spec
    return None


def _containers(resources: list[Resource]) -> list[dict[str, Any]]:
    found = []
    for resource in resources:
        spec = pod_spec(resource)
        if spec is not None:
            found += spec.get("initContainers", []) + spec["containers"]
    return found


def _apply_json_patch(document: Resource, operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        *parents, last = [
            part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]
        ]
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) and last != "-" else last
        if operation["op"] == "remove":
            del node[key]
        elif operation["op"] == "replace":
            assert key in node if isinstance(node, dict) else key < len(node), operation["path"]
            node[key] = copy.deepcopy(operation["value"])
        elif operation["op"] == "add":
            if isinstance(node, list):
                node.insert(len(node) if key == "-" else key, copy.deepcopy(operation["value"]))
            else:
                node[key] = copy.deepcopy(operation["value"])
        else:
            raise AssertionError(f"unsupported patch operation {operation['op']}")
