"""``lensengine doctor``'s findings for the page: the command runs in its own process (its probes open cameras
and a virtual camera, and print), and its lines are read back as sections of findings with their fix-its."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from lensengine.cli.doctor import BAD, OK, SKIPPED

TIMEOUT_S = 180.0


def parse_doctor(text: str) -> dict:
    """Doctor's output as {"sections": [{"title", "findings": [{"status", "text", "fix"}]}], "summary"}.

    A problem line reads "what is wrong; how to fix it": the part after the first "; " is shown as the fix-it.
    """
    sections: list[dict] = []
    summary = ""
    marks = {OK.strip(): "ok", BAD.strip(): "problem", SKIPPED.strip(): "skipped"}
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            if line.strip().endswith("found") or line.strip() == "everything works":
                summary = line.strip()
            else:
                sections.append({"title": line.strip(), "findings": []})
            continue
        body = line.strip()
        mark, _, rest = body.partition(" ")
        status = marks.get(mark)
        if status is None:
            status, rest = "info", body
        fix = ""
        if status == "problem" and "; " in rest:
            rest, fix = rest.split("; ", 1)
        if not sections:
            sections.append({"title": "Findings", "findings": []})
        sections[-1]["findings"].append({"status": status, "text": rest, "fix": fix})
    return {"sections": sections, "summary": summary}


class DoctorReport:
    """Runs ``lensengine doctor`` in the background on request; ``state()`` is what the page shows."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "lensengine", "doctor"]
        self.result: dict | None = None
        self.running = False
        self.finished_at: float | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            self.running = True
        threading.Thread(target=self._run, name="studio-doctor", daemon=True).start()

    def _run(self) -> None:
        try:
            done = subprocess.run(
                self.command, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL
            )
            self.result = parse_doctor(done.stdout)
            if not self.result["sections"]:
                self.result["summary"] = f"doctor gave no findings: {(done.stderr or '').strip()[-300:]}"
        except (OSError, subprocess.SubprocessError) as exc:
            self.result = {"sections": [], "summary": f"doctor could not run: {exc}"}
        finally:
            self.finished_at = time.time()
            self.running = False

    def state(self) -> dict:
        return {"running": self.running, "finished_at": self.finished_at, **(self.result or {})}
