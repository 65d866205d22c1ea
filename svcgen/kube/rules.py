"""The Kubernetes API server's validation rules, one function each.

Every function takes a plain value and returns the list of error details the API server
would give for it (empty when the value is valid), with the same wording as apimachinery's
``k8s.io/apimachinery/pkg/util/validation`` and ``pkg/apis/core/validation``. Nothing here
knows svcgen's DSL: the DSL validator and the YAML linter both call these functions, so each
rule has exactly one implementation.

The name rules (:func:`dns1123_label`, :func:`qualified_name`, :func:`label_value`...) remember the
strings they found valid (:func:`_remembers_valid`): names repeat across a project (port names,
namespaces, label keys and values), and a render of 10,000 Services checked the same ones tens of
thousands of times. Only a valid string is remembered, keyed on the whole string; an invalid one is
checked again each time, so every message is built as before.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from functools import wraps
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = [
    "DNS1035_LABEL_MAX_LENGTH",
    "DNS1123_LABEL_MAX_LENGTH",
    "DNS1123_SUBDOMAIN_MAX_LENGTH",
    "PORT_NAME_MAX_LENGTH",
    "SERVICE_TYPES",
    "SESSION_AFFINITY_MAX_TIMEOUT",
    "SUPPORTED_PROTOCOLS",
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "TRAFFIC_POLICIES",
    "annotations_size",
    "dns1035_label",
    "dns1123_label",
    "dns1123_subdomain",
    "env_var_name",
    "external_name",
    "ip_address",
    "ip_address_strict",
    "ip_cidr",
    "ip_cidr_strict",
    "label_value",
    "local_descending_path",
    "non_special_ip",
    "parse_ip",
    "parse_quantity",
    "port_name",
    "port_number",
    "qualified_name",
    "quantity",
    "session_affinity_timeout",
]

SUPPORTED_PROTOCOLS = ("SCTP", "TCP", "UDP")
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
TRAFFIC_POLICIES = ("Cluster", "Local")

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
PORT_NAME_MAX_LENGTH = 15
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
SESSION_AFFINITY_MAX_TIMEOUT = 86400

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _QNAME_FMT + ")?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character"
)

# re.fullmatch mirrors Go's anchored ^...$ (Python's $ would also match before a final newline).
_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_WILDCARD_DNS1123_SUBDOMAIN_FMT = "\\*\\." + _DNS1123_SUBDOMAIN_FMT
_WILDCARD_DNS1123_SUBDOMAIN_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which "
    "must consist "
    "of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character"
)
_WILDCARD_DNS1123_SUBDOMAIN_RE = re.compile(_WILDCARD_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL_FMT)
_QNAME_RE = re.compile(_QNAME_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_PORT_NAME_CHARSET_RE = re.compile("[-a-z0-9]+")
_PORT_NAME_ONE_LETTER_RE = re.compile("[a-z]")


_REMEMBERED = 65_536
"""The most valid strings each name rule remembers (then it checks every new one as it comes)."""


def _remembers_valid(rule: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``rule``, answering at once (a new empty list) for a string it found valid before."""
    valid: set[str] = set()

    @wraps(rule)
    def check(value: str) -> list[str]:
        if type(value) is str and value in valid:
            return []
        errors = rule(value)
        if not errors and type(value) is str and len(valid) < _REMEMBERED:
            valid.add(value)
        return errors

    return check


def _length(value: str) -> int:
    """Go's len(): the number of UTF-8 bytes, not of characters."""
    return len(value.encode("utf-8", "surrogatepass"))


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _max_bytes_error(length: int) -> str:
    """Apimachinery's ``content.MaxLenError`` (label keys and values, since 1.36's apimachinery)."""
    return f"must be no more than {length} bytes"


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    # Same construction as apimachinery's RegexError, double space before "or" included.
    text = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


