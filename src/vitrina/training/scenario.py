"""Training scenarios as data: a simulated customer, a branching script, a rubric.

A scenario is one YAML document (docs/training.md). It is validated by pydantic; every
problem names the line and column of the offending YAML node, so an author fixes it in
the console's editor without reading Python. The scenario's own cross-references (the
steps a branch goes to, the labels a condition names, the product, the knowledge-base
article a rubric item expects) are checked too, each at the node that names them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from io import StringIO
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from vitrina.training.labels import BUILT_IN_LABELS

Lang = Literal["en", "fr", "it"]
LANGS: tuple[Lang, ...] = ("en", "fr", "it")
SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
NAME = r"^[a-z][a-z0-9_]{0,62}$"
MAX_SOURCE_CHARS = 200_000
MOODS = ("calm", "worried", "annoyed", "angry", "furious")
# The world's emotes a simulated customer may make (a subset of world.protocol.EMOTES).
CUSTOMER_EMOTES = ("wave", "nod", "shake", "shrug", "thumbs_up", "point", "clap")
OUTCOMES = ("resolved", "booked", "handed_off", "abandoned", "unresolved")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Said(_Strict):
    """One line in each of the three languages; all three are required."""

    en: str = Field(min_length=1, max_length=500)
    fr: str = Field(min_length=1, max_length=500)
    it: str = Field(min_length=1, max_length=500)

    def get(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGS else "en"))


class Phrases(_Strict):
    """Words or phrases per language (matched case- and accent-insensitively)."""

    en: list[str] = Field(default_factory=list, max_length=100)
    fr: list[str] = Field(default_factory=list, max_length=100)
    it: list[str] = Field(default_factory=list, max_length=100)

    def get(self, lang: str) -> list[str]:
        return list(getattr(self, lang if lang in LANGS else "en"))


class HiddenFact(_Strict):
    """Something the customer knows but says only when asked (never shown to the trainee
    before the session ends). `account: true` marks account data (an order number, a
    balance): saying it back before the identity check breaks the rubric."""

    id: str = Field(pattern=NAME)
    text: Said
    account: bool = False
    # How the trainee's reply shows they used the fact (regular expressions).
    mentions: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("mentions")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            _compile(pattern)
        return value


class Persona(_Strict):
    name: str = Field(min_length=1, max_length=60)
    mood: Literal["calm", "worried", "annoyed", "angry", "furious"]
    goal: Said
    # Seconds the customer waits for an answer before escalating.
    patience_s: float = Field(default=45.0, ge=5, le=600)
    # Escalations before the customer walks away (the session ends, "abandoned").
    max_escalations: int = Field(default=2, ge=0, le=10)
    escalation: Said
    walk_away: Said
    hidden_facts: list[HiddenFact] = Field(default_factory=list, max_length=30)


class Room(_Strict):
    """Where the rehearsal happens: a copy of one of the brand's zones, and the product
    the customer walks to."""

    zone: str = Field(default="showroom", pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    products: list[str] = Field(default_factory=list, max_length=10)
    # Where the customer stands, in the zone's coordinates (x, z); the zone's spawn if unset.
    product_spot: tuple[float, float] | None = None


class When(_Strict):
    """A branch's condition on the trainee's reply: any one criterion given is enough.
    `intents` are the bot's NLU intents (at `min_confidence`), `labels` the training
    domain's reply labels (empathy, identity_check, ...) or the scenario's own,
    `keywords` and `regex` the fallbacks."""

    intents: list[str] = Field(default_factory=list, max_length=20)
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    labels: list[str] = Field(default_factory=list, max_length=20)
    keywords: Phrases | None = None
    regex: str | None = Field(default=None, max_length=500)
    # "all": every criterion given must hold (default: any one).
    match: Literal["any", "all"] = "any"

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            _compile(value)
        return value


class Branch(_Strict):
    when: When
    goto: str = Field(pattern=NAME)


class Step(_Strict):
    """What the customer says on reaching the step, and where each reply leads."""

    customer: Said
    emote: Literal["wave", "nod", "shake", "shrug", "thumbs_up", "point", "clap"] | None = None
    mood: Literal["calm", "worried", "annoyed", "angry", "furious"] | None = None
    # Walk to the product before speaking.
    walk_to_product: bool = False
    branches: list[Branch] = Field(default_factory=list, max_length=30)
    # Where a reply matching no branch leads (None: the customer repeats, impatient).
    otherwise: str | None = Field(default=None, pattern=NAME)
    # The customer says `customer` and the session ends with this outcome.
    end: Literal["resolved", "booked", "handed_off", "abandoned", "unresolved"] | None = None


RubricKind = Literal[
    "greeting", "identity_before_account", "kb_answer", "empathy", "action", "time"
]


class RubricItem(_Strict):
    """One scored criterion (docs/training.md explains each kind)."""

    id: str = Field(pattern=NAME)
    kind: RubricKind
    points: int = Field(default=10, ge=1, le=100)
    title: Said
    # greeting, empathy: the reply must come within this many trainee turns.
    within_turns: int | None = Field(default=None, ge=1, le=100)
    # kb_answer: the knowledge-base article the answer comes from and what it must say.
    article: str | None = None
    expect: Phrases | None = None
    # action: the outcome expected ("booked" or "handed_off").
    outcome: Literal["resolved", "booked", "handed_off"] | None = None
    # time: the session must end within this many seconds.
    limit_s: float | None = Field(default=None, gt=0, le=7200)


class Scenario(_Strict):
    slug: str = Field(pattern=SLUG)
    title: Said
    summary: Said
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    persona: Persona
    room: Room = Room()
    # The scenario's own reply labels, in addition to the built-in ones.
    labels: dict[str, Phrases] = Field(default_factory=dict, max_length=30)
    start: str = Field(pattern=NAME)
    steps: dict[str, Step] = Field(min_length=1, max_length=100)
    rubric: list[RubricItem] = Field(min_length=1, max_length=30)

    def step(self, name: str) -> Step:
        return self.steps[name]

    @property
    def total_points(self) -> int:
        return sum(item.points for item in self.rubric)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario, at a 1-based line and column."""

    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Context:
    """What a scenario may refer to outside itself (checked when known)."""

    zones: frozenset[str] | None = None
    products: frozenset[str] | None = None
    articles: frozenset[str] | None = None
    intents: frozenset[str] | None = None


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None


