"""[tool.svcgen] settings in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from svcgen.errors import UsageError
from svcgen.kube.portrange import NodePortRange
from svcgen.settings import Settings, SettingsError, project_root


def test_without_settings_the_lock_sits_next_to_the_first_path(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "app.py").write_text("")
    settings = Settings.find(str(tmp_path / "svc" / "app.py"))
    assert settings.lock == (tmp_path / "svc" / "svcgen.lock").resolve()
    assert settings.node_port_range == NodePortRange() and settings.reserve == ()


def test_a_pyproject_without_the_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "svc").mkdir()
    assert Settings.find(str(tmp_path / "svc")).lock == (tmp_path / "svc" / "svcgen.lock").resolve()


def test_settings_from_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\nnode-port-range = "20000-20999"\nlock = "deploy/ports.lock"\nreserve = '
        '["cluster.yaml"]\n'
    )
    (tmp_path / "svc" / "a").mkdir(parents=True)
    settings = Settings.find(str(tmp_path / "svc" / "a"))
    assert settings.node_port_range == NodePortRange(20000, 20999)
    assert settings.lock == tmp_path.resolve() / "deploy" / "ports.lock"
    assert settings.reserve == (tmp_path.resolve() / "cluster.yaml",)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('node-port-range = "x"', "node-port-range"),
        ("node-port-range = 5", "must be a string"),
        ("lock = 5", "lock must be a file path"),
        ('reserve = "a.yaml"', "reserve must be a list"),
        ("nodeport-range = '1-2'", "unknown key 'nodeport-range'"),
    ],
)
def test_bad_settings(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.svcgen]\n{table}\n")
    with pytest.raises(SettingsError, match=message):
        Settings.find(str(tmp_path))


def test_unparsable_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.svcgen\n")
    with pytest.raises(SettingsError, match="cannot read"):
        Settings.find(str(tmp_path))


def test_sharing_settings_and_their_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "billing"\n[tool.svcgen]\nallocate-from = '
        '"30100-30199"\nreserve-cluster = "prod"\nregistry = "/srv/ports.git#clusters/prod.lock"\n'
    )
    settings = Settings.find(str(tmp_path))
    assert (
        settings.allocate_from == NodePortRange(30100, 30199) and settings.reserve_cluster == "prod"
    )
    assert settings.registry == "/srv/ports.git#clusters/prod.lock" and settings.owner == "billing"
    (tmp_path / "pyproject.toml").write_text('[tool.svcgen]\nowner = "team-a"\n')
    assert Settings.find(str(tmp_path)).owner == "team-a"
    (tmp_path / "pyproject.toml").unlink()
    assert Settings.find(str(tmp_path)).owner == tmp_path.name


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('allocate-from = "29000-29100"', "is not inside the nodePort range"),
        ('allocate-from = "x"', "allocate-from"),
        ('registry = "git@example.com:ports.git"', "GIT_URL#PATH"),
        ("owner = 5", "owner must be a string"),
    ],
)
def test_bad_sharing_settings(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.svcgen]\n{table}\n")
    with pytest.raises(SettingsError, match=message):
        Settings.find(str(tmp_path))


def test_a_registry_is_checked_by_the_registry_rule_wherever_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\nregistry = "git@example.com:p.git#../up.lock"\n'
    )
    with pytest.raises(
        SettingsError, match=r"pyproject.toml: error: \[tool.svcgen\] registry .*relative PATH"
    ):
        Settings.find(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text("[tool.svcgen]\n")
    with pytest.raises(
        UsageError, match="--registry: error:"
    ) as caught:  # a command-line mistake: exit code 2
        Settings.find(str(tmp_path), registry="no-path-here")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "text",
    [
        '[tool.svcgen]\nlock = "p.lock"\n',
        '[ tool . "svcgen" ]\nlock = "p.lock"\n',
        'tool.svcgen.lock = "p.lock"\n',
        '[tool]  # every tool\nsvcgen = { lock = "p.lock" }\n',
        '[tool]\nsvcgen.lock = "p.lock"\n',
        "tool = { svcgen = { lock = 'p.lock' } }\n",
        # an array spans lines
        'tool = { ruff = { select = [\n  "E",\n] }, svcgen = { lock = "p.lock" } }\n',
        # a "#" in a string
        'tool = { black = { exclude = "#gen" }, svcgen = { lock = "p.lock" } }\n',
        '[tool."svc\\u0067en"]\nlock = "p.lock"\n',  # an escaped key
    ],
)
def test_every_toml_spelling_of_the_table_is_read(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text + '[project]\nname = "svcgen-user"\n')
    assert Settings.find(str(tmp_path)).lock == tmp_path.resolve() / "p.lock"


def test_a_broken_pyproject_is_reported_not_taken_for_one_without_settings(tmp_path: Path) -> None:
    """Every pyproject.toml on the way is parsed: one that TOML cannot read may hold [tool.svcgen],
    so
    it is said, never skipped (a shortcut that looked for svcgen's table first hid these)."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "web"\ndependencies = ["svcgen"]\n'
        '[project.scripts]\nsvcgen = "x"\n[tool.ruff\n'
    )
    with pytest.raises(
        SettingsError, match=r"pyproject.toml: error: cannot read: .* \(at line 6, column 11\)"
    ):
        Settings.find(str(tmp_path))


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        (
            '\ufeff[tool.svcgen]\nlock = "p.lock"\n',
            "save it without the byte order mark it starts with",
        ),
        (
            'name = "web"\r[tool.svcgen]\nlock = "p.lock"\n',
            "correct the TOML there",
        ),  # a lone CR is no line break
    ],
)
def test_settings_that_toml_cannot_read_are_reported_not_ignored(
    tmp_path: Path, text: str, fix: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text, newline="")
    with pytest.raises(SettingsError) as caught:
        Settings.find(str(tmp_path))
    assert str(caught.value).startswith(f"{tmp_path / 'pyproject.toml'}: error: cannot read: ")
    assert str(caught.value).endswith(
        f"). Fix: {fix} (svcgen reads [tool.svcgen] only from a file TOML accepts, as pip does)"
    )


