"""A brand's bot content: intents, responses, knowledge-base articles, flows and settings.

Content is data, kept as YAML files in one folder per brand (see docs/bot.md). It is
validated by pydantic; an error names the file and the line of the offending value, so
a content editor can fix it without reading Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

Lang = Literal["en", "fr", "it"]
LANGS: tuple[Lang, ...] = ("en", "fr", "it")
CONTENT_ROOT = Path(__file__).resolve().parent / "content"
FILES = ("settings.yaml", "intents.yaml", "responses.yaml", "kb.yaml", "flows.yaml")


class ContentError(ValueError):
    """Invalid content; each problem reads `file:line: where: what`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """One text per language; English is required, the others fall back to it."""

    en: str = Field(min_length=1)
    fr: str | None = None
    it: str | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None) if lang in LANGS else None
        return value or self.en


class Examples(_Strict):
    en: list[str] = Field(min_length=1)
    fr: list[str] = Field(default_factory=list)
    it: list[str] = Field(default_factory=list)

    def items(self) -> Iterator[tuple[Lang, str]]:
        for lang in LANGS:
            for text in getattr(self, lang):
                yield lang, text


class Intent(_Strict):
    """What a customer may mean. Exactly one of `response`, `article` or `flow` answers it,
    or `handoff` sends the customer to a human."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    examples: Examples
    response: str | None = None
    article: str | None = None
    flow: str | None = None
    handoff: bool = False

    @model_validator(mode="after")
    def _one_answer(self) -> Intent:
        given = [x for x in (self.response, self.article, self.flow) if x] + (
            ["handoff"] if self.handoff else []
        )
        if len(given) != 1:
            raise ValueError("give exactly one of response, article, flow or handoff: true")
        return self


class Article(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Texts
    body: Texts
    keywords: list[str] = Field(default_factory=list)


SlotKind = Literal["product", "datetime", "number", "choice", "yes_no", "email", "persona"]


class Slot(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: SlotKind
    prompt: str
    # For `choice`: the allowed values; for `product`: restricts to these product ids.
    # `persona`: one of the brand's personas, by any of its names (found with the flow's
    # target, so only in an `insights.persona` flow).
    values: list[str] = Field(default_factory=list)
    required: bool = True


FlowAction = Literal[
    "scheduling.book",
    "scheduling.cancel",
    "scheduling.reschedule",
    "crm.financing_balance",
    "crm.vehicles",
    "handoff",
    "insights.persona",
]


class Flow(_Strict):
    """A task as a state machine: fill the slots one prompt at a time, confirm, act."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    slots: list[Slot] = Field(default_factory=list)
    confirm: str | None = None
    action: FlowAction
    # An appointment type for the scheduling actions.
    appointment_type: str | None = None
    # Account data: the flow stops until the customer proves who they are.
    requires_verification: bool = False
    # What the bot says when the flow waits for the customer to prove who they are
    # (`verify_first` if not given).
    verify: str | None = None
    # What the bot says when there is nothing to act on, such as no appointment to move
    # (`failed` if not given).
    missing: str | None = None
    done: str
    failed: str


