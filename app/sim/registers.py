"""What a guest driver does to real controller registers, access by access.

At the I/O-operation level every access below is a privileged instruction that
traps to the VMM (a VM exit); the VMM must rebuild the request's meaning from
them. The sequences follow the real controllers QEMU emulates:

- disk: ATA/IDE, LBA28 PIO on the primary channel. Issue: drive/head (0x1F6),
  sector count (0x1F2), LBA low/mid/high (0x1F3-0x1F5), command (0x1F7: 0x30
  WRITE SECTORS, 0x20 READ SECTORS). A write polls status (0x1F7) for DRQ and
  moves each sector through the data port (0x1F0) with one ``rep outsw`` (string
  I/O: one trap per 256-word sector). Completion: the interrupt is acknowledged
  by a status read (0x1F7); a read then moves each sector in with ``rep insw``;
  on an error the driver reads the error register (0x1F1).
- keyboard: i8042: status (0x64, bit 0 = output buffer full), then data (0x60),
  for every byte the keyboard sends (a shifted character is three bytes: shift
  make, the key's make, shift break).
- mouse: i8042 auxiliary port: status (0x64, bits 0 and 5), then the three
  bytes of a PS/2 movement packet from 0x60.
- nic / vswitch port: Intel e1000 over MMIO: the transmit descriptor tail
  (TDT, 0x3818) per frame; on the interrupt the cause register (ICR, 0x00C0)
  is read, and the mask set again (IMS, 0x00D0); receive also hands the
  descriptor back (RDT, 0x2818).
- printer: parallel port LPT1: per byte, write data (0x378), read status
  (0x379), raise and lower strobe (0x37A): four traps per byte, so thousands per
  page. One access record below stands for the same access repeated for every
  byte of a page (``traps`` says how many exits it costs).
"""

from __future__ import annotations

from dataclasses import dataclass

from .costs import PRINTER_BYTES_PER_PAGE

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


@dataclass(frozen=True, slots=True)
class Access:
    """One register access: ``access`` is in/out (port I/O) or read/write (MMIO)."""

    access: str
    port: int
    value: int
    register: str
    traps: int = 1

    def describe(self) -> str:
        arrow = "←" if self.access in {"out", "write"} else "→"
        times = f" × {self.traps}" if self.traps > 1 else ""
        return f"{self.access} 0x{self.port:X} {arrow} 0x{self.value:02X} ({self.register}){times}"


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


def ata_command(write: bool, lba: int, count: int) -> list[Access]:
    """The task-file writes ending in the command: the controller knows the whole
    request (and can refuse it) once 0x1F7 is written."""
    return [
        Access("out", 0x1F6, 0xE0 | (lba >> 24 & 0x0F), "drive/head, LBA bits 24-27"),
        Access("out", 0x1F2, count & 0xFF, "sector count"),
        Access("out", 0x1F3, lba & 0xFF, "LBA low"),
        Access("out", 0x1F4, lba >> 8 & 0xFF, "LBA mid"),
        Access("out", 0x1F5, lba >> 16 & 0xFF, "LBA high"),
        Access("out", 0x1F7, 0x30 if write else 0x20, "command: " + _ata_command(write)),
    ]


def ata_data_out(count: int) -> list[Access]:
    """A write's data phase, only after the command was accepted: poll DRQ, then
    one ``rep outsw`` per sector."""
    return [
        Access("in", 0x1F7, 0x58, "status: DRQ, ready for data"),
        *[Access("out", 0x1F0, 256, "data: rep outsw, 256 words")] * count,
    ]


def ata_complete(write: bool, count: int, ok: bool) -> list[Access]:
    if not ok:
        return [
            Access("in", 0x1F7, 0x51, "status: ERR"),
            Access("in", 0x1F1, 0x10, "error: IDNF, sector ID not found"),
        ]
    accesses = [Access("in", 0x1F7, 0x50, "status: ready, interrupt acknowledged")]
    if not write:
        accesses += [Access("in", 0x1F0, 256, "data: rep insw, 256 words")] * count
    return accesses


def _ata_command(write: bool) -> str:
    return "WRITE SECTORS" if write else "READ SECTORS"


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


def e1000_transmit(frames: int) -> list[Access]:
    return [Access("write", 0x3818, tail, "TDT: transmit tail") for tail in range(1, frames + 1)]


E1000_TX_DONE = (
    Access("read", 0x00C0, 0x01, "ICR: transmit done"),
    Access("write", 0x00D0, 0x9D, "IMS: unmask interrupts"),
)
E1000_RX_DONE = (
    Access("read", 0x00C0, 0x80, "ICR: receive timer"),
    Access("write", 0x2818, 1, "RDT: receive tail, descriptor returned"),
    Access("write", 0x00D0, 0x9D, "IMS: unmask interrupts"),
)
LPT_JOB_DONE = (Access("in", 0x379, 0xD0, "status: not busy, job acknowledged"),)


def lpt_page() -> list[Access]:
    n = PRINTER_BYTES_PER_PAGE
    return [
        Access("out", 0x378, 0x41, "data: one byte of the page", n),
        Access("in", 0x379, 0x90, "status: not busy", n),
        Access("out", 0x37A, 0x0D, "control: strobe high", n),
        Access("out", 0x37A, 0x0C, "control: strobe low", n),
    ]
