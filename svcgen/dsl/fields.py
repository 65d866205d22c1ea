"""Declare a DSL class's field once: the one line gives the constructor, its types and its checks.

A DSL class is a frozen pydantic model whose fields are its constructor's arguments, in order::

    class Service(_Declaration, subject='Service "{name}"'):
        name: StrictStr = arg(kw_only=False)       # positional, required
        type: ServiceType = "ClusterIP"            # keyword-only (the default), with its default
        ports: Items[ServicePort] = arg(default=())  # takes any iterable, keeps a tuple
        labels: Labels = arg(default_factory=dict)   # takes a mapping or None, keeps a dict

What reads that line:

- **pydantic** validates the stored type. ``Accepts[In, Stored]`` is, at run time,
  ``Annotated[Stored, <its conversion>]``: ``Items[X]`` keeps ``tuple[X, ...]``, ``Labels`` keeps
  ``dict[str, str]``.
- **Type checkers** (``mypy --strict`` on a user's app.py, with or without pydantic's plugin)
  build the constructor's signature through :func:`~typing_extensions.dataclass_transform` on
  the base class, as for attrs and pydantic dataclasses: positional when ``kw_only=False``,
  keyword-only otherwise, a default where the line has one, ``location`` left out
  (``init=False``). To them ``Accepts[In, Stored]`` is a descriptor, so the parameter takes
  ``In`` (``Iterable[ServicePort]``) while the attribute reads as ``Stored`` (``tuple[...]``).
- **The constructor** is generated once per class, when first looked up (source text compiled
  with ``exec``, as dataclasses and attrs do; a class never used costs nothing at start-up),
  so a call runs straight-line code: convert the arguments (an iterable to a tuple, a mapping
  to a dict, ``None`` to an empty one), refuse a lone object where a list goes, hand pydantic
  only the arguments that differ from their default (so ``model_fields_set`` names only
  those), validate, and say pydantic's refusals in svcgen's words
  (:mod:`svcgen.dsl.typeerrors`) at the user's line. The generated code's file name lies
  inside the package, so :func:`~svcgen.dsl.callsite.caller_location` never takes it for the
  user's. Last, pydantic's set of given field names, one per object (a sixth of a
  10,000-Service render's memory), is swapped for one shared by every object given the same
  fields: the objects are frozen, and pydantic copies the set before it changes one
  (``model_copy(update=...)``). And the object keeps in its ``__dict__`` only the fields it was
  given, the class holding the defaults (:func:`share_defaults`): a Container declares 26 fields
  and is usually given 2 to 5 (10,000 Services: 107 MB -> 92 MB peak).

The ``subject`` class keyword names the object in messages: an f-string over the arguments as
given (``'port "{name}"'``), evaluated only when there is something to report. A field with
a ``default_factory`` defaults to ``None`` in the signature (a new empty one), the usual
Python idiom for a mutable default.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ForwardRef,
    Generic,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    overload,
)

from pydantic import BaseModel, Field, StrictStr, ValidationError

from svcgen.dsl.callsite import caller_location
from svcgen.dsl.typeerrors import LIST_FIELDS, lone_objects, type_problems
from svcgen.errors import DeclarationError

__all__ = [
    "Accepts",
    "Constructor",
    "Items",
    "Labels",
    "arg",
    "hide_inherited_defaults",
    "share_defaults",
]

In = TypeVar("In")
Stored = TypeVar("Stored")
T = TypeVar("T")


def _to_tuple(items: Any) -> Any:
    """Turn any iterable but a string or a lone object into a tuple; leave the rest to pydantic."""
    if isinstance(items, (list, tuple)):
        return tuple(items)
    if isinstance(items, (str, bytes, Mapping, BaseModel)) or not isinstance(items, Iterable):
        return items
    return tuple(items)


def _to_dict(items: Any) -> Any:
    """A mapping as a dict, ``None`` as an empty one; leave the rest to pydantic."""
    return {} if items is None else (dict(items) if isinstance(items, Mapping) else items)


def _to_dict_or_none(items: Any) -> Any:
    return None if items is None else _to_dict(items)


class _Conversion:
    """The marker ``Accepts`` leaves on a field: what the argument takes, and its conversion.

    ``function`` names the function that converts the argument.
    """

    __slots__ = ("function", "takes")

    def __init__(self, takes: Any, function: str) -> None:
        self.takes = takes
        self.function = function


def _conversion(takes: Any, stored: Any) -> _Conversion:
    members = get_args(stored) if get_origin(stored) in (Union, types.UnionType) else (stored,)
    kinds = {get_origin(member) or member for member in members}
    if tuple in kinds:
        return _Conversion(
            takes, "__to_tuple"
        )  # a string stays a string (cluster_ip), None stays None
    if dict in kinds:
        return _Conversion(takes, "__to_dict_or_none" if type(None) in kinds else "__to_dict")
    raise TypeError(f"Accepts[..., {stored}]: svcgen converts to tuples and dicts only")


if TYPE_CHECKING:

    class Accepts(Generic[In, Stored]):
        """A field that takes ``In`` as an argument and keeps ``Stored``.

        To type checkers, it is a descriptor.
        """

        @overload
        def __get__(self, obj: None, owner: Any) -> Accepts[In, Stored]: ...
        @overload
        def __get__(self, obj: object, owner: Any) -> Stored: ...
        def __get__(self, obj: object, owner: Any) -> Any: ...
        def __set__(self, obj: object, value: In) -> None: ...

    Items = Accepts[Iterable[T], tuple[T, ...]]

else:

    class Accepts:
        """A field that takes ``In`` as an argument and keeps ``Stored``.

        At run time, it is ``Annotated[Stored, conversion]``.
        """

        def __class_getitem__(cls, types: tuple[Any, Any]) -> Any:
            return Annotated[types[1], _conversion(*types)]

    class Items:
        """A field that takes any iterable of ``T`` (a list, a generator...) and keeps a tuple."""

        def __class_getitem__(cls, item: Any) -> Any:
            return Accepts[
                Iterable[item], tuple[item, ...]
            ]  # what the argument takes names the item type


Labels = Accepts[Mapping[str, str] | None, dict[StrictStr, StrictStr]]
"""A field that takes a mapping of strings (or ``None``: none) and keeps a dict."""


def arg(
    *, default: Any = ..., default_factory: Callable[[], Any] | None = None, kw_only: bool = True
) -> Any:
    """A field's default (none: required) and whether it is positional or keyword-only.

    Keyword-only is the default.
    """
    if default_factory is not None:
        return Field(default_factory=default_factory, kw_only=kw_only)
    return Field(default, kw_only=kw_only)


class _Hidden:
    """A parent's shared default, hidden on a new subclass while pydantic collects its fields.

    pydantic takes a class attribute named like a field for the field's default; on the
    parent it is (see :func:`share_defaults`), not on the subclass, which inherits the field itself.
    """

    __slots__ = ()

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        raise AttributeError


_HIDDEN = _Hidden()


def hide_inherited_defaults(cls: type[BaseModel]) -> None:
    """Hide a parent's shared defaults on a subclass being made, before pydantic reads it.

    Called from ``__init_subclass__``: see :class:`_Hidden`.
    """
    for name in getattr(cls, "__pydantic_fields__", {}):
        if name not in cls.__dict__:
            setattr(cls, name, _HIDDEN)


def share_defaults(cls: type[BaseModel]) -> None:
    """Put each field's default on the class, for the fields an object was not given.

    An object keeps in its ``__dict__`` only the fields it was given (and the fresh dict of a
    default factory): a Container declares about 26 fields and is given 2 to 5 of them.
    Attribute lookup finds the rest on the class, as fast as any class attribute. What reads
    ``__dict__`` itself (equality, hashing, ``repr``) reads the fields through
    ``__field_values__``, the fields in order.
    """
    for name, info in cls.__pydantic_fields__.items():
        if info.default_factory is None and not info.is_required():
            setattr(cls, name, info.default)
    cls.__field_values__ = attrgetter(*cls.__pydantic_fields__)  # type: ignore[attr-defined]


_SMALLEST_DICT = 5
"""The keys the smallest dict holds: an object of at most as many fields keeps them all (no
smaller)."""

_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
"""One set of given field names per combination: the objects declared alike share it."""


def _fields_set(names: frozenset[str]) -> set[str]:
    return _FIELDS_SETS.setdefault(names, set(names))


class _Missing:
    """The default of a required positional parameter that follows an optional one: not given."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<required>"


