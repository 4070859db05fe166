"""Site configuration: `jobzone.toml` at the project root, every field optional."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.tomldata import LocatedError, key_position, read_toml

CONFIG_NAME = "jobzone.toml"


class ConfigError(LocatedError):
    """`jobzone.toml` is malformed."""


@dataclass(frozen=True)
class SiteConfig:
    """The settings of `jobzone.toml`, every one optional, and where the project lies."""

    root: Path
    title: str = "JobZone"
    description: str = "AI job-risk assessments, rescored from their own tables."
    base_url: str = ""
    content_dir: str = "content/roles"
    output_dir: str = "site"
    templates_dir: str = "templates"
    methodology: str = "methodology.toml"
    config_path: Path | None = None

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def methodology_path(self) -> Path:
        return self.root / self.methodology


_FIELDS = ("title", "description", "base_url", "content_dir", "output_dir", "templates_dir", "methodology")
_PATHS = ("content_dir", "output_dir", "templates_dir", "methodology")


def load_config(root: Path, explicit: Path | None = None) -> SiteConfig:
    """Read `jobzone.toml` (or the file given) and check each field is text."""
    path = explicit if explicit is not None else root / CONFIG_NAME
    if explicit is None and not path.exists():
        return SiteConfig(root=root)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read config: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "config is not valid UTF-8") from exc
    data = read_toml(text, str(path), ConfigError)
    site = data.get("site", {})
    if not isinstance(site, dict):
        raise ConfigError(str(path), "[site] must be a table", *key_position(text, "site"))
    problems = []  # every problem, each at its line, before failing (as MkDocs does)
    for key, value in site.items():
        where = key_position(text, f"site.{key}")
        if key not in _FIELDS:
            problems.append(ConfigError(str(path), f"unknown [site] field {key!r}; expected one of "
                                        f"{', '.join(_FIELDS)}", *where))
        elif not isinstance(value, str):
            problems.append(ConfigError(str(path), f"[site] {key} must be text, found {value!r}", *where))
        elif key in _PATHS and "\x00" in value:  # no file name holds one; the OS would refuse it mid-build
            problems.append(ConfigError(str(path), f"[site] {key} must be a folder or file name, found {value!r} "
                                        "(a NUL character)", *where))
    if problems:
        raise ConfigError.of(problems)
    return SiteConfig(root=path.parent.resolve() if explicit else root, config_path=path, **site)
