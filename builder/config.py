"""Site configuration: `jobzone.toml` at the project root, every field optional."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "jobzone.toml"


class ConfigError(ValueError):
    def __init__(self, path: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(f"{path}:{line}:{col}: {message}")
        self.path, self.line, self.col, self.message = path, line, col, message


@dataclass(frozen=True)
class SiteConfig:
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


def load_config(root: Path, explicit: Path | None = None) -> SiteConfig:
    """Read `jobzone.toml` (or the file given) and check each field is text."""
    path = explicit if explicit is not None else root / CONFIG_NAME
    if explicit is None and not path.exists():
        return SiteConfig(root=root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read config: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "config is not valid UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise ConfigError(str(path), f"invalid TOML: {exc}", line, col) from exc
    site = data.get("site", {})
    if not isinstance(site, dict):
        raise ConfigError(str(path), "[site] must be a table")
    unknown = sorted(set(site) - set(_FIELDS))
    if unknown:
        raise ConfigError(str(path), f"unknown [site] field(s) {', '.join(unknown)}; expected {', '.join(_FIELDS)}")
    for key, value in site.items():
        if not isinstance(value, str):
            raise ConfigError(str(path), f"[site] {key} must be text, found {value!r}")
    return SiteConfig(root=path.parent.resolve() if explicit else root, config_path=path, **site)
