"""A DSL field declared once: the constructor generated from it, as Python and as mypy see it."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import pytest
from conftest import DATA
from pydantic import StrictBool, StrictInt, StrictStr

import svcgen
from svcgen import DeclarationError, Port
from svcgen.dsl import consumers, model
from svcgen.dsl.fields import Accepts, Items, Labels, arg


class Sample(model._Declaration, subject='sample "{name}"'):
    """One field of each kind."""

    name: StrictStr = arg(kw_only=False)
    size: StrictInt = arg(default=1, kw_only=False)
    ports: Items[Port] = arg(default=())
    labels: Labels = arg(default_factory=dict)
    peers: Accepts[Mapping[str, str] | None, dict[StrictStr, StrictStr] | None] = arg(default=None)
    mode: Literal["a", "b"] = "a"
    on: StrictBool = False


def _line() -> int:
    return sys._getframe(1).f_lineno


def test_the_field_lines_make_the_constructor() -> None:
    assert str(inspect.signature(Sample)) == (
        "(name: str, size: int = 1, *, ports: collections.abc.Iterable[svcgen.dsl.model.Port] = "
        "(), labels: collections.abc.Mapping[str, str] | None = None, peers: "
        "collections.abc.Mapping[str, str] | None = None, mode: Literal['a', 'b'] = 'a', on: bool "
        "= False) -> None"
    )
    port = Port("p", 1)
    sample = Sample(
        "x", 2, ports=(p for p in [port]), labels=MappingProxyType({"a": "b"}), peers={}
    )
    assert (sample.name, sample.size, sample.ports, sample.labels, sample.peers) == (
        "x",
        2,
        (port,),
        {"a": "b"},
        {},
    )
    assert type(sample.labels) is dict
    plain = Sample("y")
    assert (plain.size, plain.ports, plain.labels, plain.peers, plain.mode, plain.on) == (
        1,
        (),
        {},
        None,
        "a",
        False,
    )
    with pytest.raises(
        TypeError,
        match=r"Sample.__init__\(\) takes from 2 to 3 positional arguments but 4 were given",
    ):
        Sample("x", 1, ())  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"Sample.__init__\(\) got an unexpected keyword argument 'location'"
    ):
        Sample("x", location=None)  # type: ignore[call-arg]


def test_only_arguments_other_than_their_default_are_given_to_pydantic() -> None:
    assert Sample("x", 1, ports=[], labels={}, peers=None, mode="a", on=False).model_fields_set == {
        "name",
        "location",
    }
    assert Sample("x", peers={}).model_fields_set == {"name", "location", "peers"}
    with pytest.raises(DeclarationError) as caught:
        Sample("x", on=0)  # type: ignore[arg-type]  # equal to False, but not a bool
    assert [p.field for p in caught.value.problems] == ["on"]


def test_objects_given_the_same_fields_share_one_set_of_their_names() -> None:
    first, second = Port("a", 1), Port("b", 2)
    assert first.model_fields_set is second.model_fields_set
    udp = first.model_copy(update={"protocol": "UDP"})
    assert udp.model_fields_set == {"name", "number", "location", "protocol"}
    assert first.model_fields_set == {"name", "number", "location"}
    assert Port("c", 3, "UDP").model_fields_set is not first.model_fields_set


def test_problems_name_the_subject_at_the_users_line_not_the_generated_code() -> None:
    line = _line() + 2
    with pytest.raises(DeclarationError) as caught:
        Sample("x", size="2")  # type: ignore[arg-type]
    (problem,) = caught.value.problems
    assert (problem.subject, problem.field) == ('sample "x"', "size")
    assert problem.location is not None and problem.location.line == line
    assert problem.location.file.endswith("test_dsl_fields.py")
    # The constructor ran as code of the package (so caller_location skipped it), named after its
    # class.
    frames = traceback.extract_tb(caught.value.__traceback__)
    generated = os.path.join(os.path.dirname(svcgen.__file__), "dsl", "<generated Sample.__init__>")
    assert [f.filename for f in frames][-1] == generated
    line = _line() + 2
    with pytest.raises(DeclarationError) as caught:
        Sample("x", ports=Port("p", 1))  # type: ignore[arg-type]
    (problem,) = caught.value.problems
    assert (problem.subject, problem.field, problem.hint) == (
        'sample "x"',
        "ports",
        "put it in a list: ports=[...]",
    )
    assert problem.location is not None and problem.location.line == line


def test_a_dict_given_for_a_nested_object_is_passed_to_its_constructor() -> None:
    """As with the hand-written constructors: pydantic calls the class, whose constructor refuses
    it."""
    with pytest.raises(
        TypeError, match=r"Port.__init__\(\) got an unexpected keyword argument 'nmae'"
    ):
        model.Probe("http", {"nmae": "http", "number": 80})  # type: ignore[arg-type]
    with pytest.raises(DeclarationError) as caught:
        model.Probe("http", {})  # type: ignore[arg-type]
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("port", "expected one of the container's Port(...) objects, got dict {}")
    ]


def test_a_field_whose_type_is_not_yet_defined_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match=r"Early\.ports: declare its type before the class"):

        class Early(model._Declaration, subject="early"):
            ports: Items[Later] = arg(default=())  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(TypeError, match="svcgen converts to tuples and dicts only"):
        Accepts[int, int]


PUBLIC = [
    model.Port,
    model.Probe,
    model.Container,
    model.ServicePort,
    model.Service,
    model.App,
    model.Consumer,
    model.Pod,
    model.Deployment,
    model.StatefulSet,
    model.DaemonSet,
    consumers.IngressRule,
    consumers.IngressTLS,
    consumers.Ingress,
    consumers.GatewayRef,
    consumers.RouteRule,
    consumers.HTTPRoute,
    consumers.ServiceMonitor,
    consumers.PodMonitor,
    consumers.Peer,
    consumers.PolicyRule,
    consumers.NetworkPolicy,
]


def test_every_public_constructor_keeps_its_signature() -> None:
    """What help() shows; the same parameters, kinds and defaults as the hand-written constructors
    had."""
    shown = "".join(f"{cls.__name__}{inspect.signature(cls)}\n" for cls in PUBLIC)
    assert shown == (DATA / "dsl-signatures.txt").read_text()


# What a user's typed app.py may write: every argument in the types it takes.
TYPED_APP = """\
from collections.abc import Iterator
from types import MappingProxyType