def test_a_registry_flag_still_takes_the_owner_from_the_project_name(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "billing"\n')
    settings = Settings.find(str(tmp_path), registry="/srv/ports.git#prod.lock")
    assert settings.owner == "billing"


def test_an_allocate_from_flag_outside_the_range_is_a_usage_error_naming_both(
    tmp_path: Path,
) -> None:
    from svcgen.errors import UsageError

    with pytest.raises(
        UsageError,
        match=r"^--allocate-from: error: 20000-20100 is not inside the nodePort range "
        r"30000-32767 \(the default\); give a band inside it$",
    ) as raised:
        Settings.find(str(tmp_path), allocate_from=NodePortRange(20000, 20100))
    assert raised.value.exit_code == 2
    (tmp_path / "pyproject.toml").write_text('[tool.svcgen]\nnode-port-range = "31000-31999"\n')
    with pytest.raises(UsageError, match=r"\(node-port-range in .*pyproject.toml\)"):
        Settings.find(str(tmp_path), allocate_from=NodePortRange(30100, 30199))


def test_a_lock_file_that_is_not_utf8_says_how_to_recover(tmp_path: Path) -> None:
    from svcgen.errors import UsageError

    (tmp_path / "svcgen.lock").write_bytes(b"\xff\xfe nodePorts:\n")
    with pytest.raises(
        UsageError,
        match=r"svcgen.lock: error: the lock file is not UTF-8 text \(invalid start byte "
        r"at byte 0\); .*restore it from version control .* or delete it",
    ):
        Settings.find(str(tmp_path)).read_lock()


@pytest.mark.parametrize(
    "deep", ["x = " + "[" * 2000 + "]" * 2000, "x = " + "{a = " * 2000 + "}" * 2000]
)
@pytest.mark.parametrize(
    "where",
    ["[tool.svcgen]\n{deep}\n", "[project]\nname = 'p'\n[tool.other]\n{deep}\n[tool.svcgen]\n"],
)
def test_a_pyproject_nested_too_deeply_is_a_settings_error(
    tmp_path: Path, deep: str, where: str
) -> None:
    """A 2,000-deep array or inline table anywhere in the file: tomllib runs out of stack."""
    (tmp_path / "pyproject.toml").write_text(where.format(deep=deep))
    with pytest.raises(SettingsError) as caught:
        Settings.find(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'pyproject.toml'}: error: cannot read: arrays or inline tables are "
        "nested too deeply for Python's TOML reader; nest them less deeply"
    )


