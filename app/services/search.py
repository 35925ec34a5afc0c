"""Search of beneficiaries as staff type names: both scripts, variants, infixes and typos.

A query is resolved into a :class:`SearchPlan` of up to three tiers, best first:

1. every word matches the start of a name word, a variant of it (article dropped,
   particle glued) or an identifier (CIN, registration number);
2. every word has 4 letters or more and is found inside the names (``lahc``), looked
   for when the first tier finds less than a page;
3. when the first two find little, each word may also be one of the closest indexed
   words (rapidfuzz): ``benani`` also finds ``Bennani``. A word the index does not
   know at all is replaced by the closest one in the query offered as "did you mean".

The caseload and this module's :func:`search` list tier 1 before 2 before 3.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app.services.context import ServiceContext
from app.store.textfold import JOINED_PARTICLES, fold_tokens, is_article, stem

MIN_INFIX = 4
"""Letters a word needs to be looked for inside names (fewer match too much)."""
INFIX_BELOW = 200
"""Word-start matches from which infixes are not looked for: they would rank after a page."""
FUZZY_BELOW = 5
"""Exact matches under which the typo-tolerant tier is added."""
MIN_FUZZY = 4
FUZZY_CUTOFF = 75.0
FUZZY_CHOICES = 4
"""Known words that may stand for a mistyped one."""
TIERS = ("prefix", "infix", "fuzzy")


@dataclass(frozen=True)
class SearchHit:
    beneficiary_id: uuid.UUID
    last_name: str
    first_name: str
    last_name_ar: str | None
    first_name_ar: str | None
    cin: str | None
    registration_number: str | None


@dataclass(frozen=True)
class SearchPlan:
    """FTS5 expressions of each tier (None: the tier is not used) and the suggestion."""

    prefix: str
    infix: str | None = None
    fuzzy: str | None = None
    suggestion: str | None = None
    common: bool = False
    """The word starts match :data:`INFIX_BELOW` rows or more: a page of them in name
    order is found sooner by walking the names than by sorting every match."""


def _phrase(term: str) -> str:
    return '"' + term.replace('"', "") + '"'


def _words(query: str) -> list[str]:
    tokens = fold_tokens(query)
    kept = [token for token in tokens if not is_article(token)]
    return kept or tokens


def _alternatives(terms: list[str]) -> str:
    unique = list(dict.fromkeys(terms))
    inner = " OR ".join(f"{_phrase(term)}*" for term in unique)
    return f"({inner})" if len(unique) > 1 else inner


def _groups(words: list[str]) -> list[str]:
    """One FTS group per word (or particle + word), each a set of alternatives."""
    groups: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        variants = [word]
        found = stem(word)
        if found is not None:
            variants.append(found)
        following = words[position + 1] if position + 1 < len(words) else None
        if word in JOINED_PARTICLES and following is not None:
            both = f"{_alternatives(variants)} AND {_phrase(following)}*"
            groups.append(f"(({both}) OR {_phrase(word + following)}*)")
            position += 2
            continue
        groups.append(_alternatives(variants))
        position += 1
    return groups


def match_expression(query: str) -> str | None:
    """Every word must match as a prefix (or a variant); FTS syntax in the input is neutralised."""
    words = _words(query)
    if not words:
        return None
    return " AND ".join(_groups(words))


def infix_expression(query: str) -> str | None:
    """Every word found inside the names, when each has :data:`MIN_INFIX` letters or more."""
    words = _words(query)
    if not words or any(len(word) < MIN_INFIX for word in words):
        return None
    return " AND ".join(_phrase(word) for word in words)


class _Vocabulary:
    """The indexed name words, read again only when the index has changed.

    FTS5 rewrites its structure record (block 10 of the ``_data`` shadow table) on every
    change of the index: an exact and cheap marker of "the words may have changed".
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[int, tuple[tuple[str, bytes | None], list[str]]] = {}

    def words(self, connection: Connection) -> list[str]:
        key = _index_marker(connection)
        engine_key = id(connection.engine.pool)  # one per database (engines proxy it)
        with self._lock:
            cached = self._cache.get(engine_key)
        if cached is not None and cached[0] == key:
            return cached[1]
        words = sorted(
            connection.execute(
                text("SELECT term FROM beneficiary_search_vocab WHERE col = 'names'")
            ).scalars()
        )
        with self._lock:
            self._cache[engine_key] = (key, words)
        return words


