"""House style for numbers, dates and lists in releases, in English and in Traditional Chinese.

Government releases in Hong Kong write "more than 2 000" (a space between thousands), spell out
small counts ("five online lectures", "more than ten members") and give dates without the year
("November 20 to 29"); the Chinese releases write "超過2 000名", "五場", "十多名" and "11月20日至29日".
"""

from __future__ import annotations

from datetime import date

ONES_EN = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
TENS_EN = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
DIGITS_ZH = "零一二三四五六七八九"
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def grouped(number: int) -> str:
    """2046 → "2 046": a space as the thousands separator, in both languages."""
    return f"{number:,}".replace(",", " ")


def words_en(number: int) -> str:
    """Numbers up to 99 in words; larger ones in figures."""
    if number < 20:
        return ONES_EN[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return TENS_EN[tens] + (f"-{ONES_EN[ones]}" if ones else "")
    return grouped(number)


def words_zh(number: int) -> str:
    if number < 10:
        return DIGITS_ZH[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else DIGITS_ZH[tens]) + "十" + (DIGITS_ZH[ones] if ones else "")
    return grouped(number)


def measure_zh(number: int) -> str:
    """A count before a measure word: 2 → "兩" ("兩場講座"), otherwise as ``words_zh``."""
    return "兩" if number == 2 else words_zh(number)


def approximate_small(number: int) -> tuple[int, bool]:
    """A count of people as releases give it: exact up to ten, else "more than" the tens below it."""
    if number <= 10 or number % 10 == 0:
        return number, False
    return number - number % 10, True


def approximate_large(number: int) -> tuple[int, bool]:
    """Registrant counts: rounded down to the thousand (from 1 000) or the hundred (from 100)."""
    unit = 1000 if number >= 1000 else 100 if number >= 100 else 1
    base = number - number % unit
    return base, base != number


def people_en(number: int) -> str:
    """11 → "more than ten"; 7 → "seven"."""
    base, more = approximate_small(number)
    return f"more than {words_en(base)}" if more else words_en(base)


def people_zh(number: int) -> str:
    """11 → "超過十"; 7 → "七"."""
    base, more = approximate_small(number)
    return f"超過{words_zh(base)}" if more else words_zh(base)


def registrants_en(number: int) -> str:
    """2046 → "more than 2 000"."""
    base, more = approximate_large(number)
    return f"more than {grouped(base)}" if more else grouped(base)


def registrants_zh(number: int) -> str:
    """2046 → "超過2 000"."""
    base, more = approximate_large(number)
    return f"超過{grouped(base)}" if more else grouped(base)


def date_en(day: date) -> str:
    return f"{MONTHS_EN[day.month - 1]} {day.day}"


def date_zh(day: date) -> str:
    return f"{day.month}月{day.day}日"


def date_range_en(first: date, last: date) -> str:
    """ "November 20 to 29"; "November 20 to December 3"; a single day on its own."""
    if first == last:
        return date_en(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{date_en(first)} to {last.day}"
    return f"{date_en(first)} to {date_en(last)}"


def date_range_zh(first: date, last: date) -> str:
    if first == last:
        return date_zh(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{date_zh(first)}至{last.day}日"
    return f"{date_zh(first)}至{date_zh(last)}"


def join_en(items: list[str]) -> str:
    """ "A, B and C" (no serial comma, as government releases write)."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def join_zh(items: list[str]) -> str:
    """ "甲、乙及丙"."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "及" + items[-1]


def lower_first(text: str) -> str:
    """ "Training workshops on …" → "training workshops on …", but "CPC …" stays."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