def test_a_lock_file_above_makes_its_folder_the_project_root(tmp_path: Path) -> None:
    """Rendering a subfolder of a project that has only a lock file uses that lock, not a new
    one."""
    (tmp_path / "proj" / "sub").mkdir(parents=True)
    (tmp_path / "proj" / "svcgen.lock").write_text("version: 1\nnodePorts: {}\n")
    (tmp_path / "proj" / "sub" / "app.py").write_text("")
    settings = Settings.find(tmp_path / "proj" / "sub" / "app.py")
    assert (settings.root, settings.lock) == (
        tmp_path.resolve() / "proj",
        tmp_path.resolve() / "proj" / "svcgen.lock",
    )


def test_a_plain_pyproject_on_the_way_up_does_not_end_the_search(tmp_path: Path) -> None:
    """A Python package inside the project (its own pyproject.toml, no [tool.svcgen]) is still in
    the
    project."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n[tool.svcgen]\nnode-port-range = "20000-20999"\n'
    )
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "pyproject.toml").write_text('[project]\nname = "billing"\n')
    settings = Settings.find(tmp_path / "billing", registry="git@example.com:p/ports.git#prod.lock")
    assert settings.root == tmp_path.resolve() and settings.node_port_range == NodePortRange(
        20000, 20999
    )
    assert settings.owner == "shop"  # the project's name, wherever in it the render starts


def test_the_search_ends_at_the_repository_root(tmp_path: Path) -> None:
    """A lock or settings above a repository belong to another project."""
    (tmp_path / "svcgen.lock").write_text("version: 1\nnodePorts: {}\n")
    (tmp_path / "pyproject.toml").write_text("[tool.svcgen]\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "deploy").mkdir()
    settings = Settings.find(tmp_path / "repo" / "deploy")
    assert (settings.root, settings.source) == (tmp_path.resolve() / "repo" / "deploy", None)


def test_a_shared_folder_above_the_project_is_never_its_root(tmp_path: Path) -> None:
    """/tmp/svcgen.lock or /tmp/pyproject.toml, put there by anyone, never takes over a project
    outside
    git."""
    shared = tmp_path / "shared"
    (shared / "mine" / "deploy").mkdir(parents=True)
    (shared / "svcgen.lock").write_text("version: 1\nnodePorts:\n  -/x/http/TCP: 30000\n")
    (shared / "pyproject.toml").write_text('[tool.svcgen]\nnode-port-range = "20000-20010"\n')
    assert (
        Settings.find(shared / "mine" / "deploy").root == shared
    )  # an ordinary folder: found, as documented
    shared.chmod(0o777)
    assert (
        Settings.find(shared / "mine" / "deploy").root == shared
    )  # a tree made writable to all: still
    shared.chmod(0o1777)
    try:
        settings = Settings.find(shared / "mine" / "deploy")
        assert (settings.root, settings.source) == (shared / "mine" / "deploy", None)
        assert settings.lock == shared / "mine" / "deploy" / "svcgen.lock"
        assert project_root(shared / "mine") == shared / "mine"
        assert Settings.find(shared).root == shared  # named itself: its own folder
    finally:
        shared.chmod(0o755)


def test_a_pyproject_that_is_a_link_to_nothing_is_refused_never_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import HEADER, run_cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "shared.toml").write_text(
        '[tool.svcgen]\nlock = "deploy/svcgen.lock"\nnode-port-range = "31000-31999"\n'
    )
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pyproject.toml").symlink_to("../shared.toml")
    (tmp_path / "p" / "app.py").write_text(
        HEADER + 'c = Container("c", ports=[Port("a", 80)])\n'
        'app = App("a", labels={"a": "a"}, containers=[c], services=[\n'
        '    Service("a", type="NodePort", ports=[c.port("a").expose()])])\n'
    )
    assert "nodePort: 31000" in run_cli("render", "p/app.py").out
    (tmp_path / "shared.toml").unlink()  # a sparse checkout, a moved file: the settings are gone
    result = run_cli("render", "p/app.py")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "p/pyproject.toml: error: cannot read: a symbolic link (to ../shared.toml) that leads to "
        "no file; its [tool.svcgen] settings would be ignored. Fix: restore the file it points "
        "to, or remove the link\nsvcgen: nothing was written.\n"
    )
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "app.py",
        "deploy",
        "pyproject.toml",
    ]


def test_the_settings_error_has_one_name() -> None:
    import svcgen.settings

    assert "ConfigError" not in vars(
        svcgen.settings
    )  # 0.1.0 is unpublished: no former names to keep
