"""Recalculating workbooks in LibreOffice (Debian's `libreoffice-calc`, headless), for the tests
that check the exported checksheet's formulas against `programme/scoring.py`."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# LibreOffice's own profile setting: recalculate every formula of an .xlsx file on load
# (0 = always), rather than trusting cached values.
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def libreoffice() -> str:
    """The LibreOffice executable; the test is skipped without one unless CI requires it."""
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found:
        return found
    if os.environ.get("KEIRETSU_REQUIRE_BROWSER"):
        pytest.fail("LibreOffice is required (KEIRETSU_REQUIRE_BROWSER is set) but is not installed (libreoffice-calc)")
    pytest.skip("LibreOffice (libreoffice-calc) is not installed")


def recalculate(workbooks: dict[str, bytes]) -> dict[str, bytes]:
    """Each workbook (name -> .xlsx bytes) opened, recalculated and saved again by LibreOffice,
    in one run, with a throwaway profile and home directory."""
    executable = libreoffice()
    with tempfile.TemporaryDirectory(prefix="keiretsu-lo-") as temp:
        temp = Path(temp)
        profile = temp / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
        sources, out = temp / "in", temp / "out"
        sources.mkdir()
        paths = []
        for name, content in workbooks.items():
            path = sources / f"{name}.xlsx"
            path.write_bytes(content)
            paths.append(str(path))
        env = {**os.environ, "HOME": str(temp), "LANG": "C.UTF-8"}
        subprocess.run(
            [executable, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "xlsx", "--outdir", str(out), *paths],
            env=env, check=True, capture_output=True, timeout=240,
        )
        return {name: (out / f"{name}.xlsx").read_bytes() for name in workbooks}