def _position(node: Any, loc: tuple[int | str, ...]) -> tuple[int, int]:
    """The 1-based (line, column) of the node at `loc`: the deepest part that exists
    (a missing key points at the mapping that lacks it)."""
    line, col = (
        (node.lc.line + 1, node.lc.col + 1)
        if isinstance(node, CommentedMap | CommentedSeq)
        else (1, 1)
    )
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            child = node[part]
            if isinstance(child, CommentedMap | CommentedSeq) and child:
                line, col = child.lc.line + 1, child.lc.col + 1
            else:
                vl, vc = node.lc.value(part)
                line, col = vl + 1, vc + 1
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            child = node[part]
            if isinstance(child, CommentedMap | CommentedSeq) and child:
                line, col = child.lc.line + 1, child.lc.col + 1
            else:
                il, ic = node.lc.item(part)
                line, col = il + 1, ic + 1
            node = child
        else:
            break
    return line, col


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(document)"


def _parse(source: str) -> Any:
    if len(source) > MAX_SOURCE_CHARS:
        raise ScenarioInvalid(
            [Problem(1, 1, "(document)", f"longer than {MAX_SOURCE_CHARS} characters")]
        )
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(StringIO(source))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise ScenarioInvalid(
            [Problem(line, col, "(document)", str(exc.problem or exc.context))]
        ) from None
    except Exception as exc:  # ruamel's duplicate-key and constructor errors
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioInvalid([Problem(line, col, "(document)", str(problem))]) from None


# Round-trip YAML keeps the line of every node for the editor's messages, and costs about a
# tenth of a second a scenario: every session, list and reply would pay it again for the
# same stored text. Scenarios and contexts are immutable, so a parsed one can be shared.
@functools.lru_cache(maxsize=128)
def parse_scenario(source: str, context: Context | None = None) -> Scenario:
    """Validate one scenario's YAML text; raises ScenarioInvalid listing every problem."""
    tree = _parse(source)
    if not isinstance(tree, CommentedMap) or "scenario" not in tree:
        raise ScenarioInvalid(
            [Problem(1, 1, "(document)", "expected a mapping with a `scenario:` key")]
        )
    root = tree["scenario"]
    try:
        scenario = Scenario.model_validate(_plain(root))
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            line, col = _position(root, loc)
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(line, col, "scenario." + _where(loc), message))
        raise ScenarioInvalid(_unique(problems)) from None
    problems = [
        Problem(*_position(root, loc), "scenario." + _where(loc), message)
        for loc, message in _references(scenario, context or Context())
    ]
    if problems:
        raise ScenarioInvalid(_unique(problems))
    return scenario


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, int, str]] = set()
    out = []
    for p in sorted(problems, key=lambda p: (p.line, p.column)):
        if (p.line, p.column, p.message) not in seen:
            seen.add((p.line, p.column, p.message))
            out.append(p)
    return out


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    return node


