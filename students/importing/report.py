"""What an import did or would do: counts, the rejected rows with their reasons, the records a full export lacks.

Reasons are kept as message ids with their parameters and translated when they are shown, so the report reads in
the language of whoever opens it, also when it was saved by a run in another language."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext

# The preview lists this many changed rows one by one; the counts always cover every row.
MAX_LISTED_CHANGES = 1000


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str
    msgid: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return gettext(self.msgid) % self.params if self.params else gettext(self.msgid)


@dataclass(frozen=True)
class Change:
    line: int
    key: str
    columns: list[str]


@dataclass
class Report:
    kind: str
    dry_run: bool
    full: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    invited: int = 0  # new accounts sent an invitation to set their first password
    seconds: float = 0.0

    @property
    def readable(self) -> bool:
        """False when the file as a whole was refused (not a table, required columns missing): nothing imported."""
        return not self.file_problems

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.updated)

    def reject(self, problems: list[Problem]) -> None:
        self.rejected += 1
        self.problems.extend(problems)

    def changed(self, line: int, key: str, columns) -> None:
        if len(self.changes) < MAX_LISTED_CHANGES:
            self.changes.append(Change(line=line, key=key, columns=sorted(columns)))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = dict(data)
        for name in ("problems", "file_problems", "notes"):
            data[name] = [Problem(**item) for item in data.get(name, [])]
        data["changes"] = [Change(**item) for item in data.get("changes", [])]
        return cls(**data)
