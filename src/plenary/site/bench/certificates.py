"""`plenary bench certificates [--n 2000] [--processes 2] [--compare]`: how fast certificates are generated.

Renders ``n`` bilingual A4 certificates (names, programme, organisers, four signatories, QR code)
with the same code the issuing job uses, in a pool of processes, and writes them to a temporary
folder. Each process parses the font once, as a batch does.

``--compare`` renders in this one process, in interleaved rounds, the certificate as it was before signed
statements (the bare verify link, segno's encoder), with the version-1 statement (segno's encoder, as issue
20's first slice drew it) and as now (the version-2 statement, ``certificates/qr.py``), and prints the CPU
time per certificate of each: the same run, so the figures compare even on a busy machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import tempfile
import time

from plenary.certificates import pdf, qr, signing

LAYOUT = pdf.Layout(
    programme_en="Training workshops on the spirit of the 20th National Congress of the Communist Party of "
    "China (CPC) for the local social welfare sector",
    programme_zh="社會福利界學習中國共產黨第二十次全國代表大會精神培訓工作坊",
    dates_en="20 November – 3 December 2022",
    dates_zh="2022年11月20日至12月3日",
    heading_zh="出席證書",
    intro_en="This is to certify that",
    intro_zh="茲證明",
    statement_en="attended {sessions_attended} of {sessions_total} sessions of the programme, held {dates}, "
    "and is awarded {hours} CPD hours ({category}).",
    statement_zh="出席以上課程 {sessions_total} 節中的 {sessions_attended} 節（{dates_zh}），獲發持續專業發展時數 {hours} 小時（{category}）。",
    category="Structured",
    organisers=[
        ("Labour and Welfare Bureau", "勞工及福利局"),
        ("Social Welfare Department", "社會福利署"),
        ("Hong Kong Social Welfare Sector Joint Action Against COVID-19", "香港社福界抗疫聯合行動"),
    ],
    signatories=[
        pdf.Signature("Chris Sun", "孫玉菡", "Secretary for Labour and Welfare", "勞工及福利局局長"),
        pdf.Signature("Charmaine Lee", "李佩詩", "Director of Social Welfare", "社會福利署署長"),
        pdf.Signature("Sample Signatory", "示例簽署人", "Convenor", "召集人"),
        pdf.Signature("Another Signatory", "另一簽署人", "Chairperson", "主席"),
    ],
)
SURNAMES = [("Chan", "陳"), ("Wong", "黃"), ("Lee", "李"), ("Cheung", "張"), ("Lau", "劉"), ("Ho", "何")]
GIVEN = [
    ("Ka Yan", "嘉欣"),
    ("Wai Man", "偉文"),
    ("Siu Ling", "小玲"),
    ("Chi Keung", "志強"),
    ("Hoi Yan", "凱欣"),
]


def _render_range(arguments: tuple[int, int, str]) -> int:
    start, stop, folder = arguments
    for index in range(start, stop):
        _render_one(index, folder)
    return stop - start


def _render_one(index: int, folder: str, version: int | None = signing.VERSION) -> None:
    """One certificate as the issuing job makes it; ``version`` None: no statement (before issue 20)."""
    rng = random.Random(index)
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    holder = pdf.Holder(
        serial=f"PLN-2022-{index:04d}-BNCH",
        name_en=f"{surname[0]} {given[0]}",
        name_zh=f"{surname[1]}{given[1]}",
        hours="10.5",
        sessions_attended=5,
        sessions_total=6,
        session_titles=[f"Lecture {number}" for number in range(1, 6)],
        issued_on="3 December 2022",
    )
    # Signed as the issuing job signs (services.signed_statement): the QR code carries the statement.
    if version is not None:
        holder.statement = signing.statement(
            serial=holder.serial,
            name_en=holder.name_en,
            name_zh=holder.name_zh,
            programme=LAYOUT.programme_en,
            hours=holder.hours,
            issued="2022-12-03",
            version=version,
        )
    with open(os.path.join(folder, f"{holder.serial}.pdf"), "wb") as handle:
        handle.write(pdf.render(LAYOUT, holder))


def _segno_rows(content) -> list[str]:
    """The QR code as segno drew it before ``certificates/qr.py`` (level M, mask 2, one segment)."""
    import segno

    code = segno.make(content, error="m", micro=False, mask=2)
    return [bytes(row).translate(DIGITS).decode("ascii") for row in code.matrix]


DIGITS = bytes.maketrans(b"\x00\x01", b"01")


VARIANTS = {
    # name: (statement version or None, the rows function)
    "before signing (link only, segno)": (None, _segno_rows),
    "statement v1 (segno)": (1, _segno_rows),
    "statement v2 (certificates/qr.py), now": (2, qr.rows),
    "link only (certificates/qr.py)": (None, qr.rows),
}


def compare(count: int, rounds: int = 5) -> dict[str, float]:
    """CPU milliseconds per certificate of each variant, rendered in this process in interleaved rounds."""
    spent = dict.fromkeys(VARIANTS, 0.0)
    original = qr.rows
    with tempfile.TemporaryDirectory(prefix="plenary-bench-") as folder:
        _render_one(0, folder)  # the font parsed, the key read, the layouts made
        for variant in VARIANTS.values():
            qr.rows = variant[1]
            try:
                _render_one(0, folder, variant[0])
            finally:
                qr.rows = original
        per_round = max(1, count // rounds)
        for round_number in range(rounds):
            for name, (version, rows) in VARIANTS.items():
                qr.rows = rows
                try:
                    began = time.process_time()
                    for index in range(round_number * per_round, (round_number + 1) * per_round):
                        _render_one(index, folder, version)
                    spent[name] += time.process_time() - began
                finally:
                    qr.rows = original
    return {name: 1000 * seconds / (per_round * rounds) for name, seconds in spent.items()}


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench certificates")
    parser.add_argument("--n", type=int, default=2000, help="How many certificates (default 2000).")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--compare",
        action="store_true",
        help="CPU time per certificate before signing, with the version-1 statement and now, in one process.",
    )
    options = parser.parse_args(argv)
    if options.compare:
        figures = compare(max(1, options.n))
        base = figures["before signing (link only, segno)"]
        for name, milliseconds in figures.items():
            print(
                f"{name}: {milliseconds:.2f} ms CPU per certificate ({100 * (milliseconds / base - 1):+.0f} %)"
            )
        return
    count, processes = max(1, options.n), max(1, options.processes)
    with tempfile.TemporaryDirectory(prefix="plenary-bench-") as folder:
        chunk = -(-count // (processes * 4))
        ranges = [(start, min(start + chunk, count), folder) for start in range(0, count, chunk)]
        began = time.perf_counter()
        if processes == 1:
            made = sum(_render_range(item) for item in ranges)
        else:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                made = sum(pool.map(_render_range, ranges))
        elapsed = time.perf_counter() - began
        size = sum(entry.stat().st_size for entry in os.scandir(folder))
    print(
        f"certificates: {made} PDFs in {elapsed:.1f} s with {processes} process(es): "
        f"{made / elapsed:.0f} per second, {size / made / 1024:.0f} KiB each "
        f"(target: 2000 in under 60 s)"
    )