VOCABULARY = _Vocabulary()


def _correctable(word: str) -> bool:
    """Long enough and made of letters only (a CIN or a number is never "corrected")."""
    return len(word) >= MIN_FUZZY and word.isalpha()


def _corrections(word: str, vocabulary: list[str]) -> list[str]:
    if not _correctable(word):
        return []
    found = process.extract(
        word, vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=FUZZY_CHOICES
    )
    return [choice for choice, _score, _index in found if choice != word]


def _known(word: str, vocabulary: list[str]) -> bool:
    """Some indexed word starts with ``word`` or its stem (the vocabulary is sorted)."""
    for form in filter(None, (word, stem(word))):
        position = bisect.bisect_left(vocabulary, form)
        if position < len(vocabulary) and vocabulary[position].startswith(form):
            return True
    return False


def _index_marker(connection: Connection) -> tuple[str, bytes | None]:
    """Which database, and a value that changes whenever its index does (see
    :class:`_Vocabulary`): cached words never cross from one profile to another."""
    main = connection.exec_driver_sql("PRAGMA database_list").first()
    path = str(main[2]) if main is not None else ""
    marker: bytes | None = connection.execute(
        text("SELECT block FROM beneficiary_search_data WHERE id = 10")
    ).scalar_one_or_none()
    return path, marker


class _Plans:
    """The last plans made, valid while the index is unchanged: the caseload asks for
    the count and then for each page of one query, each needing the same plan."""

    def __init__(self, size: int = 64) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._cache: dict[tuple[int, str, tuple[str, bytes | None]], SearchPlan | None] = {}

    def get(self, session: Session, query: str) -> SearchPlan | None:
        connection = session.connection()
        key = (id(connection.engine.pool), query, _index_marker(connection))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = _plan(session, query)
        with self._lock:
            if len(self._cache) >= self._size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = found
        return found

    def clear(self) -> None:
        """Forget every plan (a benchmark's cold start)."""
        with self._lock:
            self._cache.clear()


PLANS = _Plans()


def plan(session: Session, query: str) -> SearchPlan | None:
    """The tiers of ``query``; None when it holds no word (nothing can match)."""
    return PLANS.get(session, query)


def _plan(session: Session, query: str) -> SearchPlan | None:
    prefix = match_expression(query)
    if prefix is None:
        return None
    exact = _count(session, prefix, None, INFIX_BELOW)
    infix = infix_expression(query) if exact < INFIX_BELOW else None
    if infix is not None and not _adds(session, "beneficiary_search_infix", infix, prefix):
        infix = None  # nothing inside names that word starts did not find: one tier only
    if exact >= FUZZY_BELOW or _count(session, prefix, infix, FUZZY_BELOW) >= FUZZY_BELOW:
        return SearchPlan(prefix, infix, common=exact >= INFIX_BELOW)
    words = _words(query)
    if not any(_correctable(word) for word in words):
        return SearchPlan(prefix, infix)  # an identifier: no word to correct, no vocabulary
    vocabulary = VOCABULARY.words(session.connection())
    replaced: list[list[str]] = []
    suggestion: list[str] = []
    for word in words:
        options = _corrections(word, vocabulary)
        replaced.append([word, *options])
        known = _known(word, vocabulary)
        suggestion.append(options[0] if options and not known else word)
    if all(len(options) == 1 for options in replaced):
        return SearchPlan(prefix, infix)
    fuzzy: str | None = " AND ".join(_alternatives(options) for options in replaced)
    offered = " ".join(suggestion) if suggestion != words else None
    if fuzzy is not None and not _adds(session, "beneficiary_search", fuzzy, prefix):
        fuzzy = None
    return SearchPlan(prefix, infix, fuzzy, offered)


