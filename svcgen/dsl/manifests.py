"""Build Kubernetes manifests (plain dicts) from the DSL.

This is the only DSL module that knows wire names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from svcgen.dsl.model import (
    App,
    Consumer,
    Container,
    Port,
    Probe,
    Service,
    ServicePort,
    ServicePortRef,
)
from svcgen.dsl.policy import (
    Owners,
    emits_workload,
    health_check_key,
    plain_container,
    port_key,
    probe_port,
    stateful_service_name,
    target_port,
    workload_kind,
    workload_replicas,
)
from svcgen.kube import rules
from svcgen.nodeports.lock import PortKey

if TYPE_CHECKING:  # loaded when an App has consumers: a project without any does not pay for it
    from svcgen.dsl.consumers import HTTPRoute, Ingress, NetworkPolicy, PodMonitor, ServiceMonitor

__all__ = [
    "CONTAINER_FIELDS",
    "POD_FIELDS",
    "PROBE_TIMING",
    "WORKLOAD_FIELDS",
    "build_consumer",
    "build_container",
    "build_container_port",
    "build_manifests",
    "build_pod_spec",
    "build_service",
    "build_workload",
    "dsl_name",
    "iter_manifests",
]

Manifest = dict[str, Any]


def build_manifests(
    apps: Sequence[App],
    node_ports: Mapping[PortKey, int],
    *,
    with_workloads: bool = False,
    built: dict[int, Manifest] | None = None,
) -> list[Manifest]:
    """Every object of every App, in declaration order: its Services, its workload, its consumers.

    ``node_ports``: the nodePort of each Service port (and healthCheckNodePort) by its lock key.
    ``built``: workload manifests built already (by the checks,
    :func:`svcgen.dsl.validate.validate`),
    by ``id(app)``; each is taken out as it is used (an App listed twice gets a second one).
    """
    return list(iter_manifests(apps, node_ports, with_workloads=with_workloads, built=built))


def iter_manifests(
    apps: Sequence[App],
    node_ports: Mapping[PortKey, int],
    *,
    with_workloads: bool = False,
    built: dict[int, Manifest] | None = None,
) -> Iterator[Manifest]:
    """:func:`build_manifests`, one object at a time: each is built when it is asked for."""
    built = {} if built is None else built
    owners: Owners | None = None  # indexed when a consumer first needs it
    for app in apps:
        named = emits_workload(app, with_workloads)
        for service in app.services:
            ports = [node_ports.get(port_key(app, service, sp)) for sp in service.ports]
            health_check = node_ports.get(health_check_key(app, service))
            yield build_service(app, service, ports, health_check, named_targets=named)
        if named:
            yield built.pop(id(app)) if id(app) in built else build_workload(app)
        if app.consumers:
            if owners is None:
                owners = Owners(apps)
            yield from (build_consumer(owners, app, consumer) for consumer in app.consumers)


# The wire name of each field, in the Kubernetes types' field order (Go structs). The fields
# without a special form are written as given: scalars, and the pass-throughs (Kubernetes-shaped
# dicts and lists, copied as plain data).
CONTAINER_FIELDS = {
    "command": "command",
    "args": "args",
    "working_dir": "workingDir",
    "ports": "ports",
    "env_from": "envFrom",
    "env": "env",
    "resources": "resources",
    "resize_policy": "resizePolicy",
    "restart_policy": "restartPolicy",
    "restart_policy_rules": "restartPolicyRules",
    "volume_mounts": "volumeMounts",
    "volume_devices": "volumeDevices",
    "liveness": "livenessProbe",
    "readiness": "readinessProbe",
    "startup": "startupProbe",
    "lifecycle": "lifecycle",
    "termination_message_path": "terminationMessagePath",
    "termination_message_policy": "terminationMessagePolicy",
    "image_pull_policy": "imagePullPolicy",
    "security_context": "securityContext",
    "stdin": "stdin",
    "stdin_once": "stdinOnce",
    "tty": "tty",
}
POD_FIELDS = {
    "volumes": "volumes",
    "init_containers": "initContainers",
    "containers": "containers",
    "restart_policy": "restartPolicy",
    "termination_grace_period_seconds": "terminationGracePeriodSeconds",
    "active_deadline_seconds": "activeDeadlineSeconds",
    "dns_policy": "dnsPolicy",
    "node_selector": "nodeSelector",
    "service_account": "serviceAccountName",
    "automount_service_account_token": "automountServiceAccountToken",
    "node_name": "nodeName",
    "host_network": "hostNetwork",
    "host_pid": "hostPID",
    "host_ipc": "hostIPC",
    "share_process_namespace": "shareProcessNamespace",
    "security_context": "securityContext",
    "image_pull_secrets": "imagePullSecrets",
    "hostname": "hostname",
    "subdomain": "subdomain",
    "affinity": "affinity",
    "scheduler_name": "schedulerName",
    "tolerations": "tolerations",
    "host_aliases": "hostAliases",
    "priority_class_name": "priorityClassName",
    "priority": "priority",
    "dns_config": "dnsConfig",
    "readiness_gates": "readinessGates",
    "runtime_class_name": "runtimeClassName",
    "enable_service_links": "enableServiceLinks",
    "preemption_policy": "preemptionPolicy",
    "overhead": "overhead",
    "topology_spread": "topologySpreadConstraints",
    "set_hostname_as_fqdn": "setHostnameAsFQDN",
    "os": "os",
    "host_users": "hostUsers",
    "scheduling_gates": "schedulingGates",
    "resource_claims": "resourceClaims",
    "resources": "resources",
    "hostname_override": "hostnameOverride",
    "scheduling_group": "schedulingGroup",
}
# after replicas, selector and template (and a StatefulSet's serviceName before them)
WORKLOAD_FIELDS = {
    "Deployment": {
        "strategy": "strategy",
        "min_ready_seconds": "minReadySeconds",
        "revision_history_limit": "revisionHistoryLimit",
        "paused": "paused",
        "progress_deadline_seconds": "progressDeadlineSeconds",
    },
    "StatefulSet": {
        "volume_claim_templates": "volumeClaimTemplates",
        "pod_management_policy": "podManagementPolicy",
        "update_strategy": "updateStrategy",
        "revision_history_limit": "revisionHistoryLimit",
        "min_ready_seconds": "minReadySeconds",
        "persistent_volume_claim_retention_policy": "persistentVolumeClaimRetentionPolicy",
        "ordinals": "ordinals",
    },
    "DaemonSet": {
        "update_strategy": "updateStrategy",
        "min_ready_seconds": "minReadySeconds",
        "revision_history_limit": "revisionHistoryLimit",
    },
}
"""The workload kinds' own fields (a pass-through's keys are Kubernetes' already)."""


