"""A virtual disk that is a file on the host: the image format's arithmetic and
the host file system's extent list.

- ``raw``: file block = virtual block (byte offset = virtual block × 512).
- ``qcow2`` (in the manner of QEMU's format): the file is cut into clusters of
  ``cluster_blocks`` blocks. Cluster 0 holds the header, the next cluster(s)
  the L1 table; every other cluster is allocated on demand at the end of the
  file. A virtual block's cluster is found through two tables: L1[i] gives the
  file cluster of an L2 table, L2[j] the file cluster of the data. Each entry
  is 8 bytes, so one L2 table (one cluster) has cluster bytes ÷ 8 entries. A
  cluster never written has no L2 entry and reads as zeros without touching
  the disk; the first write to it allocates it (and its L2 table, if that is
  new too) at the end of the file and writes the tables, in the order QEMU
  keeps them consistent on a crash: new L2 table, then the L1 entry; data,
  then the L2 entry. Refcount tables, which real qcow2 also updates, are left
  out.
- The host file system then maps a file block to a disk block through the
  image's extents (runs of the file laid on the disk, in file order).

Pure state and arithmetic: the device process in ``devices/image.py`` turns the
accesses planned here into hops and disk time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import Resource
from .scenario import BLOCK_BYTES, Extent, Image

TABLE_ENTRY_BYTES = 8  # qcow2 L1 and L2 entries are 64-bit file offsets
HEADER_CLUSTERS = 1


@dataclass(frozen=True, slots=True)
class FileAccess:
    """One read or write the image layer makes to its own file."""

    purpose: str  # "data", "L2 table", "L1 entry" or "L2 entry"
    file_block: int
    count: int
    write: bool


@dataclass(frozen=True, slots=True)
class Piece:
    """The part of a request that falls in one cluster (all of it for raw).

    ``accesses`` is empty for a read of a cluster never written: it reads as
    zeros and the disk is not touched.
    """

    virtual_block: int
    count: int
    accesses: tuple[FileAccess, ...]
    summary: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of file blocks that lies in one extent, hence on consecutive disk blocks."""

    extent: int
    file_block: int
    physical_block: int
    count: int
    extent_file_block: int  # the first file block the extent holds
    extent_start: int  # the disk block that file block lies on


def l2_entries(image: Image) -> int:
    return image.cluster_blocks * BLOCK_BYTES // TABLE_ENTRY_BYTES


