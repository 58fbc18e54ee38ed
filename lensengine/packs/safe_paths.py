"""Paths named by a pack (manifest entries, zip entries) must stay inside the pack folder."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath


def unsafe_reason(name: str) -> str | None:
    """Why the relative POSIX path ``name`` could reach outside its folder, or None when it cannot.

    Refused: empty names, absolute paths, Windows drives and backslashes, NUL bytes and any ``..`` part.
    """
    if not name or name in (".", "./"):
        return "is empty"
    if "\x00" in name:
        return "holds a NUL byte"
    if "\\" in name or PureWindowsPath(name).drive:
        return "uses a Windows drive or backslash (separate folders with '/')"
    if PurePosixPath(name).is_absolute():
        return "is absolute"
    if ".." in PurePosixPath(name).parts:
        return "climbs out with '..'"
    return None


def path_inside(root: Path, name: str) -> Path:
    """``root / name``, or ValueError saying why that path could reach outside ``root`` (a resolved folder).

    Besides the checks of ``unsafe_reason``: with all symbolic links followed, the path must stay in ``root``.
    """
    reason = unsafe_reason(name)
    if reason:
        raise ValueError(reason)
    path = root.joinpath(*PurePosixPath(name).parts)
    if not path.resolve().is_relative_to(root):
        raise ValueError("leads outside the pack folder through a symbolic link")
    return path
