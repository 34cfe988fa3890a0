"""Realistic, deterministic datasets shaped like a JET Programme placement year.

`generate_dataset(participants=..., organizations=..., openings=..., seed=...)` builds a
valid `Dataset` of any size; `generate_scale("demo" | "national", seed=...)` the two named
sizes. Everything is drawn from one `random.Random(seed)` in a fixed order (lists, never
set or dict-hash order), so a seed always gives the same dataset. The figures the
generator is grounded in, and which of them are approximations, are in docs/fixtures.md.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from jet_match.dataset.format import (
    AreaPreference,
    AreaType,
    Dataset,
    JapaneseLevel,
    Opening,
    Organization,
    OrganizationKind,
    Participant,
    ParticipantStatus,
    PartnerConstraint,
    Position,
    SchoolLevel,
    SchoolLevelPreference,
)
from jet_match.dataset.places import DESIGNATED_CITIES, MunicipalityKind, municipalities
from jet_match.dataset.reference import PREFECTURES

_T = TypeVar("_T")


class ScaleName(StrEnum):
    """The named sizes of `SCALES`."""

    DEMO = "demo"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Scale:
    """The size of a generated dataset."""

    participants: int
    organizations: int
    openings: int
    #: Open slots per shortlisted participant of each position (a little above 1).
    slot_ratio: float = 1.17


#: Named sizes: `demo` for the demo and tests, `national` for a whole placement year.
SCALES: dict[ScaleName, Scale] = {
    ScaleName.DEMO: Scale(participants=300, organizations=60, openings=110),
    ScaleName.NATIONAL: Scale(participants=5_933, organizations=1_000, openings=2_000),
}
#: The seed fixtures/demo.json was generated with (and the CLI's default seed).
DEMO_SEED = 1

# --- published shape of a JET year (docs/fixtures.md gives the sources) --------------

#: Participants by country of citizenship, 2025-like: 5,933 people from 54 countries.
#: The order (US, UK, Canada, Australia, New Zealand, Ireland, Jamaica, South Africa, ...)
#: follows the published ranking; the smaller counts are approximations.
COUNTRY_COUNTS: tuple[tuple[str, int], ...] = (
    ("US", 3_052), ("GB", 580), ("CA", 510), ("AU", 390), ("NZ", 250), ("IE", 150),
    ("JM", 120), ("ZA", 105), ("SG", 70), ("PH", 65), ("TT", 60), ("CN", 60), ("KR", 50),
    ("IN", 45), ("FR", 35), ("DE", 30), ("BR", 30), ("BB", 22), ("GH", 20), ("KE", 15),
    ("FJ", 15), ("MY", 15), ("ID", 15), ("TH", 14), ("VN", 14), ("MN", 12), ("RU", 12),
    ("ES", 12), ("IT", 10), ("MX", 10), ("PE", 10), ("AR", 10), ("FI", 8), ("PL", 8),
    ("NL", 8), ("SE", 7), ("NO", 6), ("PT", 6), ("IL", 6), ("RO", 6), ("UA", 6), ("TR", 6),
    ("CL", 6), ("CO", 6), ("HU", 5), ("CZ", 5), ("EE", 5), ("LT", 5), ("GY", 5), ("WS", 5),
    ("TO", 4), ("BE", 4), ("AT", 4), ("CH", 4),
)  # fmt: skip

#: Countries whose participants are mostly ALTs (English is a first or official language).
ENGLISH_SPEAKING: frozenset[str] = frozenset(
    {"US", "GB", "CA", "AU", "NZ", "IE", "JM", "ZA", "SG", "PH", "TT", "IN", "BB", "GH",
     "KE", "FJ", "GY", "WS", "TO"}
)  # fmt: skip

#: Position shares: about 90 % ALT, 9 % CIR, 1 % SEA.
CIR_SHARE = 0.09
SEA_SHARE = 0.01
ALTERNATE_SHARE = 0.06
WITHDRAWN_SHARE = 0.008
#: Share of participants in a couple (two people per couple).
COUPLED_SHARE = 0.02

#: How strongly applicants ask for each prefecture (JIS code -> relative weight): the big
#: cities and the famous destinations are asked for far more often than their slots allow.
POPULARITY: dict[int, float] = {
    13: 14.0, 27: 9.0, 26: 8.0, 47: 7.0, 1: 6.5, 40: 5.5, 14: 4.0, 28: 3.0, 34: 2.5,
    23: 2.5, 20: 2.2, 29: 2.0, 4: 1.8, 17: 1.6, 12: 1.4, 11: 1.3, 22: 1.3, 42: 1.2,
    33: 1.1, 43: 1.1, 46: 1.0, 38: 1.0, 19: 1.0,
}  # fmt: skip
_DEFAULT_POPULARITY = 0.55

#: Prefectures whose own organization works in a city-like setting.
_URBAN_PREFECTURES = frozenset({11, 12, 13, 14, 23, 27})
_SEMI_URBAN_PREFECTURES = frozenset({1, 4, 22, 26, 28, 34, 40})

#: Chance that an opening requires driving, by the organization's area type.
_DRIVING_BY_AREA = {
    AreaType.URBAN: 0.0,
    AreaType.SEMI_URBAN: 0.05,
    AreaType.RURAL: 0.45,
    AreaType.REMOTE: 0.65,
}
#: Chance that an organization has specialist medical care within reach.
_MEDICAL_BY_AREA = {
    AreaType.URBAN: 1.0,
    AreaType.SEMI_URBAN: 0.95,
    AreaType.RURAL: 0.6,
    AreaType.REMOTE: 0.3,
}

#: Sports of the SEA posts, with relative frequency.
SPORTS: tuple[tuple[str, int], ...] = (
    ("baseball", 4), ("soccer", 4), ("basketball", 3), ("volleyball", 2), ("athletics", 2),
    ("swimming", 2), ("rugby", 2), ("tennis", 1), ("badminton", 1), ("table_tennis", 1),
)  # fmt: skip

#: Well-known sister-state ties of prefectures (prefecture code -> ISO 3166-2 regions).
PREFECTURE_SISTER_REGIONS: dict[int, tuple[str, ...]] = {
    1: ("CA-AB", "US-MA"),
    4: ("US-DE",),
    9: ("US-IN",),
    11: ("US-OH",),
    12: ("US-WI",),
    14: ("US-MD",),
    19: ("US-IA",),
    25: ("US-MI",),
    28: ("US-WA",),
    34: ("US-HI",),
    38: ("US-HI",),
}

#: Home regions (ISO 3166-2) by country, with rough population weights.
HOME_REGIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (
        ("US-CA", 39), ("US-TX", 30), ("US-FL", 22), ("US-NY", 20), ("US-PA", 13),
        ("US-IL", 12.5), ("US-OH", 11.8), ("US-GA", 11), ("US-NC", 10.7), ("US-MI", 10),
        ("US-NJ", 9.3), ("US-VA", 8.7), ("US-WA", 7.8), ("US-AZ", 7.4), ("US-TN", 7),
        ("US-MA", 7), ("US-IN", 6.8), ("US-MD", 6.2), ("US-MO", 6.2), ("US-WI", 5.9),
        ("US-CO", 5.8), ("US-MN", 5.7), ("US-SC", 5.3), ("US-AL", 5.1), ("US-LA", 4.6),
        ("US-KY", 4.5), ("US-OR", 4.2), ("US-OK", 4), ("US-CT", 3.6), ("US-UT", 3.4),
        ("US-IA", 3.2), ("US-NV", 3.2), ("US-AR", 3), ("US-MS", 2.9), ("US-KS", 2.9),
        ("US-NM", 2.1), ("US-NE", 2), ("US-ID", 1.9), ("US-WV", 1.8), ("US-HI", 1.4),
        ("US-NH", 1.4), ("US-ME", 1.4), ("US-MT", 1.1), ("US-RI", 1.1), ("US-DE", 1),
        ("US-SD", 0.9), ("US-ND", 0.8), ("US-AK", 0.7), ("US-DC", 0.7), ("US-VT", 0.6),
        ("US-WY", 0.6),
    ),
    "GB": (("GB-ENG", 84), ("GB-SCT", 8), ("GB-WLS", 5), ("GB-NIR", 3)),
    "CA": (
        ("CA-ON", 39), ("CA-QC", 22), ("CA-BC", 14), ("CA-AB", 12), ("CA-MB", 3.7),
        ("CA-SK", 3), ("CA-NS", 2.6), ("CA-NB", 2.1), ("CA-NL", 1.4), ("CA-PE", 0.4),
    ),
    "AU": (
        ("AU-NSW", 31), ("AU-VIC", 26), ("AU-QLD", 20), ("AU-WA", 11), ("AU-SA", 7),
        ("AU-TAS", 2), ("AU-ACT", 1.8), ("AU-NT", 1),
    ),
    "NZ": (("NZ-AUK", 33), ("NZ-CAN", 13), ("NZ-WGN", 10), ("NZ-WKO", 10), ("NZ-BOP", 7),
           ("NZ-OTA", 5), ("NZ-MWT", 5)),
    "ZA": (("ZA-GP", 26), ("ZA-KZN", 19), ("ZA-WC", 12), ("ZA-EC", 11)),
}  # fmt: skip

#: Countries whose regions appear as sister ties, with relative frequency.
_SISTER_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 50), ("AU", 12), ("CA", 10), ("NZ", 8), ("GB", 5), ("CN", 6), ("KR", 5),
    ("BR", 2), ("FR", 2), ("DE", 2),
)  # fmt: skip


# --- names ----------------------------------------------------------------------------

#: Name pools: (family names, given names), with the real-world spellings people use.
NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "anglo": (
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
         "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Thompson", "White", "Clarke",
         "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
         "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
         "Parker", "Collins", "Edwards", "Stewart", "Morris", "Cook", "Rogers", "Reed",
         "Bell", "Murphy", "Bailey", "Cooper", "Richardson", "Cox", "Howard", "Ward",
         "Brooks", "Gray", "Hughes", "Price", "Bennett", "Wood", "Barnes", "Ross"),
        ("James", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Ashley",
         "Matthew", "Hannah", "Andrew", "Olivia", "Joshua", "Emma", "Ryan", "Abigail",
         "Tyler", "Madison", "Nathan", "Grace", "Samuel", "Chloé", "Benjamin", "Zoë",
         "Jacob", "Renée", "Alexander", "Lauren", "Ethan", "Megan", "Noah", "Rachel",
         "Liam", "Sophie", "Caleb", "Jordan", "Dylan", "Taylor", "Owen", "Naomi", "Eli",
         "Claire", "Isaac", "Abby", "Luke", "Molly", "Henry", "Ruby", "Jack", "Eleanor"),
    ),
    "irish": (
        ("O'Connor", "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan",
         "O'Neill", "Ó Súilleabháin", "MacCarthy", "Doyle", "Gallagher", "Ní Bhriain",
         "McLaughlin", "Fitzgerald", "Quinn", "Nolan", "Brennan", "Ó Dónaill"),
        ("Siobhán", "Aoife", "Niamh", "Seán", "Cian", "Oisín", "Caoimhe", "Ciarán", "Róisín",
         "Pádraig", "Saoirse", "Eoin", "Aisling", "Darragh", "Clodagh", "Tadhg", "Méabh"),
    ),
    "scottish_welsh": (
        ("MacDonald", "Mackenzie", "Fraser", "Robertson", "Davies", "Llewellyn", "Jenkins",
         "Morgan", "Rees", "Griffiths", "McGregor", "Sinclair", "Munro", "Pryce"),
        ("Ailsa", "Callum", "Eilidh", "Rhys", "Cerys", "Dafydd", "Gwen", "Iona", "Euan",
         "Siân", "Angharad", "Fionn", "Mhairi", "Ffion"),
    ),
    "hispanic": (
        ("García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez",
         "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Muñoz",
         "Jiménez", "Peña", "Castillo", "Ortiz", "Núñez"),
        ("José", "María", "Sofía", "Mateo", "Lucía", "Santiago", "Valentina", "Andrés",
         "Camila", "Sebastián", "Isabella", "Diego", "Ximena", "Joaquín", "Inés", "Raúl"),
    ),
    "portuguese": (
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Conceição", "Gonçalves",
         "Araújo", "Magalhães", "Ribeiro", "Assunção"),
        ("João", "Ana", "Gabriel", "Júlia", "Luíza", "Thiago", "Beatriz", "Conceição",
         "Caio", "Letícia", "Vinícius", "Mônica"),
    ),
    "french": (
        ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Mercier",
         "Lefebvre", "Fontaine", "Chevalier", "Gauthier", "Tremblay", "Bélanger", "Côté"),
        ("Léa", "Chloé", "Manon", "Hélène", "Émilie", "Théo", "Louis", "Gaëlle", "Mathéo",
         "Noémie", "Jérôme", "Françoise", "Anaïs", "Étienne", "Maël"),
    ),
    "german_dutch": (
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schäfer", "Köhler", "Groß",
         "Bauer", "Wagner", "van der Berg", "de Vries", "Jansen", "Bakker", "Hoffmann"),
        ("Lukas", "Jürgen", "Sophie", "Jörg", "Anna", "Maximilian", "Lena", "Björn", "Janneke",
         "Sanne", "Felix", "Käthe", "Lotte", "Niklas", "Jonas"),
    ),
    "polish_slavic": (
        ("Kowalski", "Wiśniewska", "Wójcik", "Kowalczyk", "Zieliński", "Szymańska",
         "Dąbrowski", "Lewandowska", "Novák", "Dvořák", "Horváth", "Shevchenko", "Ivanova",
         "Popescu", "Kazlauskas", "Tamm"),
        ("Łukasz", "Małgorzata", "Paweł", "Agnieszka", "Wojciech", "Zofia", "Jiří", "Tereza",
         "Dmitri", "Olena", "Andrzej", "Kateřina", "Ştefan", "Jūratė", "Märt", "Anastasia"),
    ),
    "nordic": (
        ("Johansson", "Nilsson", "Hansen", "Virtanen", "Korhonen", "Lindqvist", "Åberg",
         "Sørensen", "Bjørnstad", "Mäkinen"),
        ("Åsa", "Bjørn", "Sigrid", "Lasse", "Jönsson", "Aino", "Eero", "Ingrid", "Søren",
         "Elin"),
    ),
    "vietnamese": (
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"),
        ("Minh Anh", "Thảo", "Quang", "Hương", "Đức", "Linh", "Tuấn", "Ngọc", "Bảo", "Trâm"),
    ),
    "chinese": (
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Tan",
         "Lim", "Ng", "Goh", "Lü"),
        ("Wei", "Fang", "Xiuying", "Jie", "Yan", "Hao", "Mei Ling", "Zixuan", "Yuting",
         "Jun Wei", "Xinyi", "Haoran"),
    ),
    "korean": (
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"),
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Soo-ah", "Ji-woo", "Hyun-woo",
         "Yu-na", "Jae-won"),
    ),
    "filipino_malay_indonesian": (
        ("Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Villanueva", "Abdullah",
         "Rahman", "Ismail", "Wijaya", "Halim", "Nasution"),
        ("Maria Cristina", "Jose Miguel", "Angelica", "Rizal", "Nurul", "Aisyah", "Hafiz",
         "Putri", "Ayu", "Kristine"),
    ),
    "south_asian": (
        ("Patel", "Sharma", "Singh", "Gupta", "Iyer", "Reddy", "Nair", "Chatterjee",
         "Mukherjee", "Krishnan", "Khan", "Desai"),
        ("Aarav", "Priya", "Ananya", "Rohan", "Saanvi", "Arjun", "Divya", "Vikram",
         "Lakshmi", "Kavya", "Sai", "Nikhil"),
    ),
    "african": (
        ("Mensah", "Boateng", "Owusu", "Asante", "Okafor", "Adeyemi", "Mwangi", "Otieno",
         "Kamau", "Nkosi", "Dlamini", "Botha", "van Wyk", "Naidoo", "Mokoena"),
        ("Kwame", "Ama", "Kofi", "Abena", "Chidi", "Ngozi", "Wanjiru", "Thabo", "Lerato",
         "Sipho", "Zanele", "Pieter", "Annelie", "Akosua"),
    ),
    "caribbean": (
        ("Campbell", "Brown", "Williams", "Thompson", "Clarke", "Grant", "Francis",
         "Richards", "Gordon", "Ramdial", "Persad", "Mohammed", "Alleyne", "Forde"),
        ("Shanice", "Andre", "Kimone", "Tevin", "Jodi-Ann", "Oneil", "Tamara", "Devon",
         "Keisha", "Romario", "Anisa", "Kemar"),
    ),
    "pacific_maori": (
        ("Tuilagi", "Fonoti", "Tupou", "Fifita", "Ngata", "Parata", "Te Whata", "Tāwhiri",
         "Vainikolo", "Naidu", "Waqa"),
        ("Mere", "Tāne", "Aroha", "Wiremu", "Losana", "Sione", "Ana", "Salote", "Hēmi",
         "Mosese", "Ātaahua"),
    ),
    "hebrew_turkish": (
        ("Cohen", "Levi", "Mizrahi", "Friedman", "Yılmaz", "Kaya", "Demir", "Şahin",  # noqa: RUF001
         "Çelik", "Öztürk"),
        ("Noa", "Yael", "Itai", "Tamar", "Elif", "Zeynep", "Emre", "Çağla", "Göktuğ",
         "Ayşe"),
    ),
    "russian": (
        ("Ivanov", "Smirnova", "Kuznetsov", "Popova", "Sokolov", "Lebedeva", "Volkov",
         "Morozova"),
        ("Aleksandr", "Yekaterina", "Dmitriy", "Anastasiya", "Sergey", "Yuliya", "Ilya",
         "Kseniya"),
    ),
    "mongolian_thai": (
        ("Bat-Erdene", "Ganbaatar", "Enkhbayar", "Sukhbaatar", "Srisuk", "Wongsakul",
         "Chaiyaporn", "Rattanakorn"),
        ("Anu", "Temuulen", "Oyunchimeg", "Naran", "Somchai", "Kanya", "Niran", "Ploy"),
    ),
}  # fmt: skip

#: Which name pools a country's participants draw from, with weights.
_NAME_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (("anglo", 55), ("hispanic", 13), ("irish", 6), ("african", 5), ("chinese", 4),
           ("vietnamese", 3), ("korean", 3), ("south_asian", 3), ("polish_slavic", 3),
           ("german_dutch", 3), ("filipino_malay_indonesian", 2)),
    "GB": (("anglo", 65), ("scottish_welsh", 12), ("irish", 6), ("south_asian", 8),
           ("caribbean", 4), ("polish_slavic", 5)),
    "CA": (("anglo", 50), ("french", 22), ("chinese", 8), ("south_asian", 7), ("irish", 5),
           ("filipino_malay_indonesian", 4), ("polish_slavic", 4)),
    "AU": (("anglo", 60), ("irish", 8), ("chinese", 8), ("vietnamese", 6), ("south_asian", 6),
           ("hispanic", 2), ("scottish_welsh", 5), ("german_dutch", 5)),
    "NZ": (("anglo", 58), ("pacific_maori", 22), ("chinese", 8), ("scottish_welsh", 7),
           ("south_asian", 5)),
    "IE": (("irish", 80), ("anglo", 12), ("polish_slavic", 8)),
    "ZA": (("african", 70), ("anglo", 20), ("south_asian", 10)),
    "SG": (("chinese", 70), ("south_asian", 15), ("filipino_malay_indonesian", 15)),
    "MY": (("filipino_malay_indonesian", 60), ("chinese", 30), ("south_asian", 10)),
    "FJ": (("pacific_maori", 70), ("south_asian", 30)),
    "TT": (("caribbean", 100),),
    "GY": (("caribbean", 100),),
}  # fmt: skip
_POOL_BY_COUNTRY: dict[str, str] = {
    "JM": "caribbean", "BB": "caribbean", "PH": "filipino_malay_indonesian",
    "ID": "filipino_malay_indonesian", "CN": "chinese", "KR": "korean", "IN": "south_asian",
    "FR": "french", "BE": "french", "CH": "german_dutch", "DE": "german_dutch",
    "AT": "german_dutch", "NL": "german_dutch", "BR": "portuguese", "PT": "portuguese",
    "ES": "hispanic", "MX": "hispanic", "PE": "hispanic", "AR": "hispanic", "CL": "hispanic",
    "CO": "hispanic", "IT": "hispanic", "GH": "african", "KE": "african", "VN": "vietnamese",
    "PL": "polish_slavic", "CZ": "polish_slavic", "HU": "polish_slavic",
    "RO": "polish_slavic", "UA": "polish_slavic", "LT": "polish_slavic",
    "EE": "polish_slavic", "FI": "nordic", "SE": "nordic", "NO": "nordic",
    "IL": "hebrew_turkish", "TR": "hebrew_turkish", "RU": "russian", "MN": "mongolian_thai",
    "TH": "mongolian_thai", "WS": "pacific_maori", "TO": "pacific_maori",
}  # fmt: skip
#: Countries where some people have a single name (given_name left empty).
_SINGLE_NAME_COUNTRIES = frozenset({"ID", "MN"})

_PRIVATE_SCHOOL_WORDS = (
    "Seiryo", "Meiho", "Kyoei", "Shoin", "Aoba", "Hikari", "Midori", "Sakuragaoka",
    "Seiwa", "Kotoku", "Hakuyo", "Shinwa", "Keiyo", "Ryokuyo", "Yushin", "Kaiyo",
)  # fmt: skip
_PRIVATE_SCHOOL_KINDS = ("Gakuen High School", "Gakuin Junior and Senior High School")


# --- drawing helpers ------------------------------------------------------------------


def _weighted(rng: random.Random, items: Sequence[tuple[_T, float]]) -> _T:
    values = [item for item, _ in items]
    weights = [weight for _, weight in items]
    return rng.choices(values, weights=weights, k=1)[0]


def _weighted_sample(
    rng: random.Random, values: Sequence[_T], weights: Sequence[float], k: int
) -> list[_T]:
    """k distinct values, each drawn with probability proportional to its weight."""
    keyed = sorted(
        ((rng.random() ** (1.0 / weight), index) for index, weight in enumerate(weights)),
        reverse=True,
    )
    return [values[index] for _, index in keyed[:k]]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; ties by position)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    scale = total / sum(weights)
    exact = [weight * scale for weight in weights]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    kept = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))
    return "-".join(kept.lower().replace("-", " ").split())


# --- organizations --------------------------------------------------------------------


@dataclass(slots=True)
class _Org:
    """An organization while it is being built, with what openings need to know."""

    external_id: str
    name: str
    name_ja: str | None
    kind: OrganizationKind
    prefecture: int
    area_type: AreaType
    medical_access: bool
    sister_regions: list[str]
    alt_weight: float
    cir_weight: float

    def record(self) -> Organization:
        return Organization(
            external_id=self.external_id,
            name=self.name,
            name_ja=self.name_ja,
            kind=self.kind,
            prefecture=self.prefecture,
            area_type=self.area_type,
            medical_access=self.medical_access,
            sister_regions=self.sister_regions,
        )


def _sister_regions(rng: random.Random, chance: float) -> list[str]:
    if rng.random() >= chance:
        return []
    country = _weighted(rng, _SISTER_COUNTRIES)
    regions = HOME_REGIONS.get(country)
    return [_weighted(rng, regions) if regions else country]


def _prefecture_board_name(code: int, romaji: str) -> str:
    if code == 1:
        return "Hokkaido Board of Education"
    if code == 13:
        return "Tokyo Metropolitan Board of Education"
    return f"{romaji} Prefectural Board of Education"


def _organizations(rng: random.Random, count: int) -> list[_Org]:
    if count >= 200:
        n_prefectures, n_cities = len(PREFECTURES), len(DESIGNATED_CITIES)
    else:
        n_prefectures = max(1, count // 6)
        n_cities = min(len(DESIGNATED_CITIES), count // 12)
    n_private = round(count * 0.03)
    n_municipalities = max(0, count - n_prefectures - n_cities - n_private)

    orgs: list[_Org] = []

    def add(**fields: Any) -> None:
        area: AreaType = fields["area_type"]
        orgs.append(
            _Org(
                external_id=f"CO-{len(orgs) + 1:04d}",
                medical_access=rng.random() < _MEDICAL_BY_AREA[area],
                **fields,
            )
        )

    # A small dataset keeps the prefectures people ask for most, so its preferences bite.
    weights = [POPULARITY.get(p.code, _DEFAULT_POPULARITY) for p in PREFECTURES]
    chosen_prefectures = _weighted_sample(rng, PREFECTURES, weights, n_prefectures)
    for pref in sorted(chosen_prefectures, key=lambda p: p.code):
        area = (
            AreaType.URBAN
            if pref.code in _URBAN_PREFECTURES
            else AreaType.SEMI_URBAN
            if pref.code in _SEMI_URBAN_PREFECTURES
            else AreaType.RURAL
        )
        ties = list(PREFECTURE_SISTER_REGIONS.get(pref.code, ())) or _sister_regions(rng, 0.4)
        add(
            name=_prefecture_board_name(pref.code, pref.romaji),
            name_ja=f"{pref.kanji}教育委員会",
            kind=OrganizationKind.PREFECTURE,
            prefecture=pref.code,
            area_type=area,
            sister_regions=ties,
            alt_weight=7.0,
            cir_weight=6.0,
        )
    for city in sorted(rng.sample(DESIGNATED_CITIES, n_cities), key=lambda c: c.prefecture):
        add(
            name=f"{city.romaji} City",
            name_ja=city.kanji,
            kind=OrganizationKind.DESIGNATED_CITY,
            prefecture=city.prefecture,
            area_type=AreaType.URBAN,
            sister_regions=_sister_regions(rng, 0.6),
            alt_weight=9.0,
            cir_weight=3.0,
        )
    places = list(municipalities())
    chosen = sorted(rng.sample(range(len(places)), min(n_municipalities, len(places))))
    for index in chosen:
        place = places[index]
        if place.island:
            area, alt_weight, cir_weight = AreaType.REMOTE, 0.5, 0.05
        elif place.large or place.kind is MunicipalityKind.WARD:
            area, alt_weight, cir_weight = AreaType.URBAN, 3.0, 0.8
        elif place.kind is MunicipalityKind.CITY:
            area, alt_weight, cir_weight = AreaType.SEMI_URBAN, 1.5, 0.3
        elif place.kind is MunicipalityKind.TOWN:
            area, alt_weight, cir_weight = AreaType.RURAL, 0.8, 0.1
        else:
            area, alt_weight, cir_weight = AreaType.REMOTE, 0.5, 0.05
        add(
            name=place.english_name,
            name_ja=place.kanji,
            kind=OrganizationKind.MUNICIPALITY,
            prefecture=place.prefecture,
            area_type=area,
            sister_regions=_sister_regions(rng, 0.1 if area is AreaType.REMOTE else 0.35),
            alt_weight=alt_weight,
            cir_weight=cir_weight,
        )
    for number in range(n_private):
        pref = rng.choice(PREFECTURES)
        word = _PRIVATE_SCHOOL_WORDS[number % len(_PRIVATE_SCHOOL_WORDS)]
        add(
            name=f"{word} {rng.choice(_PRIVATE_SCHOOL_KINDS)} ({pref.romaji})",
            name_ja=None,
            kind=OrganizationKind.PRIVATE_SCHOOL,
            prefecture=pref.code,
            area_type=rng.choice((AreaType.URBAN, AreaType.SEMI_URBAN)),
            sister_regions=_sister_regions(rng, 0.2),
            alt_weight=0.3,
            cir_weight=0.0,
        )
    return orgs


# --- participants ---------------------------------------------------------------------

_JAPANESE_BY_POSITION: dict[Position, tuple[tuple[JapaneseLevel, float], ...]] = {
    Position.ALT: (
        (JapaneseLevel.NONE, 38), (JapaneseLevel.N5, 22), (JapaneseLevel.N4, 18),
        (JapaneseLevel.N3, 12), (JapaneseLevel.N2, 7), (JapaneseLevel.N1, 3),
    ),
    Position.CIR: ((JapaneseLevel.N3, 5), (JapaneseLevel.N2, 40), (JapaneseLevel.N1, 55)),
    Position.SEA: (
        (JapaneseLevel.NONE, 45), (JapaneseLevel.N5, 30), (JapaneseLevel.N4, 15),
        (JapaneseLevel.N3, 10),
    ),
}  # fmt: skip
_AREA_PREFERENCES: tuple[tuple[AreaPreference, float], ...] = (
    (AreaPreference.URBAN, 32), (AreaPreference.SEMI_URBAN, 20), (AreaPreference.RURAL, 13),
    (AreaPreference.ANY, 35),
)  # fmt: skip
_ALT_SCHOOL_PREFERENCES: tuple[tuple[SchoolLevelPreference, float], ...] = (
    (SchoolLevelPreference.ELEMENTARY, 22), (SchoolLevelPreference.JUNIOR_HIGH, 24),
    (SchoolLevelPreference.SENIOR_HIGH, 28), (SchoolLevelPreference.ANY, 26),
)  # fmt: skip
_EXPERIENCE_YEARS: tuple[tuple[int, float], ...] = (
    (0, 50), (1, 15), (2, 12), (3, 8), (4, 5), (5, 4), (7, 3), (10, 2), (15, 1),
)  # fmt: skip
_PREFERENCE_COUNTS: tuple[tuple[int, float], ...] = ((3, 80), (2, 7), (1, 5), (0, 8))
_DRIVING_COUNTRIES = frozenset({"US", "CA", "AU", "NZ"})


def _citizenships(rng: random.Random, count: int) -> list[str]:
    per_country = _apportion(count, [float(n) for _, n in COUNTRY_COUNTS])
    citizenships = [
        code for (code, _), n in zip(COUNTRY_COUNTS, per_country, strict=True) for _ in range(n)
    ]
    rng.shuffle(citizenships)
    return citizenships


def _positions(rng: random.Random, citizenships: list[str]) -> list[Position]:
    count = len(citizenships)
    positions = [Position.ALT] * count
    # CIRs come disproportionately from countries whose language is not English.
    cir_weights = [1.0 if c in ENGLISH_SPEAKING else 12.0 for c in citizenships]
    for index in _weighted_sample(rng, range(count), cir_weights, round(count * CIR_SHARE)):
        positions[index] = Position.CIR
    rest = [i for i in range(count) if positions[i] is Position.ALT]
    for index in rng.sample(rest, min(len(rest), round(count * SEA_SHARE))):
        positions[index] = Position.SEA
    return positions


def _statuses(
    rng: random.Random, positions: list[Position]
) -> tuple[list[ParticipantStatus], list[int | None]]:
    statuses = [ParticipantStatus.SHORTLISTED] * len(positions)
    ranks: list[int | None] = [None] * len(positions)
    for position in Position:
        members = [i for i, p in enumerate(positions) if p is position]
        n_withdrawn = round(len(members) * WITHDRAWN_SHARE)
        n_alternates = round(len(members) * ALTERNATE_SHARE)
        picked = rng.sample(members, n_withdrawn + n_alternates)
        for index in picked[:n_withdrawn]:
            statuses[index] = ParticipantStatus.WITHDRAWN
        for rank, index in enumerate(picked[n_withdrawn:], start=1):
            statuses[index] = ParticipantStatus.ALTERNATE
            ranks[index] = rank
    return statuses, ranks


def _name(rng: random.Random, citizenship: str) -> tuple[str, str]:
    mix = _NAME_MIX.get(citizenship)
    pool_name = _weighted(rng, mix) if mix else _POOL_BY_COUNTRY.get(citizenship, "anglo")
    families, givens = NAME_POOLS[pool_name]
    family = rng.choice(families)
    if citizenship in _SINGLE_NAME_COUNTRIES and rng.random() < 0.3:
        return family, ""
    return family, rng.choice(givens)


def _home_region(rng: random.Random, citizenship: str) -> str | None:
    regions = HOME_REGIONS.get(citizenship)
    if regions is not None and rng.random() < 0.9:
        return _weighted(rng, regions)
    return citizenship if rng.random() < 0.3 else None


def _preferred_prefectures(rng: random.Random) -> list[int]:
    codes = [p.code for p in PREFECTURES]
    weights = [POPULARITY.get(code, _DEFAULT_POPULARITY) for code in codes]
    return _weighted_sample(rng, codes, weights, _weighted(rng, _PREFERENCE_COUNTS))


def _participants(
    rng: random.Random, count: int, couple_share: float = COUPLED_SHARE
) -> list[dict[str, Any]]:
    citizenships = _citizenships(rng, count)
    positions = _positions(rng, citizenships)
    statuses, ranks = _statuses(rng, positions)
    people: list[dict[str, Any]] = []
    for index, (citizenship, position) in enumerate(zip(citizenships, positions, strict=True)):
        family, given = _name(rng, citizenship)
        number = index + 1
        local = ".".join(part for part in (_ascii_slug(given), _ascii_slug(family)) if part)
        domain = rng.choice(("example.org", "example.com"))
        drive_chance = 0.8 if citizenship in _DRIVING_COUNTRIES else 0.6
        people.append(
            {
                "external_id": f"P-{number:05d}",
                "family_name": family,
                "given_name": given,
                "email": f"{local or 'applicant'}.{number}@{domain}",
                "citizenship": citizenship,
                "home_region": _home_region(rng, citizenship),
                "position": position,
                "status": statuses[index],
                "alternate_rank": ranks[index],
                "japanese_level": _weighted(rng, _JAPANESE_BY_POSITION[position]),
                "teaching_experience_years": _weighted(rng, _EXPERIENCE_YEARS),
                "can_drive": rng.random() < drive_chance,
                "preferred_prefectures": _preferred_prefectures(rng),
                "area_preference": _weighted(rng, _AREA_PREFERENCES),
                "school_level_preference": (
                    _weighted(rng, _ALT_SCHOOL_PREFERENCES)
                    if position is Position.ALT
                    else SchoolLevelPreference.ANY
                ),
                "needs_medical_access": rng.random() < 0.02,
                "sport": _weighted(rng, SPORTS) if position is Position.SEA else None,
                "partner": None,
            }
        )
    _form_couples(rng, people, round(count * couple_share / 2))
    return people


def _form_couples(rng: random.Random, people: list[dict[str, Any]], couples: int) -> None:
    """Pair shortlisted ALTs and CIRs into mutual couples who apply together."""
    free = [
        person
        for person in people
        if person["status"] is ParticipantStatus.SHORTLISTED
        and person["position"] is not Position.SEA
    ]
    for _ in range(couples):
        if len(free) < 2:
            return
        first = free.pop(rng.randrange(len(free)))
        same_position = [p for p in free if p["position"] is first["position"]]
        candidates = same_position if same_position and rng.random() < 0.85 else free
        second = candidates[rng.randrange(len(candidates))]
        free.remove(second)
        constraint = (
            PartnerConstraint.SAME_ORGANIZATION
            if rng.random() < 0.4
            else PartnerConstraint.SAME_PREFECTURE
        )
        # Couples apply together: same wishes, and often the same country.
        second["preferred_prefectures"] = list(first["preferred_prefectures"])
        second["area_preference"] = first["area_preference"]
        first["partner"] = {"external_id": second["external_id"], "constraint": constraint}
        second["partner"] = {"external_id": first["external_id"], "constraint": constraint}


# --- openings -------------------------------------------------------------------------

_SCHOOL_CYCLES: dict[OrganizationKind, tuple[SchoolLevel, ...]] = {
    OrganizationKind.PREFECTURE: (SchoolLevel.SENIOR_HIGH, SchoolLevel.MIXED),
    OrganizationKind.DESIGNATED_CITY: (
        SchoolLevel.JUNIOR_HIGH, SchoolLevel.ELEMENTARY, SchoolLevel.MIXED,
    ),
    OrganizationKind.MUNICIPALITY: (
        SchoolLevel.JUNIOR_HIGH, SchoolLevel.ELEMENTARY, SchoolLevel.MIXED,
    ),
    OrganizationKind.PRIVATE_SCHOOL: (SchoolLevel.SENIOR_HIGH, SchoolLevel.JUNIOR_HIGH),
}  # fmt: skip
_ALT_MIN_JAPANESE: tuple[tuple[JapaneseLevel, float], ...] = (
    (JapaneseLevel.NONE, 92), (JapaneseLevel.N5, 3), (JapaneseLevel.N4, 3),
    (JapaneseLevel.N3, 2),
)  # fmt: skip
_ALT_REQUESTED: tuple[tuple[str, float], ...] = (
    ("US", 40), ("GB", 15), ("CA", 12), ("AU", 12), ("NZ", 8), ("IE", 6), ("JM", 4), ("ZA", 3),
)  # fmt: skip


def _shortlisted(people: list[dict[str, Any]], position: Position) -> list[dict[str, Any]]:
    return [
        p
        for p in people
        if p["position"] is position and p["status"] is ParticipantStatus.SHORTLISTED
    ]


def _openings(
    rng: random.Random,
    orgs: list[_Org],
    people: list[dict[str, Any]],
    count: int,
    slot_ratio: float,
) -> list[Opening]:
    drafts: list[tuple[int, int, dict[str, Any]]] = []  # (org index, position order, fields)
    sea = _shortlisted(people, Position.SEA)
    cir = _shortlisted(people, Position.CIR)
    alt = _shortlisted(people, Position.ALT)
    slots = {pos: math.ceil(len(group) * slot_ratio) for pos, group in
             ((Position.ALT, alt), (Position.CIR, cir), (Position.SEA, sea))}  # fmt: skip
    org_indices = list(range(len(orgs)))
    host_weights = [org.cir_weight for org in orgs]
    has_hosts = any(weight > 0 for weight in host_weights)

    # SEA: one slot per opening, one sport each; every shortlisted SEA's sport is offered.
    sports = [p["sport"] for p in sea]
    sports += [_weighted(rng, SPORTS) for _ in range(slots[Position.SEA] - len(sports))]
    for sport in sports if has_hosts else []:
        host = rng.choices(org_indices, weights=host_weights, k=1)[0]
        drafts.append((host, 2, _office_opening(Position.SEA, 1, JapaneseLevel.NONE) | {
            "sport": sport,
        }))  # fmt: skip

    # CIR: mostly one slot, N2-N1 Japanese, some asking for one country's language.
    n_cir = min(slots[Position.CIR], max(1, round(slots[Position.CIR] / 1.1)))
    cir_slots = [1] * n_cir if slots[Position.CIR] and has_hosts else []
    for _ in range(slots[Position.CIR] - len(cir_slots) if cir_slots else 0):
        cir_slots[rng.randrange(len(cir_slots))] += 1
    for n in cir_slots:
        host = rng.choices(org_indices, weights=host_weights, k=1)[0]
        level = JapaneseLevel.N1 if rng.random() < 0.35 else JapaneseLevel.N2
        fields = _office_opening(Position.CIR, n, level)
        if cir and rng.random() < 0.45:
            country = rng.choice(cir)["citizenship"]
            fields["requested_countries"] = [country]
            fields["country_required"] = rng.random() < (
                0.15 if country in ENGLISH_SPEAKING else 0.6
            )
        drafts.append((host, 1, fields))

    # ALT: every organization takes ALTs; big ones have several openings and many slots.
    n_alt = max(0, min(slots[Position.ALT], count - len(drafts)))
    if n_alt >= len(orgs):
        alt_orgs = org_indices + rng.choices(
            org_indices, weights=[o.alt_weight for o in orgs], k=n_alt - len(orgs)
        )
    else:
        alt_orgs = _weighted_sample(rng, org_indices, [o.alt_weight for o in orgs], n_alt)
    alt_orgs.sort()
    weights = [orgs[i].alt_weight * rng.uniform(0.6, 1.4) for i in alt_orgs]
    extra = _apportion(slots[Position.ALT] - n_alt, weights)
    seen_at_org: dict[int, int] = {}
    for org_index, more in zip(alt_orgs, extra, strict=True):
        org = orgs[org_index]
        nth = seen_at_org.get(org_index, rng.randrange(3))
        seen_at_org[org_index] = nth + 1
        cycle = _SCHOOL_CYCLES[org.kind]
        requested: list[str] = []
        if rng.random() < 0.08:
            tie = org.sister_regions[0].split("-")[0] if org.sister_regions else None
            requested = [tie if tie else _weighted(rng, _ALT_REQUESTED)]
        drafts.append(
            (
                org_index,
                0,
                {
                    "position": Position.ALT,
                    "slots": min(500, 1 + more),
                    "school_level": cycle[nth % len(cycle)],
                    "min_japanese_level": _weighted(rng, _ALT_MIN_JAPANESE),
                    "driving_required": rng.random() < _DRIVING_BY_AREA[org.area_type],
                    "requested_countries": requested,
                    "prefers_experience": rng.random() < 0.2,
                    "status": "cancelled" if rng.random() < 0.01 else "open",
                },
            )
        )

    drafts.sort(key=lambda draft: (draft[0], draft[1]))
    return [
        Opening(external_id=f"OP-{n:05d}", organization=orgs[org].external_id, **fields)
        for n, (org, _, fields) in enumerate(drafts, start=1)
    ]


def _office_opening(position: Position, slots: int, level: JapaneseLevel) -> dict[str, Any]:
    return {
        "position": position,
        "slots": slots,
        "school_level": SchoolLevel.OFFICE,
        "min_japanese_level": level,
    }


# --- the dataset ----------------------------------------------------------------------


def generate_dataset(
    *,
    participants: int,
    organizations: int,
    openings: int,
    seed: int,
    slot_ratio: float = 1.17,
    couple_share: float = COUPLED_SHARE,
) -> Dataset:
    """A valid, realistic dataset of the given size; the same arguments give the same one.

    `couple_share` is the share of participants who apply as a couple (2 % by default;
    the solver benchmarks use 3 %).
    """
    if participants < 0 or organizations < 1 or openings < 0:
        raise ValueError("need participants >= 0, organizations >= 1 and openings >= 0")
    if not 0.0 <= couple_share <= 1.0:
        raise ValueError("need 0 <= couple_share <= 1")
    rng = random.Random(seed)  # noqa: S311 (reproducible fixtures, not secrets)
    orgs = _organizations(rng, organizations)
    people = _participants(rng, participants, couple_share)
    opening_records = _openings(rng, orgs, people, openings, slot_ratio)
    return Dataset(
        format="jet-match/dataset@1",
        organizations=[org.record() for org in orgs],
        openings=opening_records,
        participants=[Participant.model_validate(person) for person in people],
    )


def generate_scale(scale: ScaleName | str, *, seed: int) -> Dataset:
    """The `demo` or `national` dataset for a seed."""
    size = SCALES[ScaleName(scale)]
    return generate_dataset(
        participants=size.participants,
        organizations=size.organizations,
        openings=size.openings,
        seed=seed,
        slot_ratio=size.slot_ratio,
    )
