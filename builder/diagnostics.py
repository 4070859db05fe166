"""Diagnostics: what every stage of the pipeline returns instead of raising or printing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a source file."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a report, with a stable code and a place to look."""

    severity: Severity
    code: str
    message: str
    location: Location

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int]:
        """File order; diagnostics at one place keep the order they were found in."""
        loc = self.location
        return (loc.path, loc.line, loc.col)


def error(code: str, message: str, location: Location) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, location)


def warning(code: str, message: str, location: Location) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, location)


# Every code a diagnostic may carry, with what it means. Codes are stable:
# new ones are added, existing ones never change meaning.
CODES: dict[str, str] = {
    "JZ000": "jobzone failed on this file; the message says where (please report it).",
    "JZ001": "The file could not be read.",
    "JZ002": "The file is not valid UTF-8.",
    "JZ003": "The file is binary, not text.",
    "JZ004": "The file is empty.",
    "JZ005": "A symbolic link points outside the content folder and is not followed (warning).",
    "JZ101": "The YAML frontmatter is missing or is not valid YAML.",
    "JZ102": "A frontmatter field is missing or has the wrong type.",
    "JZ103": "The slug is not made of a-z, 0-9 and single hyphens.",
    "JZ104": "Two reports share a title, alias or slug.",
    "JZ105": "The frontmatter title differs from the Role Definition's Job Title.",
    "JZ111": "A required section is missing.",
    "JZ112": "A required table, row or column is missing.",
    "JZ113": "A table row has a different number of cells from its header.",
    "JZ114": "A cell or statement that must hold a number does not, or holds one too long to compute with exactly.",
    "JZ115": "A required statement line is missing or not in the expected form.",
    "JZ116": "A section, Total row or statement line that must be given once is given twice.",
    "JZ201": "An input value is outside its allowed range.",
    "JZ202": "A label is not one of the allowed values.",
    "JZ301": "A stated number differs from the number computed from the report's inputs.",
    "JZ302": "A stated result does not follow from the factors stated beside it.",
    "JZ303": "A stated coefficient differs from the methodology.",
    "JZ304": "A stated zone differs from the zone of the score.",
    "JZ305": "A stated sub-label differs from the sub-label the rules give.",
    "JZ306": "The assessor override is stated inconsistently or without a reason.",
    "JZ401": "A calibration relation (identical / above / below) does not hold.",
    "JZ402": "A stated point gap does not equal the difference of the two scores.",
    "JZ403": "A cited zone does not fit the cited score.",
    "JZ404": "A cited score differs from the cited role's own report.",
    "JZ405": "A cited role has no report of its own (warning).",
    "JZ406": "The same role is cited with different scores.",
    "JZ407": "A cited sub-label differs from the cited role's own report.",
    "JZ408": "A link to another report's .md file points to no report of the site.",
    "JZ409": "A relative link or image points to a file that is not under the content folder.",
    "JZ901": "The site configuration or methodology file is invalid.",
}