def dsl_name(wire: str) -> str | None:
    """The DSL's name for a Kubernetes container, pod or workload field (None: not one).

    For example, ``securityContext`` is ``security_context``.
    """
    for fields in (CONTAINER_FIELDS, POD_FIELDS, *WORKLOAD_FIELDS.values()):
        for attribute, name in fields.items():
            if name == wire:
                return attribute
    return None


_SCALARS = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    """A pass-through value as plain data: mappings as dicts, sequences (tuples too) as lists."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {
            key: item if type(item) in _SCALARS else _plain(item) for key, item in value.items()
        }
    if (
        kind is list or kind is tuple or isinstance(value, (list, tuple))
    ):  # the exact types first: most are
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    return value


def _written(obj: Any, attribute: str, value: Any) -> bool:
    """Whether a set field is written.

    An empty list or mapping is left out (Kubernetes' omitempty), unless the user gave an empty
    object where none is the default (``security_context={}``).
    """
    return bool(value) or not isinstance(value, (tuple, dict)) or attribute in obj.model_fields_set


def _set_fields(obj: Any, fields: Mapping[str, str], into: Manifest) -> None:
    """Write each set field of ``obj`` named in ``fields`` that has no form of its own.

    ``fields`` maps DSL names to wire names. An object's ``__dict__`` holds the fields it was given
    (:func:`svcgen.dsl.fields.share_defaults`); the others have their default (None or empty), which
    is never written.
    """
    given = obj.__dict__
    for attribute, wire in fields.items():
        value = given.get(attribute)
        if value is not None and wire not in into and _written(obj, attribute, value):
            into[wire] = _plain(value)


def build_container(container: Container) -> Manifest:
    """A pod's container: name, image, ports, probes, then every other field set.

    Ports are written by name, probes by port name.
    """
    item: Manifest = {"name": container.name, "image": container.image}
    given = container.__dict__  # the fields given (the others are None or empty: not written)
    for attribute, wire in (
        _PLAIN_FIELDS if plain_container(container) else CONTAINER_FIELDS
    ).items():
        value = given.get(attribute)
        if value is None:
            continue
        if attribute == "ports":
            if value:
                item[wire] = [build_container_port(p) for p in value]
        elif attribute in _PROBES:
            item[wire] = build_probe(value)
        elif attribute == "env" and isinstance(value, Mapping):
            if value:
                item[wire] = [
                    {"name": name, "valueFrom": _plain(setting)}
                    if isinstance(setting, Mapping)
                    else {"name": name, "value": setting}
                    for name, setting in value.items()
                ]
        elif _written(container, attribute, value):
            item[wire] = _plain(value)
    return item


def build_container_port(port: Port) -> Manifest:
    """A container port: its name (if any), number and protocol, and host port and IP when set."""
    built: Manifest = {"containerPort": port.number, "protocol": port.protocol}
    if port.name is not None:
        built = {"name": port.name, **built}
    if port.host_port is not None:
        built["hostPort"] = port.host_port
    if port.host_ip is not None:
        built["hostIP"] = port.host_ip
    return built


_PROBES = ("liveness", "readiness", "startup")
_PLAIN_FIELDS = {attribute: CONTAINER_FIELDS[attribute] for attribute in ("ports", *_PROBES)}


def build_pod_spec(app: App) -> Manifest:
    """The pod template's spec: the App's containers and its ``Pod`` fields."""
    containers = [build_container(container) for container in app.containers]
    pod = app.pod
    if pod is None:
        return {"containers": containers}
    spec: Manifest = {}
    given = pod.__dict__  # the fields given (the others are None or empty: not written)
    for attribute, wire in POD_FIELDS.items():
        if attribute == "containers":
            spec[wire] = containers
            continue
        value = given.get(attribute)
        if value is None:
            continue
        if attribute == "init_containers":
            if value:
                spec[wire] = [build_container(container) for container in value]
        elif attribute == "image_pull_secrets":
            if value:
                spec[wire] = [{"name": name} for name in value]
        elif _written(pod, attribute, value):
            spec[wire] = _plain(value)
    return spec


def build_workload(app: App) -> Manifest:
    """The App's Deployment, StatefulSet or DaemonSet: its selector, pod template and fields.

    The selector is the App's labels.
    """
    kind = workload_kind(app)
    workload = app.workload if not isinstance(app.workload, str) else None
    pod_labels = {**app.labels, **app.pod_labels}
    annotations = workload.annotations if workload is not None else {}
    labels = workload.labels if workload is not None and workload.labels is not None else pod_labels
    metadata = _metadata(app.name, app.namespace, labels, annotations)
    spec: Manifest = {}
    replicas = workload_replicas(app)
    if replicas is not None:
        spec["replicas"] = replicas
    if kind == "StatefulSet":
        spec["serviceName"] = stateful_service_name(app)
    spec["selector"] = {"matchLabels": dict(app.labels)}
    template_metadata: Manifest = {"labels": dict(pod_labels)}
    if app.pod is not None and app.pod.template_name is not None:
        template_metadata = {"name": app.pod.template_name, **template_metadata}
    if app.pod is not None and app.pod.annotations:
        template_metadata["annotations"] = dict(app.pod.annotations)
    spec["template"] = {"metadata": template_metadata, "spec": build_pod_spec(app)}
    if workload is not None:
        _set_fields(workload, WORKLOAD_FIELDS[kind], spec)
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec}


def build_service(
    app: App,
    service: Service,
    node_ports: Sequence[int | None],
    health_check: int | None,
    *,
    named_targets: bool = False,
) -> Manifest:
    """The v1 Service for ``service``, with nodePort ``node_ports[i]`` on its ``i``-th port.

    A None in ``node_ports``: that port has no nodePort. Only what was declared is written, plus
    ``protocol`` and ``targetPort`` on every port; fields left at their Kubernetes default
    (sessionAffinity None, traffic policies Cluster...) are written only when the user set them.
    ``named_targets``: targetPorts whose form the user left open are written by name (the workload
    is emitted too, so the names exist).
    """
    metadata = _metadata(service.name, app.namespace, service.labels, service.annotations)
    spec: Manifest = {"type": service.type}
    _addresses(service, spec)
    if service.type == "ExternalName":
        spec["externalName"] = service.external_name
    elif app.labels or service.extra_selector:
        spec["selector"] = {**app.labels, **service.extra_selector}
    if service.ports:
        spec["ports"] = [
            _port(sp, node_port, named_targets)
            for sp, node_port in zip(service.ports, node_ports, strict=True)
        ]
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
        spec["sessionAffinityConfig"] = {
            "clientIP": {"timeoutSeconds": service.session_affinity_timeout}
        }
    if service.publish_not_ready_addresses is not None:
        spec["publishNotReadyAddresses"] = service.publish_not_ready_addresses
    if service.traffic_distribution is not None:
        spec["trafficDistribution"] = service.traffic_distribution
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def _metadata(
    name: str, namespace: str | None, labels: Mapping[str, str], annotations: Mapping[str, str]
) -> Manifest:
    """name, then namespace, labels and annotations when set."""
    metadata: Manifest = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return metadata


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


PROBE_TIMING = {
    "initialDelaySeconds": "initial_delay_seconds",
    "timeoutSeconds": "timeout_seconds",
    "periodSeconds": "period_seconds",
    "successThreshold": "success_threshold",
    "failureThreshold": "failure_threshold",
    "terminationGracePeriodSeconds": "termination_grace_period_seconds",
}


def build_probe(probe: Probe) -> Manifest:
    """A container probe: HTTP and TCP probes name the port, gRPC probes give its number.

    HTTP and TCP probes give the number instead when ``port_by`` says so.
    """
    built: Manifest
    port = probe.port
    if probe.kind == "exec" or port is None:
        built = {"exec": {"command": list(probe.command)}}
    elif probe.kind == "http":
        built = {"httpGet": {"path": probe.path, "port": probe_port(probe, port)}}
        if probe.host is not None:
            built["httpGet"]["host"] = probe.host
        if probe.scheme is not None:
            built["httpGet"]["scheme"] = probe.scheme
        if probe.http_headers:
            built["httpGet"]["httpHeaders"] = _plain(probe.http_headers)
    elif probe.kind == "tcp":
        built = {"tcpSocket": {"port": probe_port(probe, port)}}
    else:
        built = {"grpc": {"port": port.number}}
        if probe.grpc_service is not None:
            built["grpc"]["service"] = probe.grpc_service
    for wire, attribute in PROBE_TIMING.items():
        value = getattr(probe, attribute)
        if value is not None:
            built[wire] = value
    return built


def build_consumer(owners: Owners, app: App, consumer: Consumer) -> Manifest:
    """An object that refers to ports, in ``app``'s namespace.

    It is an Ingress, HTTPRoute, monitor or NetworkPolicy. ``owners``: the Apps rendered, to find
    which App declares each referred Service or container.
    """
    from svcgen.dsl.consumers import HTTPRoute, Ingress, NetworkPolicy, PodMonitor, ServiceMonitor

    metadata = _metadata(consumer.name, app.namespace, consumer.labels, consumer.annotations)
    if isinstance(consumer, Ingress):
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": metadata,
            "spec": _ingress_spec(consumer),
        }
    if isinstance(consumer, HTTPRoute):
        return {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": metadata,
            "spec": _route_spec(owners, app, consumer),
        }
    if isinstance(consumer, ServiceMonitor):
        return {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": metadata,
            "spec": _service_monitor_spec(owners, app, consumer),
        }
    if isinstance(consumer, PodMonitor):
        return {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PodMonitor",
            "metadata": metadata,
            "spec": _pod_monitor_spec(owners, app, consumer),
        }
    if isinstance(consumer, NetworkPolicy):
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata,
            "spec": _network_policy_spec(app, consumer),
        }
    raise TypeError(f"not a consumer svcgen can build: {type(consumer).__name__}")


def _ingress_backend(ref: ServicePortRef, by: str) -> Manifest:
    """A Service backend: the port by name when it has one an Ingress takes.

    A name survives renumbering. A Service port name is a DNS label (up to 63 characters, digits
    only allowed); an Ingress backend's port name must be an IANA service name
    (``validateIngressBackend``): other names are written as the port's number, as every port is
    when ``by`` is ``"number"``.
    """
    name = ref.port.port_name
    by_name = by == "name" and bool(name) and not rules.port_name(name)
    port: Manifest = {"name": name} if by_name else {"number": ref.port.service_port}
    return {"service": {"name": ref.service.name, "port": port}}


def _ingress_spec(ingress: Ingress) -> Manifest:
    spec: Manifest = {}
    if ingress.ingress_class is not None:
        spec["ingressClassName"] = ingress.ingress_class
    if ingress.default_backend is not None:
        spec["defaultBackend"] = _ingress_backend(ingress.default_backend, ingress.ports_by)
    if ingress.tls:
        spec["tls"] = [
            {**({"hosts": list(t.hosts)} if t.hosts else {}), "secretName": t.secret_name}
            for t in ingress.tls
        ]
    if ingress.rules:
        spec["rules"] = []
        for rule in ingress.rules:
            paths = [
                {
                    "path": path,
                    "pathType": rule.path_type,
                    "backend": _ingress_backend(ref, ingress.ports_by),
                }
                for path, ref in rule.paths.items()
            ]
            spec["rules"].append(
                {**({"host": rule.host} if rule.host else {}), "http": {"paths": paths}}
            )
    return spec


def _namespace_of(owners: Owners, ref: ServicePortRef) -> str | None:
    owner = owners.service(ref.service)
    return owner.namespace if owner is not None else None


def _route_spec(owners: Owners, app: App, route: HTTPRoute) -> Manifest:
    spec: Manifest = {}
    if route.parents:
        spec["parentRefs"] = []
        for parent in route.parents:
            ref: Manifest = {"name": parent.name}
            if parent.namespace is not None:
                ref["namespace"] = parent.namespace
            if parent.section_name is not None:
                ref["sectionName"] = parent.section_name
            spec["parentRefs"].append(ref)
    if route.hostnames:
        spec["hostnames"] = list(route.hostnames)
    rules = []
    for rule in route.rules:
        backends = []
        for backend in rule.backends:
            built: Manifest = {"name": backend.service.name, "port": backend.port.service_port}
            namespace = _namespace_of(owners, backend)
            if (
                namespace != app.namespace
            ):  # a Gateway API backendRef defaults to the route's namespace
                built["namespace"] = namespace or "default"
            backends.append(built)
        rules.append(
            {
                "matches": [{"path": {"type": "PathPrefix", "value": rule.path_prefix}}],
                "backendRefs": backends,
            }
        )
    if rules:
        spec["rules"] = rules
    return spec


def _other_namespace(namespace: str | None, app: App) -> Manifest:
    """A monitor's namespaceSelector, when what it scrapes lives outside its own namespace."""
    if namespace == app.namespace:
        return {}
    return {"namespaceSelector": {"matchNames": [namespace or "default"]}}


def _scrape_endpoint(
    port: str | int, path: str | None, interval: str | None, key: str = "port"
) -> Manifest:
    endpoint: Manifest = {key: port}
    if path is not None:
        endpoint["path"] = path
    if interval is not None:
        endpoint["interval"] = interval
    return endpoint


def _service_monitor_spec(owners: Owners, app: App, monitor: ServiceMonitor) -> Manifest:
    endpoint = _scrape_endpoint(monitor.port.port.port_name, monitor.path, monitor.interval)
    return {
        "selector": {"matchLabels": dict(monitor.port.service.labels)},
        **_other_namespace(_namespace_of(owners, monitor.port), app),
        "endpoints": [endpoint],
    }


def _pod_monitor_spec(owners: Owners, app: App, monitor: PodMonitor) -> Manifest:
    owner = owners.container(monitor.port.container)
    labels = dict(owner.labels) if owner is not None else {}
    port = monitor.port.port
    endpoint = (
        _scrape_endpoint(port.name, monitor.path, monitor.interval)
        if port.name is not None
        else _scrape_endpoint(port.number, monitor.path, monitor.interval, key="portNumber")
    )
    namespace = owner.namespace if owner is not None else None
    return {
        "selector": {"matchLabels": labels},
        **_other_namespace(namespace, app),
        "podMetricsEndpoints": [endpoint],
    }


def _network_policy_spec(app: App, policy: NetworkPolicy) -> Manifest:
    rules = []
    for rule in policy.all_rules():
        built: Manifest = {}
        peers = []
        for peer in rule.peers:
            selectors: Manifest = {}
            if peer.namespaces is not None:
                selectors["namespaceSelector"] = (
                    {"matchLabels": dict(peer.namespaces)} if peer.namespaces else {}
                )
            if peer.pods is not None:
                selectors["podSelector"] = {"matchLabels": dict(peer.pods)} if peer.pods else {}
            peers.append(selectors)
        if peers:
            built["from"] = peers
        built["ports"] = [
            {
                "protocol": ref.port.protocol,
                "port": ref.port.number
                if rule.ports_by == "number" or ref.port.name is None
                else ref.port.name,
            }
            for ref in rule.ports
        ]
        rules.append(built)
    return {
        "podSelector": {"matchLabels": dict(app.labels)},
        "policyTypes": ["Ingress"],
        "ingress": rules,
    }
