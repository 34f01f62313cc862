"""`python -m analysis.demo`: regenerate data/demo/*.csv."""

from __future__ import annotations

from analysis.demo.io import DEMO_DIR, write_demo
from analysis.store import PROJECT_ROOT


def main() -> None:
    """Regenerate data/demo/*.csv."""
    for path in write_demo(DEMO_DIR):
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
