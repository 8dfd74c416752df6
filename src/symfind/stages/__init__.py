"""The workflow's runners: one function per rule, named after it, file in and file out.

A runner reads its inputs, calls the kernels (the pure functions of the modules one level up:
arrays and frames in, arrays and frames out), logs what it did and writes its products
atomically; the rule's script only unpacks ``snakemake.*`` and calls it. The modules follow the
rule files of ``workflow/rules/`` (``selection.smk`` -> :mod:`symfind.stages.selection`, ...).
"""