_MISSING = _Missing()

# The names the generated code uses. Field names never start with "_" (pydantic's rule), so the
# arguments (``name``), their converted values (``_name``) and these (``__name``) never clash.
_GLOBALS: dict[str, Any] = {
    "__caller_location": caller_location,
    "__BaseModel": BaseModel,
    "__ValidationError": ValidationError,
    "__DeclarationError": DeclarationError,
    "__lone_objects": lone_objects,
    "__type_problems": type_problems,
    "__to_tuple": _to_tuple,
    "__to_dict": _to_dict,
    "__to_dict_or_none": _to_dict_or_none,
    "__fields_sets": _FIELDS_SETS,
    "__fields_set": _fields_set,
    "__frozenset": frozenset,
    "__object_setattr": object.__setattr__,
    "__MISSING": _MISSING,
    "__type": type,
    "__isinstance": isinstance,
    "__tuple": tuple,
    "__dict": dict,
    "__str": str,
}
_HERE = os.path.dirname(os.path.abspath(__file__))


class Constructor:
    """``cls.__init__``, generated from the fields when first looked up.

    A class never used costs nothing. The first lookup (a call, ``help()``, ``inspect.signature``)
    puts the generated function in its place, so that later calls go straight to it.
    """

    __slots__ = ("cls", "subject")

    def __init__(self, cls: type[BaseModel], subject: str) -> None:
        for name, info in cls.model_fields.items():
            if isinstance(
                info.annotation, (str, ForwardRef)
            ):  # its conversion is unknown until it resolves
                raise TypeError(
                    f"{cls.__name__}.{name}: declare its type before the class, which svcgen gives "
                    "its constructor when it is made"
                )
        self.cls = cls
        self.subject = subject

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        init = _generate(self.cls, self.subject)
        self.cls.__init__ = init  # type: ignore[method-assign]
        return init.__get__(obj, owner)


