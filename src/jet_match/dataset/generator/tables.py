"""The data the generator draws from: the published shape of a JET year, name pools, home
regions, sister ties and the weights of each drawn field (docs/fixtures.md gives the
sources and which figures are approximations).

Plain constants only; the package's other modules hold the drawing. Changing a value here changes
the datasets every seed gives (fixtures/demo.json is checked against the generator).
"""

from __future__ import annotations

from jet_match.dataset.format import (
    AreaPreference,
    AreaType,
    JapaneseLevel,
    OrganizationKind,
    Position,
    SchoolLevel,
    SchoolLevelPreference,
)

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
DEFAULT_POPULARITY = 0.55

#: Prefectures whose own organization works in a city-like setting.
URBAN_PREFECTURES = frozenset({11, 12, 13, 14, 23, 27})
SEMI_URBAN_PREFECTURES = frozenset({1, 4, 22, 26, 28, 34, 40})

#: Chance that an opening requires driving, by the organization's area type.
DRIVING_BY_AREA = {
    AreaType.URBAN: 0.0,
    AreaType.SEMI_URBAN: 0.05,
    AreaType.RURAL: 0.45,
    AreaType.REMOTE: 0.65,
}
#: Chance that an organization has specialist medical care within reach.
MEDICAL_BY_AREA = {
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
SISTER_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 50), ("AU", 12), ("CA", 10), ("NZ", 8), ("GB", 5), ("CN", 6), ("KR", 5),
    ("BR", 2), ("FR", 2), ("DE", 2),
)  # fmt: skip


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
NAME_MIX: dict[str, tuple[tuple[str, float], ...]] = {
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
POOL_BY_COUNTRY: dict[str, str] = {
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
SINGLE_NAME_COUNTRIES = frozenset({"ID", "MN"})

PRIVATE_SCHOOL_WORDS = (
    "Seiryo", "Meiho", "Kyoei", "Shoin", "Aoba", "Hikari", "Midori", "Sakuragaoka",
    "Seiwa", "Kotoku", "Hakuyo", "Shinwa", "Keiyo", "Ryokuyo", "Yushin", "Kaiyo",
)  # fmt: skip
PRIVATE_SCHOOL_KINDS = ("Gakuen High School", "Gakuin Junior and Senior High School")

JAPANESE_BY_POSITION: dict[Position, tuple[tuple[JapaneseLevel, float], ...]] = {
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
AREA_PREFERENCES: tuple[tuple[AreaPreference, float], ...] = (
    (AreaPreference.URBAN, 32), (AreaPreference.SEMI_URBAN, 20), (AreaPreference.RURAL, 13),
    (AreaPreference.ANY, 35),
)  # fmt: skip
ALT_SCHOOL_PREFERENCES: tuple[tuple[SchoolLevelPreference, float], ...] = (
    (SchoolLevelPreference.ELEMENTARY, 22), (SchoolLevelPreference.JUNIOR_HIGH, 24),
    (SchoolLevelPreference.SENIOR_HIGH, 28), (SchoolLevelPreference.ANY, 26),
)  # fmt: skip
EXPERIENCE_YEARS: tuple[tuple[int, float], ...] = (
    (0, 50), (1, 15), (2, 12), (3, 8), (4, 5), (5, 4), (7, 3), (10, 2), (15, 1),
)  # fmt: skip
PREFERENCE_COUNTS: tuple[tuple[int, float], ...] = ((3, 80), (2, 7), (1, 5), (0, 8))
DRIVING_COUNTRIES = frozenset({"US", "CA", "AU", "NZ"})

SCHOOL_CYCLES: dict[OrganizationKind, tuple[SchoolLevel, ...]] = {
    OrganizationKind.PREFECTURE: (SchoolLevel.SENIOR_HIGH, SchoolLevel.MIXED),
    OrganizationKind.DESIGNATED_CITY: (
        SchoolLevel.JUNIOR_HIGH, SchoolLevel.ELEMENTARY, SchoolLevel.MIXED,
    ),
    OrganizationKind.MUNICIPALITY: (
        SchoolLevel.JUNIOR_HIGH, SchoolLevel.ELEMENTARY, SchoolLevel.MIXED,
    ),
    OrganizationKind.PRIVATE_SCHOOL: (SchoolLevel.SENIOR_HIGH, SchoolLevel.JUNIOR_HIGH),
}  # fmt: skip
ALT_MIN_JAPANESE: tuple[tuple[JapaneseLevel, float], ...] = (
    (JapaneseLevel.NONE, 92), (JapaneseLevel.N5, 3), (JapaneseLevel.N4, 3),
    (JapaneseLevel.N3, 2),
)  # fmt: skip
ALT_REQUESTED: tuple[tuple[str, float], ...] = (
    ("US", 40), ("GB", 15), ("CA", 12), ("AU", 12), ("NZ", 8), ("IE", 6), ("JM", 4), ("ZA", 3),
)  # fmt: skip