def _adds(session: Session, table: str, expression: str, prefix: str) -> bool:
    """Whether a lower tier finds a row the word starts did not (else it is left out:
    a single tier keeps the caseload's query on its fast path)."""
    sql = (
        f"SELECT rowid FROM {table} WHERE {table} MATCH :expression EXCEPT "
        "SELECT rowid FROM beneficiary_search WHERE beneficiary_search MATCH :prefix LIMIT 1"
    )
    found = session.execute(text(sql), {"expression": expression, "prefix": prefix}).first()
    return found is not None


def _count(session: Session, prefix: str, infix: str | None, limit: int) -> int:
    """Matches of the first tiers, counted up to ``limit`` (all that a decision needs)."""
    sql = (
        "SELECT count(*) FROM (SELECT rowid FROM beneficiary_search "
        "WHERE beneficiary_search MATCH :prefix"
    )
    if infix is not None:
        sql += (
            " UNION SELECT rowid FROM beneficiary_search_infix "
            "WHERE beneficiary_search_infix MATCH :infix"
        )
    sql += f" LIMIT {int(limit)})"
    return int(session.execute(text(sql), {"prefix": prefix, "infix": infix}).scalar_one())


def tier_queries(found: SearchPlan) -> list[tuple[int, str, str]]:
    """(tier, FTS table, expression) of each tier the plan uses, best first."""
    tiers = [(0, "beneficiary_search", found.prefix)]
    if found.infix is not None:
        tiers.append((1, "beneficiary_search_infix", found.infix))
    if found.fuzzy is not None:
        tiers.append((2, "beneficiary_search", found.fuzzy))
    return tiers


def search(ctx: ServiceContext, query: str, limit: int = 50) -> list[SearchHit]:
    """Live beneficiaries matching ``query``, best tier first, then by relevance (text
    SQL: the live rule is written here, the one place no loader criterion reaches)."""
    with ctx.reading() as session:
        found = plan(session, query)
        if found is None:
            return []
        parts: list[str] = []
        parameters: dict[str, object] = {"limit": limit}
        for tier, table, expression in tier_queries(found):
            parts.append(
                f"SELECT m.beneficiary_id AS id, {tier} AS tier, s.rank AS rank "
                f"FROM {table} AS s JOIN beneficiary_search_map AS m ON m.docid = s.rowid "
                f"WHERE {table} MATCH :e{tier}"
            )
            parameters[f"e{tier}"] = expression
        sql = f"""
            SELECT b.id, b.last_name, b.first_name, b.last_name_ar, b.first_name_ar, b.cin,
                   b.registration_number, min(t.tier) AS best, min(t.rank) AS relevance
            FROM ({" UNION ALL ".join(parts)}) AS t
            JOIN beneficiary AS b ON b.id = t.id
            WHERE b.deleted_at IS NULL AND b.merged_into_id IS NULL  -- live (app.store.live)
            GROUP BY b.id
            ORDER BY best, relevance
            LIMIT :limit
        """
        rows = session.execute(text(sql), parameters).all()
    return [
        SearchHit(uuid.UUID(hex=row[0]), row[1], row[2], row[3], row[4], row[5], row[6])
        for row in rows
    ]


def prepare(ctx: ServiceContext) -> None:
    """Reads the indexed words ahead of the first typo, off the keystroke's path: the
    first query needing the typo-tolerant tier otherwise paid ~0.1 s for them."""
    with ctx.reading() as session:
        VOCABULARY.words(session.connection())


def suggestion(ctx: ServiceContext, query: str) -> str | None:
    """The query as the index would spell it ("did you mean"), when it finds little."""
    with ctx.reading() as session:
        found = plan(session, query)
    return None if found is None else found.suggestion