def _generate(cls: type[BaseModel], subject: str) -> Callable[..., None]:
    """Generate ``cls.__init__`` from its fields (see the module docstring).

    ``subject``: the class's f-string naming the object in messages. For ``Service``, it begins::

        def __init__(self, name, *, type='ClusterIP', ports=(), headless=False, ..., labels=None,
            ...):
            __location = __caller_location()
            _ports = __to_tuple(ports)
            _labels = __to_dict(labels)
            ...
            if (__type(_ports) is not __tuple and __isinstance(_ports, __BaseModel)):
                raise __DeclarationError(__lone_objects(f'Service "{name}"', {...}, __location,
                'Service'))
            __given = {'location': __location, 'name': name}
            if not (__type(type) is __str and type == 'ClusterIP'):
                __given['type'] = type
    """
    namespace: dict[str, Any] = {}  # the defaults that cannot be written in the source
    positional: list[str] = []  # parameters
    keyword: list[str] = []
    convert: list[str] = []  # lines
    every: list[str] = []  # "name": value, of every argument (for the lone-object message)
    required: list[str] = []  # "name": value, always passed on
    optional: list[str] = []  # lines passing an argument on unless it is the default
    lone: list[str] = []  # tests of a lone object where a list goes
    takes: dict[str, Any] = {}  # the parameters' annotations
    factories = [
        name for name, info in cls.model_fields.items() if info.default_factory is not None
    ]
    optional_before = (
        False  # an optional positional parameter came first (``Port(name=None, number)``)
    )
    for name, info in cls.model_fields.items():
        if info.init is False:
            continue
        value = name
        conversion = next((m for m in info.metadata if isinstance(m, _Conversion)), None)
        takes[name] = info.annotation if conversion is None else conversion.takes
        if conversion is not None:
            value = f"_{name}"
            convert.append(f"    {value} = {_converted(name, conversion.function)}")
        every.append(f"{name!r}: {value}")
        if name in LIST_FIELDS:
            lone.append(f"(__type({value}) is not __tuple and __isinstance({value}, __BaseModel))")
        if info.is_required() and optional_before and info.kw_only is False:
            # Python wants a default here: a marker, left out of what pydantic is given, so that
            # pydantic says it is missing (as for a keyword argument), in svcgen's words.
            param = f"{name}=__MISSING"
            optional.append(
                f"    if {value} is not __MISSING:\n        __given[{name!r}] = {value}"
            )
        elif info.is_required():
            param = name
            required.append(f"{name!r}: {value}")
        else:
            optional_before = optional_before or info.kw_only is False
            factory = info.default_factory
            shown = _written(None if factory else info.default, f"__input_{name}", namespace)
            param = f"{name}={shown}"
            default = factory() if factory else info.default  # type: ignore[call-arg]
            optional.append(
                f"    if {_differs(value, default, f'__default_{name}', namespace)}:\n"
                f"        __given[{name!r}] = {value}"
            )
        (keyword if info.kw_only is not False else positional).append(param)
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    told, owner = f"f{subject!r}", repr(cls.__name__)
    lines = [f"def __init__({params}):", "    __location = __caller_location()", *convert]
    if lone:
        arguments = "{" + ", ".join(every) + "}"
        lines += [
            f"    if {' or '.join(lone)}:",
            f"        raise __DeclarationError(__lone_objects({told}, {arguments}, __location, "
            f"{owner}))",
        ]
    lines += [
        f"    __given = {{'location': __location, {', '.join(required)}}}",
        *optional,
        "    try:",
        "        self.__pydantic_validator__.validate_python(__given, self_instance=self)",
        "    except __ValidationError as __exc:",
        f"        raise __DeclarationError(__type_problems({told}, __exc, __location, {owner})) "
        "from None",
        "    __key = __frozenset(__given)",
        "    __object_setattr(self, '__pydantic_fields_set__', __fields_sets.get(__key) or "
        "__fields_set(__key))",
    ]
    if len(cls.model_fields) > _SMALLEST_DICT:
        # Keep only what was given (and the fresh dicts of default factories): the class has the
        # rest.
        lines += [
            "    __all = self.__dict__",
            "    __kept = {}",
            # not a comprehension: a function call each, before Python 3.12
            "    for __name in __given:",
            "        __kept[__name] = __all[__name]",
            *(
                f"    if {name!r} not in __kept:\n        __kept[{name!r}] = __all[{name!r}]"
                for name in factories
            ),
            "    __object_setattr(self, '__dict__', __kept)",
        ]
    # A file name inside the package: caller_location skips these frames as svcgen's own.
    filename = os.path.join(_HERE, f"<generated {cls.__qualname__}.__init__>")
    made: dict[str, Any] = {}
    exec(
        compile("\n".join(lines) + "\n", filename, "exec"),
        {**_GLOBALS, **namespace} if namespace else _GLOBALS,
        made,
    )
    init: Callable[..., None] = made["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {
        **_without_metadata(takes),
        "return": None,
    }  # for help(): StrictStr is str to a reader
    return init