Loc = tuple[int | str, ...]


def _references(s: Scenario, ctx: Context) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    if s.start not in s.steps:
        found.append((("start",), f"no step named {s.start!r}"))
    labels = set(BUILT_IN_LABELS) | set(s.labels)
    for name in s.labels:
        if name in BUILT_IN_LABELS:
            found.append((("labels", name), f"{name!r} is a built-in label"))
    for name, step in s.steps.items():
        if step.end is None and not step.branches and step.otherwise is None:
            found.append((("steps", name), "a step that does not end needs branches"))
        if step.end is not None and (step.branches or step.otherwise):
            found.append((("steps", name, "end"), "a step that ends has no branches"))
        if step.otherwise is not None and step.otherwise not in s.steps:
            found.append((("steps", name, "otherwise"), f"no step named {step.otherwise!r}"))
        for i, branch in enumerate(step.branches):
            at: Loc = ("steps", name, "branches", i)
            if branch.goto not in s.steps:
                found.append(((*at, "goto"), f"no step named {branch.goto!r}"))
            when = branch.when
            if not (when.intents or when.labels or when.keywords or when.regex):
                found.append(((*at, "when"), "give intents, labels, keywords or regex"))
            for j, label in enumerate(when.labels):
                if label not in labels:
                    found.append(((*at, "when", "labels", j), f"unknown label {label!r}"))
            if ctx.intents is not None:
                for j, intent in enumerate(when.intents):
                    if intent not in ctx.intents:
                        found.append(
                            ((*at, "when", "intents", j), f"the bot has no intent {intent!r}")
                        )
        if step.walk_to_product and not s.room.products:
            found.append((("steps", name, "walk_to_product"), "the room names no product"))
    reachable = _reachable(s)
    for name in s.steps:
        if name not in reachable and s.start in s.steps:
            found.append((("steps", name), f"step {name!r} cannot be reached from the start"))
    if s.start in s.steps and not any(s.steps[n].end for n in reachable):
        found.append((("steps",), "no step that ends can be reached"))
    ids = [item.id for item in s.rubric]
    for i, item in enumerate(s.rubric):
        at = ("rubric", i)
        if ids.count(item.id) > 1:
            found.append(((*at, "id"), f"rubric id {item.id!r} is used twice"))
        if item.kind == "kb_answer":
            if item.article is None or item.expect is None:
                found.append((at, "kb_answer needs `article` and `expect`"))
            elif ctx.articles is not None and item.article not in ctx.articles:
                found.append(((*at, "article"), f"no knowledge-base article {item.article!r}"))
            if item.expect is not None and not all(item.expect.get(lang) for lang in LANGS):
                found.append(((*at, "expect"), "expect needs phrases in en, fr and it"))
        if item.kind == "action" and item.outcome is None:
            found.append((at, "action needs `outcome`"))
        if item.kind == "time" and item.limit_s is None:
            found.append((at, "time needs `limit_s`"))
        if item.kind == "identity_before_account" and not any(
            f.account for f in s.persona.hidden_facts
        ):
            found.append((at, "identity_before_account needs a hidden fact with account: true"))
    if ctx.zones is not None and s.room.zone not in ctx.zones:
        found.append((("room", "zone"), f"the brand has no zone {s.room.zone!r}"))
    if ctx.products is not None:
        for i, product in enumerate(s.room.products):
            if product not in ctx.products:
                found.append((("room", "products", i), f"the brand has no product {product!r}"))
    return found


def _reachable(s: Scenario) -> set[str]:
    seen: set[str] = set()
    todo = [s.start]
    while todo:
        name = todo.pop()
        if name in seen or name not in s.steps:
            continue
        seen.add(name)
        step = s.steps[name]
        todo += [b.goto for b in step.branches]
        if step.otherwise:
            todo.append(step.otherwise)
    return seen
