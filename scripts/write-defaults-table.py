"""Write each method's defaults (`tdimpute methods --markdown`) between the markers of a
Markdown file: `python scripts/write-defaults-table.py docs/usage.md`."""

import sys
from pathlib import Path

from tdimpute.models.registry import DEFAULTS_BEGIN, DEFAULTS_END, defaults_markdown

path = Path(sys.argv[1])
before, rest = path.read_text().split(DEFAULTS_BEGIN, 1)
_, after = rest.split(DEFAULTS_END, 1)
path.write_text(f"{before}{DEFAULTS_BEGIN}\n{defaults_markdown()}{DEFAULTS_END}{after}")