def l1_clusters(image: Image) -> int:
    clusters = -(-image.blocks // image.cluster_blocks)
    tables = -(-clusters // l2_entries(image))
    return -(-tables * TABLE_ENTRY_BYTES // (image.cluster_blocks * BLOCK_BYTES))


def largest_file_blocks(image: Image) -> int:
    """How long the file can grow: raw is always whole; qcow2 once every cluster is written."""
    if image.format == "raw":
        return image.blocks
    clusters = -(-image.blocks // image.cluster_blocks)
    tables = -(-clusters // l2_entries(image))
    return (HEADER_CLUSTERS + l1_clusters(image) + tables + clusters) * image.cluster_blocks


@dataclass(slots=True)
class ImageFile:
    """One image's tables as the VMM holds them (QEMU caches them in memory) and
    the file's length in clusters; ``pieces`` of a write change them."""

    image: Image
    l1: dict[int, int] = field(default_factory=dict)  # L1 index → file cluster of its L2 table
    l2: dict[int, int] = field(default_factory=dict)  # virtual cluster → file cluster of its data
    clusters: int = 0
    # its guest's emulated ATA controller, one command at a time
    controllers: dict[str, Resource] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clusters = HEADER_CLUSTERS + l1_clusters(self.image)

    def pieces(self, block: int, count: int, write: bool) -> list[Piece]:
        """How the image layer serves ``count`` virtual blocks from ``block``."""
        if self.image.format == "raw":
            return [_raw_piece(block, count, write)]
        size = self.image.cluster_blocks
        pieces = []
        while count:
            n = min(count, size - block % size)
            pieces.append(self._qcow2_piece(block, n, write))
            block, count = block + n, count - n
        return pieces

    def _qcow2_piece(self, block: int, count: int, write: bool) -> Piece:
        size = self.image.cluster_blocks
        cluster, offset = divmod(block, size)
        l1_index, l2_index = divmod(cluster, l2_entries(self.image))
        detail: dict[str, Any] = {
            "layer": "image",
            "format": "qcow2",
            "virtual_block": block,
            "count": count,
            "cluster_blocks": size,
            "cluster": cluster,
            "offset_in_cluster": offset,
            "l1_index": l1_index,
            "l2_index": l2_index,
            "l2_table_cluster": self.l1.get(l1_index),
            "data_cluster": self.l2.get(cluster),
            "allocated": [],
        }
        where = (
            f"vblock {block} → cluster {cluster} ({block} ÷ {size}), block {offset} in it; "
            f"L1[{l1_index}], L2[{l2_index}]"
        )
        if cluster not in self.l2 and not write:
            detail.update(file_block=None, file_accesses=0)
            summary = (
                f"qcow2: {where}: {self._missing(l1_index, l2_index)} — the cluster was never "
                "written, so it reads as zeros and the disk is not touched"
            )
            return Piece(block, count, (), summary, detail)
        before, after = ([], []) if cluster in self.l2 else self._allocate(cluster, detail)
        data = self.l2[cluster]
        file_block = data * size + offset
        accesses = (*before, FileAccess("data", file_block, count, write), *after)
        detail.update(
            file_block=file_block,
            data_cluster=data,
            l2_table_cluster=self.l1[l1_index],
            file_accesses=len(accesses),
        )
        detail["arithmetic"] = (
            f"{where} → L2 table at file cluster {self.l1[l1_index]} → data cluster {data}; "
            f"file block {data} × {size} + {offset} = {file_block}"
        )
        news = " and ".join(detail["allocated"])
        verb = f"allocates {news} at the end of the file" if news else "finds the cluster"
        return Piece(block, count, accesses, f"qcow2 {verb}: {detail['arithmetic']}", detail)

    def _missing(self, l1_index: int, l2_index: int) -> str:
        if l1_index not in self.l1:
            return f"L1[{l1_index}] is 0 (no L2 table yet)"
        return f"L2[{l2_index}] is 0 in the L2 table at file cluster {self.l1[l1_index]}"

    def _allocate(
        self, cluster: int, detail: dict[str, Any]
    ) -> tuple[list[FileAccess], list[FileAccess]]:
        """New clusters at the end of the file; the table writes to make before the
        data and after it (an entry never points at a cluster not yet written)."""
        size = self.image.cluster_blocks
        l1_index, l2_index = divmod(cluster, l2_entries(self.image))
        before = []
        if l1_index not in self.l1:
            self.l1[l1_index] = self._grow()
            detail["allocated"].append(f"an L2 table (file cluster {self.l1[l1_index]})")
            before = [
                FileAccess("L2 table", self.l1[l1_index] * size, size, True),
                FileAccess("L1 entry", _entry_block(HEADER_CLUSTERS, l1_index, size), 1, True),
            ]
        self.l2[cluster] = self._grow()
        detail["allocated"].append(f"data cluster {self.l2[cluster]}")
        entry = _entry_block(self.l1[l1_index], l2_index, size)
        return before, [FileAccess("L2 entry", entry, 1, True)]

    def _grow(self) -> int:
        """Append one cluster to the file; return its number."""
        self.clusters += 1
        return self.clusters - 1


def _raw_piece(block: int, count: int, write: bool) -> Piece:
    arithmetic = f"raw: file offset = vblock {block} × {BLOCK_BYTES} = {block * BLOCK_BYTES} bytes"
    detail = {
        "layer": "image",
        "format": "raw",
        "virtual_block": block,
        "count": count,
        "file_block": block,
        "file_accesses": 1,
        "arithmetic": f"{arithmetic} (file block {block})",
    }
    access = FileAccess("data", block, count, write)
    return Piece(block, count, (access,), f"{arithmetic}: file block {block}", detail)


def _entry_block(table_cluster: int, index: int, cluster_blocks: int) -> int:
    """The file block that holds entry ``index`` of the table starting at ``table_cluster``."""
    return table_cluster * cluster_blocks + index * TABLE_ENTRY_BYTES // BLOCK_BYTES


def extent_runs(extents: Sequence[Extent], file_block: int, count: int) -> list[Run]:
    """Where ``count`` file blocks from ``file_block`` lie on the disk, extent by extent."""
    runs = []
    first = 0  # the first file block of the extent in hand
    for index, extent in enumerate(extents):
        end = first + extent.blocks
        if count and file_block < end:
            n = min(count, end - file_block)
            physical = extent.start + file_block - first
            runs.append(Run(index, file_block, physical, n, first, extent.start))
            file_block, count = file_block + n, count - n
        first = end
    if count:
        raise ValueError(f"file block {file_block} lies past the image's last extent")
    return runs