from svcgen import AUTO, App, Container, DaemonSet, Deployment, Pod, Port, Service, StatefulSet
from svcgen.dsl.consumers import (GatewayRef, HTTPRoute, Ingress, IngressRule, IngressTLS,
                                  NetworkPolicy, Peer, PodMonitor, PolicyRule, RouteRule,
                                  ServiceMonitor)
from svcgen.dsl.model import Probe

http = Port("http", 8080)
metrics = Port("metrics", 9090, "TCP")
plain = Port(number=7000)
bare = Port(None, 7001, protocol="UDP")
api = Container("api", image="api:1", ports=[http, metrics, plain, bare],
                liveness=Probe.http(http, "/livez"), readiness=Probe.tcp(metrics),
                startup=Probe("grpc", http, grpc_service="x"))


def exposed() -> Iterator[object]:
    yield api.port("http").expose(80, name="web", node_port=AUTO, target_by="name")


web = Service("web", type="NodePort", ports=(api.port(p).expose() for p in ("http", "metrics")),
              labels=MappingProxyType({"team": "a"}), cluster_ip=["10.0.0.10", "fd00::10"],
              ip_families=["IPv4", "IPv6"], external_ips=("1.2.3.4",), health_check_node_port=None)
dns = Service("dns", cluster_ip="10.0.0.53", extra_selector={"role": "dns"}, headless=False,
              ports=[api.port(7000).expose(), api.port(7001, "UDP").expose(name="udp")])
edge = Ingress("edge", rules=[IngressRule("a.example.com", paths={"/": web.port("http")})],
               tls=[IngressTLS(hosts=["a.example.com"], secret_name="tls")], labels={"a": "b"})
route = HTTPRoute("route", parents=[GatewayRef("gw", section_name="https")],
                  hostnames=["a.example.com"],
                  rules=[RouteRule("/", backends=[web.port("metrics")])])
