"""``python -m symfind.mock --out DIR [--n-objects N] [--seed S]``: write a mock sky."""

from .sky import main

main()
