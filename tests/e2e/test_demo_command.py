"""The quick start's first command: `lienmach demo` runs the journey and sums it up honestly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_month_and_counts_only_its_own_mail(tmp_path: Path) -> None:
    # An earlier demo in the same folder left its mailbox behind.
    stale = {"from": "a@b.vn", "to": ["c@d.vn"], "subject": "old", "message_id": "<x>", "body": ""}
    (tmp_path / "demo-mail.jsonl").write_text(json.dumps(stale) + "\n", encoding="utf-8")

    small = ["--orders", "40", "--customers", "60", "--no-serve"]
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "lienmach.cli",
            "demo",
            *small,
            "--database",
            str(tmp_path / "d.db"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    mail = re.search(
        r"e-mails sent / caught by the mail server\s*│\s*(\d+) / (\d+)", finished.stdout
    )
    assert mail is not None, finished.stdout[-3000:]
    sent, caught = int(mail.group(1)), int(mail.group(2))
    assert sent > 0
    assert caught == sent
    balance = re.search(
        r"trial balance \(debit = credit\)\s*│\s*([\d.]+) ₫ = ([\d.]+) ₫ ✓", finished.stdout
    )
    assert balance is not None, finished.stdout[-3000:]
    assert balance.group(1) == balance.group(2) != "0"
