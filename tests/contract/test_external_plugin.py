"""A plugin package that lives outside this repository, found through the ``motcua.plugins`` entry
point exactly as pip installs it (a ``*.dist-info/entry_points.txt`` on the path), works with no
change to core. The package is docs/examples/motcua_certification, the guide's example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "motcua_certification"

SNIPPET = r"""
import json
from core.catalogue.registry import get_catalogue
cat = get_catalogue()
p = cat.procedures["2.000815"]
print(json.dumps({"domains": sorted(cat.domains), "owner": cat.owner["procedure:2.000815"], "name": p.name.vi}))
"""


def _install_metadata(site: Path) -> None:
    """What ``pip install`` leaves behind that entry-point discovery reads."""
    dist = site / "motcua_certification-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: motcua-certification\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[motcua.plugins]\ncertification = motcua_certification\n")


def _run(tmp_path: Path, snippet: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    _install_metadata(site)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(EXAMPLE)]), "MOTCUA_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_external_plugin_package_joins_the_catalogue(tmp_path):
    r = _run(tmp_path, SNIPPET)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "certification" in out["domains"]
    assert out["owner"] == "certification"
    assert out["name"].startswith("Chứng thực bản sao")


def test_example_plugin_fee_rule():
    sys.path.insert(0, str(EXAMPLE))
    try:
        import motcua_certification as ex
    finally:
        sys.path.remove(str(EXAMPLE))
    assert ex.per_copy_fee(1) == 2_000
    assert ex.per_copy_fee(5) == 2_000 * 2 + 1_000 * 3
    assert ex.per_copy_fee(400) == 200_000
