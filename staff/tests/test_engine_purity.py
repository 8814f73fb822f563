"""staff.engine is plain Python and numpy: importing it in a fresh interpreter loads no Django, DRF, Celery
or HTTP client (import-linter's contracts cover our own packages; this covers the third-party ones)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import sys
import staff.engine
frameworks = {"django", "rest_framework", "celery", "openai", "httpx"}
loaded = sorted({name.split(".")[0] for name in sys.modules} & frameworks)
print(",".join(loaded))
"""


def test_the_engine_imports_no_framework():
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