@_remembers_valid
def dns1123_label(value: str) -> list[str]:
    """IsDNS1123Label: namespaces, container names, Service port names."""
    errs = []
    if _length(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(_max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(_regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


@_remembers_valid
def dns1123_subdomain(value: str) -> list[str]:
    """IsDNS1123Subdomain: workload names, label-key prefixes, externalName."""
    errs = []
    if _length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(_max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def wildcard_dns1123_subdomain(value: str) -> list[str]:
    """IsWildcardDNS1123Subdomain: Ingress hosts and TLS hosts with a ``*``."""
    errs = []
    if _length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(_max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _WILDCARD_DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(
            _regex_error(
                _WILDCARD_DNS1123_SUBDOMAIN_MSG, _WILDCARD_DNS1123_SUBDOMAIN_FMT, "*.example.com"
            )
        )
    return errs


@_remembers_valid
def dns1035_label(value: str) -> list[str]:
    """IsDNS1035Label: Service names."""
    errs = []
    if _length(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(_max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(_regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


@_remembers_valid
def qualified_name(value: str) -> list[str]:
    """IsQualifiedName: label keys, annotation keys (lower-cased first), appProtocol."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            if _length(prefix) > DNS1123_SUBDOMAIN_MAX_LENGTH:
                errs.append("prefix part " + _max_bytes_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
            if not _DNS1123_SUBDOMAIN_RE.fullmatch(prefix):
                errs.append(
                    "prefix part "
                    + _regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com")
                )
    else:
        return [
            "a valid label key "
            + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif _length(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + _max_bytes_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QNAME_RE.fullmatch(name):
        errs.append(
            "name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errs


@_remembers_valid
def label_value(value: str) -> list[str]:
    """IsValidLabelValue: label values and selector values."""
    errs = []
    if _length(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(_max_bytes_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(
            _regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errs


@_remembers_valid
def port_name(value: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME): container port names and named targetPorts."""
    errs = []
    if _length(value) > PORT_NAME_MAX_LENGTH:
        errs.append(_max_len_error(PORT_NAME_MAX_LENGTH))
    if not _PORT_NAME_CHARSET_RE.fullmatch(value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_ONE_LETTER_RE.search(value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def port_number(value: int) -> list[str]:
    """IsValidPortNum: port, targetPort, containerPort, hostPort."""
    if 1 <= value <= 65535:
        return []
    return ["must be between 1 and 65535, inclusive"]


def external_name(value: str) -> list[str]:
    """An ExternalName Service's externalName: a DNS-1123 subdomain once one trailing dot is cut.

    An empty value is the caller's "Required value" error, not checked here.
    """
    return dns1123_subdomain(value[:-1] if value.endswith(".") else value)


def annotations_size(annotations: Mapping[str, str]) -> list[str]:
    """The total size limit of metadata.annotations (keys plus values, in bytes)."""
    total = sum(_length(k) + _length(v) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        return [f"may not be more than {TOTAL_ANNOTATION_SIZE_LIMIT} bytes"]
    return []


def session_affinity_timeout(value: int) -> list[str]:
    """sessionAffinityConfig.clientIP.timeoutSeconds (the check is 1..86400, the message is not)."""
    if value <= 0 or value > SESSION_AFFINITY_MAX_TIMEOUT:
        return [f"must be greater than 0 and less than {SESSION_AFFINITY_MAX_TIMEOUT}"]
    return []


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """netutils.ParseIPSloppy: like Go's net.ParseIP, but IPv4 octets may have leading zeros.

    Such octets are read as decimal.
    """
    text = value
    if "." in text and ":" not in text:
        parts = text.split(".")
        if len(parts) == 4 and all(p.isdigit() and p.isascii() for p in parts):
            text = ".".join(str(int(p)) for p in parts)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and "%" in text:
        return None  # Go's ParseIP has no zones
    return address


def ip_address(value: str) -> list[str]:
    """IsValidIP."""
    if parse_ip(value) is None:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []


def non_special_ip(value: str) -> list[str]:
    """validateNonSpecialIP, for externalIPs: no unspecified, loopback or link-local addresses."""
    address = parse_ip(value)
    if address is None:
        return ["must be a valid IP address"]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    errs = []
    if address.is_unspecified:
        errs.append(f"may not be unspecified ({value})")
    if address.is_loopback:
        errs.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if address.is_link_local:
        errs.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    packed = address.packed
    if (address.version == 4 and packed[:3] == bytes([224, 0, 0])) or (
        address.version == 6 and packed[0] == 0xFF and packed[1] & 0x0F == 0x02
    ):
        errs.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return errs


def ip_cidr(value: str) -> list[str]:
    """IsValidCIDR (sloppy, like netutils.ParseCIDRSloppy): an IP range such as 10.0.0.0/8."""
    try:
        # Go's net.ParseCIDR, unlike ip_network, insists on the "/prefix" part.
        text = value.strip()
        address, _, prefix = text.partition("/")
        parsed = parse_ip(address)
        if not prefix or parsed is None or not prefix.isdigit():
            raise ValueError(text)
        ipaddress.ip_network(f"{parsed}/{int(prefix)}", strict=False)
    except ValueError:
        return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]
    return []


def _leading_zero(text: str) -> bool:
    """A dotted-quad octet (also one embedded in IPv6) written with a leading 0."""
    quad = text.rsplit(":", 1)[-1]
    parts = quad.split(".")
    return len(parts) == 4 and any(len(p) > 1 and p.startswith("0") for p in parts)


def ip_address_strict(value: str) -> list[str]:
    """IsValidIP with StrictIPCIDRValidation (Kubernetes 1.36): the stricter IP syntax.

    No leading 0s, no IPv4-mapped IPv6.
    """
    address = parse_ip(value)
    if address is None:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    errs = []
    if _leading_zero(value):
        errs.append("must not have leading 0s")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        errs.append("must not be an IPv4-mapped IPv6 address")
    return errs


def ip_cidr_strict(value: str) -> list[str]:
    """IsValidCIDR with StrictIPCIDRValidation (Kubernetes 1.36): the first of its complaints."""
    errs = ip_cidr(value)
    if errs:
        return errs
    text = value.strip()
    address, _, prefix = text.partition("/")
    if _leading_zero(address) or (len(prefix) > 1 and prefix.startswith("0")):
        return ["must not have leading 0s in IP or prefix length"]
    parsed = parse_ip(address)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return ["must not have an IPv4-mapped IPv6 address"]
    try:
        ipaddress.ip_network(f"{parsed}/{int(prefix)}", strict=True)
    except ValueError:
        return ["must not have bits set beyond the prefix length"]
    return []


_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_ROUTE_PATH_CHARS = re.compile(r"(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+")


def http_path(path: str, *, route: bool = False) -> list[str]:
    """An Ingress Prefix/Exact path (``validateIngressPath``) or an HTTPRoute PathPrefix.

    The PathPrefix rule is that of the Gateway API CRD.
    """
    errors = [] if path.startswith("/") else ["must be an absolute path"]
    for sequence in (*_INVALID_PATH_SEQUENCES, *(("#",) if route else ())):
        if sequence in path:
            errors.append(f"must not contain '{sequence}'")
    errors.extend(
        f"cannot end with '{suffix}'" for suffix in _INVALID_PATH_SUFFIXES if path.endswith(suffix)
    )
    if route and path and not _ROUTE_PATH_CHARS.fullmatch(path):
        errors.append("must contain only the characters of an RFC 3986 path (or %XX escapes)")
    return errors


def implementation_specific_path(path: str) -> list[str]:
    """An ImplementationSpecific Ingress path: empty, or absolute."""
    return ["must be an absolute path"] if path and not path.startswith("/") else []


def tls_host(host: str) -> list[str]:
    """An Ingress TLS host (``validateIngressTLS``): a DNS subdomain, or a ``*`` wildcard one."""
    return wildcard_dns1123_subdomain(host) if "*" in host else dns1123_subdomain(host)


def ingress_host(host: str) -> list[str]:
    """An Ingress rule or route host (``validateIngressRules``): as a TLS host, but never an IP."""
    ip = ["must be a DNS name, not an IP address"] if parse_ip(host) is not None else []
    return ip + tls_host(host)


# resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go): a signed decimal number
# and a suffix: binary (Ki..Ei), decimal (n u m "" k M G T P E) or an exponent (e3, E-2).
_QUANTITY_FORMAT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
# re's cache
_QUANTITY = r"([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][-+]?[0-9]+)?"
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


_INT32 = 2**31
"""An exponent suffix is an int32 in Kubernetes (``interpret`` refuses the others)."""


def parse_quantity(value: str | int | float) -> Decimal | None:
    """The exact value of a quantity, or None if it does not parse.

    For example ``"100m"``, ``"1Gi"``, ``"1e3"`` and ``2``. A Decimal, exact whatever its size:
    the digits are never converted to an int (Python refuses more than 4,300) and an exponent
    only moves the point (``1e2000000000`` is one number, not two billion multiplications).
    """
    from decimal import (
        MAX_EMAX,
        MIN_EMIN,
        Decimal,
        Inexact,
        localcontext,
    )  # only when a quantity is declared

    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(value)
    match = re.fullmatch(_QUANTITY, value)
    if match is None:
        return None
    sign, number, suffix = match.groups()
    exponent, factor = 0, 1
    if suffix in _BINARY:
        factor = 1024 ** _BINARY[suffix]
    elif suffix in _DECIMAL:
        exponent = _DECIMAL[suffix]
    elif suffix:
        digits = suffix[1:].lstrip("+-").lstrip("0") or "0"
        if len(digits) > 10:
            return None  # past an int32
        exponent = int(suffix[1:2] + digits if suffix[1:2] in "+-" else digits)
        if not -_INT32 <= exponent < _INT32:
            return None
    with (
        localcontext() as context
    ):  # exact: enough digits, any exponent, and a trap should one be lost
        context.prec, context.Emax, context.Emin = len(number) + 25, MAX_EMAX, MIN_EMIN
        context.traps[Inexact] = True
        return (Decimal(sign + number) * factor).scaleb(exponent)


def quantity(value: str | int | float) -> list[str]:
    """``resource.ParseQuantity``: the error of a quantity that does not parse."""
    if parse_quantity(value) is None:
        return [f"quantities must match the regular expression '{_QUANTITY_FORMAT}'"]
    return []


_ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_NAME_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit"
)
_RELAXED_ENV_VAR_NAME_MSG = (
    "a valid environment variable name must consist only of printable ASCII characters "
    "other than '='"
)


def env_var_name(value: str, *, relaxed: bool = True) -> list[str]:
    """``IsEnvVarName``, or ``IsRelaxedEnvVarName`` when ``relaxed``.

    ``relaxed``: the feature gate RelaxedEnvironmentVariableValidation.
    """
    if relaxed:
        if not value or any(not " " <= c <= "~" or c == "=" for c in value):
            return [_RELAXED_ENV_VAR_NAME_MSG]
        return []
    if not re.fullmatch(_ENV_VAR_NAME_FMT, value):
        return [
            _regex_error(
                _ENV_VAR_NAME_MSG, _ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"
            )
        ]
    return []


def local_descending_path(value: str) -> list[str]:
    """``validateLocalDescendingPath``: a volume mount's subPath stays inside the volume.

    The same holds for its subPathExpr.
    """
    errors = ["must be a relative path"] if value.startswith("/") else []
    if ".." in value.replace("\\", "/").split("/"):
        errors.append("must not contain '..'")
    return errors