policy = NetworkPolicy("np", ports=[api.port("http")], from_pods={"app": "x"},
                       rules=[PolicyRule(ports=[api.port("metrics")], peers=[Peer(namespaces={})])])
app = App("api", labels={"app": "api"}, containers=[api], services=[web, dns],
          workload="Deployment", replicas=2,
          consumers=[edge, route, policy, ServiceMonitor("sm", port=web.port("metrics")),
                     PodMonitor("pm", port=api.port("metrics"))])
worker = Container("worker", image="w:1", command=["run"],
                   env={"A": "1", "B": {"secretKeyRef": {"name": "s"}}},
                   resources={"limits": {"cpu": "1"}},
                   volume_mounts=[{"name": "d", "mountPath": "/d"}],
                   liveness=Probe.exec(["true"]), image_pull_policy="Always")
jobs = App("jobs", labels={"app": "jobs"}, containers=[worker],
           workload=StatefulSet(service=dns, volume_claim_templates=[{"metadata": {"name": "d"}}]),
           pod=Pod(volumes=({"name": n} for n in "d"), service_account="jobs",
                   image_pull_secrets=["reg"]))
kinds = [Deployment(replicas=3, strategy={"type": "Recreate"}), DaemonSet(min_ready_seconds=5)]
env: dict[str, object] | tuple[dict[str, object], ...] = worker.env
ports: tuple[Port, ...] = api.ports
labels: dict[str, str] = web.labels
name: str = web.name
cluster_ip: str | tuple[str, ...] | None = web.cluster_ip
"""

# Mistakes mypy catches, each marked with the error code expected on its line.
MISTAKES = """\
from svcgen import App, Container, Deployment, Pod, Port, Service
from svcgen.dsl.consumers import IngressTLS

