"""The i8042 controller a guest's keyboard and mouse drivers read, and the keyboard's keys.

Keyboard: status (0x64, bit 0 = output buffer full), then data (0x60), for every byte
the keyboard sends (a shifted character is three bytes: shift make, the key's make,
shift break). Mouse, on the auxiliary port: status (0x64, bits 0 and 5), then the three
bytes of a PS/2 movement packet from 0x60.
"""

from __future__ import annotations

from ..registers import Access, Controller

I8042_KEYBOARD = Controller(
    "keyboard (i8042)",
    "status 0x64, data 0x60 for each scan-code byte, read once, when the key is delivered: "
    "2 traps for `a`, 6 for `A` (shift make, the key, shift break)",
)
I8042_MOUSE = Controller("mouse (i8042 aux)", "status 0x64, three packet bytes from 0x60: 4 traps")

# PS/2 set-1 make codes of the unshifted keys; a key's break code is its make
# code with bit 7 set (0x80 | make).
_SCANCODES = {c: code for code, c in enumerate("1234567890-=", start=0x02)}
_SCANCODES |= {c: code for code, c in enumerate("qwertyuiop[]", start=0x10)}
_SCANCODES |= {c: code for code, c in enumerate("asdfghjkl;'`", start=0x1E)}
_SCANCODES |= {c: code for code, c in enumerate("zxcvbnm,./", start=0x2C)}
_SCANCODES |= {"\\": 0x2B, "enter": 0x1C, "space": 0x39, " ": 0x39, "esc": 0x01, "tab": 0x0F}
# A character typed with shift is the unshifted key's code between the left
# shift's make (0x2A) and break (0xAA): '!' is shift + '1' (0x2A 0x02 0xAA).
_SHIFTED = dict(zip('!@#$%^&*()_+{}:"~<>?|', "1234567890-=[];'`,./\\", strict=True))
_SHIFTED |= {c.upper(): c for c in "abcdefghijklmnopqrstuvwxyz"}
LEFT_SHIFT_MAKE = 0x2A
LEFT_SHIFT_BREAK = 0xAA
NAMED_KEYS = ("enter", "space", "esc", "tab")


def scancodes(key: str) -> list[int] | None:
    """The set-1 bytes the keyboard sends for ``key``; None for a key it does not have."""
    if key in _SCANCODES or key.lower() in NAMED_KEYS:
        return [_SCANCODES[key.lower()]]
    base = _SHIFTED.get(key)
    if base is None:
        return None
    return [LEFT_SHIFT_MAKE, _SCANCODES[base], LEFT_SHIFT_BREAK]


def unshifted(key: str) -> str | None:
    """The key pressed with shift to type ``key`` ('1' for '!'); None if it needs no shift."""
    return _SHIFTED.get(key)


def scancode_text(codes: list[int]) -> str:
    return " ".join(f"0x{code:02X}" for code in codes)


def i8042_key(codes: list[int]) -> list[Access]:
    """Two reads per byte the keyboard sent: status (0x64), then the byte (0x60)."""
    accesses = []
    for code in codes:
        accesses.append(Access("in", 0x64, 0x01, "status: output buffer full"))
        accesses.append(Access("in", 0x60, code, f"data: scan code, {_scancode_name(code)}"))
    return accesses


def _scancode_name(code: int) -> str:
    if code == LEFT_SHIFT_MAKE:
        return "left shift make"
    if code == LEFT_SHIFT_BREAK:
        return "left shift break"
    return "make" if code < 0x80 else "break"


def i8042_mouse(dx: int, dy: int) -> list[Access]:
    flags = 0x08 | (0x10 if dx < 0 else 0) | (0x20 if dy < 0 else 0)
    return [
        Access("in", 0x64, 0x21, "status: aux output buffer full"),
        Access("in", 0x60, flags, "data: packet byte 1, sign bits"),
        Access("in", 0x60, dx & 0xFF, "data: packet byte 2, dx"),
        Access("in", 0x60, dy & 0xFF, "data: packet byte 3, dy"),
    ]