_FAST_PATHS = {
    "__to_tuple": "{0} if __type({0}) is __tuple else __to_tuple({0})",  # tuple(t) is t
    "__to_dict": "{{}} if {0} is None else __to_dict({0})",
    "__to_dict_or_none": "None if {0} is None else __to_dict({0})",
}


def _converted(name: str, function: str) -> str:
    """The expression converting argument ``name``.

    It makes no call for what needs no conversion (a default).
    """
    return _FAST_PATHS[function].format(name)


def _without_metadata(annotations: dict[str, Any]) -> dict[str, Any]:
    def holder() -> None: ...

    holder.__annotations__ = annotations
    return get_type_hints(holder)  # without include_extras: Annotated[str, Strict()] is str


def _written(value: Any, name: str, namespace: dict[str, Any]) -> str:
    """``value`` as source text, or the name it is given in the generated code's namespace."""
    if value is None or type(value) in (bool, int, str) or value == ():
        return repr(value)
    namespace[name] = value
    return name


def _differs(value: str, default: Any, name: str, namespace: dict[str, Any]) -> str:
    """The test that ``value`` is not the default.

    Neither the default object itself, nor equal to it and of its type. Strings, tuples and dicts
    are compared by value (a new ``()`` is the default too), others by identity; and equal is not
    enough across types: 0 is not False, and must meet the type check.
    """
    if default is None or default is True or default is False:
        return f"{value} is not {default!r}"
    if type(default) in (tuple, dict, str):
        kind = f"__{type(default).__name__}"
        if not default:
            return f"not (__type({value}) is {kind} and not {value})"
        return (
            f"not (__type({value}) is {kind} and {value} == {_written(default, name, namespace)})"
        )
    namespace[name] = default
    return f"{value} is not {name}"
