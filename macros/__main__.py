"""`python -m macros check`: validate all data (public and FAQ) and print file:line: path: reason."""

import sys

from .data import DataError, load_faq, load_site


def main(argv: list[str]) -> int:
    if argv != ["check"]:
        print("usage: python -m macros check", file=sys.stderr)
        return 2
    try:
        site = load_site()
        _, faq_untranslated = load_faq(site)
    except DataError as exc:
        print(exc, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in data/", file=sys.stderr)
        return 1
    for p in site.untranslated + faq_untranslated:
        print(f"note: {p}")
    print(f"data OK: guidelines {', '.join(map(str, site.guidelines))}, portal, FAQ")
    return 0


sys.exit(main(sys.argv[1:]))
