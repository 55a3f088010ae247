"""Print the corpus pass figures per category, and the held-out batch's: `… report [-v]`."""

from __future__ import annotations

import sys
from collections import Counter

from tests.speech.corpus import HELDOUT, load_corpus


def main(argv: list[str]) -> int:
    """Print passed/total per category, and each failure with -v; 1 if any case fails."""
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures = []
    for case in [*load_corpus(), *load_corpus(HELDOUT)]:
        said = case.said()
        total[case.category] += 1
        if case.source:
            total["held out (real pages)"] += 1
            passed["held out (real pages)"] += said == case.spoken
        if said == case.spoken:
            passed[case.category] += 1
        else:
            failures.append((case, said))
    width = max(len(category) for category in total)
    for category in sorted(total):
        share = 100 * passed[category] / total[category]
        print(f"{category:<{width}}  {passed[category]:>3}/{total[category]:<3} {share:5.1f}%")
    all_passed = sum(n for category, n in passed.items() if not category.startswith("held"))
    all_cases = sum(n for category, n in total.items() if not category.startswith("held"))
    print(f"{'all':<{width}}  {all_passed:>3}/{all_cases:<3} {100 * all_passed / all_cases:5.1f}%")
    if "-v" in argv:
        for case, said in failures:
            print(f"\nline {case.line} [{case.category}] {case.text}")
            print(f"  want {case.spoken}\n  got  {said}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
