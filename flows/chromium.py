"""Headless Chromium (Debian's package) turns the report HTML into a PDF or a PNG screenshot.

Owns the Chromium subprocess: a fresh profile per call, no network, no sandbox (root in CI).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from common.errors import KepuError

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--disable-sync", "--disable-default-apps", "--mute-audio",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--no-pdf-header-footer")


class ReportRenderError(KepuError):
    """The report could not be printed or captured (Chromium missing or failing)."""


def find_chromium(configured: Path | None = None) -> Path:
    """The configured binary, else `chromium` / `chromium-browser` on PATH."""
    if configured is not None:
        if not Path(configured).exists():
            raise ReportRenderError(f"KEPU_CHROMIUM_PATH={configured}: no such file")
        return Path(configured)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ReportRenderError("chromium not found on PATH: the report PDF needs it; install it with "
                            "`bash scripts/setup.d/20-report.sh` (Debian package chromium)")


def _run(chromium: Path, html: Path, extra: list[str], out: Path, timeout_s: int) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="kepu-chromium-") as profile:
        command = [str(chromium), *FLAGS, f"--user-data-dir={profile}", *extra,
                   html.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                                  env={"HOME": profile, "PATH": "/usr/bin:/bin"})
        except subprocess.TimeoutExpired as exc:
            raise ReportRenderError(f"{html}: chromium took over {timeout_s} s") from exc
    if not out.exists() or out.stat().st_size == 0:
        tail = " | ".join((done.stderr or "").strip().splitlines()[-3:])
        raise ReportRenderError(f"{html}: chromium wrote no {out.suffix} (exit {done.returncode}): "
                                f"{tail}")
    return out


def print_pdf(html: Path, pdf: Path, chromium: Path | None = None, timeout_s: int = 90) -> Path:
    """Print the page to an A4 PDF (the page's own @page rules apply)."""
    return _run(find_chromium(chromium), html, [f"--print-to-pdf={pdf.resolve()}"], pdf,
                timeout_s)


def screenshot(html: Path, png: Path, chromium: Path | None = None, width: int = 1200,
               height: int = 2400, timeout_s: int = 90) -> Path:
    """Capture the top `height` pixels of the page as a PNG (proof that it displays)."""
    return _run(find_chromium(chromium), html,
                [f"--screenshot={png.resolve()}", f"--window-size={width},{height}"], png,
                timeout_s)
