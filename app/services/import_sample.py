"""A seeded spreadsheet shaped like a team's caseload, for the import benchmark and tests.

It has what real files have: a title row above the header, French and Arabic column
names, Latin and Arabic names, dates typed day first, a column that is not imported,
about 1% of invalid lines (an impossible date, an unknown sex, a malformed CIN, a
missing name, a CIN repeated from an earlier line), about 1% of people entered twice
under another spelling without their CIN, and, against a profile that already holds
``known`` rows, 2% of people updated by their CIN or registered again without it. The same
seed gives the same file.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from app.demo import names, places

TITLE = "Liste des bénéficiaires – 2026"
HEADER = (
    "Nom", "Prénom", "النسب بالعربية", "الاسم بالعربية", "CIN", "N° d'écrou",
    "Date de naissance", "Sexe", "Établissement", "Situation pénale",
    "Date de libération prévue", "Téléphone", "Adresse", "Personne à contacter",
    "Téléphone du contact", "Date de prise en charge", "Observations",
)  # fmt: skip
_SEXES = ("H", "Homme", "M", "ذكر")
_FEMALE = ("F", "Femme", "أنثى")
_STATUSES = ("Condamné", "Prévenu", "Détenu", "محكوم", "Libération conditionnelle", "Libéré", "")
_NEW_FACILITIES = ("Prison locale de Tiflet 3", "Centre de réforme de Berrechid")

Row = list[object]


@dataclass(frozen=True)
class SampleSheet:
    """``known`` rows (to import first), then the ``rows`` of the file under test."""

    known: list[Row]
    rows: list[Row]


def sample(count: int, seed: int = 0, known: int = 0) -> SampleSheet:
    rng = random.Random(seed)
    cins = rng.sample(range(100_000, 1_000_000), count + known + 10)
    people = [_person(rng, cins[index], index) for index in range(known + count)]
    earlier, rows = people[:known], people[known:]
    for index in range(len(rows)):
        draw = rng.random()
        if draw < 0.01 and index > 10:
            _spoil(rng, rows, index)
        elif draw < 0.02 and index > 10:
            rows[index] = _again(rng, rows[rng.randrange(index)])
        elif draw < 0.04 and earlier:
            rows[index] = _known_again(rng, rng.choice(earlier))
    return SampleSheet(earlier, rows)


def _person(rng: random.Random, number: int, index: int) -> Row:
    female = rng.random() < 0.08
    first = rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
    last = rng.choice(names.FAMILY_NAMES)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    intake = date(2020, 1, 1) + timedelta(days=rng.randrange(365 * 6))
    release = intake + timedelta(days=rng.randrange(60, 365 * 8))
    facility = rng.choice(places.FACILITIES).name
    if rng.random() < 0.005:
        facility = rng.choice(_NEW_FACILITIES)
    city = rng.choice(list(places.CITIES.values()))
    relative = rng.choice(names.RELATIVES)[0]
    return [
        last[0], first[0], last[1], first[1],
        f"{rng.choice(names.CIN_PREFIXES)}{number}",
        f"{2019 + rng.randrange(7)}-{index:06d}",
        born.strftime("%d/%m/%Y"),
        rng.choice(_FEMALE if female else _SEXES),
        facility, rng.choice(_STATUSES),
        release.strftime("%d/%m/%Y") if rng.random() < 0.7 else "",
        f"06{rng.randrange(10**8):08d}" if rng.random() < 0.8 else "",
        f"{rng.choice(places.STREETS)} {rng.randrange(1, 90)}, {rng.choice(city.neighbourhoods)}",
        f"{relative} {last[0]}" if rng.random() < 0.6 else "",
        f"07{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "",
        intake.strftime("%d/%m/%Y"),
        "RAS" if rng.random() < 0.1 else "",
    ]  # fmt: skip


def _spoil(rng: random.Random, rows: list[Row], index: int) -> None:
    """One of the mistakes real files hold; the line is rejected with its reason."""
    row = rows[index] = list(rows[index])
    kind = rng.randrange(5)
    if kind == 0:
        row[6] = "31/02/1990"
    elif kind == 1:
        row[7] = "X"
    elif kind == 2:
        row[4] = "12-AB"
    elif kind == 3:
        row[0] = ""
    else:
        row[4] = rows[rng.randrange(index)][4]


def _again(rng: random.Random, row: Row) -> Row:
    """The same person typed again by a colleague: another spelling, no CIN."""
    again = list(row)
    last = str(again[0])
    again[0] = last[3:] if last.startswith("El ") else "El " + last
    again[1] = str(again[1]).replace("ou", "u").replace("mm", "m")
    again[4] = ""
    again[5] = ""
    if rng.random() < 0.5:
        again[2] = ""
    return again


def _known_again(rng: random.Random, row: Row) -> Row:
    """A person already in the profile: updated by their CIN, or registered again."""
    if rng.random() < 0.5:
        again = list(row)
        again[11] = f"06{rng.randrange(10**8):08d}"
        again[9] = "Libéré"
        return again
    return _again(rng, row)


def write_csv(path: Path, rows: Sequence[Row], *, title: bool = True) -> Path:
    """Semicolon-separated UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        if title:
            writer.writerow([TITLE])
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Row], *, title: bool = True) -> Path:
    """The first sheet; birth dates as date cells, the other dates as typed text.

    openpyxl's normal form: the sheet's dimension first, as Excel writes it (without it,
    openpyxl's reader parses the whole sheet twice); text as inline strings where
    Excel uses shared strings.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([TITLE])
    sheet.append(list(HEADER))
    for row in rows:
        cells = list(row)
        cells[6] = _as_date(cells[6])
        sheet.append(cells)
    workbook.save(path)
    return path


def _as_date(cell: object) -> object:
    text = str(cell)
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        return text