http = Port("http", "8080")  # call-overload
Port("http")  # call-overload
api = Container("api", "api:1")  # call-arg
web = Service("web", "NodePort")  # call-arg
Service("web", ports=api.port("http").expose())  # arg-type
Service("web", labels=[("a", "b")])  # arg-type
Container("api", location=None)  # call-arg
IngressTLS(hosts=["a"])  # call-arg
App("a", replicas="2")  # arg-type
web.ports.append(api.port("http").expose())  # attr-defined
web.name = "other"  # misc
Pod(service_account=1)  # arg-type
App("a", workload="Job")  # arg-type
Container("a", image_pull_policy="Sometimes")  # arg-type
Deployment(strategy=[])  # arg-type
"""


def _mypy(tmp_path: Path, source: str, plugin: bool) -> tuple[int, str]:
    (tmp_path / "app.py").write_text(source)
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = true\n" + ("plugins = pydantic.mypy\n" if plugin else ""))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--no-incremental",
            "--no-error-summary",
            "--hide-error-context",
            "app.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("plugin", [False, True], ids=["mypy", "mypy-with-pydantic-plugin"])
def test_a_typed_app_type_checks_and_mypy_sees_the_constructors(
    tmp_path: Path, plugin: bool
) -> None:
    """Users run mypy --strict on their app.py, with or without pydantic's plugin: both see the same
    signatures."""
    code, out = _mypy(tmp_path, TYPED_APP, plugin)
    assert (code, out) == (0, "")
    reveal = "from svcgen.dsl import consumers, model\n" + "".join(
        f"reveal_type({cls.__module__.rsplit('.', 1)[1]}.{cls.__name__}.__init__)\n"
        for cls in PUBLIC
    )
    code, out = _mypy(tmp_path, reveal, plugin)
    shown = "".join(
        line.split('Revealed type is "', 1)[1].removesuffix('"') + "\n" for line in out.splitlines()
    )
    assert shown == (DATA / "dsl-signatures-mypy.txt").read_text()
    code, out = _mypy(tmp_path, MISTAKES, plugin)
    expected = [
        (n, line.rsplit("# ", 1)[1])
        for n, line in enumerate(MISTAKES.splitlines(), 1)
        if "  # " in line
    ]
    found = [
        (int(line.split(":")[1]), line.rsplit("[", 1)[1].rstrip("]"))
        for line in out.splitlines()
        if ": error: " in line
    ]
    assert found == expected, out


def _full(obj: model._Declaration) -> model._Declaration:
    """The same object as pydantic alone makes it: every field in its __dict__."""
    values = {name: getattr(obj, name) for name in type(obj).model_fields}
    return type(obj).model_construct(_fields_set=set(obj.model_fields_set), **values)


def test_an_object_keeps_only_the_fields_it_was_given() -> None:
    sample = Sample("x", ports=[Port("p", 1)], mode="b")
    # labels: a default factory's fresh dict is the object's own; the rest are the class's
    assert list(sample.__dict__) == ["location", "name", "ports", "mode", "labels"]
    assert (sample.size, sample.peers, sample.on, sample.labels) == (1, None, False, {})
    container = svcgen.Container("app", image="app:1")
    assert set(container.__dict__) == {"location", "name", "image"}
    assert (container.env, container.resources, container.ports, container.tty) == (
        (),
        None,
        (),
        None,
    )
    assert Sample("y").labels is not Sample("z").labels  # never one shared dict


def test_objects_compare_hash_print_and_dump_as_with_every_field_stored() -> None:
    sample = Sample("x", ports=[Port("p", 1)], mode="b")
    full = _full(sample)
    assert len(full.__dict__) == len(Sample.model_fields) > len(sample.__dict__)
    assert sample == full and full == sample and hash(Port("p", 1)) != hash(Port("q", 1))
    assert sample != Sample("x", ports=[Port("p", 1)], mode="a") and sample != _full(Sample("x"))
    assert (
        repr(sample)
        == repr(full)
        == (
            f"Sample(name='x', size=1, ports=({sample.ports[0]!r},), labels={{}}, peers=None, "
            "mode='b', on=False)"
        )
    )
    assert (
        sample.model_dump()
        == full.model_dump()
        == {
            "name": "x",
            "size": 1,
            "ports": (
                {"name": "p", "number": 1, "protocol": "TCP", "host_port": None, "host_ip": None},
            ),
            "labels": {},
            "peers": None,
            "mode": "b",
            "on": False,
        }
    )
    assert sample.model_dump_json() == full.model_dump_json()
    assert dict(sample) == {name: getattr(full, name) for name in Sample.model_fields}
    app = svcgen.App(
        "a",
        containers=[svcgen.Container("c")],
        pod=svcgen.Pod(volumes=[{"name": "v", "emptyDir": {}}]),
    )
    dumped = app.model_dump()
    assert (dumped["containers"][0]["tty"], dumped["pod"]["node_name"], dumped["replicas"]) == (
        None,
        None,
        None,
    )
    assert (
        dumped["pod"]["volumes"] == ({"name": "v", "emptyDir": {}},)
        and '"tty":null' in app.model_dump_json()
    )
    port = Port("p", 1)
    assert hash(port) == hash(_full(port)) and port == _full(port)


def test_copies_pickles_and_frozen_objects_keep_their_fields() -> None:
    import copy
    import pickle

    from pydantic import ValidationError

    sample = Sample("x", size=3, labels={"a": "b"})
    for again in (copy.copy(sample), copy.deepcopy(sample), pickle.loads(pickle.dumps(sample))):
        assert again == sample and (again.size, again.mode, again.labels) == (3, "a", {"a": "b"})
    changed = sample.model_copy(update={"mode": "b"})
    assert (changed.mode, changed.size, sample.mode) == ("b", 3, "a")
    assert changed.model_fields_set == {"location", "name", "size", "labels", "mode"}
    with pytest.raises(ValidationError, match="frozen"):
        sample.mode = "b"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        sample.size = 2  # type: ignore[misc]


def test_a_subclass_inherits_fields_with_their_defaults_and_signature() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter(
            "error"
        )  # no "shadows an attribute in parent": the defaults are hidden from pydantic

        class Wider(Sample, subject='wider "{name}"'):
            extra: StrictInt = 7

    assert Wider.model_fields["size"].kw_only is False and Wider.model_fields["mode"].default == "a"
    wide = Wider("w", 2, mode="b")
    assert (wide.size, wide.on, wide.extra, wide.mode, wide.labels, wide.peers) == (
        2,
        False,
        7,
        "b",
        {},
        None,
    )
    assert Wider("v", extra=8).extra == 8
    assert set(wide.__dict__) == {"location", "name", "size", "mode", "labels"}