class Product(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    aliases: list[str] = Field(default_factory=list)


class Thresholds(_Strict):
    # Below `intent`, the bot asks which of its two best guesses was meant.
    intent: float = Field(default=0.5, ge=0, le=1)
    # Below `out_of_scope`, the message is treated as outside what the bot knows.
    out_of_scope: float = Field(default=0.3, ge=0, le=1)
    kb: float = Field(default=0.35, ge=0, le=1)
    # Intents answered by an article need this confidence, or the article among the
    # retriever's two best with at least `kb_support`: two signals must agree.
    confident: float = Field(default=0.85, ge=0, le=1)
    kb_support: float = Field(default=0.25, ge=0, le=1)
    # Intents that change something (a flow, a handoff) start only at `act` confidence
    # and with no other such intent within `margin`; from `ask` up, the bot asks which
    # one was meant instead of acting.
    act: float = Field(default=0.7, ge=0, le=1)
    margin: float = Field(default=0.25, ge=0, le=1)
    ask: float = Field(default=0.35, ge=0, le=1)
    # Below this, a task also needs the brand's nearest examples to back it.
    sure: float = Field(default=0.99, ge=0, le=1)


class Settings(_Strict):
    bot_name: str = "Assistant"
    languages: list[Lang] = Field(default_factory=lambda: list(LANGS), min_length=1)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    # After this many messages in a row that the bot could not place, it offers a human.
    handoff_after_misunderstandings: int = Field(default=2, ge=1)
    handoff_queue: str | None = None
    products: list[Product] = Field(default_factory=list)


REQUIRED_RESPONSES = (
    "greeting",
    "clarify",
    "out_of_scope",
    "offer_human",
    "handoff",
    "cancelled",
    "resume_flow",
    "verify_first",
    "invalid_value",
    "confirm_yes_no",
)


class BrandContent(_Strict):
    brand: str
    settings: Settings
    intents: list[Intent]
    responses: dict[str, Texts]
    articles: list[Article] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> BrandContent:
        problems: list[str] = []
        articles = {a.id for a in self.articles}
        flows = {f.name for f in self.flows}
        missing = [r for r in REQUIRED_RESPONSES if r not in self.responses]
        if missing:
            problems.append(f"responses lack {', '.join(missing)}")
        for intent in self.intents:
            if intent.response and intent.response not in self.responses:
                problems.append(f"intent {intent.name}: no response {intent.response!r}")
            if intent.article and intent.article not in articles:
                problems.append(f"intent {intent.name}: no article {intent.article!r}")
            if intent.flow and intent.flow not in flows:
                problems.append(f"intent {intent.name}: no flow {intent.flow!r}")
        for flow in self.flows:
            keys = [flow.done, flow.failed, *(s.prompt for s in flow.slots)]
            keys += [k for k in (flow.confirm, flow.verify, flow.missing) if k]
            problems += [
                f"flow {flow.name}: no response {k!r}" for k in keys if k not in self.responses
            ]
        verbs = [k for k in self.responses if k.startswith("verb_")]
        if verbs and "disambiguate" not in self.responses:
            problems.append(f"responses {', '.join(verbs)} need a `disambiguate` response")
        if len({i.name for i in self.intents}) != len(self.intents):
            problems.append("intent names must be unique")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def intent(self, name: str) -> Intent | None:
        return next((i for i in self.intents if i.name == name), None)

    def flow(self, name: str) -> Flow | None:
        return next((f for f in self.flows if f.name == name), None)

    def article(self, article_id: str) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def say(self, key: str, lang: str, **values: object) -> str:
        text = self.responses[key].get(lang)
        return text.format_map(_Defaulting(values)) if values else text


class _Defaulting(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def _line_of(node: Any, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the value at `loc` in a ruamel round-trip tree."""
    line: int | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def load_folder(folder: Path, *, brand: str | None = None) -> BrandContent:
    """Read and validate one brand's folder; raises ContentError listing every problem."""
    yaml = YAML(typ="rt")
    trees: dict[str, Any] = {}
    problems: list[str] = []
    for name in FILES:
        path = folder / name
        if not path.exists():
            if name in ("kb.yaml", "flows.yaml"):
                continue
            problems.append(f"{path}: missing")
            continue
        try:
            trees[name] = yaml.load(path.read_text(encoding="utf-8")) or CommentedMap()
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            problems.append(f"{where}: {exc.problem}")
    if problems:
        raise ContentError(problems)
    # Each file contributes top-level keys; remember which file holds which key.
    origin: dict[str, str] = {}
    merged: dict[str, Any] = {"brand": brand or folder.name}
    for name, tree in trees.items():
        if not isinstance(tree, CommentedMap):
            problems.append(f"{folder / name}:1: expected a mapping at the top")
            continue
        for key in tree:
            origin[str(key)] = name
            merged[str(key)] = tree[key]
    if problems:
        raise ContentError(problems)
    try:
        return BrandContent.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            file = origin.get(str(loc[0]), "settings.yaml") if loc else "settings.yaml"
            tree = trees.get(file)
            line = _line_of(tree, loc) if tree is not None else None
            where = ".".join(str(p) for p in loc)
            problems.append(f"{folder / file}:{line or 1}: {where}: {err['msg']}")
        raise ContentError(problems) from None


def available_brands(root: Path = CONTENT_ROOT) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "intents.yaml").exists())
