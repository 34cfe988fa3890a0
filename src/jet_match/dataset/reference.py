"""Reference data the dataset format relies on: prefectures, regions and country codes.

Prefectures are JIS X 0401 codes 1-47; regions are the eight of DESIGN.md section 2.
Country codes are ISO 3166-1 alpha-2 and, for home and sister regions, ISO 3166-2
subdivisions; both are checked against pycountry's tables rather than a copied list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pycountry


class Region(StrEnum):
    """The eight regions DESIGN.md groups prefectures into (for the `same_region` term)."""

    HOKKAIDO = "Hokkaido"
    TOHOKU = "Tohoku"
    KANTO = "Kanto"
    CHUBU = "Chubu"
    KINKI = "Kinki"
    CHUGOKU = "Chugoku"
    SHIKOKU = "Shikoku"
    KYUSHU_OKINAWA = "Kyushu-Okinawa"


@dataclass(frozen=True, slots=True)
class Prefecture:
    """One of Japan's 47 prefectures."""

    code: int
    romaji: str
    kanji: str
    region: Region


_R = Region
PREFECTURES: tuple[Prefecture, ...] = (
    Prefecture(1, "Hokkaido", "北海道", _R.HOKKAIDO),
    Prefecture(2, "Aomori", "青森県", _R.TOHOKU),
    Prefecture(3, "Iwate", "岩手県", _R.TOHOKU),
    Prefecture(4, "Miyagi", "宮城県", _R.TOHOKU),
    Prefecture(5, "Akita", "秋田県", _R.TOHOKU),
    Prefecture(6, "Yamagata", "山形県", _R.TOHOKU),
    Prefecture(7, "Fukushima", "福島県", _R.TOHOKU),
    Prefecture(8, "Ibaraki", "茨城県", _R.KANTO),
    Prefecture(9, "Tochigi", "栃木県", _R.KANTO),
    Prefecture(10, "Gunma", "群馬県", _R.KANTO),
    Prefecture(11, "Saitama", "埼玉県", _R.KANTO),
    Prefecture(12, "Chiba", "千葉県", _R.KANTO),
    Prefecture(13, "Tokyo", "東京都", _R.KANTO),
    Prefecture(14, "Kanagawa", "神奈川県", _R.KANTO),
    Prefecture(15, "Niigata", "新潟県", _R.CHUBU),
    Prefecture(16, "Toyama", "富山県", _R.CHUBU),
    Prefecture(17, "Ishikawa", "石川県", _R.CHUBU),
    Prefecture(18, "Fukui", "福井県", _R.CHUBU),
    Prefecture(19, "Yamanashi", "山梨県", _R.CHUBU),
    Prefecture(20, "Nagano", "長野県", _R.CHUBU),
    Prefecture(21, "Gifu", "岐阜県", _R.CHUBU),
    Prefecture(22, "Shizuoka", "静岡県", _R.CHUBU),
    Prefecture(23, "Aichi", "愛知県", _R.CHUBU),
    Prefecture(24, "Mie", "三重県", _R.KINKI),
    Prefecture(25, "Shiga", "滋賀県", _R.KINKI),
    Prefecture(26, "Kyoto", "京都府", _R.KINKI),
    Prefecture(27, "Osaka", "大阪府", _R.KINKI),
    Prefecture(28, "Hyogo", "兵庫県", _R.KINKI),
    Prefecture(29, "Nara", "奈良県", _R.KINKI),
    Prefecture(30, "Wakayama", "和歌山県", _R.KINKI),
    Prefecture(31, "Tottori", "鳥取県", _R.CHUGOKU),
    Prefecture(32, "Shimane", "島根県", _R.CHUGOKU),
    Prefecture(33, "Okayama", "岡山県", _R.CHUGOKU),
    Prefecture(34, "Hiroshima", "広島県", _R.CHUGOKU),
    Prefecture(35, "Yamaguchi", "山口県", _R.CHUGOKU),
    Prefecture(36, "Tokushima", "徳島県", _R.SHIKOKU),
    Prefecture(37, "Kagawa", "香川県", _R.SHIKOKU),
    Prefecture(38, "Ehime", "愛媛県", _R.SHIKOKU),
    Prefecture(39, "Kochi", "高知県", _R.SHIKOKU),
    Prefecture(40, "Fukuoka", "福岡県", _R.KYUSHU_OKINAWA),
    Prefecture(41, "Saga", "佐賀県", _R.KYUSHU_OKINAWA),
    Prefecture(42, "Nagasaki", "長崎県", _R.KYUSHU_OKINAWA),
    Prefecture(43, "Kumamoto", "熊本県", _R.KYUSHU_OKINAWA),
    Prefecture(44, "Oita", "大分県", _R.KYUSHU_OKINAWA),
    Prefecture(45, "Miyazaki", "宮崎県", _R.KYUSHU_OKINAWA),
    Prefecture(46, "Kagoshima", "鹿児島県", _R.KYUSHU_OKINAWA),
    Prefecture(47, "Okinawa", "沖縄県", _R.KYUSHU_OKINAWA),
)

PREFECTURE_BY_CODE: dict[int, Prefecture] = {p.code: p for p in PREFECTURES}
REGIONS: tuple[Region, ...] = tuple(Region)
#: Region index (0-7, in the order of `Region`) per prefecture code; index 0 is unused.
REGION_INDEX_BY_PREFECTURE: tuple[int, ...] = (-1, *(REGIONS.index(p.region) for p in PREFECTURES))


def prefecture(code: int) -> Prefecture:
    """The prefecture with JIS code `code` (KeyError if it is not 1-47)."""
    return PREFECTURE_BY_CODE[code]


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def subdivision_codes() -> frozenset[str]:
    """Every ISO 3166-2 subdivision code (e.g. `US-WA`)."""
    return frozenset(s.code for s in pycountry.subdivisions)


def is_country_code(code: str) -> bool:
    """True if `code` is an assigned ISO 3166-1 alpha-2 code."""
    return code in country_codes()


def is_region_code(code: str) -> bool:
    """True if `code` is a country (ISO 3166-1) or a subdivision of one (ISO 3166-2)."""
    return code in country_codes() or code in subdivision_codes()


def country_of_region(code: str) -> str:
    """The country part of a region code: `US-WA` -> `US`, `IE` -> `IE`."""
    return code.split("-", 1)[0]
