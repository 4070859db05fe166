"""jobzone: a static site generator for AI job-risk role assessments."""

from __future__ import annotations

__version__ = "0.1.0"
