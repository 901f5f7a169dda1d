"""The log catalogue: every message authlib-tui knows, one record each, a module per family.

A family is the messages one program writes (authpgsql and libpq, maildrop, …), read
in one place (authdaemond's own line, or maildrop's output in a Postfix pipe line).
`registry.py` lists the families in match order; the matcher (`logs/matcher/`)
compiles their patterns. Adding a family is one new module and one line there.
"""
