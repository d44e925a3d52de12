"""QR codes for certificates, encoded fast: the same symbols segno makes (error level M, mask 2), bit for bit.

A certificate's code carries its signed statement, so it is a version 10 or so instead of 4, and segno's
pure-Python encoder spends its time on the parts that are the same for every code of a version (function
patterns, the walk that places each bit, a mask function called per module) and on a per-bit Reed-Solomon
division. Here the per-version parts are computed once (``_Layout``): each row's fixed modules, and for each
row the indexes of the message bits that land in it; a code is then its message bits gathered row by row
(a C-level ``join``), XOR the row's mask. Reed-Solomon remainders use a 256-entry table per generator,
held as integers. ``tests/certificates/test_qr.py`` compares the symbols with segno's.

Only what certificates need: byte and numeric segments, error level M, mask pattern 2.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter

from segno import consts, encoder

ERROR = consts.ERROR_LEVEL_M
MASK = 2
MODE_BITS = {"byte": 0b0100, "numeric": 0b0001}


def _count_bits(mode: str, version: int) -> int:
    if mode == "numeric":
        return 10 if version < 10 else 12 if version < 27 else 14
    return 8 if version < 10 else 16


def _bits(data: bytes) -> str:
    return bin(int.from_bytes(data, "big") | 1 << 8 * len(data))[3:]


def _segment_bits(mode: str, data: bytes) -> tuple[str, int]:
    """The segment's payload bits (without mode and count) and its character count."""
    if mode == "numeric":
        text = data.decode("ascii")
        whole = len(text) - len(text) % 3
        parts = [format(int(text[start : start + 3]), "010b") for start in range(0, whole, 3)]
        if whole < len(text):
            parts.append(format(int(text[whole:]), "04b" if len(text) - whole == 1 else "07b"))
        return "".join(parts), len(text)
    return _bits(data), len(data)


def segments_of(content: str | list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """``content`` as (mode, bytes) segments: text as one byte segment (UTF-8), or given segments."""
    if isinstance(content, str):
        return [("byte", content.encode("utf-8"))]
    return [(mode, text.encode("utf-8")) for text, mode in content]


def _version_and_bits(segments: list[tuple[str, bytes]]) -> tuple[int, str]:
    bodies = [(mode, *_segment_bits(mode, data)) for mode, data in segments]
    for version in range(1, 41):
        widths = [_count_bits(mode, version) for mode, _body, _count in bodies]
        length = sum(
            4 + width + len(body) for (_mode, body, _count), width in zip(bodies, widths, strict=True)
        )
        fits = all(count < 1 << width for (_mode, _body, count), width in zip(bodies, widths, strict=True))
        if fits and length <= consts.SYMBOL_CAPACITY[version][ERROR]:
            return version, "".join(
                format(MODE_BITS[mode], "04b") + format(count, f"0{width}b") + body
                for (mode, body, count), width in zip(bodies, widths, strict=True)
            )
    raise ValueError("Data too large for a QR code.")


@lru_cache(maxsize=64)
def _remainder_table(ec_length: int) -> tuple[int, ...]:
    """For each leading byte, the generator times it, as an ``ec_length``-byte integer."""
    generator = consts.GEN_POLY[ec_length]
    log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    table = [0]
    for value in range(1, 256):
        product = 0
        for coefficient in generator:
            product = (product << 8) | exp[log[value] + coefficient]
        table.append(product)
    return tuple(table)


def _error_block(block: bytes, ec_length: int) -> bytes:
    table = _remainder_table(ec_length)
    shift, mask = 8 * (ec_length - 1), (1 << (8 * ec_length)) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & mask) ^ table[(remainder >> shift) ^ byte]
    return remainder.to_bytes(ec_length, "big")


def _message(version: int, bits: str) -> str:
    """The final message bits: data codewords with padding, blocks interleaved, then their EC codewords."""
    capacity = consts.SYMBOL_CAPACITY[version][ERROR]
    bits += "0" * min(4, capacity - len(bits))
    # Zero bits up to the codeword boundary, a whole zero codeword when already on one (as segno writes it:
    # decoders stop at the terminator, and the symbols stay segno's bit for bit); never past the capacity.
    bits += "0" * (8 - len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")[: capacity // 8]
    pads = capacity // 8 - len(data)
    data += (b"\xec\x11" * (pads // 2 + 1))[:pads]
    blocks, errors, at = [], [], 0
    for info in consts.ECC[version][ERROR]:
        for _block in range(info.num_blocks):
            block = data[at : at + info.num_data]
            at += info.num_data
            blocks.append(block)
            errors.append(_error_block(block, info.num_total - info.num_data))
    return _bits(_interleaved(blocks) + _interleaved(errors))


def _interleaved(blocks: list[bytes]) -> bytes:
    """The first byte of each block, then the second of each, …; later blocks may be one byte longer."""
    count, shortest = len(blocks), min(len(block) for block in blocks)
    out = bytearray(count * shortest)
    for index, block in enumerate(blocks):
        out[index::count] = block[:shortest]
    out.extend(block[shortest] for block in blocks if len(block) > shortest)
    return bytes(out)


class _Layout:
    """What every code of one version shares: fixed modules, where each message bit goes, the mask."""

    def __init__(self, version: int):
        size = encoder.calc_matrix_size(version)
        matrix = encoder.make_matrix(size, size)
        encoder.add_finder_patterns(matrix, size, size)
        encoder.add_alignment_patterns(matrix, size, size)
        # The walk that places message bits (segno's add_codewords, recording positions instead).
        order = []
        for right in range(size - 1, 0, -2):
            if right <= 6:
                right -= 1
            for vertical in range(size):
                for z in range(2):
                    column = right - z
                    upwards = (right & 2) == 0
                    upwards ^= column < 6
                    row = (size - 1 - vertical) if upwards else vertical
                    if matrix[row][column] == 0x2:
                        order.append((row, column))
        self.size, self.capacity = size, len(order)
        fixed = [bytearray(row) for row in matrix]
        for row, column in order:
            fixed[row][column] = 0
        encoder.add_format_info(fixed, version, ERROR, MASK)
        encoder.add_version_info(fixed, version)
        mask = encoder.get_data_mask_functions(False)[MASK]
        # Which message bit each module takes, row by row; modules that are not data take the extra "0" at
        # the end of the bits (index capacity). One C-level gather makes the whole symbol's data bits.
        gather = [len(order)] * (size * size)
        for index, (row, column) in enumerate(order):
            gather[row * size + column] = index
        self.gather = itemgetter(*gather)
        self.fixed = int("".join(str(value) for row in fixed for value in row), 2)
        self.mask = int(
            "".join(
                str(mask(position // size, position % size) & 1) if index < len(order) else "0"
                for position, index in enumerate(gather)
            ),
            2,
        )


@lru_cache(maxsize=8)
def _layout(version: int) -> _Layout:
    return _Layout(version)


def rows(content: str | list[tuple[str, str]]) -> list[str]:
    """The code's rows as strings of "0" and "1" (dark), without the quiet zone."""
    version, bits = _version_and_bits(segments_of(content))
    layout = _layout(version)
    message = _message(version, bits)
    message += "0" * (layout.capacity - len(message)) + "0"  # the remainder bits, then the extra "0"
    size = layout.size
    symbol = format(
        (int("".join(layout.gather(message)), 2) ^ layout.mask) | layout.fixed, f"0{size * size}b"
    )
    return [symbol[start : start + size] for start in range(0, size * size, size)]


def version_of(content: str | list[tuple[str, str]]) -> int:
    return _version_and_bits(segments_of(content))[0]
