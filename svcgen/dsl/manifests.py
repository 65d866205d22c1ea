"""Build Kubernetes manifests (plain dicts) from the DSL: the only DSL module that knows wire names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from svcgen.dsl.model import App, Service, ServicePort
from svcgen.dsl.policy import emits_workload, health_check_key, port_key, stateful_service_name, target_port
from svcgen.nodeports.lock import PortKey

__all__ = ["build_manifests", "build_service", "build_workload"]

Manifest = dict[str, Any]


def build_manifests(apps: Sequence[App], node_ports: Mapping[PortKey, int], *,
                    with_workloads: bool = False) -> list[Manifest]:
    """Every object of every App, in declaration order: its Services, then its workload.

    ``node_ports``: the nodePort of each Service port (and healthCheckNodePort) by its lock key.
    """
    manifests: list[Manifest] = []
    for app in apps:
        named = emits_workload(app, with_workloads)
        for service in app.services:
            ports = [node_ports.get(port_key(app, service, sp)) for sp in service.ports]
            health_check = node_ports.get(health_check_key(app, service))
            manifests.append(build_service(app, service, ports, health_check, named_targets=named))
        if named:
            manifests.append(build_workload(app))
    return manifests


def build_workload(app: App) -> Manifest:
    """The App's Deployment (or StatefulSet): selector = the App's labels, the declared ports, names included."""
    kind = app.workload or "Deployment"
    pod_labels = {**app.labels, **app.pod_labels}
    metadata: Manifest = {"name": app.name}
    if app.namespace is not None:
        metadata["namespace"] = app.namespace
    if pod_labels:
        metadata["labels"] = dict(pod_labels)
    spec: Manifest = {}
    if app.replicas is not None:
        spec["replicas"] = app.replicas
    if kind == "StatefulSet":
        spec["serviceName"] = stateful_service_name(app)
    spec["selector"] = {"matchLabels": dict(app.labels)}
    containers = []
    for container in app.containers:
        item: Manifest = {"name": container.name, "image": container.image}
        if container.ports:
            item["ports"] = [{"name": p.name, "containerPort": p.number, "protocol": p.protocol}
                             for p in container.ports]
        containers.append(item)
    spec["template"] = {"metadata": {"labels": dict(pod_labels)}, "spec": {"containers": containers}}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec}


def build_service(
    app: App, service: Service, node_ports: Sequence[int | None], health_check: int | None, *,
    named_targets: bool = False,
) -> Manifest:
    """The v1 Service for ``service``, with ``node_ports[i]`` on its ``i``-th port (None: no nodePort).

    Only what was declared is written, plus ``protocol`` and ``targetPort`` on every port; fields
    left at their Kubernetes default (sessionAffinity None, traffic policies Cluster...) are
    written only when the user set them. ``named_targets``: targetPorts whose form the user left
    open are written by name (the workload is emitted too, so the names exist).
    """
    metadata: Manifest = {"name": service.name}
    if app.namespace is not None:
        metadata["namespace"] = app.namespace
    if service.labels:
        metadata["labels"] = dict(service.labels)
    if service.annotations:
        metadata["annotations"] = dict(service.annotations)
    spec: Manifest = {"type": service.type}
    _addresses(service, spec)
    if service.type == "ExternalName":
        spec["externalName"] = service.external_name
    elif app.labels or service.extra_selector:
        spec["selector"] = {**app.labels, **service.extra_selector}
    if service.ports:
        spec["ports"] = [_port(sp, node_port, named_targets)
                         for sp, node_port in zip(service.ports, node_ports, strict=True)]
    if service.external_ips:
        spec["externalIPs"] = list(service.external_ips)
    _load_balancer(service, spec)
    if service.external_traffic_policy is not None:
        spec["externalTrafficPolicy"] = service.external_traffic_policy
    if health_check is not None:
        spec["healthCheckNodePort"] = health_check
    if service.internal_traffic_policy is not None:
        spec["internalTrafficPolicy"] = service.internal_traffic_policy
    if service.session_affinity is not None:
        spec["sessionAffinity"] = service.session_affinity
    if service.session_affinity_timeout is not None:
        spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": service.session_affinity_timeout}}
    if service.publish_not_ready_addresses is not None:
        spec["publishNotReadyAddresses"] = service.publish_not_ready_addresses
    if service.traffic_distribution is not None:
        spec["trafficDistribution"] = service.traffic_distribution
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def _addresses(service: Service, spec: Manifest) -> None:
    """The addresses: clusterIP (``None`` when headless), clusterIPs, ipFamilies, ipFamilyPolicy."""
    if service.headless:
        spec["clusterIP"] = "None"
    elif isinstance(service.cluster_ip, str):
        spec["clusterIP"] = service.cluster_ip
    elif service.cluster_ip:
        spec["clusterIP"] = service.cluster_ip[0]
        if len(service.cluster_ip) > 1:
            spec["clusterIPs"] = list(service.cluster_ip)
    if service.ip_families:
        spec["ipFamilies"] = list(service.ip_families)
    if service.ip_family_policy is not None:
        spec["ipFamilyPolicy"] = service.ip_family_policy


def _load_balancer(service: Service, spec: Manifest) -> None:
    if service.allocate_load_balancer_node_ports is not None:
        spec["allocateLoadBalancerNodePorts"] = service.allocate_load_balancer_node_ports
    if service.load_balancer_ip is not None:
        spec["loadBalancerIP"] = service.load_balancer_ip
    if service.load_balancer_class is not None:
        spec["loadBalancerClass"] = service.load_balancer_class
    if service.load_balancer_source_ranges:
        spec["loadBalancerSourceRanges"] = list(service.load_balancer_source_ranges)


def _port(sp: ServicePort, node_port: int | None, named_targets: bool) -> Manifest:
    port: Manifest = {}
    if sp.port_name:
        port["name"] = sp.port_name
    port["protocol"] = sp.protocol
    if sp.app_protocol is not None:
        port["appProtocol"] = sp.app_protocol
    port["port"] = sp.service_port
    port["targetPort"] = target_port(sp, named_targets)
    if node_port is not None:
        port["nodePort"] = node_port
    return port
