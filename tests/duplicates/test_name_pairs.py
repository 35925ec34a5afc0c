"""Pairs of registrations that must, and must not, be proposed as one person.

Each row is two identities as counsellors type them; the default threshold (80) decides.
Brothers (same family name, same birth year, other first names) and twins (same birth
date) must never be proposed; the spelling variants of one name, in Latin or Arabic
script, must be.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import NamedTuple

import pytest

from app.duplicates import DEFAULT_THRESHOLD
from app.duplicates.scoring import Identity, score

D = date(1990, 5, 14)


class P(NamedTuple):
    last: str
    first: str
    last_ar: str | None = None
    first_ar: str | None = None
    birth: date | None = D
    cin: str | None = None
    registration: str | None = None
    sex: str | None = "M"

    def identity(self) -> Identity:
        return Identity.of(
            uuid.uuid4(),
            last_name=self.last,
            first_name=self.first,
            last_name_ar=self.last_ar,
            first_name_ar=self.first_ar,
            birth_date=self.birth,
            cin=self.cin,
            registration_number=self.registration,
            sex=self.sex,
        )


F = "F"

SAME_PERSON: list[tuple[str, P, P]] = [
    # Latin transliteration variants, same birth date
    ("el-idrissi-drissi", P("El Idrissi", "Mohamed"), P("Drissi", "Mhamed")),
    ("mohammed-el-alaoui", P("Alaoui", "Mohamed"), P("El Alaoui", "Mohammed")),
    ("youssef-doubles", P("Bennani", "Youssef"), P("Benani", "Yousef")),
    ("hicham-hisham", P("Chraibi", "Hicham"), P("Chraïbi", "Hisham")),
    ("ben-ali-glued", P("Ben Ali", "Abdellah"), P("Benali", "Abdallah")),
    ("said-diaeresis", P("Ouazzani", "Said"), P("El Ouazzani", "Saïd")),
    ("fatima-zahra-hyphen", P("Tazi", "Fatima-Zahra", sex=F), P("Tazi", "Fatima Zahra", sex=F)),
    ("noureddine-nourdine", P("Cherkaoui", "Noureddine"), P("Cherkaoui", "Nourdine")),
    ("ouahed-wahed", P("Berrada", "Abdelouahed"), P("Berrada", "Abdelwahed")),
    ("taoufik-toufik", P("Naciri", "Taoufik"), P("Nassiri", "Toufik")),
    ("ait-taleb", P("Ait Taleb", "Lahcen"), P("Aït Taleb", "Lahsen")),
    ("mustapha-mustafa", P("El Fassi", "Mustapha"), P("Fassi", "Mustafa")),
    ("zakaria-zakariya", P("Ouali", "Zakaria"), P("Ouali", "Zakariya")),
    ("ayoub-ayub", P("Rifi", "Ayoub"), P("Rifi", "Ayub")),
    ("chakib-shakib", P("Soussi", "Chakib"), P("Soussi", "Shakib")),
    ("mohamed-amine", P("Slaoui", "Mohamed Amine"), P("Slaoui", "Mohamed-Amine")),
    ("el-haddad", P("El Haddad", "Rachid"), P("Haddad", "Rachid")),
    ("ould-particle", P("Ould Ahmed", "Abdelaziz"), P("Ahmed", "Abdelaziz")),
    ("dh-d", P("Dhahbi", "Karim"), P("Dahbi", "Karim")),
    ("elmansouri-glued", P("Elmansouri", "Hamid"), P("Mansouri", "Hamid")),
    ("kettani-katani", P("Kettani", "Omar"), P("Ktani", "Omar")),
    ("case-and-spaces", P("  BENJELLOUN ", "nabil"), P("Benjelloun", "Nabil")),
    ("hakim-doubled", P("Guessous", "Hakim"), P("Guesous", "Hakim")),
    ("ismail-smail", P("Lazrak", "Ismail"), P("Lazrak", "Ismaïl")),
    # Birth dates: day and month swapped, or one unknown
    (
        "transposed",
        P("Lahlou", "Khadija", birth=date(1991, 4, 9), sex=F),
        P("Lahlou", "Khadija", birth=date(1991, 9, 4), sex=F),
    ),
    (
        "transposed-march",
        P("Bennis", "Salma", birth=date(1992, 3, 7), sex=F),
        P("Bennis", "Salma", birth=date(1992, 7, 3), sex=F),
    ),
    (
        "birth-unknown",
        P("Tazi", "Omar", "التازي", "عمر"),
        P("Tazi", "Omar", "التازي", "عمر", birth=None),
    ),
    ("names-swapped", P("Karim", "Alaoui"), P("Alaoui", "Karim")),
    ("sex-unknown", P("Filali", "Jamal", sex=None), P("Filali", "Jamal")),
    # Identifiers settle it, whatever the names
    (
        "same-cin",
        P("Alaoui", "Mohamed", cin="AB123456"),
        P("Zniber", "Hamza", birth=None, cin="AB123456"),
    ),
    ("cin-spacing", P("Tazi", "Omar", cin="ab 123-456"), P("Tazi", "Omar", cin="AB123456")),
    (
        "same-registration",
        P("Rifi", "Anas", registration="OUK/2024/00117"),
        P("Riffi", "Anass", birth=None, registration="OUK/2024/00117"),
    ),
    # Arabic: alef forms, hamza seats, ya/alef maqsura, ta marbuta, tatweel, marks, article
    (
        "arabic-hamza",
        P("Idrissi", "Ahmed", "الإدريسي", "أحمد"),
        P("Drissi", "Ahmad", "ادريسي", "احمد"),
    ),
    (
        "arabic-settles-latin",
        P("Cherkaoui", "Mohamed", "الشرقاوي", "محمد"),
        P("Chrqaoui", "Mhammed", "الشرقاوي", "محمد"),
    ),
    (
        "ta-marbuta",
        P("Berrada", "Fatima", "برادة", "فاطمة", sex=F),
        P("Berrada", "Fatma", "براده", "فاطمه", sex=F),
    ),
    (
        "alef-maqsura",
        P("Ziani", "Mustapha", "الزياني", "مصطفى"),
        P("Ziani", "Mostafa", "الزياني", "مصطفي"),
    ),
    ("tatweel", P("Sqalli", "Ahmed", "الصقلي", "أحـــمد"), P("Sqalli", "Ahmed", "الصقلي", "أحمد")),
    (
        "diacritics",
        P("Naciri", "Mohamed", "النّاصري", "مُحَمَّد"),
        P("Naciri", "Mohamed", "الناصري", "محمد"),
    ),
    (
        "abd-glued",
        P("Amrani", "Abdellah", "العمراني", "عبد الله"),
        P("Amrani", "Abdallah", "العمراني", "عبدالله"),
    ),
    (
        "madda-ait",
        P("Ait Said", "Brahim", "آيت سعيد", "إبراهيم"),
        P("Ait Said", "Brahim", "ايت سعيد", "ابراهيم"),
    ),
    (
        "arabic-article",
        P("Alaoui", "Driss", "العلوي", "إدريس"),
        P("Alaoui", "Driss", "علوي", "ادريس"),
    ),
    (
        "bin-glued-arabic",
        P("Benali", "Hassan", "بن علي", "حسن"),
        P("Ben Ali", "Hassan", "بنعلي", "حسن"),
    ),
    (
        "alef-wasla",
        P("Slaoui", "Ismail", "السلاوي", "ٱسماعيل"),
        P("Slaoui", "Smail", "السلاوي", "إسماعيل"),
    ),
    ("arabic-one-side", P("Hajji", "Younes", "الحجي", "يونس"), P("El Hajji", "Younes")),
]

DIFFERENT_PEOPLE: list[tuple[str, P, P]] = [
    ("brothers-same-year", P("Alaoui", "Mohamed"), P("Alaoui", "Youssef", birth=date(1990, 9, 2))),
    (
        "brothers-omar-othmane",
        P("Bennani", "Omar", birth=date(1988, 1, 3)),
        P("Bennani", "Othmane", birth=date(1988, 11, 23)),
    ),
    ("twins-hassan-houssine", P("Tazi", "Hassan"), P("Tazi", "Houssine")),
    ("twins-arabic", P("Tazi", "Hassan", "التازي", "حسن"), P("Tazi", "Hussein", "التازي", "حسين")),
    (
        "brothers-arabic",
        P("Bennani", "Mohamed", "بناني", "محمد"),
        P("Bennani", "Youssef", "بناني", "يوسف", birth=date(1990, 2, 1)),
    ),
    ("brothers-hamid-hamza", P("Lazrak", "Hamid"), P("Lazrak", "Hamza", birth=date(1990, 12, 30))),
    ("said-saad", P("Alaoui", "Said"), P("Alaoui", "Saad")),
    (
        "khalid-khalil-arabic",
        P("Bennis", "Khalid", "بنيس", "خالد"),
        P("Bennis", "Khalil", "بنيس", "خليل"),
    ),
    ("ahmed-mohamed", P("Alaoui", "Ahmed"), P("Alaoui", "Mohamed")),
    ("father-and-son", P("Alaoui", "Mohamed", birth=date(1965, 5, 14)), P("Alaoui", "Mohamed")),
    (
        "namesakes-same-year",
        P("Alaoui", "Mohamed"),
        P("Alaoui", "Mohamed", birth=date(1990, 10, 2)),
    ),
    ("cousins-next-year", P("Tazi", "Omar"), P("Tazi", "Omar", birth=date(1991, 2, 9))),
    ("brother-and-sister", P("Alaoui", "Said"), P("Alaoui", "Saida", sex=F)),
    ("karim-karima", P("Benjelloun", "Karim"), P("Benjelloun", "Karima", sex=F)),
    ("amine-amina", P("Filali", "Amine"), P("Filali", "Amina", sex=F)),
    ("two-cins", P("Alaoui", "Mohamed", cin="AB123456"), P("Alaoui", "Mohamed", cin="CD654321")),
    ("other-family", P("Tazi", "Mohamed"), P("Lazrak", "Mohamed")),
    (
        "other-family-arabic",
        P("Alaoui", "Karim", "العلوي", "كريم"),
        P("Amrani", "Karim", "العمراني", "كريم"),
    ),
    ("same-birth-only", P("Tazi", "Omar"), P("Lazrak", "Bilal")),
    ("fatima-zahra-zahra", P("Tazi", "Fatima Zahra", sex=F), P("Tazi", "Zahra", sex=F)),
    (
        "arabic-differs",
        P("Idrissi", "Hicham", "الإدريسي", "هشام"),
        P("Idrissi", "Hicham", "الإدريسي", "هاشم"),
    ),
    ("sisters", P("Cherkaoui", "Naima", sex=F), P("Cherkaoui", "Malika", sex=F)),
    ("brothers-no-birth", P("Rifi", "Anas", birth=None), P("Rifi", "Ayoub", birth=None)),
    (
        "namesakes-far-apart",
        P("Bennani", "Youssef", birth=date(1975, 1, 1)),
        P("Bennani", "Youssef"),
    ),
]


@pytest.mark.parametrize(("a", "b"), [(a, b) for _, a, b in SAME_PERSON],
                         ids=[name for name, _, _ in SAME_PERSON])  # fmt: skip
def test_one_person_written_two_ways_is_proposed(a: P, b: P) -> None:
    forward = score(a.identity(), b.identity())
    backward = score(b.identity(), a.identity())
    assert forward.value >= DEFAULT_THRESHOLD, forward
    assert forward.value == backward.value


@pytest.mark.parametrize(("a", "b"), [(a, b) for _, a, b in DIFFERENT_PEOPLE],
                         ids=[name for name, _, _ in DIFFERENT_PEOPLE])  # fmt: skip
def test_different_people_are_not_proposed(a: P, b: P) -> None:
    forward = score(a.identity(), b.identity())
    assert forward.value < DEFAULT_THRESHOLD, forward
    assert forward.value == score(b.identity(), a.identity()).value


def test_the_table_is_large_enough() -> None:
    assert len(SAME_PERSON) + len(DIFFERENT_PEOPLE) >= 60
    assert sum(1 for _, a, _ in SAME_PERSON + DIFFERENT_PEOPLE if a.last_ar) >= 15


def test_reasons_say_why() -> None:
    result = score(P("El Idrissi", "Mohamed", "الإدريسي", "محمد").identity(),
                   P("Drissi", "Mhamed", "ادريسي", "محمد").identity())  # fmt: skip
    assert result.reasons == ("same birth date", "similar names (100%)", "Arabic names identical")
    cin = score(P("A", "B", cin="AB1").identity(), P("C", "D", cin="ab1").identity())
    assert cin.value == 100
    assert cin.reasons == ("same CIN",)
